/* SPDX-License-Identifier: MIT */
/*
 * The black-box suite: what a vhost-user back-end must do, seen from the
 * guest and the VMM only.  Every test names the clause it checks; every test
 * also ends with the shadow compare (no byte changed outside the used ring
 * and writable buffers), the process alive, and the ring stopping on request.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bb.h"
#include "type_blk.h"
#include "type_net.h"

#define MAXU 64

/*
 * The rule a chain left unserved most likely breaks, seen from outside: the
 * driver kicked exactly when the back-end's suppression asked it to, so the
 * back-end stalled itself (ANS-11 with EVENT_IDX: avail_event; ANS-9
 * without: used flags NO_NOTIFY left set).  Both are liveness rows.
 */
static const char *stall_clause(const struct bb *b)
{
	return vg_drv_has(b->drv, 29) ? "SPLIT-ANS-11" : "SPLIT-ANS-9";
}

/* Wait for @n used entries; missing ones are a finding under @clause (NULL: stall_clause). */
static unsigned served(struct bb *b, uint16_t n, const char *clause, struct vg_used *u)
{
	uint16_t got = bb_wait_used(b, n);

	if (!clause)
		clause = stall_clause(b);

	if (got < n)
		vqc_find(VQC_FAIL, clause, "not-served", vqc_s("%u used entries", n), vqc_s("%u", got),
			 "%u of %u chains came back within %d ms", got, n, BB_WAIT_MS);
	return bb_reap(b, u, MAXU);
}

static uint64_t feat(int i)
{
	static const uint64_t f[] = {0, F_EVENT_IDX, F_INDIRECT, F_EVENT_IDX | F_INDIRECT};

	return f[i % 4];
}

/*
 * Data written with OUT comes back with IN, every reply's status says OK,
 * every used entry names its chain once with len within its writable part,
 * across the 2^16 wrap of the indices (the ring starts at 65530); runs 4-7
 * put the replies in two more regions past a hole, the first reply across
 * the boundary of two adjacent regions.
 */
VQC_TEST(SPLIT_USED_3__requests_round_trip_with_honest_used_entries)
{
	struct bb b;
	struct vg_used u[MAXU];
	unsigned char pat[512], got[512];
	int heads[4];

	if (bb_type != &bb_type_blk) {
		vqc_set_status("untested", "written for blk (net: SPLIT-USED-6, forwarded packets)");
		return;
	}
	if (!bb_open_at(&b, 8, feat(_i), 65530, _i < 4 ? BB_ONE_REGION : BB_SPLIT))
		return;
	for (unsigned round = 0; round < 6; round++) {
		for (unsigned k = 0; k < 2; k++) {
			memset(pat, (int)(round * 2 + k + 1), sizeof(pat));
			heads[k] = blk_post(&b, BLK_T_OUT, round * 2 + k, pat, sizeof(pat), 0, k);
			VQC_REQUIRE(heads[k] >= 0, "driver out of descriptors");
		}
		bb_publish(&b);
		if (served(&b, 2, vg_drv_has(b.drv, 29) ? NULL : "SPLIT-USED-4", u) < 2)
			break; /* a stalled ring: nothing more to learn here */
		for (unsigned k = 0; k < 2; k++)
			heads[k] = blk_post(&b, BLK_T_IN, round * 2 + k, NULL, 0, sizeof(got), k);
		if (round == 0 && _i >= 4) { /* the harness's own promise: this reply straddles two regions */
			unsigned nb;
			const struct vg_buf *buf = vg_drv_bufs(b.drv, (uint16_t)heads[0], &nb);

			VQC_REQUIRE(nb == 3 && buf[1].gpa < BB_GPA_W + BB_MEM_W &&
					    buf[1].gpa + buf[1].len > BB_GPA_W + BB_MEM_W,
				    "the first reply does not straddle the regions");
		}
		bb_publish(&b);
		if (bb_wait_used(&b, 2) == 2)
			for (unsigned k = 0; k < 2; k++) {
				memset(pat, (int)(round * 2 + k + 1), sizeof(pat));
				if (blk_status(&b, (uint16_t)heads[k]) != BLK_S_OK ||
				    !blk_read_data(&b, (uint16_t)heads[k], got, sizeof(got)) ||
				    memcmp(got, pat, sizeof(got)) != 0)
					vqc_find(VQC_FAIL, "SPLIT-USED-6", "reply-data", "the data written before",
						 vqc_s("status %u", blk_status(&b, (uint16_t)heads[k])),
						 "sector %u read back wrong", round * 2 + k);
			}
		if (served(&b, 2, vg_drv_has(b.drv, 29) ? NULL : "SPLIT-USED-4", u) < 2)
			break;
		bb_check_memory(&b);
	}
	bb_close(&b);
}

