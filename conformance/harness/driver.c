/* SPDX-License-Identifier: MIT */
/*
 * The guest's driver as the suites use it (see cq.h): chains built from a
 * spec with the request bytes each head carries, hostile entries, and the
 * reaping of used entries with the checks each allows (SPLIT-USED-2/3/4/6).
 */
#include <string.h>

#include "cq.h"

static uint8_t req_byte(uint16_t head, unsigned buf, uint32_t k)
{
	return (uint8_t)(head * 13u + buf * 101u + k * 7u + 3u);
}

/* ---- chain specs ---- */

void cq_spec_init(struct cq_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->ndirect = CQ_DIRECT;
	s->reply = CQ_REPLY_AUTO;
}

void cq_spec_buf(struct cq_spec *s, uint32_t len, bool writable)
{
	VQC_REQUIRE(s->n < CQ_MAXBUF, "suite bug: more than %d buffers in a chain", CQ_MAXBUF);
	s->len[s->n] = len;
	s->wr[s->n] = writable;
	s->n++;
}

void cq_spec_rw(struct cq_spec *s, uint32_t r, uint32_t w)
{
	cq_spec_init(s);
	if (r)
		cq_spec_buf(s, r, false);
	if (w)
		cq_spec_buf(s, w, true);
}

/* ---- building and publishing ---- */

/*
 * A chain longer than the whole table cannot exist at this Q (Q = 1, 2 with
 * a two-buffer request): keep its last buffers (the reply first), so the
 * same test still runs, with the chain the queue can hold.
 */
static const struct cq_spec *fit(const struct cq *c, const struct cq_spec *s, struct cq_spec *tmp)
{
	unsigned nd = s->ndirect < s->n ? s->ndirect : s->n;
	unsigned need = nd < s->n ? nd + 1 : s->n, drop;

	if (need <= c->size)
		return s;
	*tmp = *s;
	drop = need - c->size;
	if (nd < s->n) {
		tmp->ndirect = nd > drop ? nd - drop : 0; /* fewer direct, same table */
		return tmp;
	}
	memmove(tmp->len, s->len + drop, (s->n - drop) * sizeof(s->len[0]));
	memmove(tmp->wr, s->wr + drop, (s->n - drop) * sizeof(s->wr[0]));
	tmp->n = s->n - drop;
	return tmp;
}

static unsigned descs_of(const struct cq_spec *s)
{
	unsigned nd = s->ndirect < s->n ? s->ndirect : s->n;

	return nd < s->n ? nd + 1 : s->n;
}

/* A readable buffer holding head @head's request bytes for buffer @j. */
static uint64_t request_buf(struct cq *c, uint16_t head, unsigned j, uint32_t len)
{
	uint64_t gpa = vg_zone_alloc(&c->mem, &c->drv->rzone, len, 8, VG_K_RBUF, VG_K_GUARD_RBUF, 16);

	VQC_REQUIRE(gpa != 0, "suite bug: readable zone full (%u bytes wanted)", len);
	for (uint32_t k = 0; k < len; k += 256) {
		unsigned char tmp[256];
		uint32_t n = len - k < 256 ? len - k : 256;

		for (uint32_t x = 0; x < n; x++)
			tmp[x] = req_byte(head, j, k + x);
		vg_mem_write(&c->mem, gpa + k, tmp, n);
	}
	return gpa;
}

static uint64_t reply_buf(struct cq *c, uint32_t len)
{
	uint64_t gpa = vg_zone_alloc(&c->mem, &c->drv->wzone, len, 8, VG_K_WBUF, VG_K_GUARD_WBUF, 16);

	VQC_REQUIRE(gpa != 0, "suite bug: writable zone full (%u bytes wanted)", len);
	return gpa;
}

/*
 * The chain's buffers: the head's own from before when they have the same
 * shape (long runs would exhaust the zones otherwise), else new ones.
 * Writable buffers are poisoned again either way.
 */
