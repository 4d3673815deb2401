#!/bin/sh
# peer_qsd.sh REPORT OUT PEERS: QEMU's qemu-storage-daemon (libvhost-user, Debian's
# qemu-system-common) through the black-box suite, its findings checked against
# PEERS (conformance/peers.tsv): a new finding or a vanished one fails.
# REPORT is the build's virtq-conformance, OUT a scratch folder.
set -eu
report=$1 out=$2 peers=$3
if ! command -v qemu-storage-daemon >/dev/null 2>&1; then
  echo "peer_qsd: qemu-storage-daemon is missing (ci/deps.sh installs qemu-system-common)" >&2
  exit 1
fi
mkdir -p "$out"
img="$out/qsd.img"
rm -f "$img"
truncate -s 1M "$img" # a fresh 1 MiB disk; locking=off: each test starts its own daemon on it
exec "$report" --out "$out" --quiet --expect "$peers" --impl "vhost-user:qsd=blk:qemu-storage-daemon \
--blockdev driver=file,node-name=f0,filename=$img,locking=off \
--export type=vhost-user-blk,id=e0,node-name=f0,addr.type=unix,addr.path={socket},writable=on"
