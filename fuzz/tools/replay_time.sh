#!/usr/bin/env bash
# The CPU time one fixed set of inputs costs two builds of the fuzz targets.
# exec/s from a fuzzing run (measure_execs.sh) depends on the inputs the run
# happened to grow: a notify input serving 300 chains is one execution like
# one serving 3.  Replaying the same files through both builds compares the
# harness and device on the same work.  Each build is a directory holding
# libFuzzer binaries fuzz_<target>: build/libfuzzer/fuzz of a checkout (for
# another commit: git worktree add TREE REV; cmake --preset libfuzzer and
# cmake --build --preset libfuzzer --target fuzz_rings ... in TREE; pass
# TREE/build/libfuzzer/fuzz).
#
# Every run is `fuzz_<target> -runs=0 DIR`: libFuzzer executes each file once
# and exits.  The inputs are the non-empty regular files directly in INPUTS
# (libFuzzer skips empty ones), copied K times (libFuzzer executes copies
# too), so the steady state, not the first touch of memory, dominates; the
# same binary over one 1-byte input is the start-up, subtracted.  Old and new
# take turns going first, R rounds, and the least CPU time (user + sys) of
# each is kept.  A binary that stops on an input (a finding, a crash, a
# timeout) shows "stopped", is not run again, and the end of its output goes
# to stderr.  A difference below the clock's millisecond shows "< 0.1".
#
# Usage: fuzz/tools/replay_time.sh [-r ROUNDS] [-k COPIES] OLD_DIR NEW_DIR TARGET=INPUTS...
#   defaults: 3 rounds, 10 copies.  Prints a Markdown table on stdout.
set -euo pipefail
export LC_ALL=C # bash's time prints the locale's decimal mark; awk reads a dot
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/fuzz/tools/fuzz_env.sh"

usage() { echo "usage: replay_time.sh [-r ROUNDS] [-k COPIES] OLD_DIR NEW_DIR TARGET=INPUTS..." >&2; exit 2; }
die() { echo "replay_time: $*" >&2; exit 2; }

rounds=3 copies=10
while getopts r:k: o; do
  case $o in
    r) rounds=$OPTARG ;;
    k) copies=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || usage
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, not '$rounds'"
[[ $copies =~ ^[1-9][0-9]*$ ]] || die "COPIES must be a positive integer, not '$copies'"
builds=("$1" "$2")
shift 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/one"
printf '\0' > "$work/one/x"

declare -a targets
declare -A count
for spec in "$@"; do
  [[ $spec == *=* ]] || die "'$spec' is not TARGET=INPUTS"
  t=${spec%%=*} in=${spec#*=}
  [[ $t =~ ^[A-Za-z0-9_]+$ ]] || die "'$t' is not a target name"
  [ -z "${count[$t]:-}" ] || die "target '$t' given twice"
  [ -d "$in" ] || die "$in: no such directory"
  for b in "${builds[@]}"; do
    [ -x "$b/fuzz_$t" ] || die "no fuzz_$t in $b"
  done
  mkdir "$work/in-$t"
  n=0
  for f in "$in"/*; do
    [ -f "$f" ] && [ -s "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$work/in-$t/0-$n"
    for ((k = 1; k < copies; k++)); do ln "$work/in-$t/0-$n" "$work/in-$t/$k-$n"; done
  done
  [ "$n" -gt 0 ] || die "no inputs in $in (non-empty files)"
  targets+=("$t")
  count[$t]=$n
done

# cpu_us BINARY DIR LOG: CPU microseconds of one pass over DIR, or "stopped".
cpu_us() {
  local TIMEFORMAT='%3U %3S' t
  if ! t=$( { time "$1" -runs=0 -rss_limit_mb="$FUZZ_RSS_MB" -timeout="$FUZZ_TIMEOUT_S" \
                -artifact_prefix="$work/" "$2" >"$3" 2>&1; } 2>&1 ); then
    echo stopped
    return
  fi
  # Seconds with three decimals, summed as whole milliseconds: no rounding.
  awk '{split($1, u, "."); split($2, s, "."); print ((u[1] + s[1]) * 1000 + u[2] + s[2]) * 1000}' <<< "$t"
}

least() { # current new -> the smaller, "stopped" wins
  if [ "$1" = stopped ] || [ "$2" = stopped ]; then echo stopped
  elif [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"
  else echo "$1"
  fi
}

# stopped BINARY LOG WHAT: say which run stopped and how it ended.
stopped() {
  echo "replay_time: $1 stopped over $3; the end of its output:" >&2
  tail -n 15 "$2" >&2
}

# measure BUILD TARGET: one round's start-up and full pass, unless it stopped before.
measure() {
  local i=$1 t=$2 bin=${builds[$1]}/fuzz_$2 log=$work/log-$1-$2
  [ "${one[$i,$t]:-}" != stopped ] && [ "${fix[$i,$t]:-}" != stopped ] || return 0
  one[$i,$t]=$(least "${one[$i,$t]:-}" "$(cpu_us "$bin" "$work/one" "$log")")
  if [ "${one[$i,$t]}" = stopped ]; then stopped "$bin" "$log" "a 1-byte input"; return 0; fi
  fix[$i,$t]=$(least "${fix[$i,$t]:-}" "$(cpu_us "$bin" "$work/in-$t" "$log")")
  if [ "${fix[$i,$t]}" = stopped ]; then stopped "$bin" "$log" "the inputs of $t"; fi
  return 0
}

declare -A one fix
for ((r = 0; r < rounds; r++)); do
  for t in "${targets[@]}"; do
    measure $((r % 2)) "$t"
    measure $((1 - r % 2)) "$t"
  done
done

per_input() { # build target -> µs per input, unrounded, or "stopped"
  local o=${one[$1,$2]} f=${fix[$1,$2]}
  if [ "$o" = stopped ] || [ "$f" = stopped ]; then echo stopped; return; fi
  awk -v o="$o" -v f="$f" -v n=$((count[$2] * copies)) 'BEGIN {print (f - o) / n}'
}

shown() { # µs -> the cell
  awk -v v="$1" 'BEGIN {if (v == "stopped") print v; else if (v < 0.05) print "< 0.1"; else printf "%.1f\n", v}'
}

echo "| target | inputs | old µs per input | new µs per input | old / new |"
echo "|---|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
  a=$(per_input 0 "$t") b=$(per_input 1 "$t")
  ratio=-
  if [ "$a" != stopped ] && [ "$b" != stopped ]; then
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {if (a >= 0.05 && b >= 0.05) printf "%.1f\n", a / b; else print "-"}')
  fi
  echo "| $t | ${count[$t]} | $(shown "$a") | $(shown "$b") | $ratio |"
done
echo
echo "old: ${builds[0]}; new: ${builds[1]}. CPU time (user + sys) of \`-runs=0\` over $copies copies of each input, least of $rounds rounds (old and new taking turns to go first), less the same binary's start-up over one 1-byte input."