/*
 * Judge one frame that came back: whole (used len covers the header and the
 * frame, and the bytes it covers are the frame of the token it carries) and
 * one this test sent and had not had back (SPLIT-USED-6).
 */
static bool judge_frame(int64_t len, const uint8_t got[NET_FRAME], unsigned sent, bool back[])
{
	uint8_t want[NET_FRAME];
	uint64_t token = 0;

	for (unsigned i = 0; i < 8; i++)
		token |= (uint64_t)got[14 + i] << (8 * i);
	if (token < sent)
		net_frame(token, want);
	if (token >= sent || back[token] || len < NET_HDR + NET_FRAME || memcmp(got, want, NET_FRAME) != 0) {
		vqc_find(VQC_FAIL, "SPLIT-USED-6", "reply-data", "a frame sent, whole under used len",
			 vqc_s("len %lld", (long long)len), "a frame came back wrong (it carries token %llu of %u sent%s)",
			 (unsigned long long)token, sent, token < sent && back[token] ? ", already back" : "");
		return false;
	}
	back[token] = true;
	return true;
}

/*
 * net: frames sent on transmitq1 come back on receiveq1 (the forwarding
 * back-end's contract), each whole (judge_frame).  A net device may drop a
 * frame (DPDK's does while its queues start), so one that does not come back
 * is a note, and only a test where none comes back learns nothing and stops.
 * Transmit chains are readable only, so their used len is 0 (SPLIT-USED-3,
 * judged at reap).  The transmit ring starts at 65530 to cross the wrap; runs
 * 4-7 put the receive buffers past a hole, the first across two adjacent
 * regions.
 */
VQC_TEST(SPLIT_USED_6__forwarded_packets_arrive_whole)
{
	enum { ROUNDS = 6, PER_ROUND = 2, FRAMES = ROUNDS * PER_ROUND };
	struct bb b;
	struct vg_used u[MAXU];
	uint8_t got[NET_FRAME];
	bool back[FRAMES] = {false};
	unsigned sent = 0, nback = 0;

	if (bb_type != &bb_type_net) {
		vqc_set_status("untested", "written for net (blk: SPLIT-USED-3, the round trip)");
		return;
	}
	if (!bb_open_at(&b, 8, feat(_i), 65530, _i < 4 ? BB_ONE_REGION : BB_SPLIT))
		return;
	if (_i >= 4) { /* the harness's own promise: the first receive buffer straddles two regions */
		unsigned nb;
		const struct vg_buf *buf = vg_drv_bufs(b.rx, 0, &nb);

		VQC_REQUIRE(nb == 1 && buf[0].gpa < BB_GPA_W + BB_MEM_W && buf[0].gpa + buf[0].len > BB_GPA_W + BB_MEM_W,
			    "the first receive buffer does not straddle the regions");
	}
	for (unsigned round = 0; round < ROUNDS; round++) {
		for (unsigned k = 0; k < PER_ROUND; k++)
			VQC_REQUIRE(net_send(&b, sent++) >= 0, "driver out of descriptors");
		bb_publish(&b);
		if (served(&b, PER_ROUND, vg_drv_has(b.drv, 29) ? NULL : "SPLIT-USED-4", u) < PER_ROUND)
			break;
		/* Until the last frame sent is back, none comes within BB_WAIT_MS, or a
		 * ring's worth of wrong ones came instead. */
		for (unsigned tries = 0; !back[sent - 1] && tries < NET_RX_SIZE; tries++) {
			int64_t len = net_receive(&b, got);

			if (len == NET_GONE)
				break;
			if (len != NET_BAD_ENTRY && judge_frame(len, got, sent, back))
				nback++;
		}
		bb_check_memory(&b);
	}
	if (nback == 0)
		vqc_fatal(vqc_primary(), "adapter-error", "sent frames forwarded", "none",
			  "none of %u frames came back on receiveq1 (each waited for %d ms)", sent, BB_WAIT_MS);
	if (nback < sent)
		vqc_find(VQC_INFO, "SPLIT-USED-6", "frames-dropped", vqc_s("%u frames back", sent),
			 vqc_s("%u", nback), "%u of %u frames did not come back whole: dropped, late or wrong (a finding of its own)",
			 sent - nback, sent);
	bb_close(&b);
}

