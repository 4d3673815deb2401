/* SPDX-License-Identifier: MIT */
/*
 * race: a driver on another CPU rewrites guest memory while the device reads
 * it.  The input is a rings-style guest image plus `mutate` ops; each says
 * "just before the device's at-th load of a ring field or descriptor, xor
 * val into byte off of the descriptor table / avail ring (off < 0x8000) or
 * of the data window (off >= 0x8000, where indirect tables live)".  The hook
 * on core's shared-memory seam runs them.  Oracle, per pop:
 *   - replaying the walk over exactly the values core fetched reproduces its
 *     fetches one for one (a second fetch within a hop, the TOCTOU shape, is
 *     a mismatch), its segments and its verdict: the chain served follows
 *     from one read of each descriptor, whatever the racer did after it;
 *   - the invariants of device.h (stray writes, bounded work, probe).
 * A chain that revisits a slot is a loop in any static view; when the racer
 * rewrites the slot between visits, hop counting (as in vringh and QEMU)
 * can still accept it.  That is memory-safe and the replay checks it too.
 */
#include <string.h>

#include "run.h"
#include "fuzz.h"
#include "targets.h"

#define MAX_MUTATIONS 64

static const struct script_op race_ops[] = {
	DRIVER_OP_TABLE,
	{"mutate", 3, {{"at", 2}, {"off", 2}, {"val", 1}}, "racing write before load #at"},
};
const struct script_def race_def = {"race", 5, FUZZ_HEADER_FIELDS,
				    sizeof(race_ops) / sizeof(race_ops[0]), race_ops};

struct mutation {
	uint16_t at, off;
	uint8_t val;
};

struct race {
	struct fuzz_guest *g;
	struct mutation mut[MAX_MUTATIONS];
	unsigned nmut;
	uint32_t loads;
	/* what each descriptor fetch returned, in fetch order */
	uint64_t fetch_gpa[MODEL_MAX_VISITS];
	uint8_t fetch_raw[MODEL_MAX_VISITS][16];
	uint32_t nfetch;
};

static struct race race;

/* A byte the racing driver may write: driver-owned areas only. */
static uint64_t target_gpa(const struct fuzz_guest *g, uint16_t off)
{
	uint64_t ring = virtq_desc_bytes(g->cfg.size) + virtq_avail_bytes(g->cfg.size);

	if (off < 0x8000)
		return off % ring < virtq_desc_bytes(g->cfg.size)
			       ? g->cfg.desc_gpa + off % ring
			       : g->cfg.avail_gpa + (off % ring - virtq_desc_bytes(g->cfg.size));
	return DATA_GPA + (off & 0x7fffu) * 2u % DATA_LEN;
}

/* Driver writes are not device writes: keep the stray-write shadow in step. */
static void racing_write(struct fuzz_guest *g, uint64_t gpa, uint8_t x)
{
	struct fuzz_region *r = guest_region(g, gpa);

	if (r == NULL)
		return;
	r->host[gpa - r->gpa] ^= x;
	if (r->shadow)
		r->shadow[gpa - r->gpa] ^= x;
}

static void before_load(void *arg, enum virtq_shm_what what, const void *addr, size_t size)
{
	struct race *rc = arg;
	uint64_t gpa;

	(void)size;
	for (unsigned i = 0; i < rc->nmut; i++)
		if (rc->mut[i].at == rc->loads)
			racing_write(rc->g, target_gpa(rc->g, rc->mut[i].off), rc->mut[i].val);
	rc->loads++;
	if (what != VIRTQ_SHM_DESC || rc->nfetch >= MODEL_MAX_VISITS)
		return;
	/* The bytes core is about to read: the snapshot it must be consistent with. */
	if (guest_gpa(rc->g, addr, &gpa)) {
		rc->fetch_gpa[rc->nfetch] = gpa;
		memcpy(rc->fetch_raw[rc->nfetch], addr, 16);
		rc->nfetch++;
	}
}

static struct virtq_seg rseg[MODEL_MAX_SEGS], wseg[MODEL_MAX_SEGS];
static struct model_seg mseg[MODEL_MAX_SEGS];
static uint64_t mvisit[MODEL_MAX_VISITS];

/* The walk reads descriptor k from what core's k-th fetch returned. */
static void replay_fetch(void *arg, uint32_t k, uint64_t gpa, uint8_t raw[16])
{
	struct race *rc = arg;

	FUZZ_ASSERT(k < rc->nfetch, "the walk needs fetch %u, core made %u", k, rc->nfetch);
	FUZZ_ASSERT(rc->fetch_gpa[k] == gpa, "fetch %u: core read 0x%llx, the walk is at 0x%llx", k,
		    (unsigned long long)rc->fetch_gpa[k], (unsigned long long)gpa);
	memcpy(raw, rc->fetch_raw[k], 16);
}

