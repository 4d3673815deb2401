#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Obtain the parts of Linux 6.1 that the interop tests and the benchmark build
# in user space, from Debian's package linux-source-6.1 (DESIGN.md, "Outside
# code we build against but never commit").
#
#   fetch-linux-source.sh CACHE_DIR
#
# Downloads the .deb once into CACHE_DIR (apt-get download; apt's lists are
# refreshed and the download retried if it fails), then extracts only
#   tools/virtio  tools/include  include
#   drivers/virtio/virtio_ring.c  drivers/vhost/vringh.c
# from the tarball inside it into CACHE_DIR/linux-6.1, streaming (the 140 MB
# tarball is never written out).  Later runs find the stamp and do nothing,
# so every preset's configure shares one copy.  Prints the tree's path as the
# last line of stdout; on failure exits non-zero with the reason on stderr.
# VIRTQ_FETCH_BACKOFF (seconds, default 5) scales the pause between retries.
# This is GPL code: it stays under build/ and out of git.
set -euo pipefail

PKG=linux-source-6.1
TOP=linux-source-6.1
MEMBERS=(
  "$TOP/tools/virtio/*" "$TOP/tools/include/*" "$TOP/include/*"
  "$TOP/drivers/virtio/virtio_ring.c" "$TOP/drivers/vhost/vringh.c"
)
NEEDED=(
  tools/virtio/linux/kernel.h tools/include/linux/types.h include/linux/kconfig.h
  include/linux/vringh.h drivers/virtio/virtio_ring.c drivers/vhost/vringh.c
)

die() { echo "fetch-linux-source: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 CACHE_DIR"
cache=$1
tree=$cache/linux-6.1
stamp=$tree/.virtq-extracted

mkdir -p "$cache" || die "cannot create $cache"
# One fetch at a time: presets (or developers) configuring together share it.
exec 9>"$cache/.lock"
flock -w 900 9 || die "timed out waiting for $cache/.lock"

if [ -f "$stamp" ]; then
  for f in "${NEEDED[@]}"; do [ -f "$tree/$f" ] || { rm -f "$stamp"; break; }; done
fi
if [ -f "$stamp" ]; then
  echo "$tree"
  exit 0
fi

for tool in dpkg-deb tar xz; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: dpkg, tar, xz-utils)"
done

deb=$(ls -t "$cache"/${PKG}_*_all.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  command -v apt-get >/dev/null ||
    die "apt-get not found; pass -DVIRTQ_LINUX_SOURCE_DIR=<an extracted $PKG tree>"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
  fi
  # apt-get download needs current lists; ci/deps.sh refreshes them only when
  # it installs something, so refresh here when the first try fails.
  ok=0
  for attempt in 1 2 3; do
    if (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$PKG" 2>"$cache/.apt.log" >&2); then
      ok=1
      break
    fi
    cat "$cache/.apt.log" >&2
    echo "fetch-linux-source: apt-get download failed (attempt $attempt); refreshing apt lists" >&2
    if [ -n "$SUDO" ] || [ "$(id -u)" -eq 0 ]; then
      $SUDO apt-get update -qq >&2 || true
    else
      echo "fetch-linux-source: not root and no sudo: cannot run apt-get update" >&2
    fi
    sleep $((attempt * ${VIRTQ_FETCH_BACKOFF:-5}))
  done
  [ "$ok" -eq 1 ] ||
    die "could not download $PKG with apt-get ($(grep -E '^(E|W):' "$cache/.apt.log" | tail -n 1))"
  deb=$(ls -t "$cache"/${PKG}_*_all.deb 2>/dev/null | head -n 1 || true)
  [ -n "$deb" ] || die "apt-get download reported success but no ${PKG}_*_all.deb in $cache"
fi

version=$(dpkg-deb -f "$deb" Version) || die "$deb is not a readable .deb (delete it to re-download)"
inner=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '^\./usr/src/linux-source-6\.1\.tar\.xz$' || true)
[ -n "$inner" ] || die "$deb has no usr/src/linux-source-6.1.tar.xz"

tmp=$(mktemp -d "$cache/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch-linux-source: extracting $PKG $version (tools/virtio, tools/include, include, 2 drivers)" >&2
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "$inner" | xz -dc |
  tar -xf - -C "$tmp" --wildcards "${MEMBERS[@]}" ||
  die "extracting from $deb failed"
for f in "${NEEDED[@]}"; do
  [ -f "$tmp/$TOP/$f" ] || die "$f missing from $deb"
done
rm -rf "$tree"
mv "$tmp/$TOP" "$tree"
echo "$PKG $version" >"$stamp"
echo "$tree"