/* Post a loop d0 -> d1 -> d0 of @len-byte readable buffers and let the back-end at it. */
static void post_loop(struct bb *b, uint32_t len)
{
	struct vg_used u[MAXU];
	uint16_t idx[2];
	uint64_t buf = vg_mem_alloc(&b->mem, 16, 16);

	VQC_REQUIRE(vg_drv_take(b->drv, 2, idx) == 0, "descriptors");
	vg_drv_write_desc(b->drv, idx[0], buf, len, VG_DESC_F_NEXT, idx[1]);
	vg_drv_write_desc(b->drv, idx[1], buf, len, VG_DESC_F_NEXT, idx[0]);
	vg_drv_add_hostile(b->drv, idx, 2, 0);
	bb_publish(b);
	bb_kick(b);
	bb_wait_used(b, 1); /* returned (len 0) or dropped: both are safe */
	bb_check_alive(b, "SPLIT-DESC-6");
	bb_reap(b, u, MAXU);
}

/*
 * Loops in the descriptor table must not hang or crash the back-end: one of
 * empty buffers (only a bound on hops stops it: no bytes, no segments pile
 * up), then one of 16-byte buffers.  The ring must still stop on request.
 */
VQC_TEST(SPLIT_DESC_6__a_looping_chain_is_survived)
{
	struct bb b;
	struct vg_used u[MAXU];

	if (!bb_open(&b, 8, feat(_i)))
		return;
	post_loop(&b, 0);
	post_loop(&b, 16);
	/* Still serving: a valid request after the loops comes back. */
	VQC_REQUIRE(bb_post_request(&b, 7) >= 0, "driver out of descriptors");
	bb_publish(&b);
	bb_kick(&b);
	if (bb_wait_used(&b, 1) < 1 && bb_closed(&b))
		vqc_find(VQC_INFO, "SPLIT-DESC-6", "connection-closed", "the next valid request served",
			 "the connection ended", "after a looping chain the back-end ended the connection");
	else if (vg_drv_used_pending(b.drv) < 1)
		vqc_find(VQC_WARN, "SPLIT-DESC-6", "stops-serving", "the next valid request served",
			 "nothing within the bound", "after a looping chain the ring serves nothing");
	bb_reap(&b, u, MAXU);
	bb_close(&b);
}

