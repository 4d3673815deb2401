/* SPDX-License-Identifier: MIT */
/* Judging one device step against the reference model (see judge.h). */
#include "judge.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define BIT(r) (UINT64_C(1) << (r))

bool judge_setup(bool exact, enum vdut_rc rc, enum vg_reason layout, bool parts_mapped)
{
	FUZZ_ORACLE("model-setup", rc == VDUT_OK || rc == VDUT_REJECTED,
		    "create failed (%s) on a layout the model calls %s", vdut_rc_name(rc), vg_reason_name(layout));
	if (exact || layout == VG_R_NONE)
		FUZZ_ORACLE("model-setup", (rc == VDUT_OK) == (layout == VG_R_NONE),
			    "create %s, the model's layout verdict is %s", vdut_rc_name(rc),
			    vg_reason_name(layout));
	/*
	 * Rings outside guest memory cannot be served safely; misaligned ones may
	 * be (SPLIT-LAY-4), and overlapping ones are the driver's fault that a
	 * device need not detect (SPLIT-LAY-1 binds the driver).
	 */
	if (!parts_mapped)
		FUZZ_ORACLE("model-setup", rc != VDUT_OK, "create accepted rings outside guest memory");
	return rc == VDUT_OK && layout == VG_R_NONE;
}

static enum vdut_rc rc_for(enum vg_reason r)
{
	if (r == VG_R_NONE)
		return VDUT_OK;
	return r == VG_R_BROKEN || r == VG_R_AVAIL_IDX ? VDUT_QUEUE_BROKEN : VDUT_REJECTED;
}

void judge_rc(const char *oracle, const char *what, bool exact, enum vdut_rc rc, enum vg_reason got,
	      enum vg_reason want)
{
	if (!exact && want != VG_R_NONE)
		return;
	FUZZ_ORACLE(oracle, rc == rc_for(want), "%s: device %s, the model says %s", what, vdut_rc_name(rc),
		    vg_reason_name(want));
	if (want != VG_R_NONE && got != VG_R_OTHER)
		FUZZ_ORACLE(oracle, got == want, "%s refused for %s, the model says %s", what,
			    vg_reason_name(got), vg_reason_name(want));
}

bool judge_notify(bool exact, bool n, enum vg_notify v)
{
	if (exact)
		FUZZ_ORACLE("model-notify", n == (v != VG_NOTIFY_NO),
			    "should_notify %d, the model says %s", n,
			    v == VG_NOTIFY_NO ? "not needed" : v == VG_NOTIFY_YES ? "required" : "either (notify)");
	else
		FUZZ_ORACLE("model-notify", n || v != VG_NOTIFY_YES,
			    "missed a required notification (SPLIT-UNS-8/10)");
	return n && v == VG_NOTIFY_NO;
}

/* ---- segments ---- */

static uint64_t gpa_of(const struct vg_mem *mem, const void *hva, unsigned k)
{
	uint64_t gpa = 0;

	FUZZ_ORACLE("model-segments", vg_mem_gpa_of(mem, hva, &gpa),
		    "segment %u handed out at host %p, outside guest memory", k, hva);
	return gpa;
}

/* Exactly the model's pieces: address, length, direction, in order. */
static void same_segments(const struct vg_mem *mem, const struct vdut_walk *dw, const struct vg_walk *w)
{
	FUZZ_ORACLE("model-segments", dw->nseg == w->nseg, "device yielded %u segments, the model %u",
		    dw->nseg, w->nseg);
	for (unsigned k = 0; k < w->nseg; k++) {
		const struct vdut_seg *s = &dw->seg[k];
		uint64_t gpa = gpa_of(mem, s->hva, k);

		FUZZ_ORACLE("model-segments",
			    gpa == w->seg[k].gpa && s->len == w->seg[k].len && s->writable == w->seg[k].writable,
			    "segment %u: device (0x%llx, %u, %s), model (0x%llx, %u, %s)", k,
			    (unsigned long long)gpa, s->len, s->writable ? "w" : "r",
			    (unsigned long long)w->seg[k].gpa, w->seg[k].len, w->seg[k].writable ? "w" : "r");
	}
}

