/* SPDX-License-Identifier: MIT */
/*
 * The conformance queue; see cq.h for what each part checks and why.
 *
 * Guest memory starts at GUEST_GPA, above 4 GiB and with every byte of the
 * address significant, so a device that truncates or byte-swaps an address
 * reads outside guest memory (SPLIT-DESC-1).
 */
#include "cq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GUEST_GPA UINT64_C(0x123456000)
#define BUF_GUARD 16

const struct vqc_adapter *vqc_impl;
const uint32_t cq_sizes[CQ_NSIZES] = {1, 2, 8, 256, 32768};

/* ---- small helpers ---- */

static uint64_t rng_next(struct cq *c)
{
	uint64_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return c->rng = x;
}

static uint8_t req_byte(uint16_t head, unsigned buf, uint32_t k)
{
	return (uint8_t)(head * 13u + buf * 101u + k * 7u + 3u);
}

/* The device model's reply: a function of the head only, never the poison. */
static uint8_t rep_byte(uint16_t head, uint32_t k)
{
	uint8_t v = (uint8_t)(head * 0x9Eu + k * 7u + 0x11u);

	return v == CQ_POISON ? 0x3C : v;
}

static uint16_t mask(const struct cq *c, uint16_t i) { return (uint16_t)(i & (c->size - 1)); }

static uint64_t used_idx_gpa(const struct cq *c) { return c->used + 2; }
static uint64_t used_elem_gpa(const struct cq *c, uint16_t i)
{
	return c->used + 4 + 8u * (uint64_t)mask(c, i);
}
static uint64_t avail_event_gpa(const struct cq *c) { return c->used + 4 + 8u * (uint64_t)c->size; }
static uint64_t used_event_gpa(const struct cq *c) { return c->avail + 4 + 2u * (uint64_t)c->size; }

uint16_t cq_mem_used_idx(const struct cq *c) { return guest_ld16(&c->g, used_idx_gpa(c)); }
uint16_t cq_mem_used_flags(const struct cq *c) { return guest_ld16(&c->g, c->used); }
uint16_t cq_mem_avail_event(const struct cq *c) { return guest_ld16(&c->g, avail_event_gpa(c)); }

static bool has(const struct cq *c, uint64_t f) { return (c->features & f) != 0; }

static void features_str(uint64_t f, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s", f & F_IND ? "INDIRECT_DESC " : "", f & F_EVT ? "EVENT_IDX " : "",
		 f & F_INO ? "IN_ORDER " : "", f ? "" : "none");
	if (n && buf[0] && buf[strlen(buf) - 1] == ' ')
		buf[strlen(buf) - 1] = '\0';
}

