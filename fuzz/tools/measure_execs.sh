#!/usr/bin/env bash
# exec/s of every fuzz target, each beside the empty target under the same
# engine and flags: the ratio is the harness's cost over the engine's.  Under
# libFuzzer each cell also gives the chains the device walked per second
# (VIRTQ_FUZZ_STATS): inputs grow as a run goes on, and a notify input that
# serves a hundred chains is one execution, so exec/s alone compares runs
# of different inputs.
#   asan   libFuzzer + ASan/UBSan, one process  (build/libfuzzer)
#   nosan  libFuzzer, no sanitizer, one process (build/libfuzzer-nosan)
#   afl    AFL++ (afl-clang-fast, persistent, shared memory; build/afl)
# Each run starts from the checked-in corpus of the target's input format,
# -seed=1 for libFuzzer.  A binary that is not built shows as "not built";
# build the presets with -DVIRTQ_LINUX_INTEROP=ON for the vringh targets.
# Usage: fuzz/tools/measure_execs.sh [SECONDS] [ENGINES] [TARGETS] > table.md
#   SECONDS per run (default 20); ENGINES and TARGETS comma-separated
#   (default asan,nosan,afl and every target).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/fuzz/tools/fuzz_env.sh"
secs=${1:-20}
IFS=, read -r -a engines <<< "${2:-asan,nosan,afl}"
IFS=, read -r -a targets <<< "${3:-rings,ops,notify,race,rings_vringh,ops_vringh,notify_vringh}"
all=(empty) # the baseline first, once
for t in "${targets[@]}"; do [ "$t" = empty ] || all+=("$t"); done
targets=("${all[@]}")
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "measure_execs: SECONDS must be a positive integer" >&2; exit 2; }
declare -A build=([asan]=libfuzzer [nosan]=libfuzzer-nosan [afl]=afl)
declare -A title=([asan]="libFuzzer + ASan/UBSan" [nosan]="libFuzzer, no sanitizer" [afl]="AFL++ (persistent, shared memory)")
for e in "${engines[@]}"; do
  [ -n "${build[$e]:-}" ] || { echo "measure_execs: unknown engine '$e' (asan, nosan, afl)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seeds() { # target dir: the seeds it starts from
  mkdir -p "$2"
  if [ "$1" = empty ]; then printf x > "$2/seed"; else cp "$(fuzz_corpus "$root" "$1")"/* "$2/"; fi
}

libfuzzer_rate() { # binary target -> "exec/s chains/s" (chains walked: VIRTQ_FUZZ_STATS, fuzz/common/stats.c)
  local dir=$work/lf-$2-$RANDOM
  seeds "$2" "$dir"
  # A finding stops libFuzzer before its final stats: that shows as "stopped".
  { VIRTQ_FUZZ_STATS=1 "$1" -max_total_time="$secs" -print_final_stats=1 -seed=1 -rss_limit_mb=$FUZZ_RSS_MB "$dir" 2>&1 || true; } |
    awk '/stat::number_of_executed_units/ {u = $2} /stat::average_exec_per_sec/ {r = $2}
         /stat::chains_walked/ {c = $2}
         END { if (r == "") print "stopped -"; else if (c == "" || u == 0) print r, "-"; else printf "%s %.0f\n", r, c * r / u }'
}

afl_rate() { # binary target
  local in=$work/afl-in-$2 out=$work/afl-out-$2
  seeds "$2" "$in"
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_FAST_CAL=1 \
    timeout $((secs + 60)) afl-fuzz -i "$in" -o "$out" -V "$secs" -- "$1" >"$work/afl-$2.log" 2>&1 || true
  awk -F: '/execs_per_sec/ {gsub(/ /, "", $2); print $2}' "$out"/default/fuzzer_stats 2>/dev/null
}

declare -A rate chains
for t in "${targets[@]}"; do
  for e in "${engines[@]}"; do
    bin=$root/build/${build[$e]}/fuzz/fuzz_$t
    if [ ! -x "$bin" ]; then rate[$e,$t]="not built" chains[$e,$t]=-; continue; fi
    if [ "$e" = afl ]; then
      r=$(afl_rate "$bin" "$t") c=-
    else
      read -r r c <<< "$(libfuzzer_rate "$bin" "$t")"
    fi
    rate[$e,$t]=${r:-stopped} chains[$e,$t]=$c
  done
done

cell() { # engine target: "rate (N x)" against the empty target, and chains walked per second
  local r=${rate[$1,$2]} e=${rate[$1,empty]} c=${chains[$1,$2]:--}
  if [[ $r =~ ^[0-9.]+$ && $e =~ ^[0-9.]+$ ]] && [ "$2" != empty ]; then
    awk -v r="$r" -v e="$e" 'BEGIN { printf "%.0f (%.0fx)", r, e / r }'
  else
    printf '%s' "$r"
  fi
  [[ $c =~ ^[0-9]+$ ]] && [ "$2" != empty ] && printf '; %s chains/s' "$c"
  echo
}
head="| target |" sep="|---|"
for e in "${engines[@]}"; do
  if [ "$e" = afl ]; then head+=" ${title[$e]} exec/s (empty/target) |"
  else head+=" ${title[$e]} exec/s (empty/target); chains walked/s |"; fi
  sep+="---:|"
done
echo "$head"
echo "$sep"
for t in "${targets[@]}"; do
  row="| $t |"
  for e in "${engines[@]}"; do row+=" $(cell "$e" "$t") |"; done
  echo "$row"
done
echo
echo "${secs} s per run, one process, from the checked-in corpus; $(nproc) cores, $(uname -m);" \
  "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)."