struct span {
	uint64_t gpa, len;
	bool writable;
};

/* Adjacent pieces of one direction joined: the bytes, whatever the framing (SPLIT-FRM-1). */
static unsigned join(struct span *out, unsigned n)
{
	unsigned m = 0;

	for (unsigned i = 0; i < n; i++) {
		if (out[i].len == 0)
			continue;
		if (m && out[m - 1].writable == out[i].writable && out[m - 1].gpa + out[m - 1].len == out[i].gpa)
			out[m - 1].len += out[i].len;
		else
			out[m++] = out[i];
	}
	return m;
}

static void same_bytes(const struct vg_mem *mem, const struct vdut_walk *dw, const struct vg_walk *w)
{
	struct span *a = calloc(dw->nseg + 1, sizeof(*a)), *b = calloc(w->nseg + 1, sizeof(*b));
	unsigned na, nb;

	FUZZ_ASSERT(a && b, "out of memory");
	for (unsigned k = 0; k < dw->nseg; k++)
		a[k] = (struct span){gpa_of(mem, dw->seg[k].hva, k), dw->seg[k].len, dw->seg[k].writable};
	for (unsigned k = 0; k < w->nseg; k++)
		b[k] = (struct span){w->seg[k].gpa, w->seg[k].len, w->seg[k].writable};
	na = join(a, dw->nseg);
	nb = join(b, w->nseg);
	FUZZ_ORACLE("model-segments", na == nb, "device yielded %u runs of bytes, the model %u", na, nb);
	for (unsigned k = 0; k < na; k++)
		FUZZ_ORACLE("model-segments",
			    a[k].gpa == b[k].gpa && a[k].len == b[k].len && a[k].writable == b[k].writable,
			    "run %u: device (0x%llx, %llu, %s), model (0x%llx, %llu, %s)", k,
			    (unsigned long long)a[k].gpa, (unsigned long long)a[k].len, a[k].writable ? "w" : "r",
			    (unsigned long long)b[k].gpa, (unsigned long long)b[k].len, b[k].writable ? "w" : "r");
	free(a);
	free(b);
}

/* A chain a device served although the model refuses it: at least all in guest memory. */
static void in_guest_memory(const struct vg_mem *mem, const struct vdut_walk *dw)
{
	for (unsigned k = 0; k < dw->nseg; k++) {
		uint64_t gpa = gpa_of(mem, dw->seg[k].hva, k);

		FUZZ_ORACLE("model-segments", vg_mem_mapped(mem, gpa, dw->seg[k].len),
			    "segment %u (0x%llx, %u) runs outside guest memory", k, (unsigned long long)gpa,
			    dw->seg[k].len);
	}
}

/* ---- pops ---- */

