#!/usr/bin/env bash
# Install the library into a scratch prefix, build examples/consumer against
# it with find_package(virtq) and with pkg-config, and run both binaries.
# Usage: install_consumer.sh BUILD_DIR SOURCE_DIR C_COMPILER
set -euo pipefail
build=$1 src=$2 cc=$3
work="$build/install-test"
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
pcdir=$(dirname "$(find "$work/prefix" -name virtq.pc)")
PKG_CONFIG_PATH="$pcdir" cmake -S "$src/examples/consumer" -B "$work/build" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/echo_cmake"
"$work/build/echo_pkgconfig"
# Only the documented headers are installed; the harness seam is not.
test -f "$work/prefix/include/virtq/virtq.h"
test ! -e "$work/prefix/include/virtq/shm_hook.h"
