/* SPDX-License-Identifier: MIT */
/* What the driver's two halves share (driver_setup.c, driver.c): small and inline. */
#ifndef VGUEST_SRC_DRIVER_INTERNAL_H
#define VGUEST_SRC_DRIVER_INTERNAL_H

#include "vguest/driver.h"

static inline uint16_t vg__mask(const struct vg_drv *d, uint16_t i) { return (uint16_t)(i & (d->size - 1)); }

static inline uint64_t vg__rng_next(struct vg_drv *d)
{
	uint64_t x = d->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return d->rng = x;
}

static inline void vg__put_le16(struct vg_drv *d, uint64_t gpa, uint16_t v)
{
	uint8_t b[2];

	vg_put_le(b, v, 2);
	(void)vg_mem_write(d->mem, gpa, b, 2);
}

static inline void vg__put_desc(struct vg_drv *d, uint64_t gpa, uint64_t addr, uint32_t len,
				uint16_t flags, uint16_t next)
{
	struct vg_desc v = {addr, len, flags, next};
	uint8_t raw[VG_DESC_SIZE];

	vg_desc_encode(&v, raw);
	(void)vg_mem_write(d->mem, gpa, raw, sizeof(raw)); /* dropped if unmapped: the driver may be wrong */
}

/* Head @h is about to be written: clear_heads() (driver_setup.c) must clear it. */
static inline struct vg_head *vg__use_head(struct vg_drv *d, uint16_t h)
{
	if (h >= d->heads_used)
		d->heads_used = (uint32_t)h + 1;
	return &d->head[h];
}

#endif /* VGUEST_SRC_DRIVER_INTERNAL_H */
