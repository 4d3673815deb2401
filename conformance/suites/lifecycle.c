/* SPDX-License-Identifier: MIT */
/*
 * Catalogue 2.1 rows a queue library can show: reset (GEN-RST-2, VQ-RST-1/2),
 * re-initialisation with a new configuration (VQ-RST-5) and feature subsets
 * (GEN-FEAT-2).  Device status and transport registers are outside its reach
 * (clauses.tsv says why, row by row).
 */
#include "common.h"

/*
 * A reset with chains in flight (popped and not returned, exposed and not
 * popped) touches no guest memory (access log, shadow compare), and after it
 * nothing from before completes or is notified.
 */
VQC_TEST(GEN_RST_2__reset_touches_no_guest_memory)
{
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);
	struct cq_dev *d;

	if (!open_q(&c, 8, _i ? (vqc_impl->features & F_EVT) : 0))
		return;
	cq_round(&c, &s, 3, CQ_EACH);
	for (int i = 0; i < 4; i++)
		ck_assert_int_ge(cq_add(&c, &s), 0);
	cq_publish(&c);
	ck_assert_int_eq(cq_pop(&c, &d), VDUT_OK);
	cq_serve(&c, d);
	ck_assert_int_eq(cq_pop(&c, &d), VDUT_OK);
	cq_check_memory(&c);
	cq_reset(&c); /* the log reports any access; the driver then zeroes the rings */
	cq_check_memory(&c);
	if (cq_notify(&c))
		vqc_find(VQC_FAIL, "GEN-RST-2", "notify-after-reset", "no notification", "notification",
			 "the first decision after reset asked for a notification");
	ck_assert_int_eq(cq_pop(&c, &d), VDUT_EMPTY);
	if (cq_mem_used_idx(&c) != 0)
		vqc_find(VQC_FAIL, "VQ-RST-1", "completed-after-reset", "used idx 0",
			 vqc_s("used idx %u", cq_mem_used_idx(&c)),
			 "a chain from before the reset was completed after it");
	cq_round(&c, &s, 2, CQ_EACH);
	cq_close(&c);
}

/* After reset and re-zeroed rings the device takes avail slot 0 and fills used slot 0. */
VQC_TEST(VQ_RST_2__reset_restarts_at_slot_zero)
{
	const uint32_t sizes[3] = {2, 8, 256};
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, sizes[_i], vqc_impl->features & F_EVT))
		return;
	c.slot_clause = "VQ-RST-2";
	rounds(&c, &s, sizes[_i] + 1, min_u32(sizes[_i], 4), CQ_BATCH);
	cq_reset(&c);
	cq_round(&c, &s, 1, CQ_EACH);
	if (c.drv->last_used != 1 || cq_mem_used_idx(&c) != 1)
		vqc_find(VQC_FAIL, "VQ-RST-2", "used-not-from-zero", "used idx 1 after one chain",
			 vqc_s("used idx %u", cq_mem_used_idx(&c)), "the used side did not restart at 0");
	rounds(&c, &s, 5, 2, CQ_EACH);
	cq_close(&c);
}

/*
 * Re-initialised with another size at other addresses (8 -> 2, 2 -> 256):
 * the device must use the new rings only; the old ones are sealed
 * (PROT_NONE), so any access faults and is reported.
 */
VQC_TEST(VQ_RST_5__new_size_and_addresses_honoured)
{
	struct cq_opts o = {.size = _i ? 2 : 8, .alt_size = _i ? 256 : 2};
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!cq_open(&c, &o))
		return;
	rounds(&c, &s, o.size + 3, o.size, CQ_BATCH);
	cq_relocate(&c);
	rounds(&c, &s, o.alt_size + 3, min_u32(o.alt_size, 8), CQ_BATCH);
	rounds(&c, &s, 3, 1, CQ_EACH);
	cq_close(&c);
}

/* Every subset of the ring features the implementation declares is served. */
VQC_TEST(GEN_FEAT_2__every_feature_subset_is_served)
{
	uint64_t f = (_i & 1 ? F_IND : 0) | (_i & 2 ? F_EVT : 0);
	struct cq_opts o = {.size = 8, .features = f, .probe = true};
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (f & ~vqc_impl->features) {
		vqc_set_status("na", "subset includes a feature the implementation does not offer");
		return;
	}
	if (!cq_open(&c, &o)) {
		vqc_find(VQC_WARN, "GEN-FEAT-2", "subset-refused", "queue created",
			 "create refused the features", "a subset of the offered features was refused");
		return;
	}
	if (f & F_IND)
		s.ndirect = 0;
	rounds(&c, &s, 6, 3, CQ_BATCH);
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_lifecycle[] = {
	VQC_DEF(GEN_RST_2__reset_touches_no_guest_memory, "GEN-RST-2 VQ-RST-1", 2, 0),
	VQC_DEF(VQ_RST_2__reset_restarts_at_slot_zero, "VQ-RST-2", 3, 0),
	VQC_DEF(VQ_RST_5__new_size_and_addresses_honoured, "VQ-RST-5", 2, 0),
	VQC_DEF(GEN_FEAT_2__every_feature_subset_is_served, "GEN-FEAT-2", 4, 0),
	{0},
};
