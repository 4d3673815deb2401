#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script (.clusterfuzzlite/build.sh runs
# it; an OSS-Fuzz project's build.sh would too).  It honours the variables the
# base-builder image sets: $CC $CFLAGS (sanitizer and coverage flags) and
# $LIB_FUZZING_ENGINE (libFuzzer, AFL++'s driver, or honggfuzz's), $SRC (the
# checkout is $SRC/virtq), $WORK (scratch) and $OUT (what it produces):
#
#   $OUT/<target>                  the fuzz target (rings, ops, notify, race)
#   $OUT/<target>_seed_corpus.zip  corpus/<target>/ and corpus/regressions/<target>/
#   $OUT/<target>.dict             its dictionary
#   $OUT/<target>.options          libFuzzer options: dict, timeout, RSS limit
#
# The targets are the core's; vringh's (rings_vringh, ...) are left out: they
# need Linux's sources from Debian's linux-source-6.1, which the Ubuntu base
# image does not have (ci/nightly.sh fuzzes them).
# ci/oss-fuzz/test.sh runs this script as the base image would, without Docker.
: "${SRC:?SRC must be set (the checkout is \$SRC/virtq)}"
: "${OUT:?OUT must be set}"
: "${CC:?CC must be set}"
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE must be set}"
root=$SRC/virtq
[ -f "$root/CMakeLists.txt" ] || { echo "build.sh: no virtq checkout at $root" >&2; exit 1; }
source "$root/fuzz/tools/fuzz_env.sh"
build=${WORK:-/tmp}/virtq-oss-fuzz-build
targets=(rings ops notify race)

# CMake takes $CC and $CFLAGS from the environment at configure time; the
# engine is linked from $LIB_FUZZING_ENGINE (VIRTQ_FUZZ_ENGINE=external).
# No -Werror: the image's compiler is not the one we pin.
rm -rf "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=None -DVIRTQ_FUZZ_ENGINE=external \
  -DLIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" -DVIRTQ_BUILD_TESTS=OFF -DBUILD_TESTING=OFF \
  -DVIRTQ_WERROR=OFF
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

zip_dir() { # zip DIR...: every regular file, flat (ClusterFuzz unpacks it into one directory)
  local zip=$1; shift
  python3 - "$zip" "$@" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for d in sys.argv[2:]:
        for n in sorted(os.listdir(d)):
            if os.path.isfile(os.path.join(d, n)):
                z.write(os.path.join(d, n), n)
PY
}

mkdir -p "$OUT"
for t in "${targets[@]}"; do
  cp "$build/fuzz/fuzz_$t" "$OUT/$t"
  mapfile -t seeds < <(fuzz_seed_dirs "$root" "$t")
  zip_dir "$OUT/${t}_seed_corpus.zip" "${seeds[@]}"
  cp "$(fuzz_dict "$root" "$t")" "$OUT/$t.dict"
  printf '[libfuzzer]\ndict = %s.dict\ntimeout = %s\nrss_limit_mb = %s\n' \
    "$t" "$FUZZ_TIMEOUT_S" "$FUZZ_RSS_MB" > "$OUT/$t.options"
done
echo "build.sh: ${targets[*]} in $OUT"