/* avail idx moved by more than the queue size: the back-end may stop the ring, never crash or write astray. */
VQC_TEST(SPLIT_AV_3__avail_idx_jump_is_survived)
{
	struct bb b;
	struct vg_used u[MAXU];

	if (!bb_open(&b, 8, feat(_i)))
		return;
	VQC_REQUIRE(bb_post_request(&b, 1) >= 0, "driver out of descriptors");
	bb_publish(&b);
	served(&b, 1, NULL, u);
	vg_drv_set_avail_idx(b.drv, (uint16_t)(b.drv->avail_pub + 8 + 5));
	bb_kick(&b);
	usleep(20000);
	bb_check_alive(&b, "SPLIT-AV-3");
	bb_reap(&b, u, MAXU); /* anything returned now names no chain in flight: SPLIT-USED-2 */
	bb_close(&b); /* memory compared, and GET_VRING_BASE must still answer */
}

/* Without EVENT_IDX, avail flags NO_INTERRUPT: no call (SHOULD); flags 0: a call for what was used. */
VQC_TEST(SPLIT_UNS_7__no_interrupt_flag_suppresses_calls)
{
	struct bb b;
	struct vg_used u[MAXU];
	uint64_t before;

	if (!bb_open(&b, 8, 0))
		return;
	vg_drv_set_avail_flags(b.drv, 1);
	for (unsigned k = 0; k < 3; k++) {
		VQC_REQUIRE(bb_post_request(&b, k) >= 0, "driver out of descriptors");
		bb_publish(&b);
		if (served(&b, 1, NULL, u) < 1) {
			bb_close(&b);
			return;
		}
	}
	usleep(20000);
	if (bb_calls(&b) != 0)
		vqc_find(VQC_WARN, "SPLIT-UNS-7", "unneeded-notification", "no call", vqc_s("%llu calls",
			 (unsigned long long)b.calls), "calls while the driver set NO_INTERRUPT");
	vg_drv_set_avail_flags(b.drv, 0);
	before = bb_calls(&b);
	VQC_REQUIRE(bb_post_request(&b, 9) >= 0, "driver out of descriptors");
	bb_publish(&b);
	served(&b, 1, NULL, u);
	if (bb_calls(&b) == before && vhu_fe_wait_call(&b.fe, bb_type->q, BB_WAIT_MS) == 0)
		vqc_find(VQC_FAIL, "SPLIT-UNS-6", "missed-notification", "a call", "none",
			 "no call after a used entry with flags 0");
	bb_close(&b);
}

/*
 * With EVENT_IDX: used_event = the slot of the third entry; one request at a
 * time, a call comes exactly when that slot is written, none before.
 */
VQC_TEST(SPLIT_UNS_10__calls_when_used_event_slot_is_written)
{
	struct bb b;
	struct vg_used u[MAXU];

	if (!bb_open(&b, 8, F_EVENT_IDX))
		return;
	vg_drv_set_used_event(b.drv, 2); /* notify when used idx goes from 2 to 3 */
	for (unsigned k = 0; k < 4; k++) {
		uint64_t before = bb_calls(&b), c;

		VQC_REQUIRE(bb_post_request(&b, k) >= 0, "driver out of descriptors");
		bb_publish(&b);
		if (served(&b, 1, NULL, u) < 1)
			break;
		/* The call follows the used idx store: give a late one the bound, a stray one a moment. */
		b.calls += vhu_fe_wait_call(&b.fe, bb_type->q, k == 2 && b.calls == before ? BB_WAIT_MS : 20);
		c = b.calls - before;
		if (k == 2 && c == 0)
			vqc_find(VQC_FAIL, "SPLIT-UNS-10", "missed-notification", "a call", "none",
				 "used idx passed used_event 2 without a call");
		if (k != 2 && c != 0)
			vqc_find(VQC_WARN, "SPLIT-UNS-11", "unneeded-notification", "no call",
				 vqc_s("%llu", (unsigned long long)c), "a call at used idx %u, used_event 2", k + 1);
	}
	bb_close(&b);
}

