/* SPDX-License-Identifier: MIT */
/*
 * Included first (-include) in every file compiled against tools/virtio's
 * shims.  With Linux 6.1, tools/virtio needs data_race() defined on the
 * command line (DESIGN.md); CMake cannot pass a function-like -D, so it is
 * defined here instead.
 */
#ifndef VIRTQ_LINUX_PRELUDE_H
#define VIRTQ_LINUX_PRELUDE_H
#define data_race(e) (e)
#endif