static void buffers_for(struct cq *c, uint16_t head, const struct cq_spec *s, struct vg_chain *ch)
{
	unsigned nb;
	const struct vg_buf *old = vg_drv_bufs(c->drv, head, &nb);
	bool same = nb == s->n && nb > 0;

	for (unsigned j = 0; same && j < nb; j++)
		same = old[j].len == s->len[j] && old[j].writable == s->wr[j];
	vg_chain_init(ch);
	for (unsigned j = 0; j < s->n; j++) {
		uint64_t gpa = same ? old[j].gpa : s->wr[j] ? reply_buf(c, s->len[j]) : request_buf(c, head, j, s->len[j]);

		if (s->wr[j])
			vg_mem_fill(&c->mem, gpa, CQ_POISON, s->len[j]);
		vg_chain_ref(ch, gpa, s->len[j], s->wr[j]);
	}
}

int cq_add(struct cq *c, const struct cq_spec *s0)
{
	struct cq_spec tmp;
	const struct cq_spec *s = fit(c, s0, &tmp);
	struct vg_add_opts o = {.ndirect = s->ndirect, .ind_write = s->ind_write, .ind_garbage = s->ind_garbage,
				.ind_shuffle = s->ind_shuffle, .hostile = s->may_reject};
	uint16_t head = c->drv->free_head;
	struct vg_chain ch;
	int got;

	if (s->n == 0 || descs_of(s) > c->drv->num_free)
		return -1;
	VQC_REQUIRE(c->drv->head[head].state == VG_HEAD_FREE, "suite bug: head %u taken twice", head);
	buffers_for(c, head, s, &ch);
	got = vg_drv_add_opts(c->drv, &ch, &o);
	VQC_REQUIRE(got == head, "suite bug: the driver added head %d, not %u", got, head);
	c->rec[head] = (struct cq_rec){.reply = s->reply, .claim = s->claim};
	return head;
}

unsigned cq_add_n(struct cq *c, const struct cq_spec *s, unsigned n)
{
	unsigned k = 0;

	while (k < n && cq_add(c, s) >= 0)
		k++;
	return k;
}

int cq_take(struct cq *c, unsigned k, uint16_t *idx) { return vg_drv_take(c->drv, k, idx); }

void cq_add_hostile(struct cq *c, const uint16_t *idx, unsigned k, uint32_t wcap)
{
	vg_drv_add_hostile(c->drv, idx, k, wcap);
	c->rec[idx[0]] = (struct cq_rec){.reply = CQ_REPLY_AUTO};
}

void cq_add_bogus_head(struct cq *c, uint16_t head) { vg_drv_add_bogus_head(c->drv, head); }
void cq_stage_slot(struct cq *c, uint16_t slot, uint16_t head) { vg_drv_set_avail_ring(c->drv, slot, head); }
void cq_store_avail_idx(struct cq *c, uint16_t v) { vg_drv_set_avail_idx(c->drv, v); }

void cq_desc(struct cq *c, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	VQC_REQUIRE(i < c->size, "suite bug: descriptor %u outside the table", i);
	vg_drv_write_desc(c->drv, i, addr, len, flags, next);
}

void cq_table_desc(struct cq *c, uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t next)
{
	vg_drv_write_table_desc(c->drv, table, i, addr, len, flags, next);
}

uint64_t cq_rbuf(struct cq *c, uint32_t len) { return request_buf(c, 0, 0, len); }

uint64_t cq_wbuf(struct cq *c, uint32_t len)
{
	uint64_t gpa = reply_buf(c, len);

	vg_mem_fill(&c->mem, gpa, CQ_POISON, len);
	return gpa;
}

uint64_t cq_table(struct cq *c, unsigned entries)
{
	uint64_t gpa = vg_zone_alloc(&c->mem, &c->drv->rzone, 16u * entries, 16, VG_K_INDIRECT, VG_K_GUARD_IND, 16);

	VQC_REQUIRE(gpa != 0, "suite bug: readable zone full (a table of %u entries)", entries);
	return gpa;
}