/* One request at a time, each one served; missing ones are a finding under @clause. */
static void one_by_one(struct bb *b, unsigned n, const char *clause, void (*after)(struct bb *b))
{
	struct vg_used u[MAXU];

	for (unsigned k = 0; k < n; k++) {
		VQC_REQUIRE(bb_post_request(b, k) >= 0, "driver out of descriptors");
		bb_publish(b);
		if (served(b, 1, clause, u) < 1)
			return;
		if (after)
			after(b);
	}
}

/* Used flags as the back-end left them: 0 or NO_NOTIFY without EVENT_IDX, 0 with it. */
static void used_flags_ok(struct bb *b)
{
	uint16_t f = vg_drv_used_flags(b->drv);
	bool evt = vg_drv_has(b->drv, 29);

	if (evt && f != 0)
		vqc_find(VQC_FAIL, "SPLIT-ANS-10", "used-flags", "0", vqc_s("0x%x", f),
			 "used flags 0x%x under EVENT_IDX", f);
	else if (!evt && (f & ~1u))
		vqc_find(VQC_FAIL, "SPLIT-ANS-8", "used-flags", "0 or 1", vqc_s("0x%x", f), "used flags 0x%x", f);
}

/* The back-end writes only the values the spec allows into used flags, with and without EVENT_IDX. */
VQC_TEST(SPLIT_ANS_10__used_flags_stay_zero_under_event_idx)
{
	struct bb b;

	if (!bb_open(&b, 8, _i ? F_EVENT_IDX : 0))
		return;
	one_by_one(&b, 12, NULL, used_flags_ok);
	bb_close(&b);
}

/*
 * The driver kicks only when the back-end's suppression says so (vguest's
 * strict driver): used flags without EVENT_IDX (ANS-9), avail_event with it
 * (ANS-11).  A back-end that never re-arms is left waiting for kicks that
 * never come.  Batches of 1, 2 and 3.
 */
VQC_TEST(SPLIT_ANS_11__a_driver_that_kicks_only_when_asked_is_served)
{
	struct bb b;
	struct vg_used u[MAXU];

	if (!bb_open(&b, 16, _i ? F_EVENT_IDX : 0))
		return;
	for (unsigned round = 0; round < 6; round++) {
		unsigned n = 1 + round % 3;

		for (unsigned k = 0; k < n; k++)
			VQC_REQUIRE(bb_post_request(&b, k) >= 0, "driver out of descriptors");
		bb_publish(&b);
		if (served(&b, (uint16_t)n, NULL, u) < n)
			break;
	}
	bb_close(&b);
}

/* An entry staged beyond avail idx is not exposed: the back-end must not serve it. */
VQC_TEST(SPLIT_AV_4__nothing_beyond_avail_idx_is_served)
{
	struct bb b;
	struct vg_used u[MAXU];
	uint16_t pending;

	if (!bb_open(&b, 8, feat(_i)))
		return;
	for (unsigned round = 0; round < 3; round++) {
		VQC_REQUIRE(bb_post_request(&b, 1) >= 0, "driver out of descriptors");
		VQC_REQUIRE(bb_post_request(&b, 2) >= 0, "driver out of descriptors");
		if (vg_drv_publish_n(b.drv, 1))
			bb_kick(&b);
		bb_wait_used(&b, 1);
		usleep(20000); /* time enough to take the staged one too */
		pending = vg_drv_used_pending(b.drv);
		if (pending > 1)
			vqc_find(VQC_FAIL, "SPLIT-AV-4", "beyond-avail-idx", "1 used entry", vqc_s("%u", pending),
				 "an entry staged past avail idx was served");
		bb_reap(&b, u, MAXU);
		bb_publish(&b); /* now expose the staged one */
		bb_kick(&b);
		if (served(&b, 1, NULL, u) < 1 || pending > 1)
			break;
	}
	bb_close(&b);
}

/*
 * Stopped (GET_VRING_BASE) and set up again at new addresses with a new size
 * and base 0: the back-end takes avail slot 0 of the new ring and writes used
 * slot 0 (VQ-RST-2), and never writes the old rings again (VQ-RST-5: they are
 * marked old, so the shadow compare names any store there).
 */