enum judged judge_walk(const struct vg_mem *mem, bool exact, const struct vdut_walk *dw, const struct vg_walk *w)
{
	FUZZ_ASSERT(!(w->latitude & VG_WALK_TRUNCATED), "model storage too small for the walk");
	if (w->reason == VG_R_NONE) {
		if (dw->rc == VDUT_OK) {
			if (exact)
				same_segments(mem, dw, w);
			else
				same_bytes(mem, dw, w);
			return J_IN_STEP;
		}
		FUZZ_ORACLE("model-walk",
			    !exact && dw->rc == VDUT_REJECTED && (w->latitude & VG_WALK_ZERO_OUTSIDE) &&
				    (dw->reason == VG_R_OTHER || dw->reason == VG_R_ADDR_RANGE),
			    "device refused a well-formed chain (head %u): %s (%s)", w->head,
			    vdut_rc_name(dw->rc), vg_reason_name(dw->reason));
		return J_IN_STEP;
	}
	if (dw->rc == VDUT_OK) {
		FUZZ_ORACLE("model-walk", !exact && (w->latitude & VG_WALK_SERVABLE),
			    "device served chain %u, which the model refuses: %s", w->head,
			    vg_reason_name(w->reason));
		in_guest_memory(mem, dw);
		return J_IN_STEP;
	}
	if (dw->rc == VDUT_QUEUE_BROKEN && !exact)
		return J_OUT_OF_STEP;
	FUZZ_ORACLE("model-walk", dw->rc == VDUT_REJECTED, "walk of chain %u: device %s, the model refuses it: %s",
		    w->head, vdut_rc_name(dw->rc), vg_reason_name(w->reason));
	if (exact)
		FUZZ_ORACLE("model-walk", dw->reason == w->reason, "chain %u refused for %s (%s), the model says %s",
			    w->head, vg_reason_name(dw->reason), dw->detail_name ? dw->detail_name : "-",
			    vg_reason_name(w->reason));
	/*
	 * Past a rule the driver broke but a device need not check, the chain goes
	 * on where the model stopped: a device may refuse it for a rule further on.
	 */
	else if (!(w->latitude & VG_WALK_SERVABLE))
		FUZZ_ORACLE("model-walk", dw->reason == VG_R_OTHER || (w->also & BIT(dw->reason)),
			    "chain %u refused for %s, which does not apply (the model: %s)", w->head,
			    vg_reason_name(dw->reason), vg_reason_name(w->reason));
	return J_IN_STEP;
}

static enum judged judge_refused_entry(bool exact, const struct dut_pop *dp, const struct model_pop *mp)
{
	if (exact) {
		FUZZ_ORACLE("model-pop", dp->rc == VDUT_REJECTED && dp->reason == mp->why,
			    "pop: device %s (%s), the model refuses the avail entry: %s", vdut_rc_name(dp->rc),
			    vg_reason_name(dp->reason), vg_reason_name(mp->why));
		return J_IN_STEP;
	}
	/* A head >= Q names no chain; one in flight may be handed out again. */
	if (mp->why == VG_R_HEAD_RANGE)
		FUZZ_ORACLE("model-pop", dp->rc == VDUT_REJECTED || dp->rc == VDUT_QUEUE_BROKEN,
			    "pop: device %s for an avail entry naming a head >= Q", vdut_rc_name(dp->rc));
	return J_OUT_OF_STEP;
}

enum judged judge_pop(const struct vg_mem *mem, bool exact, const struct dut_pop *dp,
		      const struct model_pop *mp)
{
	switch (mp->p) {
	case VG_POP_EMPTY:
		FUZZ_ORACLE("model-pop", dp->rc == VDUT_EMPTY,
			    "pop: device %s (head %u), the model finds nothing available (SPLIT-AV-4)",
			    vdut_rc_name(dp->rc), dp->head);
		return J_IN_STEP;
	case VG_POP_BROKEN:
		if (!exact)
			return J_OUT_OF_STEP; /* the driver broke the avail protocol: any safe reaction */
		FUZZ_ORACLE("model-pop", dp->rc == VDUT_QUEUE_BROKEN && dp->reason == mp->why,
			    "pop: device %s (%s), the model says the queue is broken: %s",
			    vdut_rc_name(dp->rc), vg_reason_name(dp->reason), vg_reason_name(mp->why));
		return J_IN_STEP;
	case VG_POP_REJECTED:
		return judge_refused_entry(exact, dp, mp);
	case VG_POP_CHAIN:
		break;
	}
	FUZZ_ORACLE("model-pop", dp->rc == VDUT_OK && dp->head == mp->w->head,
		    "pop: device %s (head %u, %s), the model takes head %u", vdut_rc_name(dp->rc), dp->head,
		    vg_reason_name(dp->reason), mp->w->head);
	return judge_walk(mem, exact, &dp->w, mp->w);
}
