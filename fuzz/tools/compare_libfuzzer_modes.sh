#!/usr/bin/env bash
# How the nightly should run libFuzzer, measured: -fork=1 (a parent that
# restarts child jobs and survives crashes) against one plain process, each
# for the same time on the same seeds, one core each in turn.  Prints, per
# target and mode: executions, CPU seconds (user + sys of every process),
# executions per CPU second, libFuzzer's features (ft) and corpus size.
# Needs the libfuzzer preset built.
# Usage: fuzz/tools/compare_libfuzzer_modes.sh [SECONDS] [TARGETS] > table.md
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/fuzz/tools/fuzz_env.sh"
secs=${1:-60}
IFS=, read -r -a targets <<< "${2:-rings,ops,notify,race,rings_vringh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run MODE TARGET: "execs cpu ft corpus" of one run
run() {
  local mode=$1 t=$2 dir=$work/$1-$2 bin=$root/build/libfuzzer/fuzz/fuzz_$2 seeds args
  [ -x "$bin" ] || { echo "not built: $bin" >&2; exit 2; }
  mapfile -t seeds < <(fuzz_seed_dirs "$root" "$t")
  mkdir -p "$dir/corpus"
  args=(-max_total_time="$secs" -seed=1 -timeout=$FUZZ_TIMEOUT_S -rss_limit_mb=$FUZZ_RSS_MB
        -dict="$(fuzz_dict "$root" "$t")")
  if [ "$mode" = fork ]; then args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1); fi
  (cd "$dir" && /usr/bin/time -f "cpu %U %S" "$bin" "${args[@]}" -print_final_stats=1 corpus "${seeds[@]}" \
     > log 2>&1 || true)
  awk -v mode="$mode" '
    /^cpu / { cpu = $2 + $3 }
    # plain: the final stats; fork: the parent status lines (#execs: cov: .. ft: N corp: M)
    /stat::number_of_executed_units/ { execs = $2 }
    /^#[0-9]+.*ft: [0-9]+/ { for (i = 1; i <= NF; i++) { if ($i == "ft:") ft = $(i + 1); if ($i == "corp:") corp = $(i + 1) }
                             if (mode == "fork") { e = $1; sub(/^#/, "", e); sub(/:$/, "", e); execs = e } }
    END { sub(/\/.*/, "", corp); printf "%s %.1f %s %s\n", execs, cpu, ft, corp }' "$dir/log"
}

echo "| target | mode | executions | CPU s | exec per CPU s | features (ft) | corpus |"
echo "|---|---|---:|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
  for mode in fork plain; do
    read -r execs cpu ft corp < <(run "$mode" "$t")
    per=$(awk -v e="$execs" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? e / c : 0) }')
    echo "| $t | $mode | $execs | $cpu | $per | $ft | $corp |"
  done
done
echo
echo "${secs} s per run, libFuzzer + ASan/UBSan, one process (fork: one child), -seed=1, $(nproc) cores;" \
  "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)."
