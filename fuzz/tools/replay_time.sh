#!/usr/bin/env bash
# The CPU time one fixed set of inputs costs two builds of the fuzz targets.
# exec/s from a fuzzing run (measure_execs.sh) depends on the inputs the run
# happened to grow: a notify input serving 300 chains is one execution like
# one serving 3.  Replaying the same files through both builds compares the
# harness and device on the same work.  Each build is a directory holding
# libFuzzer binaries fuzz_<target> (another commit: git worktree add DIR REV,
# then cmake --preset libfuzzer in it and build the targets).
#
# Every run is `fuzz_<target> -runs=0 DIR`: libFuzzer executes each file once
# and exits.  The inputs are copied K times (libFuzzer executes copies too),
# so the steady state, not the first touch of memory, dominates; the same
# binary over one 1-byte input is the start-up, subtracted.  Old and new
# alternate, R rounds, and the least CPU time (user + sys) of each is kept.
# A binary that stops on an input (a finding, a crash) shows "stopped".
#
# Usage: fuzz/tools/replay_time.sh [-r ROUNDS] [-k COPIES] OLD_DIR NEW_DIR TARGET=INPUTS...
#   defaults: 3 rounds, 10 copies.  Prints a Markdown table on stdout.
set -euo pipefail
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
  [ -d "$in" ] || die "$in: no such directory"
  for b in "${builds[@]}"; do
    [ -x "$b/fuzz_$t" ] || die "no fuzz_$t in $b"
  done
  mkdir "$work/in-$t"
  n=0
  for f in "$in"/*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    for ((k = 0; k < copies; k++)); do cp "$f" "$work/in-$t/$k-$n"; done
  done
  [ "$n" -gt 0 ] || die "no inputs in $in"
  targets+=("$t")
  count[$t]=$n
done

# cpu_ms BINARY DIR: CPU milliseconds of one pass over DIR, or "stopped".
cpu_ms() {
  local TIMEFORMAT='%3U %3S' t
  if ! t=$( { time "$1" -runs=0 -rss_limit_mb="$FUZZ_RSS_MB" -timeout="$FUZZ_TIMEOUT_S" "$2" \
                >"$work/log" 2>&1; } 2>&1 ); then
    echo stopped
    return
  fi
  awk '{printf "%d\n", ($1 + $2) * 1000}' <<< "$t"
}

least() { # current new -> the smaller, "stopped" wins
  if [ "$1" = stopped ] || [ "$2" = stopped ]; then echo stopped
  elif [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"
  else echo "$1"
  fi
}

declare -A one fix
for ((r = 0; r < rounds; r++)); do
  for t in "${targets[@]}"; do
    for i in 0 1; do
      bin=${builds[$i]}/fuzz_$t
      one[$i,$t]=$(least "${one[$i,$t]:-}" "$(cpu_ms "$bin" "$work/one")")
      fix[$i,$t]=$(least "${fix[$i,$t]:-}" "$(cpu_ms "$bin" "$work/in-$t")")
    done
  done
done

per_input() { # build target -> µs per input, or "stopped"
  local o=${one[$1,$2]} f=${fix[$1,$2]}
  if [ "$o" = stopped ] || [ "$f" = stopped ]; then echo stopped; return; fi
  awk -v o="$o" -v f="$f" -v n=$((count[$2] * copies)) 'BEGIN {d = f - o; if (d < 0) d = 0; printf "%.1f\n", d * 1000 / n}'
}

echo "| target | inputs | old µs per input | new µs per input | old / new |"
echo "|---|---:|---:|---:|---:|"
for t in "${targets[@]}"; do
  a=$(per_input 0 "$t") b=$(per_input 1 "$t")
  ratio=-
  if [ "$a" != stopped ] && [ "$b" != stopped ]; then
    ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {if (b > 0) printf "%.1f\n", a / b; else print "-"}')
  fi
  echo "| $t | ${count[$t]} | $a | $b | $ratio |"
done
echo
echo "old: ${builds[0]}; new: ${builds[1]}. CPU time (user + sys) of \`-runs=0\` over $copies copies of each input, least of $rounds alternating rounds, less the same binary's start-up over one 1-byte input."
