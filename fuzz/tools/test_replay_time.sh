#!/usr/bin/env bash
# replay_time.sh on stand-in binaries (no engine needed): the table's shape,
# one row per target counting only the non-empty files directly in its
# directory, the dearer build dearer per input by a clear ratio, a binary
# that stops shown as "stopped", and each bad argument refused (exit 2) with
# a message that names it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$here/replay_time.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Stand-in libFuzzer binaries: they take -flags and one directory and burn
# CPU per byte of each file in it (read without a fork), the old build 20
# times as much as the new; fuzz_stop fails on anything but the 1-byte
# start-up input.
mkdir -p "$work/old" "$work/new" "$work/in/sub" "$work/empty"
burner() { # iterations per byte
  printf '%s\n' '#!/usr/bin/env bash' 'dir=${!#}' \
    "for f in \"\$dir\"/*; do s=\$(<\"\$f\"); for ((i = 0; i < \${#s} * $1; i++)); do :; done; done"
}
stopper() {
  printf '%s\n' '#!/usr/bin/env bash' 'dir=${!#}' \
    '[ "$(ls "$dir" | wc -l)" -eq 1 ] && [ "$(wc -c < "$dir"/*)" -eq 1 ]'
}
burner 400 > "$work/old/fuzz_burn"
burner 20 > "$work/new/fuzz_burn"
stopper > "$work/old/fuzz_stop"
stopper > "$work/new/fuzz_stop"
chmod +x "$work"/old/* "$work"/new/*
head -c 40 /dev/zero | tr '\0' a > "$work/in/1"
head -c 60 /dev/zero | tr '\0' a > "$work/in/with space"
head -c 80 /dev/zero | tr '\0' a > "$work/in/3"
: > "$work/in/empty"          # libFuzzer skips it: not an input
printf 'x' > "$work/in/sub/4" # not directly in INPUTS: not an input

out=$("$tool" -r 1 -k 2 "$work/old" "$work/new" burn="$work/in" stop="$work/in")
echo "$out"
grep -qx '| target | inputs | old µs per input | new µs per input | old / new |' <<< "$out" ||
  fail "no table heading"
row=$(grep '^| burn |' <<< "$out") || fail "no row for burn"
# 3 inputs; old burns 20 times what new does per byte: dearer per input, old/new well above 1.
awk -F'|' '{ if ($3 + 0 != 3) exit 1
             for (i = 4; i <= 6; i++) if ($i !~ /^ *[0-9]+\.[0-9] *$/) exit 1
             if (!($4 + 0 > $5 + 0 && $6 + 0 >= 3)) exit 1 }' <<< "$row" ||
  fail "burn's row is not 3 inputs with old dearer than new and old/new at least 3: $row"
grep -qx '| stop | 3 | stopped | stopped | - |' <<< "$out" || fail "a stopping binary is not shown as stopped"
grep -q '2 copies of each input, least of 1 rounds' <<< "$out" || fail "footer does not say how it measured"

refused() { # message args...: the tool exits 2 and says message
  local msg=$1 err rc=0
  shift
  err=$("$tool" "$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq 2 ] || fail "exit $rc, not 2, for: $*"
  grep -qF "$msg" <<< "$err" || fail "for '$*' said '$err', not '$msg'"
}
refused "no fuzz_nosuch in $work/old" "$work/old" "$work/new" nosuch="$work/in"
refused "no inputs in $work/empty (non-empty files)" "$work/old" "$work/new" burn="$work/empty"
refused "$work/absent: no such directory" "$work/old" "$work/new" burn="$work/absent"
refused "'burn' is not TARGET=INPUTS" "$work/old" "$work/new" burn
refused "target 'burn' given twice" "$work/old" "$work/new" burn="$work/in" burn="$work/in"
refused "ROUNDS must be a positive integer, not '0'" -r 0 "$work/old" "$work/new" burn="$work/in"
refused "COPIES must be a positive integer, not 'x'" -k x "$work/old" "$work/new" burn="$work/in"
refused "usage:" "$work/old" "$work/new"
echo "replay_time: all checks passed"
