/* SPDX-License-Identifier: MIT */
/*
 * rings: the input is the guest's memory.  Header: queue size, features,
 * region layout with holes, the device's indirect bound, and a seed for the
 * device's choices; then driver ops that write descriptors, avail ring,
 * indirect tables, data and the initial used ring.  The device then pops
 * until empty or error, walks and serves every chain through its cursors,
 * returns the chains in a seed-chosen order with seed-chosen written counts
 * and batch sizes, and decides notifications.  Oracle: the reference model
 * (exact, or the spec's latitude, as the device declares) and the invariants
 * of device.h, whatever device is behind the interface.
 */
#include "fuzz.h"
#include "run.h"
#include "targets.h"

static const struct script_op rings_ops[] = {DRIVER_OP_TABLE};
const struct script_def rings_def = {"rings", 5, FUZZ_HEADER_FIELDS, DRIVER_OPS, rings_ops};

/* xorshift: the device's choices follow from the seed, reproducibly. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void serve(struct fuzz_dev *d, uint32_t seed)
{
	uint32_t s = seed | 1, order[DEV_MAX_RECS], n, batch = 1 + (seed >> 8) % 8;

	if (seed & 0x10000)
		dev_kicks(d, false);
	for (uint32_t i = 0; i < 2 * d->im->size + 2 && d->nrec < DEV_MAX_RECS; i++) {
		enum dev_step st = dev_pop(d);

		if (st != DEV_CHAIN && st != DEV_REJECTED)
			break;
	}
	n = d->nrec < DEV_MAX_RECS ? d->nrec : DEV_MAX_RECS;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n; i > 1; i--) { /* Fisher-Yates */
		uint32_t j = next_rand(&s) % i, t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t r = next_rand(&s);
		/* Sometimes more than the chain holds: the cap must hold (SPLIT-USED-3). */
		uint32_t written = r & 1 ? UINT32_MAX : r % (uint32_t)(d->rec[order[i]].cap + 17);

		dev_fill(d, order[i], written);
		if ((i + 1) % batch == 0)
			dev_flush(d);
	}
	dev_flush(d);
	if (seed & 0x20000)
		dev_kicks(d, true);
}

int fuzz_rings_run(const uint8_t *data, size_t size)
{
	static struct fuzz_dev d;
	struct fuzz_run r;
	struct script_vals op;

	if (!run_begin(&r, &rings_def, data, size, vdut_device.features))
		return 0;
	while (script_read_op(&r.in, &rings_def, &op))
		driver_apply(&r.drv, &op);
	if (dev_init(&d, &r.im, DEV_MODEL)) {
		serve(&d, r.im.seed);
		dev_probe(&d);
		dev_fini(&d);
	}
	run_end(&r);
	return 0;
}

FUZZ_ENTRY(fuzz_rings_run)