VQC_TEST(VQ_RST_5__a_ring_set_up_again_uses_its_new_place)
{
	struct bb b;
	struct vhu_fe_ring_cfg rc = {16, 0, 0, 0, 0};
	uint64_t old[3][2];
	uint16_t last;

	if (!bb_open(&b, 8, feat(_i)))
		return;
	one_by_one(&b, 3, NULL, NULL);
	if (vhu_fe_ring_stop(&b.fe, bb_type->q, &last) != 0)
		vqc_fatal("VQ-RST-5", "no-stop", "GET_VRING_BASE answered", vhu_fe_error(&b.fe), "%s",
			  vhu_fe_error(&b.fe));
	bb_check_memory(&b);
	old[0][0] = b.drv->desc, old[0][1] = vg_desc_bytes(8);
	old[1][0] = b.drv->avail, old[1][1] = vg_avail_bytes(8);
	old[2][0] = b.drv->used, old[2][1] = vg_used_bytes(8);
	rc.desc = vg_mem_alloc(&b.mem, vg_desc_bytes(16), 16);
	rc.avail = vg_mem_alloc(&b.mem, vg_avail_bytes(16), 2);
	rc.used = vg_mem_alloc(&b.mem, vg_used_bytes(16), 4);
	VQC_REQUIRE(rc.desc && rc.avail && rc.used, "guest memory full");
	VQC_REQUIRE(vg_drv_relocate(b.drv, 16, rc.desc, rc.avail, rc.used) == 0, "driver relocation");
	for (int i = 0; i < 3; i++)
		vg_mem_mark(&b.mem, old[i][0], old[i][1], VG_K_OLD_RING);
	if (vhu_fe_ring_start(&b.fe, bb_type->q, &b.mem, &rc) != 0)
		vqc_fatal("VQ-RST-5", "adapter-error", "the new ring accepted", vhu_fe_error(&b.fe), "%s",
			  vhu_fe_error(&b.fe));
	vqc_param("\"q\":16,\"relocated\":true");
	one_by_one(&b, 20, "VQ-RST-2", NULL); /* past the new ring's size: it wraps at 16 */
	bb_close(&b);
}

/*
 * A table inside an indirect table (header, INDIRECT, status): forbidden
 * (SPLIT-IND-4).  Refusing it is right; serving it (a status written into
 * the reply byte) maps a descriptor table as data and is reported as a
 * warning; a crash, a hang or a stray write fails.  A valid request after it
 * must still come back.
 */
