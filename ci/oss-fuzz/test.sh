#!/usr/bin/env bash
# Runs ci/oss-fuzz/build.sh with the variables OSS-Fuzz's base-builder image
# sets for libFuzzer + AddressSanitizer (no Docker here), then checks what it
# packaged and replays each binary over its own seed corpus zip.
# Usage: ci/oss-fuzz/test.sh WORKDIR   (ctest oss_fuzz.build, label oss-fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/fuzz/tools/fuzz_env.sh"
work=${1:?usage: $0 WORKDIR}
rm -rf "$work"
mkdir -p "$work/src" "$work/out" "$work/work"
ln -s "$root" "$work/src/virtq"
command -v clang-14 >/dev/null || { echo "oss-fuzz test: clang-14 is missing (ci/deps.sh installs it)" >&2; exit 1; }

flags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
flags+=" -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
env SRC="$work/src" OUT="$work/out" WORK="$work/work" CC=clang-14 CXX=clang++-14 \
  CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
  SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64 FUZZING_LANGUAGE=c \
  bash "$root/ci/oss-fuzz/build.sh" > "$work/build.log" 2>&1 ||
  { tail -n 30 "$work/build.log" >&2; echo "oss-fuzz test: build.sh failed ($work/build.log)" >&2; exit 1; }

fail() { echo "oss-fuzz test: $*" >&2; exit 1; }
for t in rings ops notify race; do
  o=$work/out
  [ -x "$o/$t" ] || fail "$t: no binary in \$OUT"
  [ -s "$o/$t.dict" ] || fail "$t: no dictionary"
  grep -qx "dict = $t.dict" "$o/$t.options" || fail "$t.options does not name $t.dict"
  grep -qx "timeout = $FUZZ_TIMEOUT_S" "$o/$t.options" || fail "$t.options has no timeout"
  seeds=$work/seeds/$t
  mkdir -p "$seeds"
  python3 -m zipfile -e "$o/${t}_seed_corpus.zip" "$seeds"
  mapfile -t dirs < <(fuzz_seed_dirs "$root" "$t")
  expected=$(find "${dirs[@]}" -maxdepth 1 -type f | wc -l)
  got=$(find "$seeds" -type f | wc -l)
  [ "$got" -eq "$expected" ] || fail "$t: seed zip holds $got files, corpus has $expected"
  # -runs=0: execute every seed once and stop; a crash or oracle failure fails.
  "$o/$t" -runs=0 -rss_limit_mb=$FUZZ_RSS_MB -timeout=$FUZZ_TIMEOUT_S "$seeds" > "$work/$t.log" 2>&1 ||
    { tail -n 30 "$work/$t.log" >&2; fail "$t: replaying its seed corpus failed"; }
  grep -q "INITED" "$work/$t.log" || fail "$t: libFuzzer did not run the seeds (no INITED line)"
  echo "oss-fuzz test: $t: binary, dict, options, $got seeds replayed"
done
