#!/usr/bin/env bash
# exec/s of every target under libFuzzer + ASan/UBSan, libFuzzer without
# sanitizers and AFL++ (afl-clang-fast, persistent, shared memory), each
# beside the empty target under the same engine and flags: the ratio is the
# harness overhead.  Needs the libfuzzer, libfuzzer-nosan and afl presets
# built.  Usage: fuzz/tools/measure_execs.sh [seconds per run] > table.md
set -euo pipefail
secs=${1:-15}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
targets=(empty rings ops notify race)

libfuzzer_rate() { # binary target
  local dir=$work/lf-$2-$RANDOM
  mkdir -p "$dir"
  if [ "$2" = empty ]; then printf x > "$dir/seed"; else cp "$root/corpus/$2"/* "$dir/"; fi
  "$1" -max_total_time="$secs" -print_final_stats=1 -seed=1 "$dir" 2>&1 |
    awk '/stat::average_exec_per_sec/ {print $2}'
}

afl_rate() { # target
  local in=$work/afl-in-$1 out=$work/afl-out-$1
  mkdir -p "$in"
  if [ "$1" = empty ]; then printf x > "$in/seed"; else cp "$root/corpus/$1"/* "$in/"; fi
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_FAST_CAL=1 \
    timeout $((secs + 60)) afl-fuzz -i "$in" -o "$out" -V "$secs" -- \
    "$root/build/afl/fuzz/fuzz_$1" >"$work/afl-$1.log" 2>&1 || true
  awk -F: '/execs_per_sec/ {gsub(/ /, "", $2); print $2}' "$out"/default/fuzzer_stats 2>/dev/null || echo n/a
}

declare -A asan nosan afl
for t in "${targets[@]}"; do
  asan[$t]=$(libfuzzer_rate "$root/build/libfuzzer/fuzz/fuzz_$t" "$t")
  nosan[$t]=$(libfuzzer_rate "$root/build/libfuzzer-nosan/fuzz/fuzz_$t" "$t")
  afl[$t]=$(afl_rate "$t")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", b / a; else print "n/a" }'; }
echo "| target | libFuzzer+ASan/UBSan exec/s (empty/target) | libFuzzer, no sanitizer (empty/target) | AFL++ 4.04c (empty/target) |"
echo "|---|---|---|---|"
for t in "${targets[@]}"; do
  echo "| $t | ${asan[$t]} ($(ratio "${asan[$t]}" "${asan[empty]}")x) | ${nosan[$t]} ($(ratio "${nosan[$t]}" "${nosan[empty]}")x) | ${afl[$t]} ($(ratio "${afl[$t]}" "${afl[empty]}")x) |"
done
echo
echo "${secs} s per run, one core, $(nproc) cores on $(uname -m), $(date -u +%Y-%m-%d)."
