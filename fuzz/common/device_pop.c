/* SPDX-License-Identifier: MIT */
/*
 * The device side of a fuzz run, one chain (see device.h): the pop or
 * re-open, the walk, the request read and the reply written, each judged
 * against the model's walk as it happens.
 */
#include "device.h"

#include <string.h>

#include "fuzz.h"
#include "judge.h"

/*
 * Walk storage for any chain a device takes: the direct table plus one table
 * of up to 2^18 entries (no device here bounds tables beyond that: the core
 * by its declared bound, vringh's adapter by what it hands vringh), each
 * descriptor split over at most every region.  Untouched pages cost nothing.
 */
#define MAX_VISITS (VG_MAX_QUEUE + (1u << 18) + 16u)
#define MAX_SEGS (MAX_VISITS * 5u)
static struct vg_seg wseg[MAX_SEGS];
static uint64_t wvisit[MAX_VISITS];
static unsigned char scratch[DEV_MAX_COPY], expect[DEV_MAX_COPY], pattern[DEV_MAX_COPY];

static struct vg_walk walk_storage(void)
{
	return (struct vg_walk){.seg = wseg, .seg_cap = MAX_SEGS, .visit = wvisit, .visit_cap = MAX_VISITS};
}

/* Exactly the descriptor fetches of the model's walk: no double fetch, none extra. */
static void same_fetches(const struct fuzz_dev *d, const struct vg_walk *w)
{
	FUZZ_ORACLE("fetches", d->mon.nloads == w->nvisit,
		    "device fetched %u descriptors, the walk reads %u (double fetch?)", d->mon.nloads, w->nvisit);
	for (uint32_t k = 0; k < w->nvisit; k++)
		FUZZ_ORACLE("fetches", d->mon.loads[k] == w->visit[k], "fetch %u at 0x%llx, the walk reads 0x%llx",
			    k, (unsigned long long)d->mon.loads[k], (unsigned long long)w->visit[k]);
}

/* The bytes of the model's segments of one direction, first @n of them. */
static void gather(const struct fuzz_dev *d, const struct vg_walk *w, bool writable, unsigned char *out,
		   uint64_t n)
{
	uint64_t k = 0;

	for (uint32_t i = 0; i < w->nseg && k < n; i++) {
		uint64_t take = w->seg[i].len < n - k ? w->seg[i].len : n - k;

		if (w->seg[i].writable != writable)
			continue;
		FUZZ_ASSERT(vg_mem_read(d->im->mem, w->seg[i].gpa, out + k, take), "model segment unmapped");
		k += take;
	}
}

/* Writable pieces the device may now write: the model's when it has one, else the device's own. */
static void allow_writable(struct fuzz_dev *d, const struct vdut_walk *dw, const struct vg_walk *w)
{
	for (unsigned k = 0; w && k < w->nseg; k++)
		if (w->seg[k].writable)
			dev_allow(d, w->seg[k].gpa, w->seg[k].len);
	for (unsigned k = 0; !w && k < dw->nseg; k++) {
		uint64_t gpa = 0;

		if (dw->seg[k].writable && vg_mem_gpa_of(d->im->mem, dw->seg[k].hva, &gpa))
			dev_allow(d, gpa, dw->seg[k].len);
	}
}

static bool touches(const struct fuzz_dev *d, const struct vdut_walk *dw,
		    bool (*part)(const struct fz_image *, uint64_t, uint64_t))
{
	for (unsigned k = 0; k < dw->nseg; k++) {
		uint64_t gpa = 0;

		if (dw->seg[k].writable && vg_mem_gpa_of(d->im->mem, dw->seg[k].hva, &gpa) &&
		    part(d->im, gpa, dw->seg[k].len))
			return true;
	}
	return false;
}

/*
 * @n bytes through the device's cursor in two calls, as a device takes a
 * header and then the body: the first stops halfway, often inside a
 * segment, and the second asks for one byte more than is left when the whole
 * direction (@all bytes) fits our buffer, as a fixed-size read of a short
 * request would.  Returns what was moved.
 */
static size_t move_in_two(struct fuzz_dev *d, struct dev_rec *r, bool reply, uint64_t n, uint64_t all)
{
	size_t first = (size_t)(n / 2), rest = (size_t)(n - first + (all < DEV_MAX_COPY)), got = 0;

	/* A byte or none (notify's chains) is not split: a call fewer per chain. */
	if (first) {
		got = reply ? d->ad->write(d->q, &r->c, pattern, first) : d->ad->read(d->q, &r->c, scratch, first);
		FUZZ_ORACLE("model-data", got <= first, "moved %zu bytes when asked for %zu", got, first);
	}
	return got + (reply ? d->ad->write(d->q, &r->c, pattern + got, rest)
			    : d->ad->read(d->q, &r->c, scratch + got, rest));
}

/*
 * The device reads the request and writes a reply through its own cursors,
 * up to DEV_MAX_COPY each way (a chain may name one buffer thousands of
 * times).  When the model served the chain too, what was read must be the
 * request and what was written must land in its writable part, in order.
 */
