/* SPDX-License-Identifier: MIT */
/*
 * The ops input format (ops_script.c): the driver ops of driver_ops.h, then
 * these device ops.  Two targets read it: ops (an in-process device, step by
 * step against the model) and vhost_user (a back-end in another process,
 * window by window).
 */
#ifndef VIRTQ_FUZZ_OPS_SCRIPT_H
#define VIRTQ_FUZZ_OPS_SCRIPT_H

#include "driver_ops.h"
#include "script.h"

enum ops_device_op {
	OP_POP = DRIVER_OPS,
	OP_FILL,
	OP_FLUSH,
	OP_KICKS,
	OP_RESET,
	OP_RESTORE,
	OP_REOPEN,
	OP_DRAIN,
	OP_REMAP,
};

extern const struct script_def ops_def;

#endif /* VIRTQ_FUZZ_OPS_SCRIPT_H */
