#!/usr/bin/env bash
# One deterministic libFuzzer smoke run (ctest fuzz_smoke.<target>):
#   smoke.sh BINARY DICT WORKDIR RUNS SEED_DIR...
# New inputs go to WORKDIR/corpus (emptied first), never into the seed
# directories; a crash, an oracle failure, a timeout or an OOM fails, and so
# does a run that stopped short of RUNS executions.
set -euo pipefail
bin=$1 dict=$2 work=$3 runs=$4
shift 4
[ -x "$bin" ] || { echo "smoke: no fuzz target at $bin (was it built?)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/corpus"
rc=0
"$bin" -seed=1 -runs="$runs" -dict="$dict" -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$@" > "$work/log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$work/log" >&2
  echo "smoke: $(basename "$bin") failed (exit $rc); artifacts in $work" >&2
  exit 1
fi
grep -q "^Done $runs runs" "$work/log" || { tail -n 20 "$work/log" >&2; echo "smoke: fewer than $runs runs" >&2; exit 1; }
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added):' "$work/log"
