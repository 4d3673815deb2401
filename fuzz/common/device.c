/* SPDX-License-Identifier: MIT */
/* The device side of a fuzz run (see device.h). */
#include "device.h"

#include <string.h>

#include "fuzz.h"

/* Storage big enough for any chain: one process, one run at a time. */
static struct virtq_seg rseg[MODEL_MAX_SEGS], wseg[MODEL_MAX_SEGS];
static struct model_seg mseg[MODEL_MAX_SEGS];
static uint64_t mvisit[MODEL_MAX_VISITS];
static unsigned char scratch[DATA_LEN + 64];

void dev_allow(struct fuzz_dev *d, uint64_t gpa, uint64_t len)
{
	if (d->nallowed == d->cap_allowed) {
		d->cap_allowed = d->cap_allowed ? 2 * d->cap_allowed : 64;
		d->allowed = realloc(d->allowed, d->cap_allowed * sizeof(*d->allowed));
		FUZZ_ASSERT(d->allowed != NULL, "out of memory");
	}
	d->allowed[d->nallowed++] = (struct fuzz_range){gpa, len};
}

static void check_writes(struct fuzz_dev *d)
{
	guest_check_writes(d->g, d->allowed, d->nallowed);
}

/* Every code core returns is one of the table's, with a name and a text. */
static int named(int rc)
{
	FUZZ_ASSERT(rc >= 0 || (strcmp(virtq_strerror(rc), "unknown error") != 0 &&
				strcmp(virtq_err_name(rc), "VIRTQ_E_UNKNOWN") != 0),
		    "core returned %d, which is not in the error table", rc);
	return rc;
}

static void check_used_ring(struct fuzz_dev *d)
{
	const unsigned char *used;
	uint64_t n;

	if (!d->up || !d->differential)
		return;
	n = virtq_used_bytes(d->g->cfg.size);
	used = guest_hva(d->g, d->g->cfg.used_gpa, n);
	if (memcmp(used, d->m.used, n) == 0)
		return;
	for (uint64_t i = 0; i < n; i++)
		FUZZ_ASSERT(used[i] == d->m.used[i],
			    "used ring byte %llu is 0x%02x, the model expects 0x%02x",
			    (unsigned long long)i, used[i], d->m.used[i]);
}

void dev_check_used(struct fuzz_dev *d)
{
	check_used_ring(d);
}

bool dev_init(struct fuzz_dev *d, struct fuzz_guest *g, bool differential)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->g = g;
	d->differential = differential;
	d->iov_cap = MODEL_MAX_SEGS;
	rc = named(virtq_init(&d->q, &g->cfg));
	if (differential)
		FUZZ_ASSERT(rc == model_init_result(g), "virtq_init %s, model says %s",
			    virtq_err_name(rc), virtq_err_name(model_init_result(g)));
	if (rc < 0)
		return false;
	FUZZ_ASSERT(model_init(&d->m, g), "out of memory");
	d->up = true;
	dev_allow(d, g->cfg.used_gpa, virtq_used_bytes(g->cfg.size));
	guest_snapshot(g);
	monitor_start(&d->mon, g, &d->q);
	return true;
}

void dev_fini(struct fuzz_dev *d)
{
	if (!d->up)
		return;
	if (!d->probed) {
		check_writes(d);
		check_used_ring(d);
	}
	monitor_stop(&d->mon);
	model_free(&d->m);
	free(d->allowed);
	d->allowed = NULL;
	d->nallowed = d->cap_allowed = 0;
	d->up = false;
}

/* Segments core handed out, mapped back to guest addresses, vs the model's. */
static void compare_segments(struct fuzz_dev *d, const struct virtq_iov *rd,
			     const struct virtq_iov *wr, const struct model_walk *w)
{
	uint32_t ir = 0, iw = 0;

	for (uint32_t k = 0; k < w->nseg; k++) {
		const struct model_seg *ms = &w->seg[k];
		const struct virtq_seg *cs;
		uint64_t gpa = 0;

		FUZZ_ASSERT((ms->writable ? iw < wr->n : ir < rd->n),
			    "core yielded fewer %s segments than the model", ms->writable ? "writable" : "readable");
		cs = ms->writable ? &wr->seg[iw++] : &rd->seg[ir++];
		FUZZ_ASSERT(guest_gpa(d->g, cs->addr, &gpa), "segment outside guest memory");
		FUZZ_ASSERT(gpa == ms->gpa && cs->len == ms->len && cs->writable == ms->writable,
			    "segment %u: core (0x%llx, %u, %s), model (0x%llx, %u, %s)", k,
			    (unsigned long long)gpa, cs->len, cs->writable ? "w" : "r",
			    (unsigned long long)ms->gpa, ms->len, ms->writable ? "w" : "r");
	}
	FUZZ_ASSERT(ir == rd->n && iw == wr->n, "core yielded %u+%u segments, model %u+%u",
		    rd->n, wr->n, ir, iw);
}

