/* SPDX-License-Identifier: MIT */
/*
 * The device model: what a device does with the implementation under test,
 * one adapter call at a time, and what each step lets the suite check.
 *
 *   after every call  used flags (SPLIT-ANS-8/10), used idx never back or
 *                     more than Q ahead (SPLIT-USED-4), avail_event written
 *                     without EVENT_IDX (recorded);
 *   pops              never beyond avail idx (SPLIT-AV-4), the head at
 *                     ring[idx mod Q] (SPLIT-AV-2), never more than Q in
 *                     flight (SPLIT-LAY-2);
 *   walks             request bytes and sizes (the test's walk clause, default
 *                     SPLIT-DESC-1), the reply never beyond the writable part
 *                     (SPLIT-DESC-2);
 *   publish / decide  publish exposes exactly what was pushed (SPLIT-USED-4),
 *                     the notification oracle (notify_oracle.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cq.h"

static bool has(const struct cq *c, uint64_t f) { return (c->features & f) != 0; }

void cq_device_reset_books(struct cq *c)
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
	c->obs_avail_event = 0;
	cq_oracle_reset(c);
	memset(&c->al, 0, sizeof(c->al));
}

void cq_after_op(struct cq *c)
{
	uint16_t fl, now, d;

	cq_settle(c);
	fl = cq_mem_used_flags(c);
	if (has(c, F_EVT) && fl != 0)
		vqc_find(VQC_FAIL, "SPLIT-ANS-10", "used-flags-nonzero", "0", vqc_s("0x%04x", fl),
			 "used flags not 0 under EVENT_IDX");
	else if (!has(c, F_EVT) && (fl & ~VG_USED_F_NO_NOTIFY))
		vqc_find(VQC_FAIL, "SPLIT-ANS-8", "used-flags-bits", "0 or 1", vqc_s("0x%04x", fl),
			 "used flags has bits other than NO_NOTIFY");
	if (!has(c, F_EVT) && cq_mem_avail_event(c) != c->obs_avail_event) {
		c->obs_avail_event = cq_mem_avail_event(c);
		vqc_find(VQC_INFO, "SPLIT-USED-1", "avail-event-without-event-idx", NULL, NULL,
			 "avail_event written without EVENT_IDX (allowed, recorded)");
	}
	now = cq_mem_used_idx(c);
	d = (uint16_t)(now - c->obs_used);
	if (d > c->size)
		vqc_find(VQC_FAIL, "SPLIT-USED-4", "used-idx-jump", vqc_s("at most %u ahead of %u", c->size, c->obs_used),
			 vqc_s("%u", now), "used idx moved back or by more than the queue size");
	else
		c->or.w += d;
	c->obs_used = now;
}

/* ---- pop ---- */

/* The pop result the adapter gave, judged against what the driver exposed where. */
static void judge_taken(struct cq *c, enum vdut_rc rc, const struct cq_dev *d)
{
	uint16_t unconsumed = (uint16_t)(c->drv->avail_pub - c->consumed), s = c->consumed & (c->size - 1);
	uint16_t exp = c->drv->slot_head[s];
	bool hostile = c->drv->slot_hostile[s];

	if (unconsumed == 0)
		vqc_fatal("SPLIT-AV-4", "consumed-beyond-avail",
			  vqc_s("EMPTY (avail idx %u, all consumed)", c->drv->avail_pub),
			  rc == VDUT_OK ? vqc_s("a chain with head %u", d->vc.head) : "a rejected entry",
			  "the device took avail entry %u, beyond avail idx %u", c->consumed, c->drv->avail_pub);
	c->consumed++;
	if (rc == VDUT_REJECTED) {
		if (!hostile)
			vqc_fatal("SPLIT-AV-1", "valid-head-rejected", vqc_s("head %u served", exp), "CHAIN_REJECTED at pop",
				  "a valid head from avail slot %u was refused", s);
		return;
	}
	if (d->vc.head >= c->size)
		vqc_fatal("SPLIT-AV-1", "head-out-of-range", vqc_s("head < %u", c->size), vqc_s("head %u", d->vc.head),
			  "pop returned a head outside the table");
	if (!hostile && d->vc.head != exp)
		vqc_fatal(c->slot_clause, "wrong-slot", vqc_s("head %u (avail slot %u)", exp, s),
			  vqc_s("head %u", d->vc.head), "the device did not take the head at ring[idx mod Q]");
	if (c->rec[d->vc.head].taken || c->drv->head[d->vc.head].state != VG_HEAD_EXPOSED)
		vqc_fatal("SPLIT-AV-1", "head-in-flight-accepted", "a head that is not already in flight",
			  vqc_s("head %u taken twice", d->vc.head),
			  "pop returned a head that is already in flight (or was never exposed)");
	if (++c->in_flight > c->size)
		vqc_fatal("SPLIT-LAY-2", "over-q-in-flight", vqc_s("at most %u chains in flight", c->size),
			  vqc_s("%u", c->in_flight), "more chains in flight than the queue size");
}

