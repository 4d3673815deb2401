#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The benchmark (bench/bench.c): builds virtq_bench twice with the Linux
# sources, the release preset (-O3 + LTO) and bench-o2 (-O2, no LTO), runs the
# release one with --o2 pointing at the other (its core is the "core -O2"
# column, and its out-of-line functions give callgrind's per-function split of
# the core's serve loop), and writes out/bench/bench.json and
# out/bench/bench.md (also printed), with callgrind's files beside them.
# Times are noisy on a shared machine, so callgrind instruction counts are
# reported beside them.
#
#   bench/run.sh [virtq_bench options]
# Environment: CHAINS (per timed run, default 2000000), REPS (5),
#              CALLGRIND (chains per callgrind run, 50000; 0 = skip, and with
#              it the split), ROUNDTRIP (buffers per two-thread round trip,
#              1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/deps.sh
for preset in release bench-o2; do
  cmake --preset "${preset}" -DVIRTQ_LINUX_INTEROP=ON >/dev/null
  cmake --build --preset "${preset}" --target virtq_bench
done
mkdir -p out/bench
rm -f out/bench/callgrind.*
exec build/release/bench/virtq_bench --o2 build/bench-o2/bench/virtq_bench \
  --chains "${CHAINS:-2000000}" --reps "${REPS:-5}" \
  --callgrind "${CALLGRIND:-50000}" --roundtrip "${ROUNDTRIP:-1000000}" \
  --json out/bench/bench.json --md out/bench/bench.md "$@"