/* Exactly the fetches the model's walk makes: no double fetch, no extra. */
static void compare_fetches(struct fuzz_dev *d, const struct model_walk *w)
{
	FUZZ_ASSERT(d->mon.nloads == w->nvisit,
		    "core fetched %u descriptors, the walk visits %u (double fetch?)",
		    d->mon.nloads, w->nvisit);
	for (uint32_t k = 0; k < w->nvisit; k++)
		FUZZ_ASSERT(d->mon.loads[k] == w->visit[k],
			    "fetch %u at 0x%llx, walk expects 0x%llx", k,
			    (unsigned long long)d->mon.loads[k], (unsigned long long)w->visit[k]);
}

/*
 * The device consumes the chain: reads the readable bytes, writes the
 * writable ones, up to DEV_MAX_COPY each way (a chain may name the same
 * buffer thousands of times; copying gigabytes would test nothing more).
 */
static void consume(struct virtq_iov *rd, struct virtq_iov *wr)
{
	uint64_t left, budget;

	for (budget = DEV_MAX_COPY; (left = virtq_iov_remaining(rd)) != 0 && budget; budget -= left) {
		left = left < sizeof(scratch) ? left : sizeof(scratch);
		left = left < budget ? left : budget;
		FUZZ_ASSERT(virtq_iov_read(rd, scratch, left) == left, "readable cursor stuck");
	}
	memset(scratch, 0xD5, sizeof(scratch));
	for (budget = DEV_MAX_COPY; (left = virtq_iov_remaining(wr)) != 0 && budget; budget -= left) {
		left = left < sizeof(scratch) ? left : sizeof(scratch);
		left = left < budget ? left : budget;
		FUZZ_ASSERT(virtq_iov_write(wr, scratch, left) == left, "writable cursor stuck");
	}
}

/*
 * A hostile driver may hand out a writable buffer that overlaps the used ring;
 * the device's data then lands there too.  Follow it in the model's copy.
 */
static void mirror_data_into_used(struct fuzz_dev *d, const struct model_walk *w)
{
	uint64_t lo = d->g->cfg.used_gpa, hi = lo + virtq_used_bytes(d->g->cfg.size);
	uint64_t budget = DEV_MAX_COPY;

	for (uint32_t k = 0; k < w->nseg && budget; k++) {
		uint64_t a = w->seg[k].gpa, b = a + w->seg[k].len;

		if (!w->seg[k].writable)
			continue;
		if (b - a > budget)
			b = a + budget;
		budget -= b - a;
		if (b <= lo || a >= hi)
			continue;
		a = a < lo ? lo : a;
		b = b > hi ? hi : b;
		memset(d->m.used + (a - lo), 0xD5, b - a);
	}
}

static void remember(struct fuzz_dev *d, const struct virtq_chain *c, uint64_t cap)
{
	struct dev_rec *r = &d->rec[d->nrec < DEV_MAX_RECS ? d->nrec++ : (d->nrec++ % DEV_MAX_RECS)];

	r->chain = *c;
	r->head = virtq_chain_head(c);
	r->returned = false;
	r->cap = cap;
}

/* Walk a chain core just handed out (pop or reopen) and check it against @w. */
static void finish_chain(struct fuzz_dev *d, struct virtq_chain *c, struct model_walk *w)
{
	struct virtq_iov rd, wr;
	int crc;

	virtq_iov_init(&rd, rseg, d->iov_cap);
	virtq_iov_init(&wr, wseg, d->iov_cap);
	crc = named(virtq_chain_collect(c, &rd, &wr));
	FUZZ_ASSERT(crc <= 0, "collect returned %d", crc);
	if (d->differential) {
		FUZZ_ASSERT(virtq_chain_head(c) == w->head, "head %u, model %u", virtq_chain_head(c),
			    w->head);
		FUZZ_ASSERT(crc == w->err, "chain ended with %s, model %s", virtq_err_name(crc),
			    virtq_err_name(w->err));
		compare_segments(d, &rd, &wr, w);
		compare_fetches(d, w);
		FUZZ_ASSERT(c->writable == w->writable, "writable bytes %llu, model %llu",
			    (unsigned long long)c->writable, (unsigned long long)w->writable);
		/* The model's writable buffers, not core's, are what may be written. */
		for (uint32_t k = 0; k < w->nseg; k++)
			if (w->seg[k].writable)
				dev_allow(d, w->seg[k].gpa, w->seg[k].len);
	} else {
		for (uint32_t k = 0; k < wr.n; k++) {
			uint64_t gpa = 0;

			guest_gpa(d->g, wseg[k].addr, &gpa);
			dev_allow(d, gpa, wseg[k].len);
		}
	}
	consume(&rd, &wr);
	if (d->differential)
		mirror_data_into_used(d, w);
	monitor_settle(&d->mon);
	remember(d, c, c->writable);
}

