#!/usr/bin/env bash
# replay_time.sh on stand-in binaries (no engine needed): the table's shape,
# one row per target with its input count, figures that are numbers, a
# binary that stops shown as "stopped", and each bad argument refused with a
# message that names it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/replay_time.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A stand-in libFuzzer binary: takes -flags and one directory, burns CPU per
# file in it; fuzz_stop fails on any input but the 1-byte start-up one.
mkdir -p "$work/old" "$work/new" "$work/in" "$work/empty"
for b in old new; do
  cat > "$work/$b/fuzz_burn" <<'EOF'
#!/usr/bin/env bash
dir=${!#}
for f in "$dir"/*; do for ((i = 0; i < 3000; i++)); do :; done; done
EOF
  cat > "$work/$b/fuzz_stop" <<'EOF'
#!/usr/bin/env bash
dir=${!#}
[ "$(ls "$dir" | wc -l)" -eq 1 ] && [ "$(wc -c < "$dir"/*)" -eq 1 ]
EOF
  chmod +x "$work/$b/fuzz_burn" "$work/$b/fuzz_stop"
done
printf 'a' > "$work/in/1"
printf 'bb' > "$work/in/2"
printf 'ccc' > "$work/in/3"

out=$("$tool" -r 1 -k 2 "$work/old" "$work/new" burn="$work/in" stop="$work/in")
echo "$out"
grep -qx '| target | inputs | old µs per input | new µs per input | old / new |' <<< "$out" ||
  fail "no table heading"
row=$(grep '^| burn |' <<< "$out") || fail "no row for burn"
awk -F'|' '{ if ($3 + 0 != 3) exit 1
             for (i = 4; i <= 6; i++) if ($i !~ /^ *[0-9]+(\.[0-9])? *$/) exit 1 }' <<< "$row" ||
  fail "burn's row is not 3 inputs and three numbers: $row"
grep -qx '| stop | 3 | stopped | stopped | - |' <<< "$out" || fail "a stopping binary is not shown as stopped"
grep -q '2 copies of each input, least of 1 alternating rounds' <<< "$out" || fail "footer does not say how it measured"

refused() { # message args...: the tool exits 2 and says message
  local msg=$1 err
  shift
  if err=$("$tool" "$@" 2>&1 >/dev/null); then fail "accepted: $*"; fi
  grep -qF "$msg" <<< "$err" || fail "for '$*' said '$err', not '$msg'"
}
refused "no fuzz_nosuch in $work/old" "$work/old" "$work/new" nosuch="$work/in"
refused "no inputs in $work/empty" "$work/old" "$work/new" burn="$work/empty"
refused "$work/absent: no such directory" "$work/old" "$work/new" burn="$work/absent"
refused "'burn' is not TARGET=INPUTS" "$work/old" "$work/new" burn
refused "ROUNDS must be a positive integer, not '0'" -r 0 "$work/old" "$work/new" burn="$work/in"
refused "COPIES must be a positive integer, not 'x'" -k x "$work/old" "$work/new" burn="$work/in"
refused "usage:" "$work/old" "$work/new"
echo "replay_time: all checks passed"
