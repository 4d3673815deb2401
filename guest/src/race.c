/* SPDX-License-Identifier: MIT */
/* The racing driver; see vguest/race.h. */
#include "vguest/race.h"

#include <string.h>

void vg_race_init(struct vg_race *r, struct vg_mem *mem)
{
	memset(r, 0, sizeof(*r));
	r->mem = mem;
}

bool vg_race_add(struct vg_race *r, uint32_t at, uint64_t gpa, uint8_t xor)
{
	if (r->n == VG_RACE_MAX)
		return false;
	r->w[r->n++] = (struct vg_race_write){at, gpa, xor};
	return true;
}

void vg_race_before_load(struct vg_race *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		uint8_t b;

		if (r->w[i].at != r->loads || !vg_mem_read(r->mem, r->w[i].gpa, &b, 1))
			continue;
		b ^= r->w[i].xor;
		vg_mem_write(r->mem, r->w[i].gpa, &b, 1);
	}
	r->loads++;
}
