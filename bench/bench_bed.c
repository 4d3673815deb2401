/* SPDX-License-Identifier: MIT */
/*
 * One queue, one workload (bench.h): the guest's driver fills the ring with
 * one workload's chains, the implementation of the cell drains it (the timed
 * part), the driver reaps what was used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "virtq_interop/vringh_device.h"
#include "vguest/driver.h"
#include "vguest/mem.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct bed {
	struct vg_mem mem;
	struct vg_drv *drv;
	/* The region table every implementation gets; it outlives them. */
	struct virtq_mem_region table[VG_MAX_REGIONS];
	struct virtq_mem vmem;
	struct vg_chain tmpl;
	unsigned ndirect;
	uint32_t wlen;
	struct bench_core *core;
	struct virtq_vringh *vrh;
	struct bench_kern *kern;
};

static void bed_setup(struct bed *b, const struct cell *c)
{
	uint64_t features = VG_FEATURE(VG_F_VERSION_1) | VG_FEATURE(VG_F_INDIRECT_DESC) |
			    (c->ev ? VG_FEATURE(VG_F_EVENT_IDX) : 0);
	static unsigned char hdr[16], data[512];
	struct virtq_queue_config cfg;
	int err = 0;

	memset(b, 0, sizeof(*b));
	vg_mem_init(&b->mem, VG_MEM_KINDS);
	/* Identity for every cell, so that all of them run on the same memory. */
	if (vg_mem_add_identity(&b->mem, ARENA_SIZE) < 0)
		die("guest memory: %s", strerror(errno));
	b->drv = vg_drv_create(&b->mem, QSIZE, features);
	if (!b->drv)
		die("%s", "guest driver");
	vg_chain_init(&b->tmpl);
	switch (c->w) {
	case W_1DESC:
		vg_chain_writable(b->drv, &b->tmpl, 1024);
		b->ndirect = VG_CHAIN_MAX;
		b->wlen = 1024;
		break;
	case W_4DESC:
		vg_chain_readable(b->drv, &b->tmpl, hdr, sizeof(hdr));
		vg_chain_readable(b->drv, &b->tmpl, data, sizeof(data));
		vg_chain_readable(b->drv, &b->tmpl, data, sizeof(data));
		vg_chain_writable(b->drv, &b->tmpl, 1);
		b->ndirect = VG_CHAIN_MAX;
		b->wlen = 1;
		break;
	default:
		vg_chain_readable(b->drv, &b->tmpl, hdr, sizeof(hdr));
		for (int i = 0; i < 7; i++)
			vg_chain_readable(b->drv, &b->tmpl, data, sizeof(data));
		vg_chain_writable(b->drv, &b->tmpl, 1);
		b->ndirect = 1;
		b->wlen = 1;
		break;
	}
	for (unsigned i = 0; i < b->mem.nr; i++)
		b->table[i] = (struct virtq_mem_region){b->mem.r[i].gpa, b->mem.r[i].size,
							b->mem.r[i].dev};
	if (virtq_mem_init(&b->vmem, b->table, b->mem.nr) != 0)
		die("%s", "virtq_mem_init");
	cfg = (struct virtq_queue_config){.size = b->drv->size, .desc_gpa = b->drv->desc,
					  .avail_gpa = b->drv->avail, .used_gpa = b->drv->used,
					  .features = b->drv->features, .mem = &b->vmem};
	switch (c->impl) {
	case I_CORE:
		b->core = calloc(1, sizeof(*b->core));
		if (!b->core || virtq_init(&b->core->q, &cfg) != 0)
			die("%s", "virtq_init");
		break;
	case I_VRINGH:
		b->vrh = virtq_vringh_create(&cfg, BENCH_MAX_SEGS, &err);
		if (!b->vrh)
			die("%s", "virtq_vringh_create");
		break;
	case I_KERN:
		b->kern = bench_kern_create(&cfg);
		if (!b->kern)
			die("%s", "bench_kern_create (is guest memory identity-mapped?)");
		break;
	default:
		die("%s", "core-o2 runs in the --o2 binary, not here");
	}
}

static void bed_teardown(struct bed *b)
{
	free(b->core);
	virtq_vringh_destroy(b->vrh);
	bench_kern_destroy(b->kern);
	vg_drv_destroy(b->drv);
	vg_mem_destroy(&b->mem);
}

/*
 * Serve at least @chains chains in whole rounds; @return device seconds.
 * Exits on any miscount: a benchmark that loses chains measures nothing.
 */
static double bed_run(struct bed *b, const struct cell *c, uint64_t chains,
		      struct bench_count *cnt)
{
	double t = 0;

	memset(cnt, 0, sizeof(*cnt));
	while (cnt->served < chains) {
		uint64_t added = 0, got = 0, n;
		double t0;

		while (vg_drv_add(b->drv, &b->tmpl, b->ndirect, added) >= 0)
			added++;
		vg_drv_publish(b->drv);
		t0 = bench_now();
		if (c->impl == I_CORE)
			n = bench_serve_core(b->core, c->batch, b->wlen, cnt);
		else if (c->impl == I_VRINGH)
			n = bench_serve_vringh(b->vrh, c->batch, b->wlen, cnt);
		else
			n = bench_serve_vringh_kern(b->kern, c->batch, b->wlen, cnt);
		t += bench_now() - t0;
		while (vg_drv_get_used(b->drv, NULL, NULL, NULL) == 1)
			got++;
		if (n != added || got != added || cnt->errors)
			die("%s", "chains lost or failed: the benchmark is broken");
		if (c->ev)
			vg_drv_set_used_event(b->drv, b->drv->last_used);
	}
	return t;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One cell of this binary, untimed, @chains chains (what callgrind counts). */
uint64_t serve_cell(const struct cell *c, uint64_t chains)
{
	struct bench_count cnt;
	struct bed b;

	bed_setup(&b, c);
	(void)bed_run(&b, c, chains, &cnt);
	bed_teardown(&b);
	return cnt.served;
}

/* Median chains/s over @reps repetitions of @chains (after one warm-up). */
double time_cell(const struct cell *c, uint64_t chains, unsigned reps, struct result *r)
{
	double rate[16];
	struct bench_count cnt;
	struct bed b;

	if (reps > 16)
		reps = 16;
	bed_setup(&b, c);
	(void)bed_run(&b, c, chains / 4 + 1, &cnt);
	for (unsigned i = 0; i < reps; i++) {
		double t = bed_run(&b, c, chains, &cnt);

		rate[i] = t > 0 ? (double)cnt.served / t : 0;
	}
	bed_teardown(&b);
	qsort(rate, reps, sizeof(rate[0]), bench_cmp_double);
	r->notifies = cnt.notifies;
	r->served = cnt.served;
	return reps ? rate[reps / 2] : 0;
}
