/* SPDX-License-Identifier: MIT */
/* The start and end every guest-image target shares (see run.h). */
#include "run.h"

bool run_begin(struct fuzz_run *r, const struct script_def *def, const uint8_t *data, size_t size)
{
	script_in_init(&r->in, data, size);
	script_read_header(&r->in, def, &r->h);
	if (!guest_init(&r->g, &r->h)) {
		guest_free(&r->g);
		return false;
	}
	driver_init(&r->drv, &r->g);
	return true;
}

void run_configure_device(const struct fuzz_run *r, struct fuzz_dev *d)
{
	/* A device with a segment array of 1..4 entries: IOV_FULL paths. */
	if (r->h.v[H_SEED] & 0x1000000)
		d->iov_cap = 1 + (uint32_t)(r->h.v[H_SEED] >> 25) % 4;
}

void run_end(struct fuzz_run *r)
{
	guest_free(&r->g);
}
