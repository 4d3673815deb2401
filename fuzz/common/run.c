/* SPDX-License-Identifier: MIT */
/* The start and end every guest-image target shares (see run.h). */
#include "run.h"

bool run_begin(struct fuzz_run *r, const struct script_def *def, const uint8_t *data, size_t size,
	       uint64_t offered)
{
	script_in_init(&r->in, data, size);
	script_read_header(&r->in, def, &r->h);
	if (!image_init(&r->im, &r->h, offered)) {
		image_fini(&r->im);
		return false;
	}
	driver_init(&r->drv, &r->im);
	return true;
}

void run_end(struct fuzz_run *r) { image_fini(&r->im); }
