/* SPDX-License-Identifier: MIT */
/*
 * Judging one device step against the reference model.
 *
 * An exact device (VDUT_CAP_EXACT: virtq's reading of the spec) must do what
 * the model does: the same outcome, reason, head, segments (guest address,
 * length, direction, in order), return code and notify decision.
 *
 * Any other device is held to what the spec leaves it (the latitude the model
 * reports, clause catalogue §5):
 *   - a well-formed chain is served, with the same bytes in the same order
 *     (segment boundaries are the device's business, SPLIT-FRM-1); only a
 *     zero-length descriptor outside guest memory may make it refuse
 *     (§5 item 2: implementation-defined);
 *   - a chain the driver was forbidden to build may be served if it is finite
 *     and in guest memory (§5 item 14: accepting it is at most a warning),
 *     and must be refused otherwise; a refusal that names a reason names one
 *     that applies (a device may check in another order);
 *   - a bad avail entry must be refused, but the device may stay on it
 *     (peer study bug class 8): the run stops comparing pops there; a head
 *     already in flight may be served again (no in-flight tracking) and an
 *     avail idx the driver moved too far or back allows any safe reaction:
 *     likewise the end of comparable pops;
 *   - a required notification is never missed; an unneeded one is counted.
 * Oracle names (fuzz.h): model-setup, model-pop, model-walk, model-segments,
 * model-fill, model-notify, model-kicks.
 */
#ifndef VIRTQ_FUZZ_JUDGE_H
#define VIRTQ_FUZZ_JUDGE_H

#include <stdbool.h>

#include "vguest/mem.h"
#include "vguest/model.h"
#include "virtq_dut/dut.h"

/* What the device did with one pop (or reopen). */
struct dut_pop {
	enum vdut_rc rc;       /* pop */
	enum vg_reason reason; /* pop refused or broken: why */
	uint16_t head;
	struct vdut_walk w;    /* rc == VDUT_OK: the walk */
};

/* What the model says of the same pop. */
struct model_pop {
	enum vg_pop p;
	enum vg_reason why;
	const struct vg_walk *w;
};

/* Whether the device and the model still agree on the queue's position after a step. */
enum judged { J_IN_STEP, J_OUT_OF_STEP };

/* Setup: the device's create result against the model's layout verdict.  False: nothing to run. */
bool judge_setup(bool exact, enum vdut_rc rc, enum vg_reason layout, bool parts_mapped);
/* A chain's walk: the device's against the model's (from memory, or replayed from what it fetched). */
enum judged judge_walk(const struct vg_mem *mem, bool exact, const struct vdut_walk *dw, const struct vg_walk *w);
enum judged judge_pop(const struct vg_mem *mem, bool exact, const struct dut_pop *dp,
		      const struct model_pop *mp);
/* A result the model predicts as a reason (VG_R_NONE: success). */
void judge_rc(const char *oracle, const char *what, bool exact, enum vdut_rc rc, enum vg_reason got,
	      enum vg_reason want);
/* @n: the device's decision. @return whether it was an unneeded notification. */
bool judge_notify(bool exact, bool n, enum vg_notify v);

#endif /* VIRTQ_FUZZ_JUDGE_H */
