/* SPDX-License-Identifier: MIT */
/*
 * The vhost_user target's oracles on what a back-end left in guest memory
 * after a window (vhost_user.c runs the windows): its used entries
 * (vhu-used-id, vhu-used-count, vhu-used-len) and every byte it changed
 * (vhu-stray-write), judged against the chains the avail slots name.
 */
#ifndef VIRTQ_FUZZ_VHOST_USER_JUDGE_H
#define VIRTQ_FUZZ_VHOST_USER_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"
#include "vguest/layout.h"

/* The features the front-end asks for, and the guest's walker walks with. */
#define VHU_WANT (VG_FEATURE(VG_F_VERSION_1) | VG_FEATURE(VG_F_INDIRECT_DESC) | VG_FEATURE(VG_F_EVENT_IDX))
#define SIDE_GPA 0x40000000u /* the region of the empty ring 0 beside the fuzzed one */
#define SIDE_SIZE 8u

/* Heads some avail slot names and each one's writable bytes (-1: not judged). */
struct vhu_heads {
	uint8_t *named; /* [size] */
	int64_t *cap;   /* [size] */
};

/* A window's start: the heads the rings name as the driver published them, their buffers allowed. */
void vhu_heads_start(const struct fz_image *im, struct vhu_heads *h);
/*
 * A window's end: the heads the rings name now are added, then the used
 * entries since @used_start and every changed byte are judged.  @side: ring
 * 0's empty used ring (SIDE_GPA) is the back-end's too.
 */
void vhu_judge(const struct fz_image *im, struct vhu_heads *h, uint16_t used_start, bool side);

#endif
