/* SPDX-License-Identifier: MIT */
/*
 * The conformance queue's set-up (see cq.h): guest memory laid out for the
 * oracles, the implementation's queue created over it through the device
 * interface, its start, re-initialisation and close.
 *
 * Guest memory starts at GUEST_GPA, above 4 GiB and with every byte of the
 * address significant, so a device that truncates or byte-swaps an address
 * reads outside guest memory (SPLIT-DESC-1).  It is one region with the
 * guest's two views (vguest/mem.h): the device's has the descriptor table,
 * the avail ring, the readable buffers and indirect tables read-only for
 * good, so a stray store faults at once and is reported with the clause of
 * the byte it hit; the driver writes through the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cq.h"

#define GUEST_GPA UINT64_C(0x123456000)

const struct vdut_adapter *vqc_impl;
const uint32_t cq_sizes[CQ_NSIZES] = {1, 2, 8, 256, 32768};

/* ---- request and reply bytes ---- */

uint8_t cq_rep_byte(uint16_t head, uint32_t k)
{
	uint8_t v = (uint8_t)(head * 0x9Eu + k * 7u + 0x11u);

	return v == CQ_POISON ? 0x3C : v;
}

long cq_first_bad_reply(const struct cq *c, uint16_t head, uint32_t len, bool *poison)
{
	unsigned nb;
	const struct vg_buf *b = vg_drv_bufs(c->drv, head, &nb);
	uint32_t k = 0;

	for (unsigned j = 0; j < nb && k < len; j++) {
		if (!b[j].writable)
			continue;
		for (uint32_t x = 0; x < b[j].len && k < len; x++, k++) {
			uint8_t v = 0;

			(void)vg_mem_read(&c->mem, b[j].gpa + x, &v, 1);
			if (v != cq_rep_byte(head, k)) {
				*poison = v == CQ_POISON;
				return (long)k;
			}
		}
	}
	return -1;
}

uint16_t cq_mem_used_idx(const struct cq *c) { return vg_drv_used_idx(c->drv); }
uint16_t cq_mem_used_flags(const struct cq *c) { return vg_drv_used_flags(c->drv); }
uint16_t cq_mem_avail_event(const struct cq *c) { return vg_drv_avail_event(c->drv); }

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
	vqc_sb_u64(&b, c->drv->avail_pub);
	vqc_sb_str(&b, ",\"device_avail\":");
	vqc_sb_u64(&b, c->consumed);
	vqc_sb_str(&b, ",\"used_idx\":");
	vqc_sb_u64(&b, cq_mem_used_idx(c));
	vqc_sb_str(&b, ",\"driver_used\":");
	vqc_sb_u64(&b, c->drv->last_used);
	return b.len;
}

/* ---- layout ---- */

