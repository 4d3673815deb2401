/* SPDX-License-Identifier: MIT */
/* Catalogue 2.4: descriptor table and indirect descriptors (§2.7.5, §2.7.5.3). */
#include "common.h"

/*
 * Field widths and byte order: guest memory above 4 GiB (every addr has bit
 * 32 set), lens with both low bytes significant, a shuffled free list at
 * Q = 32768 so next indices use both bytes; the device must read exactly
 * the described bytes (the access log also flags reads past a buffer).
 */
VQC_TEST(SPLIT_DESC_1__fields_read_full_width_little_endian)
{
	struct cq_opts o = {.size = 32768, .shuffle_free = true};
	struct cq c;
	struct cq_spec s;

	if (!cq_open(&c, &o))
		return;
	cq_start_at(&c, 32768 - 3);
	cq_spec_init(&s);
	cq_spec_buf(&s, 0x0123, false);
	cq_spec_buf(&s, 0x0201, false);
	cq_spec_buf(&s, 0x0102, true);
	cq_spec_buf(&s, 0x0031, true);
	rounds(&c, &s, 6, 2, CQ_BATCH);
	cq_spec_rw(&s, 0x0100, 0x00FF);
	rounds(&c, &s, 3, 3, CQ_EACH);
	cq_close(&c);
}

/*
 * Readable buffers are read-only for the device; the device model tries to
 * write 100 bytes more than each writable part holds, so a cursor that runs
 * past its end writes a guard or a readable buffer.
 */
VQC_TEST(SPLIT_DESC_2__readable_buffers_never_written)
{
	uint32_t q = size_at(_i);
	struct cq c;
	struct cq_spec a = rw_spec(16, 16), b, ro = rw_spec(24, 0);

	if (!open_q(&c, q, 0))
		return;
	cq_start_at(&c, (uint16_t)(q - 1));
	a.reply = 16 + 100;
	cq_spec_init(&b);
	cq_spec_buf(&b, 8, false);
	cq_spec_buf(&b, 8, false);
	cq_spec_buf(&b, 5, true);
	cq_spec_buf(&b, 7, true);
	b.reply = 100;
	ro.reply = 64;
	for (unsigned r = 0; r < 3; r++) {
		rounds(&c, &a, min_u32(q, 2), min_u32(q, 2), CQ_BATCH);
		if (q >= 4)
			cq_round(&c, &b, 1, CQ_EACH);
		cq_round(&c, &ro, 1, CQ_EACH);
	}
	cq_check_memory(&c);
	cq_close(&c);
}

/* SHOULD NOT read device-writable buffers: any load of one is a warning (access log). */
VQC_TEST(SPLIT_DESC_3__writable_buffers_not_read)
{
	uint64_t f = vqc_impl->features & F_IND;
	struct cq c;
	struct cq_spec s = rw_spec(16, 32);

	if (!open_q(&c, 8, f) || !cq_need_log(&c))
		return;
	rounds(&c, &s, 6, 3, CQ_BATCH);
	if (f) {
		s.ndirect = 0;
		rounds(&c, &s, 4, 2, CQ_EACH);
	}
	cq_close(&c);
}

/*
 * The descriptor table and indirect tables are read-only for the device at
 * every queue size, with tables whose last entries are garbage.
 */
VQC_TEST(SPLIT_DESC_5__descriptor_and_indirect_tables_never_written)
{
	uint32_t q = size_at(_i);
	uint64_t f = vqc_impl->features & F_IND;
	struct cq c;
	struct cq_spec d = rw_spec(12, 12), t;

	if (!open_q(&c, q, f))
		return;
	cq_start_at(&c, (uint16_t)(q - 2));
	cq_spec_init(&t);
	cq_spec_buf(&t, 10, false);
	cq_spec_buf(&t, 10, true);
	cq_spec_buf(&t, 10, true);
	t.ndirect = 0;
	t.ind_garbage = 2;
	t.ind_write = true;
	for (unsigned r = 0; r < 3; r++) {
		rounds(&c, &d, min_u32(q, 4), min_u32(q, 4), CQ_BATCH);
		if (f)
			rounds(&c, &t, min_u32(q, 2), min_u32(q, 2), CQ_EACH);
	}
	cq_check_memory(&c);
	cq_close(&c);
}

/* Publish one malformed chain (descriptors @idx, reserved), serve it, report its outcome. */
static uint8_t serve_hostile(struct cq *c, const uint16_t *idx, unsigned k, uint32_t wcap)
{
	cq_add_hostile(c, idx, k, wcap);
	cq_publish(c);
	cq_serve_exposed(c, CQ_EACH);
	cq_reap(c);
	return c->rec[idx[0]].outcome;
}