/* Evidence context of every finding: queue size and the indices of both sides. */
static size_t ctx_fn(void *op, char *buf, size_t n)
{
	struct cq *c = op;
	struct vqc_sb b = {buf, n, 0};

	vqc_sb_str(&b, "\"q\":");
	vqc_sb_u64(&b, c->size);
	vqc_sb_str(&b, ",\"avail_idx\":");
	vqc_sb_u64(&b, c->avail_pub);
	vqc_sb_str(&b, ",\"device_avail\":");
	vqc_sb_u64(&b, c->consumed);
	vqc_sb_str(&b, ",\"used_idx\":");
	vqc_sb_u64(&b, cq_mem_used_idx(c));
	vqc_sb_str(&b, ",\"driver_used\":");
	vqc_sb_u64(&b, c->last_used);
	return b.len;
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

/* ---- layout ---- */

/* Bytes of pages a part of @len needs at offset @off, with guards after it. */
static size_t part_span(size_t page, size_t off, size_t len)
{
	return (off + len + 32 + page - 1) & ~(page - 1);
}

/*
 * One ring part on pages of its own at [base, base+span): the part at
 * base+off (its minimum alignment, straddling the first page boundary),
 * guard bytes of @gk in the rest.
 */
static uint64_t place_part(struct cq *c, size_t base, size_t span, size_t off, size_t len,
			   enum gk gk)
{
	uint64_t gpa = c->g.gpa + base + off;

	guest_guard(&c->g, c->g.gpa + base, off, gk);
	guest_guard(&c->g, gpa + len, span - off - len, gk);
	guest_fill(&c->g, gpa, 0, len);
	return gpa;
}

static void mark_avail(struct cq *c, uint64_t a, uint32_t q)
{
	guest_mark(&c->g, a, 2, GK_AVAIL_FLAGS);
	guest_mark(&c->g, a + 2, 2, GK_AVAIL_IDX);
	guest_mark(&c->g, a + 4, 2u * q, GK_AVAIL_RING);
	guest_mark(&c->g, a + 4 + 2u * q, 2, GK_USED_EVENT);
}

static void mark_used(struct cq *c, uint64_t u, uint32_t q)
{
	guest_mark(&c->g, u, 2, GK_USED_FLAGS);
	guest_mark(&c->g, u + 2, 2, GK_USED_IDX);
	guest_mark(&c->g, u + 4, 8u * q, GK_USED_ELEM);
	guest_mark(&c->g, u + 4 + 8u * q, 2, GK_AVAIL_EVENT);
}

struct layout {
	size_t desc, desc_span, avail, avail_span, rbuf, rbuf_len;
	size_t adesc, adesc_span, aavail, aavail_span;
	size_t used, used_span, wbuf, wbuf_len, aused, aused_span, total;
};

/*
 * Each part starts this many bytes before the end of its first page: a
 * multiple of its alignment but not of twice it ("exactly its minimum
 * alignment"), so every part but a 1-entry descriptor table straddles a page.
 */
enum { OFF_DESC_BACK = 16, OFF_AVAIL_BACK = 6, OFF_USED_BACK = 12 };

static void compute_layout(struct layout *l, size_t pg, const struct cq_opts *o)
{
	size_t q = o->size, aq = o->alt_size;

	memset(l, 0, sizeof(*l));
	l->desc_span = part_span(pg, pg - OFF_DESC_BACK, 16 * q);
	l->avail_span = part_span(pg, pg - OFF_AVAIL_BACK, 6 + 2 * q);
	l->used_span = part_span(pg, pg - OFF_USED_BACK, 6 + 8 * q);
	l->rbuf_len = ((64 * 1024 + 96 * q + o->rbuf_bytes) + pg - 1) & ~(pg - 1);
	l->wbuf_len = ((64 * 1024 + 96 * q + o->wbuf_bytes) + pg - 1) & ~(pg - 1);
	if (aq) {
		l->adesc_span = part_span(pg, pg - OFF_DESC_BACK, 16 * aq);
		l->aavail_span = part_span(pg, pg - OFF_AVAIL_BACK, 6 + 2 * aq);
		l->aused_span = part_span(pg, pg - OFF_USED_BACK, 6 + 8 * aq);
	}
	/* RO zone first (one range per part, so each can be sealed), then RW. */
	l->desc = 0;
	l->avail = l->desc + l->desc_span;
	l->rbuf = l->avail + l->avail_span;
	l->adesc = l->rbuf + l->rbuf_len;
	l->aavail = l->adesc + l->adesc_span;
	l->used = l->aavail + l->aavail_span;
	l->wbuf = l->used + l->used_span;
	l->aused = l->wbuf + l->wbuf_len;
	l->total = l->aused + l->aused_span;
}

static void init_driver(struct cq *c, bool shuffle)
{
	uint32_t q = c->size;

	for (uint32_t i = 0; i < q; i++)
		c->free_next[i] = (uint16_t)((i + 1) % q);
	c->free_head = 0;
	if (shuffle && q > 1) {
		uint16_t *order = malloc(q * sizeof(*order));

		VQC_REQUIRE(order != NULL, "out of memory");
		for (uint32_t i = 0; i < q; i++)
			order[i] = (uint16_t)i;
		for (uint32_t i = q - 1; i > 0; i--) {
			uint32_t j = (uint32_t)(rng_next(c) % (i + 1));
			uint16_t t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (uint32_t i = 0; i < q; i++)
			c->free_next[order[i]] = order[(i + 1) % q];
		c->free_head = order[0];
		free(order);
	}
	c->num_free = q;
	memset(c->rec, 0, q * sizeof(*c->rec));
	memset(c->slot_head, 0, q * sizeof(*c->slot_head));
	memset(c->slot_hostile, 0, q * sizeof(*c->slot_hostile));
	c->avail_idx = c->avail_pub = c->last_used = 0;
	c->exposed = 0;
	c->kick_pending = false;
}

static void init_device_side(struct cq *c)
{
	c->ndev_free = c->ndev;
	for (uint32_t i = 0; i < c->ndev; i++) {
		c->dev_free[i] = c->ndev - 1 - i;
		c->dev[i].busy = false;
	}
	c->consumed = 0;
	c->in_flight = 0;
	c->pushed_idx = c->pub_idx = 0;
	c->obs_used = 0;
	memset(&c->or, 0, sizeof(c->or));
	c->or.first = true;
	c->or.nev = c->or.nfl = 1; /* both fields start at 0 */
	memset(&c->al, 0, sizeof(c->al));
}

static void on_access(void *opaque, enum vqc_access kind, const void *hva, size_t size);

static enum vqc_rc create_queue(struct cq *c)
{
	struct vqc_queue_params p;
	enum vqc_rc rc;

	memset(&p, 0, sizeof(p));
	p.size = c->size;
	p.features = c->features;
	p.desc_gpa = c->desc;
	p.avail_gpa = c->avail;
	p.used_gpa = c->used;
	p.desc_hva = guest_hva(&c->g, c->desc);
	p.avail_hva = guest_hva(&c->g, c->avail);
	p.used_hva = guest_hva(&c->g, c->used);
	p.regions = &c->region;
	p.nregions = 1;
	rc = c->ad->create(&p, &c->q);
	if (rc != VQC_OK)
		return rc;
	c->log = false;
	if ((c->ad->caps & VQC_CAP_ACCESS_LOG) && c->ad->set_access_log &&
	    c->ad->set_access_log(c->q, on_access, c) == VQC_OK)
		c->log = true;
	return VQC_OK;
}

bool cq_open(struct cq *c, const struct cq_opts *o)
{
	struct layout l;
	char fs[64], param[256];
	uint32_t maxq = o->size > o->alt_size ? o->size : o->alt_size;
	enum vqc_rc rc;

	memset(c, 0, sizeof(*c));
	c->ad = vqc_impl;
	c->size = o->size;
	c->features = o->features;
	c->walk_clause = "SPLIT-DESC-1";
	c->slot_clause = "SPLIT-AV-2";
	c->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)o->size << 20) ^ o->features;
	features_str(o->features & ~c->ad->features, fs, sizeof(fs));
	if (o->features & ~c->ad->features) {
		if (!o->probe)
			vqc_set_status("na", vqc_s("implementation does not offer %s", fs));
		return false;
	}
	{
		long pg = sysconf(_SC_PAGESIZE);

		compute_layout(&l, pg > 0 ? (size_t)pg : 4096, o);
	}
	VQC_REQUIRE(guest_init(&c->g, GUEST_GPA, l.total) == 0, "cannot map %zu bytes of guest memory",
		    l.total);
	c->region = (struct vqc_region){c->g.gpa, c->g.size, c->g.hva};
	c->desc = place_part(c, l.desc, l.desc_span, c->g.page - OFF_DESC_BACK, 16u * c->size,
			     GK_GUARD_DESC);
	guest_mark(&c->g, c->desc, 16u * c->size, GK_DESC);
	c->avail = place_part(c, l.avail, l.avail_span, c->g.page - OFF_AVAIL_BACK,
			      6 + 2u * c->size, GK_GUARD_AVAIL);
	mark_avail(c, c->avail, c->size);
	c->used = place_part(c, l.used, l.used_span, c->g.page - OFF_USED_BACK, 6 + 8u * c->size,
			     GK_GUARD_USED);
	mark_used(c, c->used, c->size);
	if (o->alt_size) {
		c->alt_size = o->alt_size;
		c->alt_desc = place_part(c, l.adesc, l.adesc_span, c->g.page - OFF_DESC_BACK,
					 16u * o->alt_size, GK_GUARD_DESC);
		guest_mark(&c->g, c->alt_desc, 16u * o->alt_size, GK_DESC);
		c->alt_avail = place_part(c, l.aavail, l.aavail_span, c->g.page - OFF_AVAIL_BACK,
					  6 + 2u * o->alt_size, GK_GUARD_AVAIL);
		mark_avail(c, c->alt_avail, o->alt_size);
		c->alt_used = place_part(c, l.aused, l.aused_span, c->g.page - OFF_USED_BACK,
					 6 + 8u * o->alt_size, GK_GUARD_USED);
		mark_used(c, c->alt_used, o->alt_size);
		guest_protect(&c->g, c->g.gpa + l.adesc, l.adesc_span);
		guest_protect(&c->g, c->g.gpa + l.aavail, l.aavail_span);
	}
	c->part_base[0] = c->g.gpa + l.desc;
	c->part_span[0] = l.desc_span;
	c->part_base[1] = c->g.gpa + l.avail;
	c->part_span[1] = l.avail_span;
	c->part_base[2] = c->g.gpa + l.used;
	c->part_span[2] = l.used_span;
	c->g.ro = (struct gzone){l.rbuf, l.rbuf + l.rbuf_len, l.rbuf};
	c->g.rw = (struct gzone){l.wbuf, l.wbuf + l.wbuf_len, l.wbuf};
	guest_protect(&c->g, c->g.gpa + l.desc, l.desc_span);
	guest_protect(&c->g, c->g.gpa + l.avail, l.avail_span);
	guest_protect(&c->g, c->g.gpa + l.rbuf, l.rbuf_len);

	c->free_next = calloc(maxq, sizeof(*c->free_next));
	c->rec = calloc(maxq, sizeof(*c->rec));
	c->slot_head = calloc(maxq, sizeof(*c->slot_head));
	c->slot_hostile = calloc(maxq, sizeof(*c->slot_hostile));
	c->ndev = maxq + 4;
	c->dev = calloc(c->ndev, sizeof(*c->dev));
	c->dev_free = calloc(c->ndev, sizeof(*c->dev_free));
	c->batch = calloc(c->ndev, sizeof(*c->batch));
	VQC_REQUIRE(c->free_next && c->rec && c->slot_head && c->slot_hostile && c->dev &&
		    c->dev_free && c->batch, "out of memory");
	init_driver(c, o->shuffle_free);
	init_device_side(c);
	vqc_set_ctx(ctx_fn, c);

	rc = create_queue(c);
	if (rc == VQC_UNSUPPORTED) {
		features_str(o->features, fs, sizeof(fs));
		if (!o->probe)
			vqc_set_status("na", vqc_s("implementation refused features %s", fs));
		c->q = NULL;
		cq_close(c);
		return false;
	}
	if (rc != VQC_OK)
		ck_abort_msg("adapter create failed (%d) for a valid queue of size %u", rc, c->size);
	features_str(o->features, fs, sizeof(fs));
	snprintf(param, sizeof(param), "\"q\":%u,\"features\":\"%s\",\"access_log\":%s", c->size,
		 fs, c->log ? "true" : "false");
	vqc_param(param);
	return true;
}

bool cq_need_log(struct cq *c)
{
	if (c->log)
		return true;
	vqc_set_status("untested", "implementation has no access log (VQC_CAP_ACCESS_LOG)");
	cq_close(c);
	return false;
}

/* ---- the access log ---- */

static bool is_guard(enum gk k)
{
	return k == GK_FREE || (k >= GK_GUARD_DESC && k <= GK_GUARD_WBUF);
}

/* The first bytes of the writable part of head @r, compared with the device model's reply. */
static long first_bad(const struct cq *c, const struct cq_rec *r, uint16_t head, uint32_t len,
		      bool *poison)
{
	uint32_t k = 0;

	for (uint32_t j = 0; j < r->nb && k < len; j++) {
		const struct cq_buf *b = &c->bufs[r->b0 + j];
		const unsigned char *p;

		if (!b->wr)
			continue;
		p = guest_ptr(&c->g, b->gpa);
		for (uint32_t x = 0; x < b->len && k < len; x++, k++) {
			if (p[x] != rep_byte(head, k)) {
				*poison = p[x] == CQ_POISON;
				return (long)k;
			}
		}
	}
	return -1;
}

