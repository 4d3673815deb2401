#!/usr/bin/env bash
# Turn a crasher into a named regression input:
#   fuzz/tools/make_regression.sh TARGET CRASH_FILE NAME "what it found"
# copies it to corpus/regressions/TARGET/NAME-<sha1 prefix> (ctest replays
# every file there) and appends a line to corpus/regressions/README.md.
# Do this before fixing the bug, so the replay fails until the fix lands.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 TARGET CRASH_FILE NAME \"what it found\"" >&2; exit 2; }
target=$1 crash=$2 name=$3 what=$4
root=$(cd "$(dirname "$0")/../.." && pwd)
case $target in rings|ops|notify|race) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
[ -f "$crash" ] || { echo "no such file: $crash" >&2; exit 2; }
[[ $name =~ ^[a-z0-9-]+$ ]] || { echo "NAME: lowercase letters, digits, dashes" >&2; exit 2; }
sha=$(sha1sum "$crash" | cut -c1-12)
dest=$root/corpus/regressions/$target/$name-$sha
mkdir -p "$(dirname "$dest")"
cp "$crash" "$dest"
printf -- '- `%s/%s`: %s\n' "$target" "$(basename "$dest")" "$what" >> "$root/corpus/regressions/README.md"
echo "wrote $dest"
decoder=$(ls "$root"/build/*/fuzz/virtq-fuzz 2>/dev/null | head -n 1 || true)
if [ -n "$decoder" ]; then "$decoder" decode "$target" "$dest"; fi
