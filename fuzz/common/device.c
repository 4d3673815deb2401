/* SPDX-License-Identifier: MIT */
/* The device side of a fuzz run (see device.h). */
#include "device.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "judge.h"
#include "vguest/layout.h"

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

void dev_allow(struct fuzz_dev *d, uint64_t gpa, uint64_t len)
{
	d->allowed = vg_store_get(&d->keep.allowed, (d->nallowed + 1) * sizeof(*d->allowed), false);
	FUZZ_ASSERT(d->allowed != NULL, "out of memory");
	d->allowed[d->nallowed++] = (struct vg_seg){gpa, (uint32_t)len, true};
}

bool dev_holds(const struct fuzz_dev *d, uint16_t h) { return h < d->im->size && d->held[h]; }

/* Whether this step is held to the model: a model run, with device and model in step. */
static bool judged(const struct fuzz_dev *d) { return d->mode == DEV_MODEL && d->in_step; }

/* How many bytes from @gpa on one allowed piece covers (0: none covers @gpa). */
static uint64_t allowed_from(const struct fuzz_dev *d, uint64_t gpa)
{
	for (unsigned i = 0; i < d->nallowed; i++)
		if (gpa >= d->allowed[i].gpa && gpa - d->allowed[i].gpa < d->allowed[i].len)
			return d->allowed[i].len - (gpa - d->allowed[i].gpa);
	return 0;
}

/* A run of bytes the device wrote: every byte must lie in a piece it was given. */
static void on_device_write(void *arg, uint64_t gpa, uint64_t len)
{
	const struct fuzz_dev *d = arg;

	while (len) {
		uint64_t n = allowed_from(d, gpa);

		FUZZ_ORACLE("stray-write", n > 0,
			    "device wrote guest byte 0x%llx outside the used ring and the writable buffers it was "
			    "given", (unsigned long long)gpa);
		n = n < len ? n : len;
		gpa += n;
		len -= n;
	}
}

/* Only the device writes without going through the guest: its writes are what differ. */
static void check_writes(struct fuzz_dev *d) { vg_mem_diff_runs(d->im->mem, on_device_write, d); }

void dev_check_used(struct fuzz_dev *d)
{
	char msg[200];
	uint16_t flags;

	if (!d->up || d->mode != DEV_MODEL || !d->in_step)
		return;
	FUZZ_ORACLE("model-used", vg_model_check_used(&d->m, d->exact, msg, sizeof(msg)) == 0, "%s", msg);
	flags = vg_mem_load16(d->im->mem, d->im->used + VG_USED_FLAGS);
	if (d->exact || flags == d->flags_driver)
		return;
	/* What the device wrote: SPLIT-ANS-8 (flags 0 or NO_NOTIFY), ANS-10 (0 under EVENT_IDX). */
	FUZZ_ORACLE("model-used", (flags & ~(d->m.event_idx ? 0u : VG_USED_F_NO_NOTIFY)) == 0,
		    "used flags 0x%x (EVENT_IDX %d)", flags, d->m.event_idx);
}

void dev_resync_used(struct fuzz_dev *d)
{
	if (!d->up || d->mode != DEV_MODEL)
		return;
	vg_model_take_used(&d->m);
	d->flags_driver = vg_mem_load16(d->im->mem, d->im->used + VG_USED_FLAGS);
}

/* ---- set-up ---- */

static void fill_params(struct fuzz_dev *d, struct vdut_queue_params *p)
{
	const struct fz_image *im = d->im;
	const struct vg_mem *mem = im->mem;

	memset(p, 0, sizeof(*p));
	p->size = im->size;
	p->features = im->features;
	p->desc_gpa = im->desc;
	p->avail_gpa = im->avail;
	p->used_gpa = im->used;
	p->desc_hva = vg_mem_hva(mem, im->desc);
	p->avail_hva = vg_mem_hva(mem, im->avail);
	p->used_hva = vg_mem_hva(mem, im->used);
	for (unsigned i = 0; i < mem->nr; i++)
		d->regions[i] = (struct vdut_region){mem->r[i].gpa, mem->r[i].size, mem->r[i].dev};
	p->regions = d->regions;
	p->nregions = mem->nr;
	p->variant = im->variant;
}

static bool parts_mapped(const struct fz_image *im)
{
	return vg_mem_mapped(im->mem, im->desc, vg_desc_bytes(im->size)) &&
	       vg_mem_mapped(im->mem, im->avail, vg_avail_bytes(im->size)) &&
	       vg_mem_mapped(im->mem, im->used, vg_used_bytes(im->size));
}