/*
 * Judge the entries a used idx store just published, at that moment
 * (SPLIT-USED-5/6/11): everything before the idx must already be there.
 */
static void judge_published(struct cq *c, uint16_t from, uint16_t to)
{
	if ((uint16_t)(to - from) > c->size)
		return; /* moved back or too far: the observer reports it (SPLIT-USED-4) */
	for (uint16_t i = from; i != to; i++) {
		uint64_t e = used_elem_gpa(c, i);
		uint32_t id = guest_ld32(&c->g, e), len = guest_ld32(&c->g, e + 4);
		const struct cq_rec *r;
		bool poison = false;
		long bad;

		if (id == CQ_POISON_ID)
			vqc_find(VQC_FAIL, "SPLIT-USED-11", "id-after-idx", "id written before used idx",
				 "poison id 0xffffffff", "used idx store published slot %u (entry %u) "
				 "before its id was written", mask(c, i), i);
		if (len == CQ_POISON_LEN)
			vqc_find(VQC_FAIL, "SPLIT-USED-5", "len-after-idx", "len written before used idx",
				 "poison len 0xdeadbeef", "used idx store published slot %u (entry %u) "
				 "before its len was written", mask(c, i), i);
		if (id >= c->size || len == CQ_POISON_LEN)
			continue;
		r = &c->rec[id];
		if (r->state != CQ_R_EXPOSED || r->hostile || r->outcome != CQ_O_ACCEPTED ||
		    len > r->wcap)
			continue;
		bad = first_bad(c, r, (uint16_t)id, len, &poison);
		if (bad >= 0 && poison)
			vqc_find(VQC_FAIL, "SPLIT-USED-6", "data-after-idx",
				 vqc_s("%u reply bytes written before used idx", len),
				 vqc_s("byte %ld still poison", bad),
				 "head %u: used idx published before the reply data", id);
	}
}

/* A store seen by the log has happened by the next event: judge it now. */
static void settle(struct cq *c)
{
	if (c->al.pend_idx) {
		uint16_t now = cq_mem_used_idx(c);

		c->al.pend_idx = false;
		judge_published(c, c->al.idx_seen, now);
		c->al.idx_seen = now;
		c->al.f1 = true;
	}
	if (c->al.pend_flags) {
		c->al.pend_flags = false;
		if ((cq_mem_used_flags(c) & VIRTQ_USED_F_NO_NOTIFY) == 0)
			c->al.f2 = true; /* kicks enabled */
	}
}

static void injection(struct cq *c, enum cq_inj where)
{
	if (!c->inject)
		return;
	c->inject(c, where);
}

static void on_load(struct cq *c, enum gk k, uint64_t gpa, size_t size)
{
	enum gk last = size > 1 ? guest_kind(&c->g, gpa + size - 1) : k;

	switch (k) {
	case GK_AVAIL_IDX:
		if (c->al.in_enable)
			injection(c, CQ_INJ_RECHECK);
		if (c->al.f2)
			vqc_find(VQC_FAIL, "ORD-F2", "no-fence-after-enable", "full fence",
				 "avail idx load", "avail idx re-read after enabling kicks with no "
				 "full fence in between (lost-kick race)");
		c->al.r1_seen = guest_ld16(&c->g, gpa);
		break;
	case GK_AVAIL_RING:
	case GK_DESC:
	case GK_INDIRECT:
	case GK_RBUF:
		if (c->al.r1_seen != c->al.r1_acq)
			vqc_find(VQC_FAIL, "ORD-R1", "no-acquire-after-idx", "acquire or full fence",
				 vqc_s("load of %s", gk_name(k)),
				 "%s at gpa 0x%llx read after avail idx %u was loaded, with no acquire "
				 "between", gk_name(k), (unsigned long long)gpa, c->al.r1_seen);
		break;
	case GK_AVAIL_FLAGS:
	case GK_USED_EVENT:
		if (c->al.f1)
			vqc_find(VQC_FAIL, "ORD-F1", "no-fence-before-suppression-read", "full fence",
				 vqc_s("load of %s", gk_name(k)),
				 "%s read after a used idx store with no full fence in between "
				 "(lost-notification race)", gk_name(k));
		break;
	case GK_WBUF:
		vqc_find(VQC_WARN, "SPLIT-DESC-3", "read-writable-buffer", "no load",
			 vqc_s("%zu-byte load", size), "device read a device-writable buffer at gpa "
			 "0x%llx", (unsigned long long)gpa);
		break;
	case GK_OLD_RING:
		vqc_find(VQC_FAIL, "VQ-RST-5", "old-ring-access", "no access", "load",
			 "device read the old ring at gpa 0x%llx", (unsigned long long)gpa);
		break;
	default:
		break;
	}
	if (is_guard(k) || is_guard(last))
		vqc_find(VQC_FAIL, "SPLIT-DESC-1", "read-outside-buffer", "loads inside the described "
			 "buffers and ring parts", vqc_s("%zu-byte load at gpa 0x%llx", size,
							  (unsigned long long)gpa),
			 "device read %s", gk_name(is_guard(k) ? k : last));
}

static void on_store(struct cq *c, enum gk k, uint64_t gpa, size_t size)
{
	switch (k) {
	case GK_USED_IDX:
		if (c->al.dirty)
			vqc_find(VQC_FAIL, "ORD-W1", "no-release-before-idx", "release fence",
				 "used idx store", "used idx stored after used entries or reply data "
				 "with no release fence in between");
		c->al.pend_idx = true;
		break;
	case GK_USED_FLAGS:
		if (c->al.in_enable)
			injection(c, CQ_INJ_ENABLE_STORE);
		c->al.pend_flags = true;
		break;
	case GK_AVAIL_EVENT:
		if (c->al.in_enable)
			injection(c, CQ_INJ_ENABLE_STORE);
		c->al.f2 = true;
		break;
	case GK_USED_ELEM:
	case GK_WBUF:
		c->al.dirty = true;
		break;
	default:
		/* Faults on read-only pages; the shadow compare catches the rest too. */
		vqc_find(VQC_FAIL, gk_clause(k), "stray-write", "no store",
			 vqc_s("%zu-byte store", size), "device stored to %s at gpa 0x%llx",
			 gk_name(k), (unsigned long long)gpa);
		break;
	}
}

static void on_access(void *opaque, enum vqc_access kind, const void *hva, size_t size)
{
	struct cq *c = opaque;
	uint64_t gpa;

	if (c->al.in_hook)
		return;
	c->al.in_hook = true;
	settle(c);
	if (c->al.in_reset)
		vqc_find(VQC_FAIL, "GEN-RST-2", "access-during-reset", "no guest memory access",
			 vqc_s("access kind %d", (int)kind), "reset accessed guest memory");
	switch (kind) {
	case VQC_ACC_FENCE_ACQUIRE:
		c->al.r1_acq = c->al.r1_seen;
		break;
	case VQC_ACC_FENCE_RELEASE:
		c->al.dirty = false;
		break;
	case VQC_ACC_FENCE_FULL:
		c->al.dirty = c->al.f1 = c->al.f2 = false;
		c->al.r1_acq = c->al.r1_seen;
		break;
	case VQC_ACC_LOAD:
	case VQC_ACC_STORE:
		gpa = guest_gpa(&c->g, hva);
		if (gpa == 0)
			break; /* not guest memory */
		if (kind == VQC_ACC_LOAD)
			on_load(c, guest_kind(&c->g, gpa), gpa, size);
		else
			on_store(c, guest_kind(&c->g, gpa), gpa, size);
		break;
	}
	c->al.in_hook = false;
}

/* ---- after every device operation ---- */