/* Bytes of pages a part of @len needs at offset @off, with guards after it. */
static size_t part_span(size_t page, size_t off, size_t len)
{
	return (off + len + 32 + page - 1) & ~(page - 1);
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

/*
 * One ring part on pages of its own at [base, base + span): the part at
 * base + page - back (its minimum alignment, straddling the first page
 * boundary), guard bytes of @gk before and after it.
 */
static uint64_t place_part(struct cq *c, size_t base, size_t span, size_t back, size_t len, enum vg_kind gk)
{
	uint64_t start = cq_base(c) + base, gpa = start + c->mem.page - back;

	vg_mem_guard(&c->mem, start, gpa - start, gk);
	vg_mem_guard(&c->mem, gpa + len, start + span - gpa - len, gk);
	return gpa;
}

/* The three parts of a ring set of @q entries, at @base offsets of @l. */
static void place_ring_set(struct cq *c, size_t d, size_t ds, size_t a, size_t as, size_t u, size_t us,
			   uint32_t q, uint64_t *desc, uint64_t *avail, uint64_t *used)
{
	*desc = place_part(c, d, ds, OFF_DESC_BACK, 16u * q, VG_K_GUARD_DESC);
	*avail = place_part(c, a, as, OFF_AVAIL_BACK, 6 + 2u * q, VG_K_GUARD_AVAIL);
	*used = place_part(c, u, us, OFF_USED_BACK, 6 + 8u * q, VG_K_GUARD_USED);
}

/* The alternative ring set (VQ-RST-5): marked as rings, read-only for the device like the first. */
static void place_alt(struct cq *c, const struct layout *l, uint32_t q)
{
	c->alt_size = q;
	place_ring_set(c, l->adesc, l->adesc_span, l->aavail, l->aavail_span, l->aused, l->aused_span, q,
		       &c->alt_desc, &c->alt_avail, &c->alt_used);
	vg_mem_mark(&c->mem, c->alt_desc, vg_desc_bytes(q), VG_K_DESC);
	vg_mem_mark(&c->mem, c->alt_avail, vg_avail_bytes(q), VG_K_AVAIL_RING);
	vg_mem_mark(&c->mem, c->alt_used, vg_used_bytes(q), VG_K_USED_ELEM);
	vg_mem_protect(&c->mem, cq_base(c) + l->adesc, l->adesc_span, VG_PROT_RO);
	vg_mem_protect(&c->mem, cq_base(c) + l->aavail, l->aavail_span, VG_PROT_RO);
}

static bool lay_out(struct cq *c, const struct cq_opts *o)
{
	struct layout l;
	uint64_t desc, avail, used;

	compute_layout(&l, c->mem.page, o);
	VQC_REQUIRE(vg_mem_add(&c->mem, GUEST_GPA, l.total) == 0, "cannot map %zu bytes of guest memory", l.total);
	place_ring_set(c, l.desc, l.desc_span, l.avail, l.avail_span, l.used, l.used_span, o->size, &desc, &avail,
		       &used);
	if (o->alt_size)
		place_alt(c, &l, o->alt_size);
	c->drv = vg_drv_create_at(&c->mem, o->size, o->features, desc, avail, used);
	VQC_REQUIRE(c->drv != NULL, "out of memory");
	/* Readable buffers and tables below, writable ones above the used ring. */
	vg_drv_use_zones(c->drv, (struct vg_zone){cq_base(c) + l.rbuf, cq_base(c) + l.rbuf + l.rbuf_len},
			 (struct vg_zone){cq_base(c) + l.wbuf, cq_base(c) + l.wbuf + l.wbuf_len});
	c->drv->poison_used = true;
	if (o->shuffle_free)
		vg_drv_restart(c->drv, true);
	c->part_base[0] = cq_base(c) + l.desc;
	c->part_span[0] = l.desc_span;
	c->part_base[1] = cq_base(c) + l.avail;
	c->part_span[1] = l.avail_span;
	c->part_base[2] = cq_base(c) + l.used;
	c->part_span[2] = l.used_span;
	vg_mem_protect(&c->mem, c->part_base[0], l.desc_span, VG_PROT_RO);
	vg_mem_protect(&c->mem, c->part_base[1], l.avail_span, VG_PROT_RO);
	vg_mem_protect(&c->mem, cq_base(c) + l.rbuf, l.rbuf_len, VG_PROT_RO);
	return true;
}

/* ---- the implementation's queue ---- */

static enum vdut_rc create_queue(struct cq *c)
{
	struct vdut_queue_params p;
	enum vdut_rc rc;

	memset(&p, 0, sizeof(p));
	p.size = c->size;
	p.features = c->features;
	p.desc_gpa = c->drv->desc;
	p.avail_gpa = c->drv->avail;
	p.used_gpa = c->drv->used;
	p.desc_hva = vg_mem_hva(&c->mem, c->drv->desc);
	p.avail_hva = vg_mem_hva(&c->mem, c->drv->avail);
	p.used_hva = vg_mem_hva(&c->mem, c->drv->used);
	c->region = (struct vdut_region){c->mem.r[0].gpa, c->mem.r[0].size, c->mem.r[0].dev};
	p.regions = &c->region;
	p.nregions = 1;
	rc = c->ad->create(&p, &c->q, &c->lim);
	if (rc != VDUT_OK)
		return rc;
	c->log = (c->ad->caps & VDUT_CAP_ACCESS_LOG) && c->ad->set_access_log &&
		 c->ad->set_access_log(c->q, cq_log_access, c) == VDUT_OK;
	return VDUT_OK;
}

static void alloc_books(struct cq *c, uint32_t maxq)
{
	c->rec = calloc(maxq, sizeof(*c->rec));
	c->ndev = maxq + 4;
	c->dev = calloc(c->ndev, sizeof(*c->dev));
	c->dev_free = calloc(c->ndev, sizeof(*c->dev_free));
	c->batch = calloc(c->ndev, sizeof(*c->batch));
	VQC_REQUIRE(c->rec && c->dev && c->dev_free && c->batch, "out of memory");
}

/* The test's parameters for the report; false when the implementation cannot run it (na). */
static bool offered(struct cq *c, const struct cq_opts *o)
{
	char fs[64];

	features_str(o->features & ~c->ad->features, fs, sizeof(fs));
	if ((o->features & ~c->ad->features) == 0)
		return true;
	if (!o->probe)
		vqc_set_status("na", vqc_s("implementation does not offer %s", fs));
	return false;
}

bool cq_open(struct cq *c, const struct cq_opts *o)
{
	char fs[64], param[256];
	enum vdut_rc rc;

	memset(c, 0, sizeof(*c));
	c->ad = vqc_impl;
	c->size = o->size;
	c->features = o->features;
	c->walk_clause = "SPLIT-DESC-1";
	c->slot_clause = "SPLIT-AV-2";
	if (!offered(c, o))
		return false;
	vg_mem_init(&c->mem, VG_MEM_SHADOW | VG_MEM_KINDS);
	lay_out(c, o);
	alloc_books(c, o->size > o->alt_size ? o->size : o->alt_size);
	cq_device_reset_books(c);
	vqc_set_ctx(ctx_fn, c);
	cq_memory_watch(c);
	rc = create_queue(c);
	features_str(o->features, fs, sizeof(fs));
	if (rc == VDUT_UNSUPPORTED) {
		if (!o->probe)
			vqc_set_status("na", vqc_s("implementation refused features %s", fs));
		c->q = NULL;
		cq_close(c);
		return false;
	}
	/* Every part sits at exactly its minimum alignment (SPLIT-LAY-1): a device must take that. */
	if (rc == VDUT_REJECTED && !o->probe)
		vqc_fatal("SPLIT-LAY-1", "minimum-alignment-refused", "the queue is set up",
			  "create refused the layout", "parts at exactly their minimum alignment (desc 0x%llx, avail "
			  "0x%llx, used 0x%llx, Q %u) were refused", (unsigned long long)c->drv->desc,
			  (unsigned long long)c->drv->avail, (unsigned long long)c->drv->used, c->size);
	if (rc != VDUT_OK)
		ck_abort_msg("adapter create failed (%s) for a valid queue of size %u", vdut_rc_name(rc), c->size);
	snprintf(param, sizeof(param), "\"q\":%u,\"features\":\"%s\",\"access_log\":%s", c->size, fs,
		 c->log ? "true" : "false");
	vqc_param(param);
	return true;
}

bool cq_need_log(struct cq *c)
{
	if (c->log)
		return true;
	vqc_set_status("untested", "implementation has no access log (VDUT_CAP_ACCESS_LOG)");
	cq_close(c);
	return false;
}

/* Every chain the driver exposed came back, or was never taken (both are findings). */
static void outstanding(struct cq *c)
{
	for (uint32_t i = 0; i < c->size; i++) {
		if (c->drv->head[i].state != VG_HEAD_EXPOSED)
			continue;
		if (c->rec[i].taken)
			vqc_find(VQC_FAIL, "SPLIT-USED-4", "completion-not-published",
				 "every returned chain visible in used idx", vqc_s("head %u missing", i),
				 "a chain was popped but never showed up in the used ring");
		else
			vqc_find(VQC_FAIL, "SPLIT-AV-2", "exposed-never-taken", "every exposed chain taken",
				 vqc_s("head %u left", i), "a chain the driver exposed was never taken");
	}
}

void cq_close(struct cq *c)
{
	if (c->q) {
		cq_after_op(c);
		cq_reap(c);
		cq_oracle_finish(c);
		if (!c->allow_outstanding)
			outstanding(c);
		cq_check_memory(c);
		if (c->log)
			c->ad->set_access_log(c->q, NULL, NULL);
		c->ad->destroy(c->q);
		c->q = NULL;
	}
	vqc_set_ctx(NULL, NULL);
	if (c->mem.nr)
		vg_mem_on_fault(&c->mem, NULL, NULL);
	vg_drv_destroy(c->drv);
	vg_mem_destroy(&c->mem);
	free(c->rec);
	free(c->dev);
	free(c->dev_free);
	free(c->batch);
	free(c->scratch);
	free(c->pattern);
	memset(c, 0, sizeof(*c));
}

/* Both sides at @idx by a restore: guest memory as the device left it before the restart. */
static bool start_by_restore(struct cq *c, uint16_t idx)
{
	vg_mem_store16(&c->mem, c->drv->avail + VG_AVAIL_IDX, idx, true);
	vg_mem_store16(&c->mem, c->drv->used + VG_USED_IDX, idx, true);
	if (c->features & F_EVT)
		vg_mem_store16(&c->mem, vg_drv_avail_event_gpa(c->drv), idx, false);
	if (c->ad->set_indices(c->q, idx, idx) != VDUT_OK) {
		/* Undo: the fallback gets there by completions. */
		vg_mem_store16(&c->mem, c->drv->avail + VG_AVAIL_IDX, c->drv->avail_pub, true);
		vg_mem_store16(&c->mem, c->drv->used + VG_USED_IDX, c->pub_idx, true);
		return false;
	}
	c->obs_used = idx;
	cq_after_op(c);
	vg_drv_start_at(c->drv, idx);
	c->consumed = c->pushed_idx = c->pub_idx = c->obs_used = idx;
	c->al.idx_seen = idx;
	c->al.r1_seen = c->al.r1_acq = idx;
	return true;
}

void cq_start_at(struct cq *c, uint16_t idx)
{
	VQC_REQUIRE(c->drv->exposed == 0, "suite bug: chains outstanding");
	if (!((c->ad->caps & VDUT_CAP_SET_INDICES) && c->ad->set_indices && start_by_restore(c, idx))) {
		struct cq_spec s;

		cq_spec_rw(&s, 0, 1);
		while (c->drv->avail_idx != idx) {
			uint16_t left = (uint16_t)(idx - c->drv->avail_idx);

			cq_round(c, &s, left < c->size ? left : c->size, CQ_FILL);
		}
	}
	/* A fresh baseline: what went before is not under test here. */
	c->or.o = cq_mem_used_idx(c);
	c->or.w = 0;
	c->or.first = true;
}

void cq_relocate(struct cq *c)
{
	VQC_REQUIRE(c->alt_size != 0, "suite bug: no second ring set");
	VQC_REQUIRE(c->drv->exposed == 0, "suite bug: chains outstanding");
	if (c->log)
		c->ad->set_access_log(c->q, NULL, NULL);
	c->ad->destroy(c->q);
	c->q = NULL;
	/* The driver takes the old rings away: any access from now on is reported. */
	for (int i = 0; i < 3; i++) {
		vg_mem_mark(&c->mem, c->part_base[i], c->part_span[i], VG_K_OLD_RING);
		vg_mem_protect(&c->mem, c->part_base[i], c->part_span[i], VG_PROT_NONE);
	}
	VQC_REQUIRE(vg_drv_relocate(c->drv, c->alt_size, c->alt_desc, c->alt_avail, c->alt_used) == 0,
		    "out of memory");
	c->size = c->alt_size;
	c->alt_size = 0;
	memset(c->rec, 0, c->size * sizeof(*c->rec));
	cq_device_reset_books(c);
	if (create_queue(c) != VDUT_OK)
		ck_abort_msg("adapter create failed for the re-initialised queue (size %u)", c->size);
	vqc_param(vqc_s("\"q\":%u,\"relocated\":true", c->size));
}