bool dev_init(struct fuzz_dev *d, struct fz_image *im, enum dev_mode mode)
{
	struct vdut_queue_params p;
	enum vdut_rc rc;

	memset(d, 0, offsetof(struct fuzz_dev, m)); /* everything starts over but the kept buffers */
	if (pattern[0] != 0xD5) /* the reply bytes every device writes, set once per process */
		memset(pattern, 0xD5, sizeof(pattern));
	d->ad = &vdut_device;
	d->im = im;
	d->mode = mode;
	d->exact = d->ad->caps & VDUT_CAP_EXACT;
	fill_params(d, &p);
	rc = d->ad->create(&p, &d->q, &d->lim);
	d->cfg = (struct vg_model_cfg){im->size, im->features, im->desc, im->avail, im->used,
				       d->lim.max_indirect, d->lim.max_segs};
	if (!judge_setup(d->exact, rc, vg_model_layout(im->mem, &d->cfg), parts_mapped(im))) {
		if (rc == VDUT_OK)
			d->ad->destroy(d->q);
		return false;
	}
	FUZZ_ASSERT(mode == DEV_RACE || vg_model_reuse(&d->m, im->mem, &d->cfg), "out of memory");
	d->held = vg_store_get(&d->keep.held, im->size, true);
	FUZZ_ASSERT(d->held != NULL, "out of memory");
	d->flags_driver = vg_mem_load16(im->mem, im->used + VG_USED_FLAGS);
	d->up = true;
	d->in_step = true;
	d->max_pops = DEV_MAX_POPS;
	d->max_work = DEV_MAX_FETCHES;
	dev_allow(d, im->used, vg_used_bytes(im->size));
	vg_mem_snapshot(im->mem);
	monitor_start(&d->mon, im, d->ad, d->q, d->lim.max_indirect);
	return true;
}

void dev_fini(struct fuzz_dev *d)
{
	if (!d->up)
		return;
	if (!d->probed) {
		check_writes(d);
		dev_check_used(d);
	}
	monitor_stop(&d->mon, d->ad, d->q);
	d->ad->destroy(d->q);
	d->up = false; /* the model's arrays and d->keep stay for the next input */
}

/* ---- serving one chain ---- */

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
 * header and then the body: the first stops inside a segment, the second
 * asks for one byte more than is left when the whole direction fits our
 * buffer (a fixed-size read of a short request).  Returns what was moved.
 */