/* Pop (or re-open @head) in core and in the model, then walk the chain. */
static int open_chain(struct fuzz_dev *d, bool reopen, uint16_t head)
{
	struct virtq_chain c;
	struct model_walk w = {.seg = mseg, .visit = mvisit};
	int rc, mrc;

	if (!d->up)
		return VIRTQ_E_INVAL;
	/* Work per pop is bounded by core; work per run is bounded here. */
	if (d->mon.total_loads > DEV_MAX_FETCHES)
		return 0;
	w.cap = d->iov_cap; /* the model fails where the device's arrays end */
	monitor_window(&d->mon);
	rc = named(reopen ? virtq_reopen(&d->q, head, &c) : virtq_pop(&d->q, &c));
	monitor_settle(&d->mon);
	if (d->differential) {
		mrc = reopen ? model_reopen(&d->m, head, &w) : model_pop(&d->m, &w);
		FUZZ_ASSERT(rc == mrc, "%s %s, model %s", reopen ? "virtq_reopen" : "virtq_pop",
			    virtq_err_name(rc), virtq_err_name(mrc));
	}
	if (rc == 1)
		finish_chain(d, &c, &w);
	return rc;
}

int dev_pop(struct fuzz_dev *d)
{
	return open_chain(d, false, 0);
}

int dev_reopen(struct fuzz_dev *d, uint16_t head)
{
	return open_chain(d, true, head);
}

void dev_resync_used(struct fuzz_dev *d)
{
	if (d->up)
		guest_read(d->g, d->g->cfg.used_gpa, d->m.used, virtq_used_bytes(d->g->cfg.size));
}

int dev_fill(struct fuzz_dev *d, unsigned pick, uint32_t written)
{
	struct dev_rec *r;
	int rc, mrc;
	unsigned n = d->nrec < DEV_MAX_RECS ? d->nrec : DEV_MAX_RECS;

	if (!d->up || n == 0)
		return VIRTQ_E_INVAL;
	r = &d->rec[pick % n];
	rc = named(virtq_fill(&d->q, &r->chain, written));
	monitor_settle(&d->mon);
	if (d->differential) {
		mrc = model_fill(&d->m, r->head, r->returned, r->cap, written);
		FUZZ_ASSERT(rc == mrc, "virtq_fill(head %u) %s, model %s", r->head, virtq_err_name(rc),
			    virtq_err_name(mrc));
	}
	if (rc == 0) {
		FUZZ_ASSERT(!r->returned, "chain of head %u returned twice", r->head);
		r->returned = true;
		if ((uint16_t)(d->exp_next - d->exp_published) == d->g->cfg.size)
			d->exp_published = d->exp_next; /* a full ring is flushed first */
		d->exp_next++;
	}
	FUZZ_ASSERT(d->q.published == d->exp_published,
		    "used idx published %u, the returns so far imply %u", d->q.published,
		    d->exp_published);
	return rc;
}

bool dev_flush(struct fuzz_dev *d)
{
	bool notify, mnotify;
	int rc;

	if (!d->up)
		return false;
	rc = named(virtq_flush(&d->q));
	monitor_settle(&d->mon);
	if (d->differential)
		FUZZ_ASSERT(rc == model_flush(&d->m), "virtq_flush %s, model disagrees",
			    virtq_err_name(rc));
	/* Used idx moved by exactly the number of entries returned. */
	if (rc == 0)
		d->exp_published = d->exp_next;
	FUZZ_ASSERT(d->q.published == d->exp_published,
		    "used idx published %u after the flush, the returns imply %u", d->q.published,
		    d->exp_published);
	notify = virtq_should_notify(&d->q);
	monitor_settle(&d->mon);
	if (d->differential) {
		mnotify = model_should_notify(&d->m);
		FUZZ_ASSERT(notify == mnotify, "should_notify %d, model %d", notify, mnotify);
	}
	check_used_ring(d);
	return notify;
}

int dev_kicks(struct fuzz_dev *d, bool on)
{
	int rc, mrc = 0;

	if (!d->up)
		return VIRTQ_E_INVAL;
	rc = named(on ? virtq_enable_kicks(&d->q) : virtq_disable_kicks(&d->q));
	monitor_settle(&d->mon);
	if (d->differential) {
		mrc = on ? model_enable_kicks(&d->m) : model_disable_kicks(&d->m);
		FUZZ_ASSERT(rc == mrc, "%s_kicks %s, model %s", on ? "enable" : "disable",
			    virtq_err_name(rc), virtq_err_name(mrc));
	}
	check_used_ring(d);
	return rc;
}

