/* SPDX-License-Identifier: MIT */
/* Catalogue 2.3: layout and message framing (§2.7, §2.7.1, §2.7.4). */
#include "common.h"

/*
 * Every part at exactly its minimum alignment, straddling a page boundary,
 * guard bytes on both sides (the harness's placement, checked first).  The
 * oracle is the device's: it must set the queue up (cq_open: a refusal is a
 * SPLIT-LAY-1 failure), and a lap of the ring has it read the last avail
 * slot and used_event and write the last used slot and avail_event, so a
 * device that miscomputes a part's size or offset touches a guard: stores to
 * the table's or the avail ring's guards fault (read-only pages) and are
 * SPLIT-LAY-1 findings, as are loads of any ring part's guards (access log);
 * stores past the used ring are SPLIT-USED-1's.
 */
VQC_TEST(SPLIT_LAY_1__parts_at_minimum_alignment_straddling_pages)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(8, 8);

	if (!open_q(&c, q, F_EVT))
		return;
	ck_assert_uint_eq(c.drv->desc % 16, 0);
	ck_assert_uint_ne(c.drv->desc % 32, 0);
	ck_assert_uint_eq(c.drv->avail % 2, 0);
	ck_assert_uint_ne(c.drv->avail % 4, 0);
	ck_assert_uint_eq(c.drv->used % 4, 0);
	ck_assert_uint_ne(c.drv->used % 8, 0);
	/* One full lap and a little more: every slot of both rings is used. */
	rounds(&c, &s, q + 3, min_u32(q, 64), CQ_BATCH);
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * The device uses the driver's Q: used entries land at idx mod Q over more
 * than one lap, with up to Q chains in flight, and never more (the pop
 * oracle counts them).
 */
VQC_TEST(SPLIT_LAY_2__queue_size_is_honoured)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec s = rw_spec(4, 4);

	if (!open_q(&c, q, 0))
		return;
	rounds(&c, &s, q + 2, min_u32(q, 8), CQ_EACH);
	rounds(&c, &s, min_u32(q, 64) + 1, min_u32(q, 64), CQ_BATCH);
	cq_close(&c);
}

/*
 * Descriptor table and avail ring are read-only while the device runs, under
 * a mixed load (direct and indirect chains, batches, the ring wrapping): any
 * store faults and is reported with its address.
 */
VQC_TEST(SPLIT_LAY_3__driver_areas_stay_read_only)
{
	uint32_t q = size_at(_i);
	uint64_t f = vqc_impl->features & F_IND;
	struct cq c;
	struct cq_spec a = rw_spec(16, 16), b;

	if (!open_q(&c, q, f))
		return;
	cq_start_at(&c, (uint16_t)(q - 2));
	cq_spec_rw(&b, 8, 0);
	cq_spec_buf(&b, 12, false);
	cq_spec_buf(&b, 20, true);
	b.ndirect = f ? 1 : CQ_DIRECT;
	for (unsigned r = 0; r < 4; r++) {
		rounds(&c, &a, min_u32(q, 3), min_u32(q, 3), CQ_BATCH);
		rounds(&c, &b, min_u32(q, 2), 1, CQ_EACH);
	}
	cq_check_memory(&c);
	cq_close(&c);
}

/* One logical request (24 bytes) and reply (32 bytes), laid out many ways. */
static void frm_layout(struct cq_spec *s, unsigned layout, bool ind)
{
	cq_spec_init(s);
	switch (layout) {
	case 0: /* one descriptor each way */
		cq_spec_buf(s, 24, false);
		cq_spec_buf(s, 32, true);
		break;
	case 1: /* header split mid-field */
		cq_spec_buf(s, 7, false);
		cq_spec_buf(s, 17, false);
		cq_spec_buf(s, 32, true);
		break;
	case 2: /* reply split unevenly */
		cq_spec_buf(s, 24, false);
		cq_spec_buf(s, 5, true);
		cq_spec_buf(s, 27, true);
		break;
	case 3: /* both split */
		cq_spec_buf(s, 3, false);
		cq_spec_buf(s, 21, false);
		cq_spec_buf(s, 16, true);
		cq_spec_buf(s, 16, true);
		break;
	default: /* many small descriptors: 24 + 32 of one byte */
		for (unsigned i = 0; i < 24; i++)
			cq_spec_buf(s, 1, false);
		for (unsigned i = 0; i < 32; i++)
			cq_spec_buf(s, 1, true);
		break;
	}
	if (ind)
		s->ndirect = layout == 1 ? 1 : 0; /* all in a table, or direct + table */
}

/*
 * The same request in every layout (direct; with INDIRECT_DESC also in a
 * table, and direct followed by a table): the device must read the same
 * bytes, put its reply in the writable part in chain order, and report the
 * same len.
 */
VQC_TEST(SPLIT_FRM_1__any_descriptor_layout_gives_the_same_result)
{
	uint64_t f = _i ? F_IND : 0;
	struct cq c;
	struct cq_spec s;
	uint32_t len0 = 0;

	if (!open_q(&c, 256, f))
		return;
	c.walk_clause = "SPLIT-FRM-1";
	for (unsigned ind = 0; ind <= (f ? 1u : 0u); ind++) {
		for (unsigned layout = 0; layout < 5; layout++) {
			frm_layout(&s, layout, ind);
			s.reply = 32;
			cq_round(&c, &s, 1, CQ_EACH);
			if (layout == 0 && !ind)
				len0 = c.last_len;
			else if (c.last_len != len0)
				vqc_find(VQC_FAIL, "SPLIT-FRM-1", "len-depends-on-layout",
					 vqc_s("len %u (as with one descriptor each way)", len0),
					 vqc_s("len %u", c.last_len), "layout %u%s", layout,
					 ind ? " (indirect)" : "");
		}
	}
	cq_close(&c);
}