/* Robustness verdict: rejected is right; accepted (safely) is a warning. */
static void judge(uint8_t outcome, const char *clause, const char *what)
{
	if (outcome == CQ_O_ACCEPTED)
		vqc_find(VQC_WARN, clause, "accepted-bad-chain", "chain rejected", "chain served",
			 "%s was accepted", what);
	else
		vqc_find(VQC_INFO, clause, "rejected", NULL, NULL, "%s: %s", what,
			 outcome == CQ_O_BROKEN ? "queue broken" : "rejected");
}

/*
 * After a bad chain the queue must go on serving well-formed ones, unless
 * the implementation broke it (a defined outcome: the VMM resets it).
 */
static void still_serves(struct cq *c)
{
	struct cq_spec s = rw_spec(8, 8);

	if (c->broken_seen) {
		c->allow_outstanding = true;
		return;
	}
	cq_round(c, &s, 1, CQ_EACH);
}

/*
 * Robustness: chains whose length is unbounded or 2^32 bytes or more (a
 * direct loop, an indirect loop, a writable loop, two 0xFFFFFFFF-byte
 * descriptors).  The device must terminate (Check's timeout catches a hang)
 * and write nothing it should not.
 */
VQC_TEST(SPLIT_DESC_6__loops_and_huge_chains_fail_safely)
{
	uint64_t f = vqc_impl->features & F_IND;
	struct cq c;
	uint16_t idx[2];
	uint64_t rb, wb, t;

	if (!open_q(&c, 8, f))
		return;
	c.robust_clause = "SPLIT-DESC-6";
	c.broken_ok = true;
	rb = cq_rbuf(&c, 16);
	wb = cq_wbuf(&c, 16);

	ck_assert_int_eq(cq_take(&c, 2, idx), 0);
	cq_desc(&c, idx[0], rb, 16, VG_DESC_F_NEXT, idx[1]);
	cq_desc(&c, idx[1], rb, 16, VG_DESC_F_NEXT, idx[0]);
	judge(serve_hostile(&c, idx, 2, 0), "SPLIT-DESC-6", "direct loop d0 -> d1 -> d0");
	still_serves(&c);

	ck_assert_int_eq(cq_take(&c, 2, idx), 0);
	cq_desc(&c, idx[0], wb, 16, VG_DESC_F_NEXT | VG_DESC_F_WRITE, idx[1]);
	cq_desc(&c, idx[1], wb, 16, VG_DESC_F_NEXT | VG_DESC_F_WRITE, idx[0]);
	judge(serve_hostile(&c, idx, 2, 16), "SPLIT-DESC-6", "writable loop d0 -> d1 -> d0");
	still_serves(&c);

	ck_assert_int_eq(cq_take(&c, 2, idx), 0);
	cq_desc(&c, idx[0], cq_base(&c), 0xFFFFFFFFu, VG_DESC_F_NEXT, idx[1]);
	cq_desc(&c, idx[1], cq_base(&c), 0xFFFFFFFFu, 0, 0);
	judge(serve_hostile(&c, idx, 2, 0), "SPLIT-DESC-6", "two 0xFFFFFFFF-byte descriptors");
	still_serves(&c);

	if (f) {
		t = cq_table(&c, 2);
		cq_table_desc(&c, t, 0, rb, 16, VG_DESC_F_NEXT, 1);
		cq_table_desc(&c, t, 1, rb, 16, VG_DESC_F_NEXT, 0);
		ck_assert_int_eq(cq_take(&c, 1, idx), 0);
		cq_desc(&c, idx[0], t, 32, VG_DESC_F_INDIRECT, 0);
		judge(serve_hostile(&c, idx, 1, 0), "SPLIT-DESC-6", "indirect loop e0 -> e1 -> e0");
		still_serves(&c);
	}
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Indirect table semantics: the list starts at entry 0 and follows next
 * (here out of index order) until NEXT is clear, mixing directions; garbage
 * entries after the last linked one (INDIRECT, NEXT back to 0, huge len)
 * must be ignored.
 */
VQC_TEST(SPLIT_IND_1__table_followed_from_entry_0_until_next_clear)
{
	struct cq c;
	struct cq_spec s;

	if (!open_q(&c, 8, F_IND))
		return;
	c.walk_clause = "SPLIT-IND-1";
	cq_spec_init(&s);
	cq_spec_buf(&s, 9, false);
	cq_spec_buf(&s, 10, false);
	cq_spec_buf(&s, 11, false);
	cq_spec_buf(&s, 6, true);
	cq_spec_buf(&s, 7, true);
	s.ndirect = 0;
	s.ind_shuffle = true;
	s.ind_garbage = 3;
	rounds(&c, &s, 6, 2, CQ_BATCH);
	cq_check_memory(&c);
	cq_close(&c);
}

/* Robustness: an INDIRECT descriptor on a queue without VIRTIO_F_INDIRECT_DESC. */
VQC_TEST(SPLIT_IND_3__indirect_without_the_feature_fails_safely)
{
	struct cq c;
	uint16_t idx[1];
	uint64_t t;

	if (!open_q(&c, 8, 0))
		return;
	c.robust_clause = "SPLIT-IND-3";
	c.broken_ok = true;
	t = cq_table(&c, 2);
	cq_table_desc(&c, t, 0, cq_rbuf(&c, 16), 16, VG_DESC_F_NEXT, 1);
	cq_table_desc(&c, t, 1, cq_wbuf(&c, 16), 16, VG_DESC_F_WRITE, 0);
	ck_assert_int_eq(cq_take(&c, 1, idx), 0);
	cq_desc(&c, idx[0], t, 32, VG_DESC_F_INDIRECT, 0);
	judge(serve_hostile(&c, idx, 1, 16), "SPLIT-IND-3", "INDIRECT without INDIRECT_DESC");
	still_serves(&c);
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Robustness: an INDIRECT descriptor inside an indirect table.  The nested
 * table is driver memory; a device that maps it as a data buffer is
 * reported (warning), one that writes it fails.
 */
VQC_TEST(SPLIT_IND_4__nested_indirect_fails_safely)
{
	struct cq c;
	uint16_t idx[1];
	uint64_t t, inner;

	if (!open_q(&c, 8, F_IND))
		return;
	c.robust_clause = "SPLIT-IND-4";
	c.broken_ok = true;
	inner = cq_table(&c, 1);
	cq_table_desc(&c, inner, 0, cq_rbuf(&c, 16), 16, 0, 0);
	t = cq_table(&c, 3);
	cq_table_desc(&c, t, 0, cq_rbuf(&c, 16), 16, VG_DESC_F_NEXT, 1);
	cq_table_desc(&c, t, 1, inner, 16, VG_DESC_F_INDIRECT | VG_DESC_F_NEXT, 2);
	cq_table_desc(&c, t, 2, cq_wbuf(&c, 16), 16, VG_DESC_F_WRITE, 0);
	ck_assert_int_eq(cq_take(&c, 1, idx), 0);
	cq_desc(&c, idx[0], t, 48, VG_DESC_F_INDIRECT, 0);
	judge(serve_hostile(&c, idx, 1, 16), "SPLIT-IND-4", "an indirect table inside an indirect table");
	still_serves(&c);
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Interop probe: an indirect table with more entries than the queue size
 * (Linux builds these).  Acceptance is recorded; only unsafe behaviour fails.
 */
VQC_TEST(SPLIT_IND_5__table_longer_than_the_queue)
{
	struct cq c;
	struct cq_spec s;
	int head;

	if (!open_q(&c, 2, F_IND))
		return;
	c.broken_ok = true;
	cq_spec_init(&s);
	for (unsigned i = 0; i < 7; i++)
		cq_spec_buf(&s, 4, false);
	cq_spec_buf(&s, 8, true);
	s.ndirect = 0;
	s.may_reject = true;
	head = cq_add(&c, &s);
	ck_assert_int_ge(head, 0);
	cq_publish(&c);
	cq_serve_exposed(&c, CQ_EACH);
	cq_reap(&c);
	vqc_find(VQC_INFO, "SPLIT-IND-5", "long-table", NULL, NULL,
		 "8-entry indirect table on a queue of 2: %s",
		 c.rec[head].outcome == CQ_O_ACCEPTED ? "accepted" : "rejected");
	still_serves(&c);
	cq_check_memory(&c);
	cq_close(&c);
}

/* Robustness: INDIRECT and NEXT on one descriptor. */
VQC_TEST(SPLIT_IND_6__indirect_with_next_fails_safely)
{
	struct cq c;
	uint16_t idx[2];
	uint64_t t;

	if (!open_q(&c, 8, F_IND))
		return;
	c.robust_clause = "SPLIT-IND-6";
	c.broken_ok = true;
	t = cq_table(&c, 1);
	cq_table_desc(&c, t, 0, cq_rbuf(&c, 16), 16, 0, 0);
	ck_assert_int_eq(cq_take(&c, 2, idx), 0);
	cq_desc(&c, idx[0], t, 16, VG_DESC_F_INDIRECT | VG_DESC_F_NEXT, idx[1]);
	cq_desc(&c, idx[1], cq_wbuf(&c, 16), 16, VG_DESC_F_WRITE, 0);
	judge(serve_hostile(&c, idx, 2, 16), "SPLIT-IND-6", "INDIRECT together with NEXT");
	still_serves(&c);
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * The WRITE bit of the descriptor pointing to a table is ignored: the same
 * request with it set and clear must give the same result, and the table
 * (read-only pages) must never be written.
 */
VQC_TEST(SPLIT_IND_8__write_bit_on_the_indirect_descriptor_ignored)
{
	struct cq c;
	struct cq_spec s;
	uint32_t len[2];

	if (!open_q(&c, 8, F_IND))
		return;
	c.walk_clause = "SPLIT-IND-8";
	for (int wbit = 0; wbit < 2; wbit++) {
		cq_spec_init(&s);
		cq_spec_buf(&s, 20, false);
		cq_spec_buf(&s, 24, true);
		s.ndirect = 0;
		s.ind_write = wbit;
		cq_round(&c, &s, 1, CQ_EACH);
		len[wbit] = c.last_len;
	}
	if (len[0] != len[1])
		vqc_find(VQC_FAIL, "SPLIT-IND-8", "write-bit-changes-result",
			 vqc_s("len %u (WRITE clear)", len[0]), vqc_s("len %u (WRITE set)", len[1]),
			 "the INDIRECT descriptor's WRITE bit changed the result");
	cq_check_memory(&c);
	cq_close(&c);
}

/*
 * Direct descriptors followed by exactly one INDIRECT: [hdr R] -> INDIRECT
 * {data R, status W} and [R, R] -> INDIRECT {W}, against the all-direct
 * layout of the same request.
 */
VQC_TEST(SPLIT_IND_9__direct_descriptors_then_one_indirect)
{
	struct cq c;
	struct cq_spec s;
	uint32_t lens[3];

	if (!open_q(&c, 8, F_IND))
		return;
	c.walk_clause = "SPLIT-IND-9";
	for (unsigned layout = 0; layout < 3; layout++) {
		cq_spec_init(&s);
		cq_spec_buf(&s, 16, false);
		cq_spec_buf(&s, 40, false);
		cq_spec_buf(&s, 1, true);
		s.ndirect = layout == 0 ? CQ_DIRECT : layout;
		s.reply = 1;
		cq_round(&c, &s, 1, CQ_EACH);
		lens[layout] = c.last_len;
	}
	for (unsigned layout = 1; layout < 3; layout++)
		if (lens[layout] != lens[0])
			vqc_find(VQC_FAIL, "SPLIT-IND-9", "mixed-layout-differs",
				 vqc_s("len %u (all direct)", lens[0]), vqc_s("len %u", lens[layout]),
				 "%u direct descriptors then one INDIRECT gave another result", layout);
	cq_check_memory(&c);
	cq_close(&c);
}

const struct vqc_test_def vqc_tests_descriptors[] = {
	VQC_DEF(SPLIT_DESC_1__fields_read_full_width_little_endian, "SPLIT-DESC-1", 1, 0),
	VQC_DEF(SPLIT_DESC_2__readable_buffers_never_written, "SPLIT-DESC-2", CQ_NSIZES, 0),
	VQC_DEF(SPLIT_DESC_3__writable_buffers_not_read, "SPLIT-DESC-3", 1, 0),
	VQC_DEF(SPLIT_DESC_5__descriptor_and_indirect_tables_never_written, "SPLIT-DESC-5",
		CQ_NSIZES, 0),
	VQC_DEF(SPLIT_DESC_6__loops_and_huge_chains_fail_safely, "SPLIT-DESC-6", 1, 0),
	VQC_DEF(SPLIT_IND_1__table_followed_from_entry_0_until_next_clear, "SPLIT-IND-1", 1, 0),
	VQC_DEF(SPLIT_IND_3__indirect_without_the_feature_fails_safely, "SPLIT-IND-3", 1, 0),
	VQC_DEF(SPLIT_IND_4__nested_indirect_fails_safely, "SPLIT-IND-4", 1, 0),
	VQC_DEF(SPLIT_IND_5__table_longer_than_the_queue, "SPLIT-IND-5", 1, 0),
	VQC_DEF(SPLIT_IND_6__indirect_with_next_fails_safely, "SPLIT-IND-6", 1, 0),
	VQC_DEF(SPLIT_IND_8__write_bit_on_the_indirect_descriptor_ignored, "SPLIT-IND-8", 1, 0),
	VQC_DEF(SPLIT_IND_9__direct_descriptors_then_one_indirect, "SPLIT-IND-9", 1, 0),
	{0},
};
