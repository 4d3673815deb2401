/* SPDX-License-Identifier: MIT */
/* The start and end every guest-image target shares (rings, ops, race). */
#ifndef VIRTQ_FUZZ_RUN_H
#define VIRTQ_FUZZ_RUN_H

#include "device.h"
#include "driver_ops.h"
#include "script.h"

struct fuzz_run {
	struct script_in in;
	struct script_vals h;
	struct fz_image im;
	struct fuzz_driver drv;
};

/*
 * Read the header and lay out guest memory, with the ring features the device
 * @p offered (vdut_device.features); false if the run cannot start.
 */
bool run_begin(struct fuzz_run *r, const struct script_def *def, const uint8_t *data, size_t size,
	       uint64_t offered);
void run_end(struct fuzz_run *r);

#endif /* VIRTQ_FUZZ_RUN_H */