enum vdut_rc cq_pop(struct cq *c, struct cq_dev **out)
{
	struct cq_dev *d;
	enum vdut_rc rc;

	VQC_REQUIRE(c->ndev_free > 0, "suite bug: more chains popped than storage");
	d = &c->dev[c->dev_free[c->ndev_free - 1]];
	d->vc.head = 0xFFFF;
	rc = c->ad->pop(c->q, &d->vc);
	cq_after_op(c);
	if (rc == VDUT_EMPTY)
		return rc;
	if (rc == VDUT_QUEUE_BROKEN) {
		c->broken_seen = true;
		if (!c->broken_ok)
			vqc_fatal(vqc_primary(), "queue-broken", "the queue serves a valid ring", "QUEUE_BROKEN",
				  "pop broke the queue on input the driver made valid");
		return rc;
	}
	if (rc != VDUT_OK && rc != VDUT_REJECTED)
		vqc_fatal(vqc_primary(), "adapter-error", "OK, EMPTY, REJECTED or BROKEN", vdut_rc_name(rc),
			  "pop failed");
	judge_taken(c, rc, d);
	if (rc == VDUT_REJECTED)
		return rc;
	c->rec[d->vc.head].taken = true;
	c->ndev_free--;
	d->busy = true;
	d->written = 0;
	*out = d;
	return VDUT_OK;
}

enum vdut_rc cq_pop_raw(struct cq *c, struct vdut_chain *vc)
{
	enum vdut_rc rc = c->ad->pop(c->q, vc);

	cq_after_op(c);
	if (rc == VDUT_QUEUE_BROKEN)
		c->broken_seen = true;
	return rc;
}

/* ---- serving a chain ---- */

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
static bool request_matches(struct cq *c, uint16_t head, const unsigned char *got)
{
	unsigned nb;
	const struct vg_buf *b = vg_drv_bufs(c->drv, head, &nb);
	uint32_t k = 0;

	for (unsigned j = 0; j < nb; j++) {
		unsigned char want[256];

		if (b[j].writable)
			continue;
		for (uint32_t x = 0; x < b[j].len; x += sizeof(want)) {
			uint32_t n = b[j].len - x < sizeof(want) ? b[j].len - x : sizeof(want);

			VQC_REQUIRE(vg_mem_read(&c->mem, b[j].gpa + x, want, n), "suite bug: buffer unmapped");
			if (memcmp(got + k + x, want, n) != 0)
				return false;
		}
		k += b[j].len;
	}
	return true;
}

/* The chain was refused or broke the queue: record it, and judge whether it could be. */
static enum vdut_rc not_served(struct cq *c, struct cq_dev *d, struct cq_rec *r, const struct vdut_walk *w)
{
	bool hostile = c->drv->head[d->vc.head].hostile;