static void after_op(struct cq *c)
{
	uint16_t fl, now, d;

	settle(c);
	fl = cq_mem_used_flags(c);
	if (has(c, F_EVT) && fl != 0)
		vqc_find(VQC_FAIL, "SPLIT-ANS-10", "used-flags-nonzero", "0",
			 vqc_s("0x%04x", fl), "used flags not 0 under EVENT_IDX");
	else if (!has(c, F_EVT) && (fl & ~VIRTQ_USED_F_NO_NOTIFY))
		vqc_find(VQC_FAIL, "SPLIT-ANS-8", "used-flags-bits", "0 or 1", vqc_s("0x%04x", fl),
			 "used flags has bits other than NO_NOTIFY");
	if (!has(c, F_EVT) && cq_mem_avail_event(c) != c->obs_avail_event) {
		c->obs_avail_event = cq_mem_avail_event(c);
		vqc_find(VQC_INFO, "SPLIT-USED-1", "avail-event-without-event-idx", NULL, NULL,
			 "avail_event written without EVENT_IDX (allowed, recorded)");
	}
	now = cq_mem_used_idx(c);
	d = (uint16_t)(now - c->obs_used);
	if (d > c->size) {
		vqc_find(VQC_FAIL, "SPLIT-USED-4", "used-idx-jump", vqc_s("at most %u ahead of %u",
									  c->size, c->obs_used),
			 vqc_s("%u", now), "used idx moved back or by more than the queue size");
	} else {
		c->or.w += d;
	}
	c->obs_used = now;
}

/* ---- notification oracle ---- */

static void note_value(uint16_t *set, unsigned *n, uint16_t v)
{
	for (unsigned i = 0; i < *n; i++)
		if (set[i] == v)
			return;
	if (*n < 4)
		set[(*n)++] = v;
	else
		set[3] = v; /* many changes in one window: keep the latest ones */
}

/*
 * A field changed before anything was published in the current window is
 * what every publish of the window sees: the window stays determinate.
 * Changed after, the window is judged under every value it saw (catalogue
 * section 4.4: required only if required under all, extra only if under none).
 */
void cq_set_flags(struct cq *c, uint16_t v)
{
	guest_st16(&c->g, c->avail, v);
	if (c->or.w == 0 && c->in_flight == 0) {
		c->or.fl[0] = v;
		c->or.nfl = 1;
	} else {
		note_value(c->or.fl, &c->or.nfl, v);
	}
}

void cq_set_used_event(struct cq *c, uint16_t v)
{
	guest_st16(&c->g, used_event_gpa(c), v);
	if (c->or.w == 0 && c->in_flight == 0) {
		c->or.ev[0] = v;
		c->or.nev = 1;
	} else {
		note_value(c->or.ev, &c->or.nev, v);
	}
}

static void finalize_extra(struct cq *c)
{
	if (!c->or.prov)
		return;
	c->or.prov = false;
	c->or.extras++;
	vqc_find(VQC_WARN, c->or.extra_clause ? c->or.extra_clause
				  : has(c, F_EVT) ? "SPLIT-UNS-11" : "SPLIT-UNS-7",
		 "extra-notification", "no notification", "notification",
		 "notified at used idx %u although %s did not ask for it", c->or.prov_at,
		 has(c, F_EVT) ? "used_event" : "avail flags (NO_INTERRUPT set)");
}

static void oracle_decide(struct cq *c, bool notified)
{
	struct cq_oracle *o = &c->or;
	uint16_t n = cq_mem_used_idx(c);
	bool req_all = true, req_any = false;
	uint64_t w = o->w;

	o->decisions++;
	if (has(c, F_EVT)) {
		for (unsigned i = 0; i < o->nev; i++) {
			bool r = w >= 65536 || (w > 0 && virtq_need_event(o->ev[i], n, o->o));

			req_all &= r;
			req_any |= r;
		}
	} else {
		for (unsigned i = 0; i < o->nfl; i++) {
			bool r = w > 0 && !(o->fl[i] & VIRTQ_AVAIL_F_NO_INTERRUPT);

			req_all &= r;
			req_any |= r;
		}
	}
	o->last_req = req_all;
	o->last_notified = notified;
	if (w == 0) {
		/* Nothing published: no window, so never early; spurious at most. */
		if (notified) {
			o->extras++;
			if (has(c, F_EVT) || (guest_ld16(&c->g, c->avail) & 1))
				vqc_find(VQC_WARN, has(c, F_EVT) ? "SPLIT-UNS-11" : "SPLIT-UNS-7",
					 "notification-without-entries", "no notification",
					 "notification", "notified with nothing published since the "
					 "previous decision");
			else
				vqc_find(VQC_INFO, "SPLIT-UNS-8", "notification-without-entries", NULL,
					 NULL, "notified with nothing published (spurious; allowed)");
		}
		goto next;
	}
	if (req_all) {
		o->required++;
		if (o->nreq_log < 8) {
			o->req_log[o->nreq_log].at = n;
			o->req_log[o->nreq_log++].notified = notified;
		}
	}
	if (notified)
		o->notified++;
	if (req_all && !notified) {
		o->misses++;
		if (o->prov && has(c, F_EVT)) {
			o->prov = false;
			vqc_find(VQC_FAIL, o->miss_clause ? o->miss_clause : "SPLIT-UNS-10",
				 "misplaced-notification",
				 vqc_s("notification when slot %u is filled (window [%u,%u))", o->ev[0],
				       o->o, n),
				 vqc_s("notification one decision early, at used idx %u", o->prov_at),
				 "notified before used_event's slot was filled, then not when it was "
				 "(need_event window off by one)");
		} else {
			const char *cl = o->miss_clause ? o->miss_clause
				       : !has(c, F_EVT) ? "SPLIT-UNS-8"
				       : w >= 65536     ? "EVT-WIN-2"
							: "SPLIT-UNS-10";

			finalize_extra(c);
			if (has(c, F_EVT))
				vqc_find(VQC_FAIL, cl, "missed-notification", "notification", "none",
					 "no notification although used_event %u lies in the published "
					 "window [%u,%u) (%llu published)", o->ev[0], o->o, n,
					 (unsigned long long)w);
			else
				vqc_find(VQC_FAIL, cl, "missed-notification", "notification", "none",
					 "no notification although avail flags was 0x%x with entries "
					 "published in [%u,%u) (%llu)", o->fl[0], o->o, n, (unsigned long long)w);
		}
	} else {
		finalize_extra(c);
		if (notified && !req_any) {
			if (o->first) {
				o->tolerated++;
				vqc_find(VQC_INFO, has(c, F_EVT) ? "SPLIT-UNS-11" : "SPLIT-UNS-7",
					 "start-notification", NULL, NULL,
					 "one unrequested notification after start or reset (tolerated)");
			} else {
				o->prov = true;
				o->prov_at = n;
			}
		}
	}
	o->first = false;
next:
	o->o = n;
	o->w = 0;
	o->ev[0] = guest_ld16(&c->g, used_event_gpa(c));
	o->nev = 1;
	o->fl[0] = guest_ld16(&c->g, c->avail);
	o->nfl = 1;
}

/* ---- driver ---- */

static uint64_t new_buf(struct cq *c, uint16_t head, unsigned j, uint32_t len, bool wr)
{
	uint64_t gpa;

	if (wr)
		return guest_alloc(&c->g, &c->g.rw, len, 8, GK_WBUF, GK_GUARD_WBUF, BUF_GUARD);
	gpa = guest_alloc(&c->g, &c->g.ro, len, 8, GK_RBUF, GK_GUARD_RBUF, BUF_GUARD);
	for (uint32_t k = 0; k < len; k += 256) {
		unsigned char tmp[256];
		uint32_t n = len - k < 256 ? len - k : 256;

		for (uint32_t x = 0; x < n; x++)
			tmp[x] = req_byte(head, j, k + x);
		guest_write(&c->g, gpa + k, tmp, n);
	}
	return gpa;
}

static bool same_shape(const struct cq *c, const struct cq_rec *r, const struct cq_spec *s)
{
	if (r->nb != s->n || r->nb == 0)
		return false;
	for (unsigned j = 0; j < s->n; j++)
		if (c->bufs[r->b0 + j].len != s->len[j] || c->bufs[r->b0 + j].wr != s->wr[j])
			return false;
	return true;
}

static void write_desc(struct cq *c, uint64_t gpa, uint64_t addr, uint32_t len, uint16_t flags,
		       uint16_t next)
{
	struct virtq_desc d = {addr, len, flags, next};

	guest_write(&c->g, gpa, &d, sizeof(d));
}

void cq_desc(struct cq *c, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	VQC_REQUIRE(i < c->size, "suite bug: descriptor %u outside the table", i);
	write_desc(c, c->desc + 16u * i, addr, len, flags, next);
}

void cq_table_desc(struct cq *c, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		   uint16_t flags, uint16_t next)
{
	write_desc(c, table + 16u * i, addr, len, flags, next);
}

