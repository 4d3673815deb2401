#!/usr/bin/env bash
# All tests: install what is missing, then for each preset (asan first, then
# dev) configure, build (warnings are errors) and run every ctest.  The Linux
# interop tests are on: configure fetches linux-source-6.1 once into
# build/linux-source-cache (interop/fetch-linux-source.sh).  Exits
# non-zero on the first failure.  Usage: ci/test.sh [preset ...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/deps.sh

presets=("$@")
if ((${#presets[@]} == 0)); then presets=(asan dev libfuzzer); fi

for preset in "${presets[@]}"; do
  echo "== ${preset}: configure"
  cmake --preset "${preset}" -DVIRTQ_LINUX_INTEROP=ON >/dev/null
  echo "== ${preset}: build"
  cmake --build --preset "${preset}"
  echo "== ${preset}: test"
  ctest --preset "${preset}"
done
echo "ci/test.sh: all presets passed (${presets[*]})"
