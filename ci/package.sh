#!/usr/bin/env bash
# The Debian packages (README "Install and package"):
#   virtq_<version>_amd64.deb      the programs (virtq-conformance, virtq-ci,
#                                  virtq-vhost-user-blk, virtq-fuzz), the
#                                  runners and the libFuzzer driver for
#                                  vhost-user back-ends (libexec/virtq), the
#                                  catalogue, peers, seeds and dictionaries
#                                  (share/virtq)
#   virtq-dev_<version>_amd64.deb  the core and harness libraries, headers,
#                                  the harness sources compiled per device,
#                                  the CMake package and virtq.pc
# Everything but the fuzz driver comes from the `package` preset (gcc, -O2,
# standalone engine); the driver comes from a libFuzzer tree (ASan + UBSan;
# default build/libfuzzer, configured with its preset when missing).
#   ci/package.sh [--fuzz-tree DIR] [--out DIR]     (default out/package)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
fuzz_tree=$root/build/libfuzzer out=$root/out/package
while (($#)); do
  case $1 in
    --fuzz-tree) fuzz_tree=$(readlink -f "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
bash ci/deps.sh
echo "== package: build/package"
cmake --preset package >/dev/null
cmake --build --preset package
echo "== package: the libFuzzer driver in $fuzz_tree"
if [ ! -f "$fuzz_tree/CMakeCache.txt" ]; then
  [ "$fuzz_tree" = "$root/build/libfuzzer" ] || { echo "package.sh: $fuzz_tree is not a build tree" >&2; exit 2; }
  cmake --preset libfuzzer >/dev/null
fi
grep -q '^VIRTQ_FUZZ_ENGINE:STRING=libfuzzer$' "$fuzz_tree/CMakeCache.txt" ||
  { echo "package.sh: $fuzz_tree is not a libFuzzer build (VIRTQ_FUZZ_ENGINE)" >&2; exit 2; }
cmake --build "$fuzz_tree" -j2 --target fuzz_vhost_user
echo "== package: cpack"
mkdir -p "$out"
out=$(cd "$out" && pwd)
(cd build/package && cpack -G DEB -B "$out" \
  -D "CPACK_INSTALL_CMAKE_PROJECTS=$root/build/package;virtq;ALL;/;$fuzz_tree;virtq;fuzzers;/virtq")
# (A project's single component lands in the subfolder named last, where
# CPack stages the virtq package's files: /virtq.)
rm -rf "$out/_CPack_Packages"
ls -l "$out"/*.deb