static size_t move_in_two(struct fuzz_dev *d, struct dev_rec *r, bool reply, uint64_t n, uint64_t all)
{
	size_t first = (size_t)(n / 2), rest = (size_t)(n - first + (all < DEV_MAX_COPY)), got;

	got = reply ? d->ad->write(d->q, &r->c, pattern, first) : d->ad->read(d->q, &r->c, scratch, first);
	FUZZ_ORACLE("model-data", got <= first, "moved %zu bytes when asked for %zu", got, first);
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
	if (dp.rc == VDUT_OK)
		d->ad->walk(d->q, &r->c, &dp.w);
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

/* ---- returns, notifications, kicks ---- */

void dev_fill(struct fuzz_dev *d, unsigned pick, uint32_t written)
{
	unsigned n = d->nrec < DEV_MAX_RECS ? d->nrec : DEV_MAX_RECS;
	enum vg_reason want = VG_R_NONE;
	struct dev_rec *r;
	uint32_t claim;
	enum vdut_rc rc;

	if (!d->up || n == 0)
		return;
	r = &d->rec[pick % n];
	/*
	 * Q entries returned and none published: only a driver that re-posts
	 * heads it has not seen used gets here.  The model publishes them first
	 * (virtq's reading); what another device does is its own business.
	 */
	if (!d->exact && judged(d) && (uint16_t)(d->m.next_used - d->m.published) == d->im->size) {
		d->in_step = false;
		return;
	}
	/* Only an exact device is asked to defend against its caller's mistakes. */
	claim = d->exact ? written : (written < r->wrote ? written : r->wrote);
	/* Out of step (another device, after the driver broke a rule): safety alone is judged. */
	if (!judged(d) && r->returned)
		return;
	if (judged(d))
		want = vg_model_fill(&d->m, &r->mc, claim);
	if (!d->exact && want != VG_R_NONE)
		return;
	rc = d->ad->push(d->q, &r->c, claim);
	monitor_settle(&d->mon);
	if (judged(d))
		judge_rc("model-fill", "push", d->exact, rc, r->c.reason, want);
	else /* the interface lets any device refuse a chain taken before a reset or restore */
		FUZZ_ORACLE("model-fill", rc == VDUT_OK || (rc == VDUT_REJECTED && r->era != d->eras),
			    "push of a chain the device served: %s", vdut_rc_name(rc));
	if (rc != VDUT_OK)
		return;
	FUZZ_ASSERT(!r->returned, "the device accepted chain %u twice", r->head);
	r->returned = true;
	if (r->head < d->im->size)
		d->held[r->head] = 0;
}

bool dev_flush(struct fuzz_dev *d)
{
	enum vg_reason want = VG_R_NONE;
	enum vdut_rc rc;
	bool n = false;

	if (!d->up)
		return false;
	rc = d->ad->publish(d->q);
	monitor_settle(&d->mon);
	if (judged(d)) {
		want = vg_model_flush(&d->m);
		judge_rc("model-used", "publish", d->exact, rc, VG_R_OTHER, want);
		dev_check_used(d);
	}
	rc = d->ad->should_notify(d->q, &n);
	monitor_settle(&d->mon);
	FUZZ_ORACLE("model-notify", rc == VDUT_OK, "should_notify: %s", vdut_rc_name(rc));
	if (judged(d)) {
		d->unneeded_notifications += judge_notify(d->exact, n, vg_model_notify(&d->m));
		dev_check_used(d);
	}
	return n;
}

void dev_kicks(struct fuzz_dev *d, bool on)
{
	bool pending = false, mpending = false;
	enum vg_reason want;
	enum vdut_rc rc;

	if (!d->up)
		return;
	rc = on ? d->ad->enable_kicks(d->q, &pending) : d->ad->disable_kicks(d->q);
	monitor_settle(&d->mon);
	if (!judged(d))
		return;
	want = on ? vg_model_enable_kicks(&d->m, &mpending) : vg_model_disable_kicks(&d->m);
	if (!d->exact && want == VG_R_AVAIL_IDX) {
		d->in_step = false;
		return;
	}
	judge_rc("model-kicks", on ? "enable_kicks" : "disable_kicks", d->exact, rc, VG_R_OTHER, want);
	/* A chain that arrived while kicks were off and is not reported is stranded (lost kick, F2). */
	FUZZ_ORACLE("model-kicks", d->exact ? pending == mpending : pending || !mpending,
		    "enable_kicks: device says %s pending, the model %s", pending ? "chains" : "nothing",
		    mpending ? "chains" : "nothing");
	dev_check_used(d);
}

/*
 * The state the device would save for a migration is the model's: a device
 * that saves the wrong last_avail replays or loses requests on the other side.
 */
static void check_indices(struct fuzz_dev *d, const char *when)
{
	uint16_t la, ui, mla, mui;
	uint32_t n, mn;

	if (!judged(d) || !d->exact || !(d->ad->caps & VDUT_CAP_GET_INDICES))
		return;
	d->ad->get_indices(d->q, &la, &ui, &n);
	vg_model_indices(&d->m, &mla, &mui, &mn);
	FUZZ_ORACLE("model-state", la == mla && ui == mui && n == mn,
		    "%s the device would save last_avail %u, used idx %u, %u in flight; the model %u, %u, %u",
		    when, la, ui, n, mla, mui, mn);
}

/* ---- life cycle ---- */

void dev_reset(struct fuzz_dev *d)
{
	if (!d->up)
		return;
	d->ad->reset(d->q);
	/* GEN-RST-2: a reset touches no guest memory. */
	check_writes(d);
	monitor_sync_idx(&d->mon, 0);
	memset(d->held, 0, d->im->size);
	d->eras++;
	if (d->mode == DEV_MODEL)
		vg_model_reset(&d->m);
	d->in_step = true;
	check_indices(d, "after a reset");
}

void dev_restore(struct fuzz_dev *d, uint16_t last_avail, uint16_t used_idx)
{
	enum vg_reason want;
	enum vdut_rc rc;

	if (!d->up || d->mode != DEV_MODEL || !(d->ad->caps & VDUT_CAP_SET_INDICES))
		return;
	dev_check_used(d); /* before the model takes the used ring as given */
	want = vg_model_restore(&d->m, last_avail, used_idx);
	/* Only an exact device is handed a saved state that cannot be. */
	if (!d->exact && want != VG_R_NONE)
		return;
	rc = d->ad->set_indices(d->q, last_avail, used_idx);
	judge_rc("model-restore", "set_indices", d->exact, rc, VG_R_OTHER, want);
	check_writes(d);
	if (rc != VDUT_OK)
		return;
	monitor_sync_idx(&d->mon, used_idx);
	memset(d->held, 0, d->im->size);
	d->eras++;
	d->in_step = true;
	check_indices(d, "after a restore");
}

void dev_remap(struct fuzz_dev *d, unsigned pick)
{
	struct vg_mem *mem = d->im->mem;
	unsigned i;
	enum vdut_rc rc;

	/*
	 * A few remaps reach every state many do (each region moved, moved back
	 * onto a reused mapping), and each costs two mprotect calls and a TLB
	 * shootdown: past DEV_MAX_REMAPS in a run they are skipped.
	 */
	if (!d->up || !(d->ad->caps & VDUT_CAP_SET_MEM) || mem->nr == 0 || d->remaps == DEV_MAX_REMAPS)
		return;
	d->remaps++;
	i = pick % mem->nr;
	FUZZ_ASSERT(vg_mem_move(mem, i) == 0, "remapping guest memory failed");
	for (unsigned k = 0; k < mem->nr; k++)
		d->regions[k] = (struct vdut_region){mem->r[k].gpa, mem->r[k].size, mem->r[k].dev};
	rc = d->ad->set_mem(d->q, d->regions, mem->nr);
	monitor_settle(&d->mon);
	/* The rings are where they were in guest space: the new map must be taken. */
	FUZZ_ORACLE("set-mem", rc == VDUT_OK, "set_mem after moving region %u: %s", i, vdut_rc_name(rc));
}

void dev_drain(struct fuzz_dev *d)
{
	if (!d->up)
		return;
	/* Each pop consumes an avail entry, so 2 * size + 2 rounds always suffice. */
	for (uint32_t i = 0; i < 2 * d->im->size + 2; i++) {
		enum dev_step s = dev_pop(d);

		if (s == DEV_CHAIN)
			dev_fill(d, (d->nrec - 1) % DEV_MAX_RECS, UINT32_MAX);
		else if (s != DEV_REJECTED)
			break;
	}
	dev_flush(d);
}

/* A descriptor no chain the device holds uses, or -1 when all are out. */
static int free_desc(const struct fuzz_dev *d)
{
	for (uint32_t i = 0; i < d->im->size; i++)
		if (!d->held[i])
			return (int)i;
	return -1;
}

/* Drain what is left; false when the budget ran out first. */
static bool drain_quietly(struct fuzz_dev *d, enum dev_step *last)
{
	for (;;) {
		*last = dev_pop(d);
		if (*last == DEV_OVER)
			return false;
		if (*last == DEV_EMPTY || *last == DEV_BROKEN)
			return true;
	}
}

void dev_probe(struct fuzz_dev *d)
{
	struct vg_drv *drv = d->im->drv;
	struct vdut_chain c;
	enum dev_step last;
	uint16_t at;
	int head;

	if (!d->up || !d->in_step)
		return;
	/* Last look before the probe changes memory. */
	check_writes(d);
	dev_check_used(d);
	d->probed = true;
	if (!drain_quietly(d, &last)) {
		d->probed = false; /* too much left to drain: no probe this run */
		return;
	}
	check_indices(d, "at the end of the run");
	if (last == DEV_BROKEN) {
		FUZZ_ORACLE("probe", d->ad->pop(d->q, &c) == VDUT_QUEUE_BROKEN, "a broken queue still pops");
		return;
	}
	head = free_desc(d);
	if (head < 0 || !d->in_step)
		return; /* every descriptor out: the driver cannot add anything */
	/* One readable byte at the start of guest memory: valid wherever memory is. */
	vg_drv_write_desc(drv, (uint16_t)head, d->im->mem->r[0].gpa, 1, 0, 0);
	at = vg_drv_avail_idx(drv);
	vg_drv_set_avail_ring(drv, at, (uint16_t)head);
	vg_drv_set_avail_idx(drv, (uint16_t)(at + 1));
	/* The probe's pop is its own: a drain that spent the budget exactly must not starve it. */
	d->max_pops = d->pops + 1;
	FUZZ_ORACLE("probe", dev_pop(d) == DEV_CHAIN && d->rec[(d->nrec - 1) % DEV_MAX_RECS].head == head,
		    "after the run a well-formed chain (head %d) is not served", head);
	dev_fill(d, (d->nrec - 1) % DEV_MAX_RECS, 0);
	dev_flush(d);
	check_writes(d);
}