bool cq_publish(struct cq *c) { return vg_drv_publish(c->drv); }

/* SPLIT-ANS-4/5/6: the driver kicks only when suppression asks for it (strict-minimal-kick). */
bool cq_publish_n(struct cq *c, uint16_t n) { return vg_drv_publish_n(c->drv, n); }

/* One used entry the driver reaps, judged (SPLIT-USED-2/3/6). */
static void judge_used(struct cq *c, const struct vg_used *u)
{
	const struct vg_head *h;
	bool poison = false;
	long bad;

	if (u->verdict == VG_USED_BAD_ID || u->verdict == VG_USED_NOT_EXPOSED || !c->rec[u->id].taken) {
		vqc_find(VQC_FAIL, "SPLIT-USED-2", u->verdict == VG_USED_BAD_ID        ? "id-out-of-range"
						   : u->verdict == VG_USED_NOT_EXPOSED ? "id-not-outstanding"
										       : "id-never-taken",
			 "the head of an outstanding chain the device took", vqc_s("id %u", u->id),
			 "used entry %u (slot %u) names no chain the device may return", u->idx,
			 u->idx & (c->size - 1));
		return;
	}
	h = &c->drv->head[u->id];
	c->last_id = u->id;
	c->last_len = u->len;
	if (u->verdict == VG_USED_LEN_OVER)
		vqc_find(VQC_FAIL, "SPLIT-USED-3", h->wcap ? "len-over-capacity" : "len-read-only",
			 h->wcap ? vqc_s("len <= %u (writable bytes)", h->wcap) : "len 0 (no writable part)",
			 vqc_s("len %u", u->len), "head %u: used len exceeds the chain's writable part", u->id);
	else if (!h->hostile && c->rec[u->id].outcome == CQ_O_ACCEPTED &&
		 (bad = cq_first_bad_reply(c, (uint16_t)u->id, u->len, &poison)) >= 0)
		vqc_find(VQC_FAIL, "SPLIT-USED-6", poison ? "len-not-written" : "data-order",
			 vqc_s("the device's %u reply bytes in chain order", u->len),
			 vqc_s("byte %ld %s", bad, poison ? "never written" : "differs"),
			 "head %u: the first len bytes of the writable part are not the reply", u->id);
	c->rec[u->id].taken = false;
}

unsigned cq_reap(struct cq *c)
{
	uint16_t n = vg_drv_used_pending(c->drv);
	unsigned done = 0;
	struct vg_used u;

	if (n > c->drv->exposed)
		vqc_fatal("SPLIT-USED-4", "used-idx-ahead",
			  vqc_s("at most %u new entries (outstanding chains)", c->drv->exposed),
			  vqc_s("used idx %u, %u new", cq_mem_used_idx(c), n),
			  "used idx advanced past the chains the driver has outstanding");
	while (n-- && vg_drv_reap(c->drv, &u) == 1) {
		judge_used(c, &u);
		done += u.verdict == VG_USED_OK || u.verdict == VG_USED_LEN_OVER;
	}
	return done;
}

void cq_round(struct cq *c, const struct cq_spec *s, unsigned n, enum cq_mode m)
{
	struct cq_spec tmp;
	unsigned per = descs_of(fit(c, s, &tmp));

	cq_reap(c);
	/* More chains than the table holds at once: several rounds. */
	while (n) {
		unsigned k = c->drv->num_free / per < n ? c->drv->num_free / per : n;

		VQC_REQUIRE(k > 0, "suite bug: no descriptors free for a round");
		for (unsigned i = 0; i < k; i++)
			VQC_REQUIRE(cq_add(c, s) >= 0, "suite bug: out of descriptors");
		cq_publish(c);
		cq_serve_exposed(c, m);
		cq_reap(c);
		n -= k;
	}
}

