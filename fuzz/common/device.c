/* SPDX-License-Identifier: MIT */
/* The device side of a fuzz run (see device.h): set-up, returns, notifications, kicks, the life cycle. */
#include "device.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "judge.h"
#include "vguest/layout.h"

void dev_allow(struct fuzz_dev *d, uint64_t gpa, uint64_t len)
{
	d->allowed = vg_store_get(&d->keep.allowed, (d->nallowed + 1) * sizeof(*d->allowed), false);
	FUZZ_ASSERT(d->allowed != NULL, "out of memory");
	d->allowed[d->nallowed++] = (struct vg_seg){gpa, (uint32_t)len, true};
}

bool dev_holds(const struct fuzz_dev *d, uint16_t h) { return h < d->im->size && d->held[h]; }

bool dev_judged(const struct fuzz_dev *d) { return d->mode == DEV_MODEL && d->in_step; }

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
	d->ad = &vdut_device;
	d->im = im;
	d->mode = mode;
	d->exact = d->ad->caps & VDUT_CAP_EXACT;
	fill_params(d, &p);
	rc = d->ad->create(&p, &d->q, &d->lim);
	/*
	 * The shadow holds what the driver wrote, so whatever else the create
	 * left in guest memory is the device's, judged like any later write and
	 * not taken as the baseline: a device that "initialises" the descriptor
	 * table or the avail ring loses what the driver laid out (SPLIT-DESC-5,
	 * AV-1).  Accepted, the used ring is the device's to write; refused,
	 * nothing is.
	 */
	if (rc == VDUT_OK)
		dev_allow(d, im->used, vg_used_bytes(im->size));
	check_writes(d);
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
	if (!d->exact && dev_judged(d) && (uint16_t)(d->m.next_used - d->m.published) == d->im->size) {
		d->in_step = false;
		return;
	}
	/* Only an exact device is asked to defend against its caller's mistakes. */
	claim = d->exact ? written : (written < r->wrote ? written : r->wrote);
	/* Out of step (another device, after the driver broke a rule): safety alone is judged. */
	if (!dev_judged(d) && r->returned)
		return;
	if (dev_judged(d))
		want = vg_model_fill(&d->m, &r->mc, claim);
	if (!d->exact && want != VG_R_NONE)
		return;
	rc = d->ad->push(d->q, &r->c, claim);
	monitor_settle(&d->mon);
	if (dev_judged(d))
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
	if (dev_judged(d)) {
		want = vg_model_flush(&d->m);
		judge_rc("model-used", "publish", d->exact, rc, VG_R_OTHER, want);
		dev_check_used(d);
	}
	rc = d->ad->should_notify(d->q, &n);
	monitor_settle(&d->mon);
	FUZZ_ORACLE("model-notify", rc == VDUT_OK, "should_notify: %s", vdut_rc_name(rc));
	if (dev_judged(d)) {
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
	if (!dev_judged(d))
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

	if (!dev_judged(d) || !d->exact || !(d->ad->caps & VDUT_CAP_GET_INDICES))
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
	 * onto a reused mapping), and each copies the region (without ASan also
	 * two mprotect calls and a TLB shootdown): past DEV_MAX_REMAPS in a run
	 * they are skipped.
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