VQC_TEST(SPLIT_IND_4__a_nested_indirect_table_is_not_served)
{
	struct bb b;
	struct vg_used u[MAXU];
	struct { uint32_t type, reserved; uint64_t sector; } in = {BLK_T_IN, 0, 0};
	uint64_t hdr, st, inner, t;
	uint16_t idx[1];
	uint8_t status = 0;

	if (bb_type != &bb_type_blk) { /* whether it was served shows only in a written status byte */
		vqc_set_status("untested", "written for blk: a served chain shows as its status byte");
		return;
	}
	if (!bb_open(&b, 8, F_INDIRECT))
		return;
	hdr = vg_mem_alloc(&b.mem, sizeof(in), 16);
	st = vg_mem_alloc(&b.mem, 1, 16);
	inner = vg_mem_alloc(&b.mem, 16, 16);
	t = vg_mem_alloc(&b.mem, 48, 16);
	VQC_REQUIRE(hdr && st && inner && t, "guest memory full");
	vg_mem_write(&b.mem, hdr, &in, sizeof(in));
	vg_mem_fill(&b.mem, st, VG_POISON, 1);
	vg_mem_mark(&b.mem, hdr, sizeof(in), VG_K_RBUF);
	vg_mem_mark(&b.mem, st, 1, VG_K_WBUF);
	vg_drv_write_table_desc(b.drv, inner, 0, hdr, sizeof(in), 0, 0);
	vg_drv_write_table_desc(b.drv, t, 0, hdr, sizeof(in), VG_DESC_F_NEXT, 1);
	vg_drv_write_table_desc(b.drv, t, 1, inner, 16, VG_DESC_F_INDIRECT | VG_DESC_F_NEXT, 2);
	vg_drv_write_table_desc(b.drv, t, 2, st, 1, VG_DESC_F_WRITE, 0);
	VQC_REQUIRE(vg_drv_take(b.drv, 1, idx) == 0, "descriptors");
	vg_drv_write_desc(b.drv, idx[0], t, 48, VG_DESC_F_INDIRECT, 0);
	vg_drv_add_hostile(b.drv, idx, 1, 1);
	bb_publish(&b);
	bb_kick(&b);
	bb_wait_used(&b, 1);
	bb_check_alive(&b, "SPLIT-IND-4");
	vg_mem_read(&b.mem, st, &status, 1);
	if (vg_drv_used_pending(b.drv) && status != VG_POISON)
		vqc_find(VQC_WARN, "SPLIT-IND-4", "nested-indirect-served", "the chain refused",
			 vqc_s("status %u written", status), "a table inside an indirect table was served");
	bb_reap(&b, u, MAXU);
	VQC_REQUIRE(bb_post_request(&b, 7) >= 0, "driver out of descriptors");
	bb_publish(&b);
	bb_kick(&b);
	if (bb_wait_used(&b, 1) < 1 && !bb_closed(&b))
		vqc_find(VQC_WARN, "SPLIT-IND-4", "stops-serving", "the next valid request served",
			 "nothing within the bound", "after a nested indirect table the ring serves nothing");
	bb_reap(&b, u, MAXU);
	bb_close(&b);
}

static const struct vqc_test_def tests[] = {
	VQC_DEF(SPLIT_USED_3__requests_round_trip_with_honest_used_entries,
		"SPLIT-USED-3 SPLIT-USED-2 SPLIT-USED-4 SPLIT-USED-6 SPLIT-DESC-2", 8, 30),
	VQC_DEF(SPLIT_USED_6__forwarded_packets_arrive_whole, "SPLIT-USED-6 SPLIT-USED-3 SPLIT-USED-2 SPLIT-USED-4", 8, 30),
	VQC_DEF(SPLIT_DESC_6__a_looping_chain_is_survived, "SPLIT-DESC-6", 2, 30),
	VQC_DEF(SPLIT_AV_3__avail_idx_jump_is_survived, "SPLIT-AV-3", 2, 30),
	VQC_DEF(SPLIT_UNS_7__no_interrupt_flag_suppresses_calls, "SPLIT-UNS-7 SPLIT-UNS-6", 1, 30),
	VQC_DEF(SPLIT_UNS_10__calls_when_used_event_slot_is_written, "SPLIT-UNS-10 SPLIT-UNS-11", 1, 30),
	VQC_DEF(SPLIT_ANS_10__used_flags_stay_zero_under_event_idx, "SPLIT-ANS-10 SPLIT-ANS-8", 2, 30),
	VQC_DEF(SPLIT_ANS_11__a_driver_that_kicks_only_when_asked_is_served, "SPLIT-ANS-11 SPLIT-ANS-9", 2, 30),
	VQC_DEF(SPLIT_AV_4__nothing_beyond_avail_idx_is_served, "SPLIT-AV-4", 2, 30),
	VQC_DEF(VQ_RST_5__a_ring_set_up_again_uses_its_new_place, "VQ-RST-5 VQ-RST-2", 2, 30),
	VQC_DEF(SPLIT_IND_4__a_nested_indirect_table_is_not_served, "SPLIT-IND-4", 1, 30),
	{0},
};

const struct vqc_test_def *const bb_suites[] = {tests, NULL};
