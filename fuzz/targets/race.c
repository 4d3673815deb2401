/* SPDX-License-Identifier: MIT */
/*
 * race: a driver on another CPU rewrites guest memory while the device reads
 * it.  The input is a rings-style guest image plus `mutate` ops; each says
 * "just before the device's at-th load of a ring field or descriptor, xor
 * val into byte off of the descriptor table / avail ring (off < 0x8000) or
 * of the data window (off >= 0x8000, where indirect tables live)".  The
 * guest's racing driver (vguest/race.h) makes them, from the device's access
 * log (VDUT_CAP_ACCESS_LOG: this target needs one).
 * Oracle, per pop: replaying the model's walk over exactly the values the
 * device fetched reproduces its fetches one for one (a second fetch within a
 * hop, the TOCTOU shape, is a mismatch: oracle fetches), its segments and its
 * verdict (model-walk, model-segments): the chain served follows from one
 * read of each descriptor, whatever the racer did after it.  Plus the
 * invariants of device.h (stray writes, bounded work, probe).
 * A chain that revisits a slot is a loop in any static view; when the racer
 * rewrites the slot between visits, hop counting (as in vringh and QEMU) can
 * still accept it.  That is memory-safe and the replay checks it too.
 */
#include <string.h>

#include "fuzz.h"
#include "run.h"
#include "targets.h"
#include "vguest/race.h"
#define MAX_FETCHES (VG_MAX_QUEUE + (1u << 18) + 16u)

static const struct script_op race_ops[] = {
	DRIVER_OP_TABLE,
	{"mutate", 3, {{"at", 2}, {"off", 2}, {"val", 1}}, "racing write before load #at"},
};
const struct script_def race_def = {"race", 5, FUZZ_HEADER_FIELDS, sizeof(race_ops) / sizeof(race_ops[0]),
				    race_ops};

struct race {
	struct fz_image *im;
	struct vg_race racer; /* the guest's racing driver */
	/* what each descriptor fetch of the current pop returned, in fetch order */
	uint64_t fetch_gpa[MAX_FETCHES];
	uint8_t fetch_raw[MAX_FETCHES][16];
	uint32_t nfetch;
};

static struct race race;
static struct vg_seg rseg[MAX_FETCHES * 5u];
static uint64_t rvisit[MAX_FETCHES];

/* A byte the racing driver may write: driver-owned areas only. */
static uint64_t target_gpa(const struct fz_image *im, uint16_t off)
{
	uint64_t desc = vg_desc_bytes(im->size), ring = desc + vg_avail_bytes(im->size);

	if (off < 0x8000)
		return off % ring < desc ? im->desc + off % ring : im->avail + (off % ring - desc);
	return DATA_GPA + (off & 0x7fffu) * 2u % DATA_LEN;
}

static void before_load(void *arg, enum vdut_access kind, const void *hva, size_t size)
{
	struct race *rc = arg;
	uint64_t gpa;

	(void)size;
	vg_race_before_load(&rc->racer);
	if (kind != VDUT_ACC_LOAD_DESC || rc->nfetch >= MAX_FETCHES)
		return;
	/* The bytes the device is about to read: the snapshot it must be consistent with. */
	if (vg_mem_gpa_of(rc->im->mem, hva, &gpa)) {
		rc->fetch_gpa[rc->nfetch] = gpa;
		memcpy(rc->fetch_raw[rc->nfetch], hva, 16);
		rc->nfetch++;
	}
}

/* The walk reads descriptor k from what the device's k-th fetch returned. */
static void replay_fetch(void *arg, uint32_t k, uint64_t gpa, uint8_t raw[16])
{
	struct race *rc = arg;

	FUZZ_ORACLE("fetches", k < rc->nfetch, "the walk needs fetch %u, the device made %u", k, rc->nfetch);
	FUZZ_ORACLE("fetches", rc->fetch_gpa[k] == gpa, "fetch %u: the device read 0x%llx, the walk is at 0x%llx",
		    k, (unsigned long long)rc->fetch_gpa[k], (unsigned long long)gpa);
	memcpy(raw, rc->fetch_raw[k], 16);
}

/*
 * Replay the walk over exactly what the device fetched.  Every hop must be
 * one fetch (a second fetch within a hop shows as a count mismatch), and the
 * chain served must follow from those values alone.
 */
static void check_snapshot(void *arg, struct fuzz_dev *d, const struct dut_pop *dp)
{
	struct race *rc = arg;
	struct vg_walk w = {.seg = rseg, .seg_cap = sizeof(rseg) / sizeof(rseg[0]), .visit = rvisit,
			    .visit_cap = MAX_FETCHES, .read_desc = replay_fetch, .arg = rc};

	if (dp->rc == VDUT_OK) {
		vg_model_walk(d->im->mem, &d->cfg, dp->head, &w);
		FUZZ_ORACLE("fetches", w.nvisit == rc->nfetch, "the device fetched %u descriptors, the walk reads %u",
			    rc->nfetch, w.nvisit);
		judge_walk(d->im->mem, d->exact, &dp->w, &w);
	}
	rc->nfetch = 0;
}

int fuzz_race_run(const uint8_t *data, size_t size)
{
	static struct fuzz_dev d;
	struct fuzz_run r;
	struct script_vals op;

	if (!run_begin(&r, &race_def, data, size, vdut_device.features))
		return 0;
	race.im = &r.im;
	race.nfetch = 0;
	vg_race_init(&race.racer, r.im.mem);
	while (script_read_op(&r.in, &race_def, &op)) {
		if (op.op < DRIVER_OPS)
			driver_apply(&r.drv, &op);
		else
			vg_race_add(&race.racer, (uint16_t)op.v[0], target_gpa(&r.im, (uint16_t)op.v[1]),
				    (uint8_t)op.v[2]);
	}
	if (dev_init(&d, &r.im, DEV_RACE)) {
		FUZZ_ASSERT(d.mon.on, "the race target needs a device with an access log (VDUT_CAP_ACCESS_LOG)");
		d.mon.before_load = before_load;
		d.mon.arg = &race;
		d.race_check = check_snapshot;
		d.race_arg = &race;
		for (uint32_t i = 0; i < 2 * r.im.size + 2; i++) {
			enum dev_step st = dev_pop(&d);

			if (st == DEV_CHAIN)
				dev_fill(&d, (d.nrec - 1) % DEV_MAX_RECS, UINT32_MAX);
			else if (st != DEV_REJECTED)
				break;
		}
		dev_flush(&d);
		d.mon.before_load = NULL;
		d.race_check = NULL;
		dev_probe(&d);
		dev_fini(&d);
	}
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_race_run)
