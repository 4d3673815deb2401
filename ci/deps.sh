#!/usr/bin/env bash
# Install the Debian 12 packages the build and tests need; with the argument
# "nightly", also those of the main job (ci/nightly.sh).  Idempotent: only
# missing packages are installed, and apt's lists are refreshed only then.
set -euo pipefail

PACKAGES=(
  cmake make pkg-config gcc
  clang-14 libclang-rt-14-dev   # asan preset: ASan + UBSan runtimes
  check                         # unit tests
  patch                         # planted bugs: patches applied to a copy of core/src
  python3                       # conformance report (virtq-conformance)
  python3-yaml                  # ctest package.deb: runs the composite action's steps as a runner would
  gcovr                         # coverage summaries
  xz-utils                      # interop: unpacking linux-source-6.1 (apt-get download)
  valgrind                      # bench/run.sh: callgrind instruction counts
  qemu-system-common            # qemu-storage-daemon: QEMU's libvhost-user back-end (ctest vhost_user.peer.qsd)
  dpdk-dev                      # dpdk-testpmd: DPDK's vhost library as a net back-end (ctest vhost_user.peer.dpdk)
)
if [ "${1:-}" = nightly ]; then
  PACKAGES+=(
    afl++                       # AFL++ 4.04c: afl-clang-fast, afl-fuzz
    llvm-14                     # llvm-profdata, llvm-cov, llvm-symbolizer (coverage, triage)
    gnuplot-nox                 # coverage-over-time plots
  )
elif [ $# -gt 0 ]; then
  echo "deps: unknown argument $1 (none, or nightly)" >&2
  exit 2
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "deps: all present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
