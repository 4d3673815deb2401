#!/usr/bin/env bash
# Where each fuzz target's time goes under libFuzzer + ASan/UBSan (the build
# the exec/s goals are for): a profile of one fuzzing run per target (perf
# record -g, cpu-clock at 1 kHz) split by time_split.py into the per-input
# set-up and tear-down, the device under test, the device-write oracle's
# whole-region passes, the rest of the harness, libFuzzer, the kernel and
# what cannot be attributed.  The last column is the exec/s the run would
# reach if only the device's share of its time were left: how fast the
# inputs it made could be served by this device under this instrumentation,
# whatever the harness did.
# Each run starts from the checked-in corpus of the target's input format,
# -seed=1, like measure_execs.sh.  Needs perf (apt-get install linux-perf)
# and the libfuzzer preset built (-DVIRTQ_LINUX_INTEROP=ON for *_vringh).
# Usage: fuzz/tools/time_split.sh [SECONDS] [TARGETS] > table.md
#   SECONDS per run (default 20); TARGETS comma-separated (default
#   rings,ops,notify,race).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd -P) # the real path: what the debug information names
source "$root/fuzz/tools/fuzz_env.sh"
secs=${1:-20}
IFS=, read -r -a targets <<< "${2:-rings,ops,notify,race}"
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "time_split: SECONDS must be a positive integer" >&2; exit 2; }
command -v perf >/dev/null || { echo "time_split: perf is not installed (apt-get install -y linux-perf)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$root/fuzz/tools/time_split.py" --header
for t in "${targets[@]}"; do
  bin=$root/build/libfuzzer/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "time_split: $bin is not built" >&2; exit 2; }
  case $t in
    *_vringh) device=(--device interop/src/ --device linux-source-cache/) ;;
    *) device=(--device core/) ;; # its sources and the inline functions of its headers
  esac
  mkdir -p "$work/$t"
  cp "$(fuzz_corpus "$root" "$t")"/* "$work/$t/"
  perf record -q -F 1000 -e cpu-clock -g -o "$work/$t.data" -- "$bin" -max_total_time="$secs" -seed=1 \
    -print_final_stats=1 -rss_limit_mb=$FUZZ_RSS_MB "$work/$t" >"$work/$t.log" 2>&1 || true
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$work/$t.log")
  [ -n "$rate" ] || { echo "time_split: $t stopped before its final stats (see a finding?)" >&2; tail -5 "$work/$t.log" >&2; exit 1; }
  perf script -i "$work/$t.data" -F ip,sym,dso >"$work/$t.txt" 2>"$work/$t.perf-err" ||
    { echo "time_split: perf script failed on $t:" >&2; cat "$work/$t.perf-err" >&2; exit 1; }
  python3 "$root/fuzz/tools/time_split.py" --binary "$bin" --root "$root" "${device[@]}" --name "$t" \
    --exec-per-s "$rate" <"$work/$t.txt"
done
echo
echo "$secs s per run, one process, from the checked-in corpus; perf cpu-clock samples at 1 kHz; commit $(git -C "$root" rev-parse --short HEAD), $(date -u +%Y-%m-%d)."
