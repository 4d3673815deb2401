/* SPDX-License-Identifier: MIT */
/* Which clause a device store into each kind of guest byte breaks, and the shadow compare that uses it (findings.h). */
#include "findings.h"

/* The clause a device store into each kind of guest byte violates. */
static const char *const clause_of[VG_K_COUNT] = {
	[VG_K_FREE] = "SPLIT-LAY-3",       [VG_K_DESC] = "SPLIT-DESC-5",
	[VG_K_AVAIL_FLAGS] = "SPLIT-LAY-3", [VG_K_AVAIL_IDX] = "SPLIT-LAY-3",
	[VG_K_AVAIL_RING] = "SPLIT-LAY-3", [VG_K_USED_EVENT] = "SPLIT-LAY-3",
	[VG_K_INDIRECT] = "SPLIT-DESC-5",  [VG_K_RBUF] = "SPLIT-DESC-2",
	/* Past the table or the avail ring: the device got the layout wrong. */
	[VG_K_GUARD_DESC] = "SPLIT-LAY-1", [VG_K_GUARD_AVAIL] = "SPLIT-LAY-1",
	[VG_K_GUARD_USED] = "SPLIT-USED-1", [VG_K_GUARD_IND] = "SPLIT-DESC-5",
	[VG_K_GUARD_RBUF] = "SPLIT-DESC-2", [VG_K_GUARD_WBUF] = "SPLIT-DESC-2",
	[VG_K_GUARD] = "SPLIT-LAY-3",      [VG_K_OLD_RING] = "VQ-RST-5",
};

const char *vqc_kind_clause(enum vg_kind k)
{
	return k < VG_K_COUNT && clause_of[k] ? clause_of[k] : "SPLIT-LAY-3";
}


struct diff_ctx {
	const struct vg_mem *m;
	const char *clause;
};

/* A byte only the device can have changed: its own areas are fine, the rest is a finding. */
static void changed(void *arg, uint64_t gpa, uint8_t was, uint8_t now)
{
	const struct diff_ctx *d = arg;
	enum vg_kind k = vg_mem_kind(d->m, gpa);

	if (vg_kind_device_writable(k))
		return;
	vqc_find(VQC_FAIL, d->clause ? d->clause : vqc_kind_clause(k), "stray-write", vqc_s("0x%02x", was),
		 vqc_s("0x%02x", now), "device changed %s at gpa 0x%llx", vg_kind_name(k), (unsigned long long)gpa);
}

void vqc_check_memory(struct vg_mem *m, const char *clause)
{
	struct diff_ctx d = {m, clause};

	vg_mem_diff(m, changed, &d);
}
