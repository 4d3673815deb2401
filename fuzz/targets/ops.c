/* SPDX-License-Identifier: MIT */
/*
 * ops: a script of interleaved driver and device operations.  The driver ops
 * are those of rings (any descriptor field, avail idx moved by any amount,
 * flags, used_event, well-formed chains); the device ops pop and serve, fill,
 * flush with the notify decision, enable or disable kicks, reset, restore
 * indices, re-open a head, drain, and remap guest memory under the live queue
 * (what a vhost-user back-end sees on SET_MEM_TABLE).  Judged step by step
 * against the reference model, on top of the invariants of device.h: chains
 * remembered across a reset or restore are returned too, and the model's own
 * view of which chains are alive says whether that must be refused.
 */
#include "fuzz.h"
#include "ops_script.h"
#include "run.h"
#include "targets.h"

static void device_op(struct fuzz_dev *d, const struct script_vals *op)
{
	switch (op->op) {
	case OP_POP:
		dev_pop(d);
		break;
	case OP_FILL:
		dev_fill(d, (unsigned)op->v[0], (uint32_t)op->v[1]);
		break;
	case OP_FLUSH:
		dev_flush(d);
		break;
	case OP_KICKS:
		dev_kicks(d, op->v[0] & 1);
		break;
	case OP_RESET:
		dev_reset(d);
		break;
	case OP_RESTORE:
		dev_restore(d, (uint16_t)op->v[0], (uint16_t)op->v[1]);
		break;
	case OP_REOPEN:
		dev_reopen(d, (uint16_t)op->v[0]);
		break;
	case OP_DRAIN:
		dev_drain(d);
		break;
	case OP_REMAP:
		dev_remap(d, (unsigned)op->v[0]);
		break;
	default:
		break;
	}
}

int fuzz_ops_run(const uint8_t *data, size_t size)
{
	static struct fuzz_dev d;
	struct fuzz_run r;
	struct script_vals op;
	bool device_ran = false;

	if (!run_begin(&r, &ops_def, data, size, vdut_device.features))
		return 0;
	if (dev_init(&d, &r.im, DEV_MODEL)) {
		while (script_read_op(&r.in, &ops_def, &op)) {
			if (op.op >= DRIVER_OPS) {
				device_op(&d, &op);
				device_ran = true;
				continue;
			}
			/* Driver writes may hit the used ring (it can place anything
			 * anywhere): the device's part is checked before, once per run
			 * of driver ops, and the model follows what the driver wrote. */
			if (device_ran) {
				dev_check_used(&d);
				device_ran = false;
			}
			r.drv.wrote_used = false;
			driver_apply(&r.drv, &op);
			if (r.drv.wrote_used)
				dev_resync_used(&d);
		}
		dev_probe(&d);
		dev_fini(&d);
	}
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_ops_run)