void dev_reset(struct fuzz_dev *d)
{
	if (!d->up)
		return;
	virtq_reset(&d->q);
	model_reset(&d->m);
	d->exp_next = d->exp_published = 0;
	/* GEN-RST-2: a reset touches no guest memory. */
	check_writes(d);
}

int dev_restore(struct fuzz_dev *d, uint16_t last_avail, uint16_t used_idx)
{
	int rc, mrc;

	if (!d->up)
		return VIRTQ_E_INVAL;
	check_used_ring(d); /* before the model takes the guest's used ring as given */
	rc = named(virtq_restore(&d->q, last_avail, used_idx));
	mrc = model_restore(&d->m, last_avail, used_idx);
	FUZZ_ASSERT(rc == mrc, "virtq_restore %s, model %s", virtq_err_name(rc), virtq_err_name(mrc));
	if (rc == 0) {
		d->exp_next = d->exp_published = used_idx;
		/* The model's used ring is what the guest holds now. */
		guest_read(d->g, d->g->cfg.used_gpa, d->m.used, virtq_used_bytes(d->g->cfg.size));
	}
	check_writes(d);
	return rc;
}

void dev_drain(struct fuzz_dev *d)
{
	int rc;

	if (!d->up)
		return;
	/* Each pop consumes an avail entry, so 2 * size + 2 rounds always suffice. */
	for (uint32_t i = 0; i < 2 * d->g->cfg.size + 2 && i < DEV_MAX_POPS; i++) {
		rc = dev_pop(d);
		if (rc == 1) {
			dev_fill(d, (d->nrec - 1) % DEV_MAX_RECS, UINT32_MAX);
			continue;
		}
		if (rc == 0 || virtq_err_is_fatal(rc))
			break;
	}
	dev_flush(d);
}

/* A descriptor index no chain holds, or -1 when all are in flight. */
static int free_desc(const struct fuzz_dev *d)
{
	for (uint32_t i = 0; i < d->g->cfg.size; i++)
		if (!(d->q.inflight_map[i / 64] >> (i % 64) & 1))
			return (int)i;
	return -1;
}

void dev_probe(struct fuzz_dev *d)
{
	const struct virtq_queue_config *c;
	uint8_t desc[16] = {0};
	uint16_t at;
	struct virtq_chain chain;
	struct virtq_seg s;
	int head, rc;

	if (!d->up)
		return;
	if (d->mon.total_loads > DEV_MAX_FETCHES) { /* over budget: no probe this run */
		d->probed = false;
		return;
	}
	/* Last look before the probe writes memory the model does not follow. */
	check_writes(d);
	check_used_ring(d);
	d->probed = true;
	monitor_stop(&d->mon);
	c = &d->g->cfg;
	for (uint32_t i = 0;; i++) {
		if (i == DEV_MAX_POPS) { /* too much left to drain: no probe this run */
			monitor_start(&d->mon, d->g, &d->q);
			return;
		}
		rc = virtq_pop(&d->q, &chain);
		if (rc == 0 || virtq_err_is_fatal(rc))
			break;
	}
	if (virtq_broken(&d->q)) {
		FUZZ_ASSERT(virtq_pop(&d->q, &chain) == VIRTQ_E_BROKEN, "broken queue still pops");
		monitor_start(&d->mon, d->g, &d->q);
		return;
	}
	head = free_desc(d);
	if (head < 0) { /* every descriptor in flight: the driver cannot add anything */
		monitor_start(&d->mon, d->g, &d->q);
		return;
	}
	/* One zero-length readable descriptor: valid wherever memory is. */
	guest_write(d->g, c->desc_gpa + 16ull * (unsigned)head, desc, 16);
	at = virtq_last_avail(&d->q);
	guest_put_le16(d->g, c->avail_gpa + 4 + 2ull * (at % c->size), (uint16_t)head);
	guest_put_le16(d->g, c->avail_gpa + 2, (uint16_t)(at + 1));
	rc = virtq_pop(&d->q, &chain);
	FUZZ_ASSERT(rc == 1 && virtq_chain_head(&chain) == head,
		    "after the run a well-formed chain (head %d) is not served: pop %s", head,
		    virtq_err_name(rc));
	FUZZ_ASSERT(virtq_chain_next(&chain, &s) == 0, "probe chain walk failed");
	FUZZ_ASSERT(virtq_push(&d->q, &chain, 0, NULL) == 0, "probe chain push failed");
	monitor_start(&d->mon, d->g, &d->q);
}