/*
 * Replay the walk over exactly what core fetched.  Every hop must be one
 * fetch (a second fetch within a hop is a double fetch and shows as a count
 * mismatch), and the segments served must follow from those values alone.
 */
static void check_snapshot(struct fuzz_dev *d, const struct virtq_chain *c, int crc,
			   const struct virtq_iov *rd, const struct virtq_iov *wr)
{
	struct model_walk w = {.seg = mseg, .visit = mvisit, .read_desc = replay_fetch, .arg = &race};
	uint32_t ir = 0, iw = 0;

	model_walk_chain(d->g, d->g->cfg.size, d->m.imax, d->m.indirect, virtq_chain_head(c), &w);
	FUZZ_ASSERT(w.nvisit == race.nfetch, "core fetched %u descriptors, the walk visits %u",
		    race.nfetch, w.nvisit);
	FUZZ_ASSERT(crc == w.err, "chain ended %s, the walk over what was fetched says %s",
		    virtq_err_name(crc), virtq_err_name(w.err));
	for (uint32_t k = 0; k < w.nseg; k++) {
		const struct virtq_seg *s;
		uint64_t gpa = 0;

		FUZZ_ASSERT(w.seg[k].writable ? iw < wr->n : ir < rd->n, "segment %u missing", k);
		s = w.seg[k].writable ? &wr->seg[iw++] : &rd->seg[ir++];
		guest_gpa(d->g, s->addr, &gpa);
		FUZZ_ASSERT(gpa == w.seg[k].gpa && s->len == w.seg[k].len,
			    "segment %u does not follow from what was fetched: (0x%llx, %u) vs "
			    "(0x%llx, %u)", k, (unsigned long long)gpa, s->len,
			    (unsigned long long)w.seg[k].gpa, w.seg[k].len);
	}
	FUZZ_ASSERT(ir == rd->n && iw == wr->n, "segments beyond the walk over what was fetched");
}

static void serve(struct fuzz_dev *d)
{
	for (uint32_t i = 0; i < 2 * d->g->cfg.size + 2 && i < DEV_MAX_POPS; i++) {
		struct virtq_chain c;
		struct virtq_iov rd, wr;
		int rc, crc;

		if (d->mon.total_loads > DEV_MAX_FETCHES)
			break;
		race.nfetch = 0;
		monitor_window(&d->mon);
		rc = virtq_pop(&d->q, &c);
		if (rc != 1) {
			if (rc == 0 || virtq_err_is_fatal(rc))
				break;
			continue;
		}
		virtq_iov_init(&rd, rseg, MODEL_MAX_SEGS);
		virtq_iov_init(&wr, wseg, MODEL_MAX_SEGS);
		crc = virtq_chain_collect(&c, &rd, &wr);
		check_snapshot(d, &c, crc, &rd, &wr);
		for (uint32_t k = 0; k < wr.n; k++) {
			uint64_t gpa = 0;

			guest_gpa(d->g, wseg[k].addr, &gpa);
			dev_allow(d, gpa, wseg[k].len);
		}
		{
			static const uint8_t pat[4096] = {0xD5};
			uint64_t left = virtq_iov_remaining(&wr);

			/* A little data is enough to see where writes land. */
			virtq_iov_write(&wr, pat, left < sizeof(pat) ? left : sizeof(pat));
		}
		FUZZ_ASSERT(virtq_push(&d->q, &c, (uint32_t)virtq_iov_consumed(&wr), NULL) == 0,
			    "push of a served chain failed");
		monitor_settle(&d->mon);
	}
}

int fuzz_race_run(const uint8_t *data, size_t size)
{
	struct fuzz_run r;
	struct script_vals op;
	static struct fuzz_dev d;

	if (!run_begin(&r, &race_def, data, size))
		return 0;
	race.g = &r.g;
	race.nmut = 0;
	race.loads = 0;
	while (script_read_op(&r.in, &race_def, &op)) {
		if (op.op < DRIVER_OPS)
			driver_apply(&r.drv, &r.g, &op);
		else if (race.nmut < MAX_MUTATIONS)
			race.mut[race.nmut++] = (struct mutation){(uint16_t)op.v[0], (uint16_t)op.v[1],
								  (uint8_t)op.v[2]};
	}
	if (dev_init(&d, &r.g, false)) {
		d.mon.before_load = before_load;
		d.mon.arg = &race;
		serve(&d);
		d.mon.before_load = NULL;
		dev_probe(&d);
		dev_fini(&d);
	}
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_race_run)