	if (w->rc == VDUT_REJECTED) {
		r->outcome = CQ_O_REJECTED;
		r->detail = w->detail;
		snprintf(r->detail_name, sizeof(r->detail_name), "%s", w->detail_name ? w->detail_name : "");
		if (!hostile)
			vqc_fatal(c->walk_clause, "valid-chain-rejected", "the chain is served",
				  vqc_s("rejected (%s)", w->detail_name ? w->detail_name : "no detail"),
				  "head %u: a well-formed chain was rejected", d->vc.head);
		return w->rc;
	}
	if (w->rc == VDUT_QUEUE_BROKEN) {
		r->outcome = CQ_O_BROKEN;
		c->broken_seen = true;
		if (!c->broken_ok)
			vqc_fatal(vqc_primary(), "queue-broken", "the chain is served", "QUEUE_BROKEN",
				  "head %u: walk broke the queue", d->vc.head);
		return w->rc;
	}
	vqc_fatal(vqc_primary(), "adapter-error", "OK, REJECTED or BROKEN", vdut_rc_name(w->rc), "walk failed");
}

/* What was read and written through the implementation's cursors, against what the driver built. */
static void judge_service(struct cq *c, const struct cq_dev *d, const struct vdut_walk *w, size_t nread,
			  size_t written, uint64_t want)
{
	const struct vg_head *h = &c->drv->head[d->vc.head];

	/* Checked after the reply, so a stray reply store is reported as what it is. */
	if (written > h->wcap)
		vqc_find(VQC_FAIL, "SPLIT-DESC-2", "reply-overrun", vqc_s("at most %u bytes", h->wcap),
			 vqc_s("%zu bytes", written),
			 "head %u: the reply cursor took more bytes than the writable part holds", d->vc.head);
	if (w->readable != h->rcap || w->writable != h->wcap)
		vqc_find(VQC_FAIL, c->walk_clause, "walk-size", vqc_s("%u readable, %u writable bytes", h->rcap, h->wcap),
			 vqc_s("%llu readable, %llu writable", (unsigned long long)w->readable,
			       (unsigned long long)w->writable),
			 "head %u: the walk does not match the descriptors", d->vc.head);
	else if (nread != h->rcap || !request_matches(c, d->vc.head, c->scratch))
		vqc_find(VQC_FAIL, c->walk_clause, "request-bytes", vqc_s("the %u request bytes the driver wrote", h->rcap),
			 vqc_s("%zu bytes, %s", nread, nread == h->rcap ? "different" : "short"),
			 "head %u: the device read something else than the request", d->vc.head);
	else if (written < (want < h->wcap ? want : h->wcap))
		vqc_find(VQC_FAIL, c->walk_clause, "reply-short",
			 vqc_s("%llu reply bytes", (unsigned long long)(want < h->wcap ? want : h->wcap)),
			 vqc_s("%zu", written),
			 "head %u: the reply cursor stopped before the end of the writable part", d->vc.head);
}

/* Walk, read the request, write the reply through the implementation's cursors; check. */
static enum vdut_rc serve(struct cq *c, struct cq_dev *d, struct cq_rec *r)
{
	const struct vg_head *h = &c->drv->head[d->vc.head];
	struct vdut_walk w;
	uint64_t want, rl, wl;
	size_t nread, written;

