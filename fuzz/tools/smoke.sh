#!/usr/bin/env bash
# One deterministic libFuzzer smoke run (ctest fuzz_smoke.<target>):
#   smoke.sh BINARY TARGET WORKDIR RUNS
# From the target's seeds and regressions, with its dictionary; new inputs go
# to WORKDIR/corpus (emptied first), never into the seed directories.  A
# crash, an oracle failure, a timeout or an OOM fails, and so does a run that
# stopped short of RUNS executions.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/fuzz/tools/fuzz_env.sh"
bin=$1 target=$2 work=$3 runs=$4
[ -x "$bin" ] || { echo "smoke: no fuzz target at $bin (was it built?)" >&2; exit 1; }
mapfile -t seeds < <(fuzz_seed_dirs "$root" "$target")
rm -rf "$work"
mkdir -p "$work/corpus"
rc=0
"$bin" -seed=1 -runs="$runs" -dict="$(fuzz_dict "$root" "$target")" -timeout=$FUZZ_TIMEOUT_S \
  -rss_limit_mb=$FUZZ_RSS_MB -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" \
  "${seeds[@]}" > "$work/log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$work/log" >&2
  echo "smoke: $(basename "$bin") failed (exit $rc); artifacts in $work" >&2
  exit 1
fi
grep -q "^Done $runs runs" "$work/log" || { tail -n 20 "$work/log" >&2; echo "smoke: fewer than $runs runs" >&2; exit 1; }
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added):' "$work/log"
