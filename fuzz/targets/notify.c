/* SPDX-License-Identifier: MIT */
/*
 * notify: long publish sequences with arbitrary used_event, avail flags and
 * batch sizes, across the 16-bit wrap, EVENT_IDX on or off.  The driver only
 * changes flags and used_event between decisions (the quiescent rule of the
 * clause catalogue §4.4), so the model's decision is exact: required iff
 * (EVENT_IDX) used_event is one of the slots published since the last
 * decision, or (without) flags bit 0 is clear and something was published.
 * A required notification the device does not send fails (SPLIT-UNS-8,
 * UNS-10); an unneeded one fails an exact device and is counted for any other
 * (UNS-7, UNS-11); after a restore (jump, with VDUT_CAP_SET_INDICES) the first
 * decision may go either way (§4.2 item 2).
 */
#include <stdlib.h>

#include "device.h"
#include "fuzz.h"
#include "image.h"
#include "targets.h"

enum { N_EVENT, N_FLAGS, N_PUBLISH, N_JUMP, N_DECIDE };

static const struct script_op notify_ops[] = {
	{"event", 1, {{"v", 2}}, "used_event = v"},
	{"flags", 1, {{"v", 2}}, "avail flags = v"},
	{"publish", 1, {{"n", 1}}, "driver adds n%size+1 buffers; device serves them, flushes, decides"},
	{"jump", 1, {{"idx", 2}}, "both sides restart at index idx (restore)"},
	{"decide", 0, {{0}}, "device decides with nothing new published"},
};
const struct script_def notify_def = {"notify", 2, {{"feat", 1}, {"size", 1}},
				      sizeof(notify_ops) / sizeof(notify_ops[0]), notify_ops};

static uint64_t unneeded;

static void report(void)
{
	if (fuzz_verbose())
		fprintf(stderr, "notify: %llu unneeded notifications\n", (unsigned long long)unneeded);
}

/* The driver adds n one-descriptor chains (heads 0..n-1); the device serves them as one batch. */
static void publish(struct fuzz_dev *d, unsigned n)
{
	struct vg_drv *drv = d->im->drv;

	for (unsigned i = 0; i < n; i++)
		vg_drv_set_avail_ring(drv, (uint16_t)(drv->avail_idx + i), (uint16_t)i);
	vg_drv_set_avail_idx(drv, (uint16_t)(drv->avail_idx + n));
	for (unsigned i = 0; i < n; i++) {
		FUZZ_ORACLE("notify-serve", dev_pop(d) == DEV_CHAIN, "published buffer %u of %u not served", i, n);
		dev_fill(d, (d->nrec - 1) % DEV_MAX_RECS, 0);
	}
	dev_flush(d);
}

/* Both sides restart at @idx, as after a migration: the VMM restores the device's indices. */
static void jump(struct fuzz_dev *d, uint16_t idx)
{
	struct vg_drv *drv = d->im->drv;

	if (!(d->ad->caps & VDUT_CAP_SET_INDICES))
		return;
	vg_drv_set_avail_idx(drv, idx);
	dev_restore(d, idx, idx);
	/* The used idx the device had published before the save. */
	vg_mem_store16(d->im->mem, drv->used + VG_USED_IDX, idx, true);
	dev_resync_used(d);
}

int fuzz_notify_run(const uint8_t *data, size_t size)
{
	static bool registered;
	static struct fuzz_dev d;
	struct fz_image im;
	struct script_in in;
	struct script_vals h, op, gh = {0};

	if (!registered) {
		atexit(report);
		registered = true;
	}
	script_in_init(&in, data, size);
	script_read_header(&in, &notify_def, &h);
	gh.v[H_SIZE] = h.v[1] % 8; /* queues of 1..128: batches up to the size */
	gh.v[H_FEAT] = h.v[0] & 1 ? 2 : 0;
	if (!image_init(&im, &gh, vdut_device.features)) {
		image_fini(&im);
		return 0;
	}
	/* Every head: one readable byte of its own in the data window. */
	for (uint32_t i = 0; i < im.size; i++)
		vg_drv_write_desc(im.drv, (uint16_t)i, DATA_GPA + i, 1, 0, 0);
	if (dev_init(&d, &im, DEV_MODEL)) {
		d.max_pops = UINT32_MAX; /* one-descriptor chains: the length is the test */
		d.max_work = UINT64_MAX;
		while (script_read_op(&in, &notify_def, &op)) {
			switch (op.op) {
			case N_EVENT:
				vg_drv_set_used_event(im.drv, (uint16_t)op.v[0]);
				break;
			case N_FLAGS:
				vg_drv_set_avail_flags(im.drv, (uint16_t)op.v[0]);
				break;
			case N_PUBLISH:
				publish(&d, (unsigned)(op.v[0] % im.size) + 1);
				break;
			case N_JUMP:
				jump(&d, (uint16_t)op.v[0]);
				break;
			default:
				dev_flush(&d);
				break;
			}
		}
		unneeded += d.unneeded_notifications;
		dev_fini(&d);
	}
	image_fini(&im);
	return 0;
}

FUZZ_ENTRY(fuzz_notify_run)