	memset(&w, 0, sizeof(w));
	c->ad->walk(c->q, &d->vc, &w);
	cq_after_op(c);
	d->written = 0;
	if (w.rc != VDUT_OK)
		return not_served(c, d, r, &w);
	r->outcome = CQ_O_ACCEPTED;
	/* Bounded by what the driver built, whatever the walk claims. */
	rl = h->hostile ? 1u << 20 : h->rcap;
	wl = h->hostile ? 1u << 20 : h->wcap;
	rl = w.readable < rl ? w.readable : rl;
	wl = w.writable < wl ? w.writable : wl;
	want = r->reply == CQ_REPLY_AUTO ? wl + 8 : r->reply;
	grow_scratch(c, (size_t)(rl > want ? rl : want) + 16);
	nread = c->ad->read(c->q, &d->vc, c->scratch, (size_t)rl + 16);
	cq_after_op(c);
	for (uint64_t k = 0; k < want; k++)
		c->pattern[k] = cq_rep_byte(d->vc.head, (uint32_t)k);
	written = c->ad->write(c->q, &d->vc, c->pattern, (size_t)want);
	cq_after_op(c);
	d->written = (uint32_t)written;
	if (!h->hostile)
		judge_service(c, d, &w, nread, written, want);
	return VDUT_OK;
}

enum vdut_rc cq_serve(struct cq *c, struct cq_dev *d)
{
	struct cq_rec *r = &c->rec[d->vc.head];
	enum vdut_rc rc;

	if (c->drv->head[d->vc.head].hostile && c->robust_clause) {
		/*
		 * A robustness test: what the device damages while it handles the
		 * malformed chain is that test's finding.  Damage from before is
		 * attributed normally first.
		 */
		cq_check_memory(c);
		c->override_clause = c->robust_clause;
	}
	rc = serve(c, d, r);
	if (c->override_clause) {
		cq_check_memory(c);
		c->override_clause = NULL;
	}
	return rc;
}

/* ---- returning, publishing, deciding ---- */

