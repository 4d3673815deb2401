#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The benchmark (bench/bench.c): builds the release preset with the Linux
# sources, runs virtq_bench, and writes out/bench/bench.json and
# out/bench/bench.md (also printed).  Times are noisy on a shared machine, so
# callgrind instruction counts are reported beside them.
#
#   bench/run.sh [virtq_bench options]
# Environment: CHAINS (per timed run, default 2000000), REPS (5),
#              CALLGRIND (chains per callgrind run, 50000; 0 = skip),
#              ROUNDTRIP (buffers per two-thread round trip, 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
cmake --preset release -DVIRTQ_LINUX_INTEROP=ON >/dev/null
cmake --build --preset release --target virtq_bench
mkdir -p out/bench
rm -f out/bench/callgrind.*
exec build/release/bench/virtq_bench \
  --chains "${CHAINS:-2000000}" --reps "${REPS:-5}" \
  --callgrind "${CALLGRIND:-50000}" --roundtrip "${ROUNDTRIP:-1000000}" \
  --json out/bench/bench.json --md out/bench/bench.md "$@"
