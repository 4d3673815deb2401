/* SPDX-License-Identifier: MIT */
/*
 * The racing driver: a driver on another CPU that rewrites its own memory
 * while the device reads it.  Writes are scheduled by the device's load
 * count ("just before its k-th load of a ring field or descriptor, xor v into
 * this byte"), so a run is reproducible: whoever can see the device's loads
 * (an access log, vdut_access_fn) calls vg_race_before_load() before each.
 * The writes go through the guest's memory like any driver write, so the
 * shadow follows them: they are never taken for device writes.
 */
#ifndef VGUEST_RACE_H
#define VGUEST_RACE_H

#include <stdbool.h>
#include <stdint.h>

#include "vguest/mem.h"

#define VG_RACE_MAX 64

struct vg_race_write {
	uint32_t at;  /* before the device's load number @at (from 0) */
	uint64_t gpa; /* the byte */
	uint8_t xor;  /* what is xored into it */
};

struct vg_race {
	struct vg_mem *mem;
	struct vg_race_write w[VG_RACE_MAX];
	unsigned n;
	uint32_t loads; /* loads seen so far */
};

void vg_race_init(struct vg_race *r, struct vg_mem *mem);
/** Schedule a write; false when VG_RACE_MAX are scheduled already. */
bool vg_race_add(struct vg_race *r, uint32_t at, uint64_t gpa, uint8_t xor);
/** The device is about to load: do what is scheduled for this load (unmapped bytes are skipped). */
void vg_race_before_load(struct vg_race *r);

#endif /* VGUEST_RACE_H */
