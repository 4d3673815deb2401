#!/usr/bin/env bash
# Line and branch coverage of core/src from the unit tests (coverage preset).
# Writes out/coverage-unit/index.html and prints the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset coverage >/dev/null
cmake --build --preset coverage >/dev/null
find build/coverage -name '*.gcda' -delete
ctest --preset coverage -L unit >/dev/null
mkdir -p out/coverage-unit
gcovr -r . --filter core/src/ build/coverage --html-details out/coverage-unit/index.html >/dev/null
gcovr -r . --filter core/src/ build/coverage | tail -n +4
gcovr -r . --filter core/src/ -b build/coverage | tail -n +4
