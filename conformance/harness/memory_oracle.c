/* SPDX-License-Identifier: MIT */
/*
 * What guest memory shows about the device, with no help from it: a store to
 * a page that is read-only in the device's view faults at once, and any other
 * change the device made shows in the guest's shadow compare.  Each byte is
 * attributed to the clause its kind belongs to (what the driver put there).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cq.h"

/*
 * The guest's fault handler called back from SIGSEGV: only async-signal-safe
 * work.  Name the clause from the kind of the byte hit and end the test child.
 */
static void on_fault(void *arg, uint64_t gpa, enum vg_kind k, const char *what)
{
	const struct cq *c = arg;
	char buf[512];
	struct vqc_sb b = {buf, sizeof(buf), 0};

	if (gpa == 0 && k == VG_K_FREE) {
		/* Past the end of guest memory (a guard page): it read or wrote outside every buffer. */
		vqc_sb_str(&b, "device ");
		vqc_sb_str(&b, what);
		vqc_fault("SPLIT-DESC-1", "outside-guest-memory", buf);
	}
	vqc_sb_str(&b, k == VG_K_OLD_RING ? "device accessed " : "device wrote to ");
	vqc_sb_str(&b, vg_kind_name(k));
	vqc_sb_str(&b, " at gpa ");
	vqc_sb_hex(&b, gpa);
	vqc_sb_str(&b, k == VG_K_OLD_RING ? " (pages sealed after re-initialisation)"
					  : " (page read-only in the device's view: the store faulted)");
	vqc_fault(c->override_clause && k != VG_K_OLD_RING ? c->override_clause : vqc_kind_clause(k),
		  k == VG_K_OLD_RING ? "old-ring-access" : "stray-write", buf);
}

void cq_memory_watch(struct cq *c) { vg_mem_on_fault(&c->mem, on_fault, c); }

void cq_check_memory(struct cq *c) { vqc_check_memory(&c->mem, c->override_clause); }