static void serve_data(struct fuzz_dev *d, struct dev_rec *r, const struct vdut_walk *dw, const struct vg_walk *w)
{
	uint64_t n = dw->readable < DEV_MAX_COPY ? dw->readable : DEV_MAX_COPY;
	size_t got, put;

	if (pattern[0] != 0xD5) /* the reply bytes every device writes, set once per process */
		memset(pattern, 0xD5, sizeof(pattern));
	allow_writable(d, dw, w);
	if (w)
		gather(d, w, false, expect, n);
	got = move_in_two(d, r, false, n, dw->readable);
	FUZZ_ORACLE("model-data", got == n, "read %zu request bytes of %llu", got, (unsigned long long)n);
	if (w)
		FUZZ_ORACLE("model-data", memcmp(scratch, expect, n) == 0,
			    "the request bytes read are not the driver's (head %u)", r->head);
	n = dw->writable < DEV_MAX_COPY ? dw->writable : DEV_MAX_COPY;
	put = move_in_two(d, r, true, n, dw->writable);
	monitor_settle(&d->mon);
	FUZZ_ORACLE("model-data", put == n, "wrote %zu reply bytes of %llu", put, (unsigned long long)n);
	if (w) {
		gather(d, w, true, expect, n);
		FUZZ_ORACLE("model-data", memcmp(expect, pattern, n) == 0,
			    "the reply did not land in the chain's writable part (head %u)", r->head);
	}
	r->wrote = (uint32_t)put;
	/* A writable buffer the driver laid over the used ring: the data is now there. */
	if (touches(d, dw, image_touches_used))
		dev_resync_used(d);
	/* Over the avail ring or a table: a device that reads them at other times than the model may diverge. */
	if (!d->exact && touches(d, dw, image_touches_driver_parts))
		d->in_step = false;
}

static struct dev_rec *next_rec(struct fuzz_dev *d)
{
	return &d->rec[d->nrec++ % DEV_MAX_RECS];
}

/* The model's side of a pop (or reopen), judged against what the device did. */
static enum judged judge_model(struct fuzz_dev *d, bool reopen, uint16_t head, struct dev_rec *r,
			       const struct dut_pop *dp, struct vg_walk *w, enum vg_pop *p)
{
	struct model_pop mp = {.w = w};

	mp.p = reopen ? vg_model_reopen(&d->m, head, w, &r->mc, &mp.why) : vg_model_pop(&d->m, w, &r->mc, &mp.why);
	d->work += w->nvisit;
	*p = mp.p;
	if (mp.p == VG_POP_CHAIN && d->exact && d->mon.on)
		same_fetches(d, w);
	return judge_pop(d->im->mem, d->exact, dp, &mp);
}

static enum dev_step open_chain(struct fuzz_dev *d, bool reopen, uint16_t head)
{
	struct vg_walk w = walk_storage();
	struct dut_pop dp;
	struct dev_rec *r;
	enum vg_pop mp = VG_POP_CHAIN;
	bool model_served;

	if (!d->up || !d->in_step || d->pops >= d->max_pops || d->work > d->max_work)
		return DEV_OVER;
	/* The driver broke the avail protocol: a device may react to it at any later read. */
	if (!d->exact && d->mode == DEV_MODEL && !vg_model_avail_sane(&d->m)) {
		d->in_step = false;
		return DEV_OVER;
	}
	d->pops++;
	r = next_rec(d);
	memset(&dp, 0, sizeof(dp));
	monitor_window(&d->mon);
	dp.rc = reopen ? d->ad->reopen(d->q, head, &r->c) : d->ad->pop(d->q, &r->c);
	dp.head = r->c.head;
	dp.reason = r->c.reason;
	if (dp.rc == VDUT_OK) {
		d->ad->walk(d->q, &r->c, &dp.w);
		fuzz_chains_walked++;
	}
	monitor_settle(&d->mon);
	if (dp.rc == VDUT_UNSUPPORTED) {
		/* The device declines this chain (see its adapter): nothing after it compares. */
		d->nrec--;
		d->in_step = false;
		return DEV_OVER;
	}
	if (d->mode == DEV_RACE)
		d->work += d->mon.nloads;
	if (d->mode == DEV_MODEL && judge_model(d, reopen, head, r, &dp, &w, &mp) == J_OUT_OF_STEP)
		d->in_step = false;
	model_served = d->mode == DEV_MODEL && mp == VG_POP_CHAIN && w.reason == VG_R_NONE;
	if (d->mode == DEV_RACE && d->race_check)
		d->race_check(d->race_arg, d, &dp);
	if (dp.rc != VDUT_OK) {
		d->nrec--;
		return dp.rc == VDUT_EMPTY ? DEV_EMPTY : dp.rc == VDUT_REJECTED ? DEV_REJECTED : DEV_BROKEN;
	}
	if (mp != VG_POP_CHAIN) {
		/* A chain only the device took (a head in flight, handed out again): never returned. */
		d->nrec--;
		return DEV_OVER;
	}
	r->head = dp.head;
	r->returned = false;
	r->era = d->eras;
	r->wrote = 0;
	/* A chain the model refuses and a device served anyway: its len is capped by what was handed out. */
	if (d->mode == DEV_MODEL && dp.w.rc == VDUT_OK && !model_served)
		r->mc.cap = dp.w.writable;
	r->cap = d->mode == DEV_MODEL ? r->mc.cap : dp.w.writable;
	if (dp.head < d->im->size)
		d->held[dp.head] = 1;
	if (dp.w.rc == VDUT_OK)
		serve_data(d, r, &dp.w, model_served ? &w : NULL);
	return DEV_CHAIN;
}

enum dev_step dev_pop(struct fuzz_dev *d) { return open_chain(d, false, 0); }

enum dev_step dev_reopen(struct fuzz_dev *d, uint16_t head)
{
	if (!(d->ad->caps & VDUT_CAP_REOPEN))
		return DEV_OVER;
	return open_chain(d, true, head);
}