/* Build a chain of @n one-byte readable descriptors then one writable, raw. */
static int long_direct_chain(struct cq *c, unsigned n, uint64_t rb, uint64_t wb)
{
	uint16_t *idx = malloc((n + 1) * sizeof(*idx));

	ck_assert_ptr_nonnull(idx);
	if (cq_take(c, n + 1, idx) != 0) {
		free(idx);
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		cq_desc(c, idx[i], rb + i, 1, VG_DESC_F_NEXT, idx[i + 1]);
	cq_desc(c, idx[n], wb, 8, VG_DESC_F_WRITE, 0);
	cq_add_hostile(c, idx, n + 1, 8);
	free(idx);
	return 0;
}

static void record_limit(struct cq *c, uint16_t head, const char *what)
{
	const struct cq_rec *r = &c->rec[head];

	vqc_find(VQC_INFO, "SPLIT-FRM-2", "chain-limit", NULL, NULL, "%s: %s%s%s", what,
		 r->outcome == CQ_O_ACCEPTED ? "accepted" : "rejected",
		 r->outcome == CQ_O_REJECTED ? " " : "", r->outcome == CQ_O_REJECTED ? r->detail_name : "");
}

/*
 * The device may limit chain length (SPLIT-FRM-2); the limit is recorded,
 * and only unsafe behaviour beyond it fails: chains of Q direct descriptors
 * and indirect tables of 1024 and 1025 entries.
 */
VQC_TEST(SPLIT_FRM_2__chain_length_limit_is_safe)
{
	uint32_t q = _i ? 256 : 8;
	uint64_t f = vqc_impl->features & F_IND;
	struct cq_opts o = {.size = q, .features = f, .rbuf_bytes = 64 * 1024};
	struct cq c;
	uint64_t rb, wb;
	uint16_t head;

	if (!cq_open(&c, &o))
		return;
	rb = cq_rbuf(&c, q);
	wb = cq_wbuf(&c, 8);
	head = c.drv->free_head;
	ck_assert_int_eq(long_direct_chain(&c, q - 1, rb, wb), 0);
	cq_publish(&c);
	cq_serve_exposed(&c, CQ_EACH);
	cq_reap(&c);
	record_limit(&c, head, vqc_s("direct chain of %u descriptors (Q)", q));
	for (unsigned n = 1024; f && n <= 1025; n++) {
		uint64_t t = cq_table(&c, n), rbuf = cq_rbuf(&c, n);
		uint16_t idx[1];

		for (unsigned i = 0; i + 1 < n; i++)
			cq_table_desc(&c, t, i, rbuf + i, 1, VG_DESC_F_NEXT, (uint16_t)(i + 1));
		cq_table_desc(&c, t, n - 1, wb, 8, VG_DESC_F_WRITE, 0);
		ck_assert_int_eq(cq_take(&c, 1, idx), 0);
		cq_desc(&c, idx[0], t, 16u * n, VG_DESC_F_INDIRECT, 0);
		cq_add_hostile(&c, idx, 1, 8);
		cq_publish(&c);
		cq_serve_exposed(&c, CQ_EACH);
		cq_reap(&c);
		record_limit(&c, idx[0], vqc_s("indirect table of %u entries", n));
	}
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Robustness: readable, writable, readable.  The trailing readable buffer is
 * read-only for the device; writing it fails, accepting the chain warns.
 */
VQC_TEST(SPLIT_FRM_3__readable_after_writable_rejected_safely)
{
	struct cq c;
	uint16_t idx[3];

	if (!open_q(&c, 8, 0))
		return;
	c.robust_clause = "SPLIT-FRM-3";
	ck_assert_int_eq(cq_take(&c, 3, idx), 0);
	cq_desc(&c, idx[0], cq_rbuf(&c, 16), 16, VG_DESC_F_NEXT, idx[1]);
	cq_desc(&c, idx[1], cq_wbuf(&c, 16), 16, VG_DESC_F_NEXT | VG_DESC_F_WRITE, idx[2]);
	cq_desc(&c, idx[2], cq_rbuf(&c, 16), 16, 0, 0);
	cq_add_hostile(&c, idx, 3, 16);
	cq_publish(&c);
	cq_serve_exposed(&c, CQ_EACH);
	cq_reap(&c);
	if (c.rec[idx[0]].outcome == CQ_O_ACCEPTED)
		vqc_find(VQC_WARN, "SPLIT-FRM-3", "accepted-bad-chain", "chain rejected",
			 "chain served", "a readable descriptor after a writable one was accepted");
	/* The queue must still serve well-formed chains. */
	{
		struct cq_spec s = rw_spec(8, 8);

		cq_round(&c, &s, 1, CQ_EACH);
	}
	cq_check_memory(&c);
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_layout[] = {
	VQC_DEF(SPLIT_LAY_1__parts_at_minimum_alignment_straddling_pages, "SPLIT-LAY-1 SPLIT-USED-1",
		CQ_NSIZES, 0),
	VQC_DEF(SPLIT_LAY_2__queue_size_is_honoured, "SPLIT-LAY-2", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_LAY_3__driver_areas_stay_read_only, "SPLIT-LAY-3", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_FRM_1__any_descriptor_layout_gives_the_same_result, "SPLIT-FRM-1", 2, 0),
	VQC_DEF(SPLIT_FRM_2__chain_length_limit_is_safe, "SPLIT-FRM-2", 2, 0),
	VQC_DEF(SPLIT_FRM_3__readable_after_writable_rejected_safely, "SPLIT-FRM-3", 1, 0),
	{0},
};