void cq_push(struct cq *c, struct cq_dev *d)
{
	struct cq_rec *r = &c->rec[d->vc.head];
	uint32_t len = r->claim ? r->claim : d->written;
	enum vdut_rc rc = c->ad->push(c->q, &d->vc, len);

	cq_after_op(c);
	if (rc == VDUT_QUEUE_BROKEN && c->broken_ok) {
		/* The queue broke: nothing comes back; the driver gives the chain up. */
		c->broken_seen = true;
	} else if (rc != VDUT_OK) {
		vqc_fatal(vqc_primary(), "push-failed", "OK", vdut_rc_name(rc), "push of head %u failed", d->vc.head);
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
	enum vdut_rc rc = c->ad->publish(c->q);

	cq_after_op(c);
	if (rc == VDUT_QUEUE_BROKEN && c->broken_ok)
		return;
	if (rc != VDUT_OK)
		vqc_fatal(vqc_primary(), "publish-failed", "OK", vdut_rc_name(rc), "publish failed");
	c->pub_idx = c->pushed_idx;
	if (cq_mem_used_idx(c) != c->pub_idx)
		vqc_find(VQC_FAIL, "SPLIT-USED-4", "publish-incomplete", vqc_s("used idx %u (every pushed entry)", c->pub_idx),
			 vqc_s("used idx %u", cq_mem_used_idx(c)), "publish did not expose exactly the entries pushed");
}

bool cq_notify(struct cq *c)
{
	bool n = false;
	enum vdut_rc rc = c->ad->should_notify(c->q, &n);

	cq_after_op(c);
	if (rc != VDUT_OK && !(rc == VDUT_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "notify-failed", "OK", vdut_rc_name(rc), "should_notify failed");
	cq_oracle_decide(c, n);
	return n;
}

void cq_disable_kicks(struct cq *c)
{
	enum vdut_rc rc = c->ad->disable_kicks(c->q);

	cq_after_op(c);
	if (rc != VDUT_OK && !(rc == VDUT_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "disable-kicks-failed", "OK", vdut_rc_name(rc), "disable_kicks failed");
}

bool cq_enable_kicks(struct cq *c)
{
	bool pending = false;
	enum vdut_rc rc;

	c->al.in_enable = true;
	rc = c->ad->enable_kicks(c->q, &pending);
	c->al.in_enable = false;
	cq_after_op(c);
	if (rc != VDUT_OK && !(rc == VDUT_QUEUE_BROKEN && c->broken_ok))
		vqc_fatal(vqc_primary(), "enable-kicks-failed", "OK", vdut_rc_name(rc), "enable_kicks failed");
	return pending;
}

void cq_reset(struct cq *c)
{
	c->al.in_reset = true;
	c->ad->reset(c->q);
	c->al.in_reset = false;
	cq_settle(c);
	/* The driver re-initialises the rings before using the queue again. */
	vg_drv_restart(c->drv, false);
	for (uint32_t i = 0; i < c->size; i++)
		c->rec[i].taken = false;
	cq_device_reset_books(c);
}

/* ---- composites ---- */

/* Push, publish and decide per chain (CQ_EACH), or all at once. */
static void return_batch(struct cq *c, unsigned nb, enum cq_mode m)
{
	for (unsigned i = 0; i < nb; i++)
		cq_push(c, c->batch[i]);
	if (nb) {
		cq_publish_used(c);
		if (m == CQ_BATCH)
			(void)cq_notify(c);
	}
}

static void return_one(struct cq *c, struct cq_dev *d)
{
	cq_push(c, d);
	cq_publish_used(c);
	(void)cq_notify(c);
}

unsigned cq_serve_exposed(struct cq *c, enum cq_mode m)
{
	uint16_t want = (uint16_t)(c->drv->avail_pub - c->consumed);
	unsigned nb = 0, served = 0;

	for (uint16_t i = 0; i < want; i++) {
		struct cq_dev *d;
		enum vdut_rc rc = cq_pop(c, &d);

		if (rc == VDUT_EMPTY)
			vqc_fatal(want > 1 ? "SPLIT-AV-5" : "SPLIT-AV-2", "exposed-not-seen",
				  vqc_s("a chain (avail idx %u, device at %u)", c->drv->avail_pub, c->consumed), "EMPTY",
				  "pop did not see a chain the driver exposed");
		if (rc == VDUT_QUEUE_BROKEN)
			break;
		if (rc != VDUT_OK)
			continue;
		served++;
		if (cq_serve(c, d) == VDUT_QUEUE_BROKEN)
			break;
		if (m == CQ_EACH)
			return_one(c, d);
		else
			c->batch[nb++] = d;
	}
	if (m != CQ_EACH)
		return_batch(c, nb, m);
	return served;
}

unsigned cq_pop_all(struct cq *c, const char *miss_clause)
{
	uint16_t want = (uint16_t)(c->drv->avail_pub - c->consumed);
	unsigned nb = 0;

	for (uint16_t i = 0; i < want; i++) {
		struct cq_dev *d;
		enum vdut_rc rc = cq_pop(c, &d);

		if (rc == VDUT_EMPTY)
			vqc_fatal(miss_clause, "exposed-not-seen", vqc_s("%u chains (avail idx %u)", want, c->drv->avail_pub),
				  vqc_s("EMPTY after %u", i), "pop did not see every chain the driver exposed");
		if (rc != VDUT_OK)
			continue;
		if (cq_serve(c, d) == VDUT_QUEUE_BROKEN)
			break;
		c->batch[nb++] = d;
	}
	return nb;
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
		enum vdut_rc rc;

		while ((rc = cq_pop(c, &d)) != VDUT_EMPTY) {
			if (rc == VDUT_QUEUE_BROKEN)
				return;
			if (rc != VDUT_OK)
				continue;
			if (cq_serve(c, d) == VDUT_QUEUE_BROKEN)
				return;
			return_one(c, d);
		}
		cq_inject(c, CQ_INJ_BEFORE_ENABLE);
		if (!cq_enable_kicks(c))
			return;
		cq_disable_kicks(c);
	}
}

void cq_run_kicks(struct cq *c)
{
	while (c->drv->kick_pending) {
		c->drv->kick_pending = false;
		cq_device_kick(c);
	}
}