static void write_table(struct cq *c, struct cq_rec *r, const struct cq_spec *s, unsigned nd)
{
	unsigned m = s->n - nd, entries = m + s->ind_garbage;
	unsigned perm[CQ_MAXBUF + 8];

	if (!r->table || r->table_n < entries) {
		r->table = guest_alloc(&c->g, &c->g.ro, 16u * entries, 16, GK_INDIRECT, GK_GUARD_IND,
				       BUF_GUARD);
		r->table_n = entries;
	}
	for (unsigned j = 0; j < m; j++)
		perm[j] = j;
	/* Entry 0 comes first (§2.7.5.3); the rest may be linked in any order. */
	for (unsigned j = m - 1; s->ind_shuffle && j > 1; j--) {
		unsigned x = 1 + (unsigned)(rng_next(c) % j), t = perm[j];

		perm[j] = perm[x];
		perm[x] = t;
	}
	for (unsigned j = 0; j < m; j++) {
		const struct cq_buf *b = &c->bufs[r->b0 + nd + j];
		uint16_t fl = (uint16_t)((j + 1 < m ? VIRTQ_DESC_F_NEXT : 0) |
					 (b->wr ? VIRTQ_DESC_F_WRITE : 0));

		cq_table_desc(c, r->table, perm[j], b->gpa, b->len, fl,
			      (uint16_t)(j + 1 < m ? perm[j + 1] : 0));
	}
	/* Garbage past the last linked entry must be ignored (SPLIT-IND-1). */
	for (unsigned j = m; j < entries; j++)
		cq_table_desc(c, r->table, j, 0xDEAD0000ull + j, 0xFFFFFFFFu,
			      VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
}

static void put_slot(struct cq *c, uint16_t head, bool hostile)
{
	uint16_t s = mask(c, c->avail_idx);

	c->slot_head[s] = head;
	c->slot_hostile[s] = hostile;
	guest_st16(&c->g, c->avail + 4 + 2u * s, head);
	c->avail_idx++;
}

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

int cq_add(struct cq *c, const struct cq_spec *s0)
{
	struct cq_spec tmp;
	const struct cq_spec *s = fit(c, s0, &tmp);
	unsigned n = s->n, nd = s->ndirect < n ? s->ndirect : n;
	unsigned need = nd < n ? nd + 1 : n;
	uint16_t head = c->free_head, i;
	struct cq_rec *r = &c->rec[head];

	if (n == 0 || need > c->num_free)
		return -1;
	VQC_REQUIRE(r->state == CQ_R_FREE, "suite bug: head %u taken twice", head);
	if (!same_shape(c, r, s)) {
		if (c->nbufs + n > c->capbufs) {
			c->capbufs = (c->nbufs + n) * 2 + 64;
			c->bufs = realloc(c->bufs, c->capbufs * sizeof(*c->bufs));
			VQC_REQUIRE(c->bufs != NULL, "out of memory");
		}
		r->b0 = c->nbufs;
		r->nb = n;
		for (unsigned j = 0; j < n; j++)
			c->bufs[c->nbufs++] = (struct cq_buf){new_buf(c, head, j, s->len[j], s->wr[j]),
							      s->len[j], s->wr[j]};
	}
	r->rcap = r->wcap = 0;
	for (unsigned j = 0; j < n; j++) {
		const struct cq_buf *b = &c->bufs[r->b0 + j];

		if (b->wr) {
			guest_fill_raw(&c->g, b->gpa, CQ_POISON, b->len);
			r->wcap += b->len;
		} else {
			r->rcap += b->len;
		}
	}
	if (nd < n)
		write_table(c, r, s, nd);
	i = head;
	for (unsigned j = 0; j < need; j++) {
		uint16_t nxt = c->free_next[i];

		if (j < nd) {
			const struct cq_buf *b = &c->bufs[r->b0 + j];

			cq_desc(c, i, b->gpa, b->len,
				(uint16_t)((j + 1 < need ? VIRTQ_DESC_F_NEXT : 0) |
					   (b->wr ? VIRTQ_DESC_F_WRITE : 0)),
				nxt);
		} else {
			cq_desc(c, i, r->table, 16u * (n - nd),
				(uint16_t)(VIRTQ_DESC_F_INDIRECT | (s->ind_write ? VIRTQ_DESC_F_WRITE : 0)),
				nxt);
		}
		i = nxt;
	}
	c->free_head = i;
	c->num_free -= need;
	r->ndesc = (uint16_t)need;
	r->state = CQ_R_ADDED;
	r->hostile = s->may_reject;
	r->taken = false;
	r->outcome = CQ_O_NONE;
	r->reply = s->reply;
	r->claim = s->claim;
	put_slot(c, head, false);
	return head;
}

int cq_take(struct cq *c, unsigned k, uint16_t *idx)
{
	if (k == 0 || k > c->num_free)
		return -1;
	idx[0] = c->free_head;
	for (unsigned j = 1; j < k; j++)
		idx[j] = c->free_next[idx[j - 1]];
	c->free_head = c->free_next[idx[k - 1]];
	c->num_free -= k;
	return 0;
}

void cq_add_hostile(struct cq *c, const uint16_t *idx, unsigned k, uint32_t wcap)
{
	struct cq_rec *r = &c->rec[idx[0]];

	memset(r, 0, sizeof(*r));
	r->state = CQ_R_ADDED;
	r->hostile = true;
	r->ndesc = (uint16_t)k;
	r->wcap = wcap;
	r->reply = CQ_REPLY_AUTO;
	put_slot(c, idx[0], true);
}

void cq_add_bogus_head(struct cq *c, uint16_t head) { put_slot(c, head, true); }

void cq_stage_slot(struct cq *c, uint16_t slot, uint16_t head)
{
	guest_st16(&c->g, c->avail + 4 + 2u * mask(c, slot), head);
}

void cq_store_avail_idx(struct cq *c, uint16_t v)
{
	guest_st16(&c->g, c->avail + 2, v);
	c->avail_idx = c->avail_pub = v;
}

uint64_t cq_rbuf(struct cq *c, uint32_t len) { return new_buf(c, 0, 0, len, false); }
uint64_t cq_wbuf(struct cq *c, uint32_t len)
{
	uint64_t gpa = new_buf(c, 0, 0, len, true);

	guest_fill_raw(&c->g, gpa, CQ_POISON, len);
	return gpa;
}
uint64_t cq_table(struct cq *c, unsigned entries)
{
	return guest_alloc(&c->g, &c->g.ro, 16u * entries, 16, GK_INDIRECT, GK_GUARD_IND, BUF_GUARD);
}

bool cq_publish(struct cq *c) { return cq_publish_n(c, (uint16_t)(c->avail_idx - c->avail_pub)); }

bool cq_publish_n(struct cq *c, uint16_t n)
{
	uint16_t old = c->avail_pub, nw = (uint16_t)(old + n);
	uint32_t before = c->exposed;
	static const struct virtq_used_elem poison = {CQ_POISON_ID, CQ_POISON_LEN};
	bool kick;

	for (uint16_t i = old; i != nw; i++) {
		uint16_t s = mask(c, i), h = c->slot_head[s];

		if (h < c->size && c->rec[h].state == CQ_R_ADDED) {
			c->rec[h].state = CQ_R_EXPOSED;
			c->exposed++;
		}
	}
	/* Poison the used slots the new chains will take (catalogue "Poison"). */
	for (uint32_t k = before; k < c->exposed; k++)
		guest_write_raw(&c->g, used_elem_gpa(c, (uint16_t)(c->last_used + k)), &poison,
				sizeof(poison));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	guest_st16(&c->g, c->avail + 2, nw);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * SPLIT-ANS-4/5/6: the driver kicks only when suppression asks for it
	 * (strict-minimal-kick); only the liveness tests run the device on kicks.
	 */
	if (has(c, F_EVT))
		kick = virtq_need_event(cq_mem_avail_event(c), nw, old);
	else
		kick = !(cq_mem_used_flags(c) & VIRTQ_USED_F_NO_NOTIFY);
	c->avail_pub = nw;
	if (kick) {
		c->kicks++;
		c->kick_pending = true;
	}
	return kick;
}

static void free_chain(struct cq *c, uint16_t head, uint16_t ndesc)
{
	uint16_t last = head;

	for (uint16_t j = 1; j < ndesc; j++)
		last = c->free_next[last];
	c->free_next[last] = c->free_head;
	c->free_head = head;
	c->num_free += ndesc;
}

unsigned cq_reap(struct cq *c)
{
	uint16_t idx = cq_mem_used_idx(c), n = (uint16_t)(idx - c->last_used);
	unsigned done = 0;

	if (n > c->exposed)
		vqc_fatal("SPLIT-USED-4", "used-idx-ahead",
			  vqc_s("at most %u new entries (outstanding chains)", c->exposed),
			  vqc_s("used idx %u, %u new", idx, n),
			  "used idx advanced past the chains the driver has outstanding");
	for (uint16_t k = 0; k < n; k++, c->last_used++) {
		uint64_t e = used_elem_gpa(c, c->last_used);
		uint32_t id = guest_ld32(&c->g, e), len = guest_ld32(&c->g, e + 4);
		struct cq_rec *r;
		bool poison = false;
		long bad;

		if (id >= c->size || c->rec[id].state != CQ_R_EXPOSED || !c->rec[id].taken) {
			vqc_find(VQC_FAIL, "SPLIT-USED-2", id >= c->size ? "id-out-of-range"
							     : c->rec[id].state != CQ_R_EXPOSED
								 ? "id-not-outstanding"
								 : "id-never-taken",
				 "the head of an outstanding chain the device took", vqc_s("id %u", id),
				 "used entry %u (slot %u) names no chain the device may return",
				 c->last_used, mask(c, c->last_used));
			continue;
		}
		r = &c->rec[id];
		c->last_id = id;
		c->last_len = len;
		if (len > r->wcap)
			vqc_find(VQC_FAIL, "SPLIT-USED-3", r->wcap ? "len-over-capacity" : "len-read-only",
				 r->wcap ? vqc_s("len <= %u (writable bytes)", r->wcap)
					 : "len 0 (no writable part)",
				 vqc_s("len %u", len),
				 "head %u: used len exceeds the chain's writable part", id);
		else if (!r->hostile && r->outcome == CQ_O_ACCEPTED &&
			 (bad = first_bad(c, r, (uint16_t)id, len, &poison)) >= 0)
			vqc_find(VQC_FAIL, "SPLIT-USED-6", poison ? "len-not-written" : "data-order",
				 vqc_s("the device's %u reply bytes in chain order", len),
				 vqc_s("byte %ld %s", bad, poison ? "never written" : "differs"),
				 "head %u: the first len bytes of the writable part are not the reply",
				 id);
		free_chain(c, (uint16_t)id, r->ndesc);
		r->state = CQ_R_FREE;
		r->taken = false;
		c->exposed--;
		done++;
	}
	return done;
}

/* ---- device model ---- */

static const char *rc_name(enum vqc_rc rc)
{
	static const char *names[] = {"OK", "EMPTY", "CHAIN_REJECTED", "QUEUE_BROKEN",
				      "UNSUPPORTED", "FAILED"};

	return (unsigned)rc < 6 ? names[rc] : "?";
}

enum vqc_rc cq_pop(struct cq *c, struct cq_dev **out)
{
	uint16_t unconsumed = (uint16_t)(c->avail_pub - c->consumed), s, exp;
	bool hostile;
	struct cq_dev *d;
	struct cq_rec *r;
	enum vqc_rc rc;

	VQC_REQUIRE(c->ndev_free > 0, "suite bug: more chains popped than storage");
	d = &c->dev[c->dev_free[c->ndev_free - 1]];
	d->vc.head = 0xFFFF;
	rc = c->ad->pop(c->q, &d->vc);
	after_op(c);
	if (rc == VQC_EMPTY)
		return rc;
	if (rc == VQC_QUEUE_BROKEN) {
		c->broken_seen = true;
		if (!c->broken_ok)
			vqc_fatal(vqc_primary(), "queue-broken", "the queue serves a valid ring",
				  "QUEUE_BROKEN", "pop broke the queue on input the driver made valid");
		return rc;
	}
	if (rc != VQC_OK && rc != VQC_CHAIN_REJECTED)
		vqc_fatal(vqc_primary(), "adapter-error", "OK, EMPTY, REJECTED or BROKEN", rc_name(rc),
			  "pop failed");
	if (unconsumed == 0)
		vqc_fatal("SPLIT-AV-4", "consumed-beyond-avail",
			  vqc_s("EMPTY (avail idx %u, all consumed)", c->avail_pub),
			  rc == VQC_OK ? vqc_s("a chain with head %u", d->vc.head) : "a rejected entry",
			  "the device took avail entry %u, beyond avail idx %u", c->consumed,
			  c->avail_pub);
	s = mask(c, c->consumed);
	exp = c->slot_head[s];
	hostile = c->slot_hostile[s];
	c->consumed++;
	if (rc == VQC_CHAIN_REJECTED) {
		if (!hostile)
			vqc_fatal("SPLIT-AV-1", "valid-head-rejected", vqc_s("head %u served", exp),
				  "CHAIN_REJECTED at pop", "a valid head from avail slot %u was refused",
				  s);
		return rc;
	}
	if (d->vc.head >= c->size)
		vqc_fatal("SPLIT-AV-1", "head-out-of-range", vqc_s("head < %u", c->size),
			  vqc_s("head %u", d->vc.head), "pop returned a head outside the table");
	if (!hostile && d->vc.head != exp)
		vqc_fatal(c->slot_clause, "wrong-slot", vqc_s("head %u (avail slot %u)", exp, s),
			  vqc_s("head %u", d->vc.head),
			  "the device did not take the head at ring[idx mod Q]");
	r = &c->rec[d->vc.head];
	if (r->taken || r->state != CQ_R_EXPOSED)
		vqc_fatal("SPLIT-AV-1", "head-in-flight-accepted",
			  "a head that is not already in flight", vqc_s("head %u taken twice", d->vc.head),
			  "pop returned a head that is already in flight (or was never exposed)");
	if (++c->in_flight > c->size)
		vqc_fatal("SPLIT-LAY-2", "over-q-in-flight", vqc_s("at most %u chains in flight", c->size),
			  vqc_s("%u", c->in_flight), "more chains in flight than the queue size");
	r->taken = true;
	c->ndev_free--;
	d->busy = true;
	d->written = 0;
	*out = d;
	return VQC_OK;
}

static void grow_scratch(struct cq *c, size_t n)
{
	if (n <= c->scratch_len)
		return;
	c->scratch_len = n + 4096;
	c->scratch = realloc(c->scratch, c->scratch_len);
	c->pattern = realloc(c->pattern, c->scratch_len);
	VQC_REQUIRE(c->scratch && c->pattern, "out of memory");
}

/* The request as the driver wrote it: readable buffers in chain order. */
static bool request_matches(struct cq *c, const struct cq_rec *r, const unsigned char *got)
{
	uint32_t k = 0;

	for (uint32_t j = 0; j < r->nb; j++) {
		const struct cq_buf *b = &c->bufs[r->b0 + j];

		if (b->wr)
			continue;
		if (memcmp(got + k, guest_ptr(&c->g, b->gpa), b->len) != 0)
			return false;
		k += b->len;
	}
	return true;
}

static enum vqc_rc serve(struct cq *c, struct cq_dev *d, struct cq_rec *r);

enum vqc_rc cq_serve(struct cq *c, struct cq_dev *d)
{
	struct cq_rec *r = &c->rec[d->vc.head];
	enum vqc_rc rc;

	if (r->hostile && c->robust_clause) {
		/*
		 * A robustness test: what the device damages while it handles the
		 * malformed chain is that test's finding.  Damage from before is
		 * attributed normally first.
		 */
		guest_compare(&c->g);
		c->g.override_clause = c->robust_clause;
	}
	rc = serve(c, d, r);
	if (c->g.override_clause) {
		guest_compare(&c->g);
		c->g.override_clause = NULL;
	}
	return rc;
}

/* Walk, read the request, write the reply through the implementation's cursors; check. */
static enum vqc_rc serve(struct cq *c, struct cq_dev *d, struct cq_rec *r)
{
	struct vqc_walk w;
	uint64_t want;
	size_t nread, written;
	enum vqc_rc rc;

	memset(&w, 0, sizeof(w));
	rc = c->ad->walk(c->q, &d->vc, &w);
	after_op(c);
	d->written = 0;
	if (rc == VQC_CHAIN_REJECTED) {
		r->outcome = CQ_O_REJECTED;
		r->detail = w.detail;
		snprintf(r->detail_name, sizeof(r->detail_name), "%s", w.detail_name ? w.detail_name : "");
		if (!r->hostile)
			vqc_fatal(c->walk_clause, "valid-chain-rejected", "the chain is served",
				  vqc_s("rejected (%s)", w.detail_name ? w.detail_name : "no detail"),
				  "head %u: a well-formed chain was rejected", d->vc.head);
		return rc;
	}
	if (rc == VQC_QUEUE_BROKEN) {
		r->outcome = CQ_O_BROKEN;
		c->broken_seen = true;
		if (!c->broken_ok)
			vqc_fatal(vqc_primary(), "queue-broken", "the chain is served", "QUEUE_BROKEN",
				  "head %u: walk broke the queue", d->vc.head);
		return rc;
	}
	if (rc != VQC_OK)
		vqc_fatal(vqc_primary(), "adapter-error", "OK, REJECTED or BROKEN", rc_name(rc),
			  "walk failed");
	r->outcome = CQ_O_ACCEPTED;
	/* Read the request, then write the reply through the implementation's cursors. */
	{
		/* Bounded by what the driver built, whatever the walk claims. */
		uint64_t rmax = r->hostile ? (1u << 20) : r->rcap, wmax = r->hostile ? (1u << 20) : r->wcap;
		uint64_t rl = w.readable < rmax ? w.readable : rmax, wl = w.writable < wmax ? w.writable : wmax;

		want = r->reply == CQ_REPLY_AUTO ? wl + 8 : r->reply;
		grow_scratch(c, (size_t)(rl > want ? rl : want) + 16);
		nread = c->ad->read(c->q, &d->vc, c->scratch, (size_t)rl + 16);
	}
	after_op(c);
	for (uint64_t k = 0; k < want; k++)
		c->pattern[k] = rep_byte(d->vc.head, (uint32_t)k);
	written = c->ad->write(c->q, &d->vc, c->pattern, (size_t)want);
	after_op(c);
	d->written = (uint32_t)written;
	if (r->hostile)
		return VQC_OK;
	/* Checked after the reply, so a stray reply store is reported as what it is. */
	if (written > r->wcap)
		vqc_find(VQC_FAIL, "SPLIT-DESC-2", "reply-overrun", vqc_s("at most %u bytes", r->wcap),
			 vqc_s("%zu bytes", written), "head %u: the reply cursor took more bytes than "
			 "the writable part holds", d->vc.head);
	if (w.readable != r->rcap || w.writable != r->wcap)
		vqc_find(VQC_FAIL, c->walk_clause, "walk-size",
			 vqc_s("%u readable, %u writable bytes", r->rcap, r->wcap),
			 vqc_s("%llu readable, %llu writable", (unsigned long long)w.readable,
			       (unsigned long long)w.writable),
			 "head %u: the walk does not match the descriptors", d->vc.head);
	else if (nread != r->rcap || !request_matches(c, r, c->scratch))
		vqc_find(VQC_FAIL, c->walk_clause, "request-bytes",
			 vqc_s("the %u request bytes the driver wrote", r->rcap),
			 vqc_s("%zu bytes, %s", nread, nread == r->rcap ? "different" : "short"),
			 "head %u: the device read something else than the request", d->vc.head);
	else if (written < (want < r->wcap ? want : r->wcap))
		vqc_find(VQC_FAIL, c->walk_clause, "reply-short",
			 vqc_s("%llu reply bytes", (unsigned long long)(want < r->wcap ? want : r->wcap)),
			 vqc_s("%zu", written), "head %u: the reply cursor stopped before the end of "
			 "the writable part", d->vc.head);
	return VQC_OK;
}

void cq_push(struct cq *c, struct cq_dev *d)
{
	struct cq_rec *r = &c->rec[d->vc.head];
	uint32_t len = r->claim ? r->claim : d->written;
	enum vqc_rc rc;

	rc = c->ad->push(c->q, &d->vc, len);
	after_op(c);
	if (rc == VQC_QUEUE_BROKEN && c->broken_ok) {
		/* The queue broke: nothing comes back; the driver gives the chain up. */
		c->broken_seen = true;
	} else if (rc != VQC_OK) {
		vqc_fatal(vqc_primary(), "push-failed", "OK", rc_name(rc), "push of head %u failed",
			  d->vc.head);
	} else {
		c->pushes++;
		c->pushed_idx++;
	}
	d->busy = false;
	c->dev_free[c->ndev_free++] = (uint32_t)(d - c->dev);
	c->in_flight--;
}

void cq_publish_used(struct cq *c)
{
	enum vqc_rc rc = c->ad->publish(c->q);

	after_op(c);
	if (rc == VQC_QUEUE_BROKEN && c->broken_ok)
		return;
	if (rc != VQC_OK)
		vqc_fatal(vqc_primary(), "publish-failed", "OK", rc_name(rc), "publish failed");
	c->pub_idx = c->pushed_idx;
	if (cq_mem_used_idx(c) != c->pub_idx)
		vqc_find(VQC_FAIL, "SPLIT-USED-4", "publish-incomplete",
			 vqc_s("used idx %u (every pushed entry)", c->pub_idx),
			 vqc_s("used idx %u", cq_mem_used_idx(c)),
			 "publish did not expose exactly the entries pushed");
}

bool cq_notify(struct cq *c)
{
	bool n = false;
	enum vqc_rc rc = c->ad->should_notify(c->q, &n);

	after_op(c);
	if (rc != VQC_OK && !(rc == VQC_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "notify-failed", "OK", rc_name(rc), "should_notify failed");
	oracle_decide(c, n);
	if (n && cq_mem_used_idx(c) != c->pub_idx)
		vqc_find(VQC_FAIL, "ORD-N1", "notify-before-idx",
			 vqc_s("used idx %u visible", c->pub_idx), vqc_s("used idx %u", cq_mem_used_idx(c)),
			 "notification decided before the published entries were visible");
	return n;
}

void cq_disable_kicks(struct cq *c)
{
	enum vqc_rc rc;

	rc = c->ad->disable_kicks(c->q);
	after_op(c);
	if (rc != VQC_OK && !(rc == VQC_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "disable-kicks-failed", "OK", rc_name(rc),
			  "disable_kicks failed");
}

bool cq_enable_kicks(struct cq *c)
{
	bool pending = false;
	enum vqc_rc rc;

	c->al.in_enable = true;
	rc = c->ad->enable_kicks(c->q, &pending);
	c->al.in_enable = false;
	after_op(c);
	if (rc != VQC_OK && !(rc == VQC_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "enable-kicks-failed", "OK", rc_name(rc), "enable_kicks failed");
	return pending;
}

void cq_reset(struct cq *c)
{
	c->al.in_reset = true;
	c->ad->reset(c->q);
	c->al.in_reset = false;
	settle(c);
	/* The driver re-initialises the rings before using the queue again. */
	guest_fill(&c->g, c->desc, 0, 16u * c->size);
	guest_fill(&c->g, c->avail, 0, 6 + 2u * c->size);
	guest_fill_raw(&c->g, c->used, 0, 6 + 8u * c->size);
	for (uint32_t i = 0; i < c->size; i++) {
		c->rec[i].state = CQ_R_FREE;
		c->rec[i].taken = false;
	}
	init_driver(c, false);
	init_device_side(c);
	c->obs_avail_event = 0;
}

void cq_start_at(struct cq *c, uint16_t idx)
{
	VQC_REQUIRE(c->exposed == 0, "suite bug: chains outstanding");
	if ((c->ad->caps & VQC_CAP_SET_INDICES) && c->ad->set_indices) {
		/* Guest memory as the device left it before the restart. */
		guest_st16(&c->g, c->avail + 2, idx);
		guest_write_raw(&c->g, used_idx_gpa(c), &idx, 2);
		if (has(c, F_EVT))
			guest_write_raw(&c->g, avail_event_gpa(c), &idx, 2);
		if (c->ad->set_indices(c->q, idx, idx) == VQC_OK) {
			c->obs_used = idx;
			after_op(c);
			c->avail_idx = c->avail_pub = c->last_used = c->consumed = idx;
			c->pushed_idx = c->pub_idx = idx;
			c->obs_used = idx;
			c->or.o = idx;
			c->or.w = 0;
			c->or.first = true;
			c->al.idx_seen = idx;
			c->al.r1_seen = c->al.r1_acq = idx;
			return;
		}
		/* Undo and fall back to completions. */
		guest_st16(&c->g, c->avail + 2, c->avail_pub);
		guest_write_raw(&c->g, used_idx_gpa(c), &c->pub_idx, 2);
	}
	{
		struct cq_spec s;

		cq_spec_rw(&s, 0, 1);
		while (c->avail_idx != idx) {
			uint16_t left = (uint16_t)(idx - c->avail_idx);

			cq_round(c, &s, left < c->size ? left : c->size, CQ_FILL);
		}
		/* A fresh baseline: what went before is not under test here. */
		c->or.o = cq_mem_used_idx(c);
		c->or.w = 0;
		c->or.first = true;
	}
}

void cq_relocate(struct cq *c)
{
	VQC_REQUIRE(c->alt_size != 0, "suite bug: c->alt_size != 0");
	VQC_REQUIRE(c->exposed == 0, "suite bug: chains outstanding");
	if (c->log)
		c->ad->set_access_log(c->q, NULL, NULL);
	c->ad->destroy(c->q);
	c->q = NULL;
	/* The driver takes the old rings away: any access from now on is reported. */
	for (int i = 0; i < 3; i++) {
		guest_mark(&c->g, c->part_base[i], c->part_span[i], GK_OLD_RING);
		guest_seal(&c->g, c->part_base[i], c->part_span[i]);
	}
	c->desc = c->alt_desc;
	c->avail = c->alt_avail;
	c->used = c->alt_used;
	c->size = c->alt_size;
	c->alt_size = 0;
	memset(c->rec, 0, c->size * sizeof(*c->rec));
	init_driver(c, false);
	init_device_side(c);
	c->obs_avail_event = 0;
	if (create_queue(c) != VQC_OK)
		ck_abort_msg("adapter create failed for the re-initialised queue (size %u)", c->size);
	vqc_param(vqc_s("\"q\":%u,\"relocated\":true", c->size));
}

/* ---- composites ---- */

unsigned cq_serve_exposed(struct cq *c, enum cq_mode m)
{
	uint16_t want = (uint16_t)(c->avail_pub - c->consumed);
	unsigned nb = 0, served = 0;

	for (uint16_t i = 0; i < want; i++) {
		struct cq_dev *d;
		enum vqc_rc rc = cq_pop(c, &d);

		if (rc == VQC_EMPTY)
			vqc_fatal(want > 1 ? "SPLIT-AV-5" : "SPLIT-AV-2", "exposed-not-seen",
				  vqc_s("a chain (avail idx %u, device at %u)", c->avail_pub, c->consumed),
				  "EMPTY", "pop did not see a chain the driver exposed");
		if (rc == VQC_QUEUE_BROKEN)
			break;
		if (rc != VQC_OK)
			continue;
		served++;
		rc = cq_serve(c, d);
		if (rc == VQC_QUEUE_BROKEN)
			break;
		if (m == CQ_EACH) {
			cq_push(c, d);
			cq_publish_used(c);
			(void)cq_notify(c);
		} else {
			c->batch[nb++] = d;
		}
	}
	if (m != CQ_EACH) {
		for (unsigned i = 0; i < nb; i++)
			cq_push(c, c->batch[i]);
		if (nb) {
			cq_publish_used(c);
			if (m == CQ_BATCH)
				(void)cq_notify(c);
		}
	}
	return served;
}

unsigned cq_pop_all(struct cq *c, const char *miss_clause)
{
	uint16_t want = (uint16_t)(c->avail_pub - c->consumed);
	unsigned nb = 0;

	for (uint16_t i = 0; i < want; i++) {
		struct cq_dev *d;
		enum vqc_rc rc = cq_pop(c, &d);

		if (rc == VQC_EMPTY)
			vqc_fatal(miss_clause, "exposed-not-seen",
				  vqc_s("%u chains (avail idx %u)", want, c->avail_pub),
				  vqc_s("EMPTY after %u", i), "pop did not see every chain the driver exposed");
		if (rc != VQC_OK)
			continue;
		if (cq_serve(c, d) == VQC_QUEUE_BROKEN)
			break;
		c->batch[nb++] = d;
	}
	return nb;
}

enum vqc_rc cq_pop_raw(struct cq *c, struct vqc_chain *vc)
{
	enum vqc_rc rc;

	rc = c->ad->pop(c->q, vc);
	after_op(c);
	if (rc == VQC_QUEUE_BROKEN)
		c->broken_seen = true;
	return rc;
}

void cq_round(struct cq *c, const struct cq_spec *s, unsigned n, enum cq_mode m)
{
	struct cq_spec tmp;
	unsigned per = descs_of(fit(c, s, &tmp));

	cq_reap(c);
	/* More chains than the table holds at once: several rounds. */
	while (n) {
		unsigned k = c->num_free / per < n ? c->num_free / per : n;

		VQC_REQUIRE(k > 0, "suite bug: no descriptors free for a round");
		for (unsigned i = 0; i < k; i++)
			VQC_REQUIRE(cq_add(c, s) >= 0, "suite bug: out of descriptors");
		cq_publish(c);
		cq_serve_exposed(c, m);
		cq_reap(c);
		n -= k;
	}
}

unsigned cq_add_n(struct cq *c, const struct cq_spec *s, unsigned n)
{
	unsigned k = 0;

	while (k < n && cq_add(c, s) >= 0)
		k++;
	return k;
}

/*
 * What a device does on a kick: kicks off while it drains the ring, then on
 * again and re-check (the lost-kick window), and drain again if something
 * came meanwhile.  A broken queue ends it (robustness tests).
 */
void cq_device_kick(struct cq *c)
{
	cq_disable_kicks(c);
	for (;;) {
		struct cq_dev *d;
		enum vqc_rc rc;

		while ((rc = cq_pop(c, &d)) != VQC_EMPTY) {
			if (rc == VQC_QUEUE_BROKEN)
				return;
			if (rc != VQC_OK)
				continue;
			if (cq_serve(c, d) == VQC_QUEUE_BROKEN)
				return;
			cq_push(c, d);
			cq_publish_used(c);
			(void)cq_notify(c);
		}
		injection(c, CQ_INJ_BEFORE_ENABLE);
		if (!cq_enable_kicks(c))
			return;
		cq_disable_kicks(c);
	}
}

void cq_run_kicks(struct cq *c)
{
	while (c->kick_pending) {
		c->kick_pending = false;
		cq_device_kick(c);
	}
}

void cq_check_memory(struct cq *c) { guest_compare(&c->g); }

void cq_close(struct cq *c)
{
	if (c->q) {
		after_op(c);
		cq_reap(c);
		finalize_extra(c);
		if (!c->allow_outstanding) {
			for (uint32_t i = 0; i < c->size; i++) {
				const struct cq_rec *r = &c->rec[i];

				if (r->state != CQ_R_EXPOSED)
					continue;
				if (r->taken)
					vqc_find(VQC_FAIL, "SPLIT-USED-4", "completion-not-published",
						 "every returned chain visible in used idx",
						 vqc_s("head %u missing", i),
						 "a chain was popped but never showed up in the used ring");
				else
					vqc_find(VQC_FAIL, "SPLIT-AV-2", "exposed-never-taken",
						 "every exposed chain taken", vqc_s("head %u left", i),
						 "a chain the driver exposed was never taken");
			}
		}
		guest_compare(&c->g);
		if (c->log)
			c->ad->set_access_log(c->q, NULL, NULL);
		c->ad->destroy(c->q);
		c->q = NULL;
	}
	vqc_set_ctx(NULL, NULL);
	guest_destroy(&c->g);
	free(c->free_next);
	free(c->rec);
	free(c->slot_head);
	free(c->slot_hostile);
	free(c->dev);
	free(c->dev_free);
	free(c->batch);
	free(c->bufs);
	free(c->scratch);
	free(c->pattern);
	memset(c, 0, sizeof(*c));
}
