/* SPDX-License-Identifier: MIT */
/*
 * virtq_bench: the core against Linux's vringh on the same workloads from the
 * hostile guest's driver (guest/), and the two-thread round trip with Linux's
 * virtio driver.
 *
 * A cell is (implementation, workload, batch, EVENT_IDX).  Implementations:
 *   core         this library, as this binary was built (release: -O3 + LTO)
 *   core-o2      the core in another build of this program (--o2 PATH, the
 *                bench-o2 preset: -O2, no LTO), run as a child process
 *   vringh-user  vringh_*_user() with a getrange callback that looks every
 *                buffer and indirect table up in the region table
 *   vringh-kern  vringh_*_kern(): no range check, no translation; the bound
 *                for a device that does not translate addresses
 * Guest memory is one identity region (vg_mem_add_identity(): gpa == host
 * address), so the kern flavour can use addresses as pointers; the others
 * translate through the region table all the same.
 *
 * Each round the guest's driver fills a 256-entry ring with one workload's
 * chains and publishes them; the device then drains the ring (the timed part:
 * pop + walk + push + notify decision, serve.h) and the driver reaps the used
 * entries and, with EVENT_IDX, asks for an interrupt at the next entry as
 * Linux's enable_cb does.  Workloads (fixed buffers, reused every round):
 *   1desc   one 1024-byte writable buffer (a receive buffer)
 *   4desc   16-byte header, two 512-byte data buffers (readable), 1-byte status
 *   ind8    16-byte header direct, then an indirect table of 8: seven 512-byte
 *           readable buffers and a 1-byte status
 *
 *   virtq_bench [--chains N] [--reps R] [--roundtrip N] [--callgrind N]
 *               [--o2 PATH] [--json FILE] [--md FILE] [--only SUBSTRING]
 *   virtq_bench --smoke [--o2 PATH]   every cell and a round trip, tiny;
 *                                     checks counts
 *   virtq_bench --cell NAME --chains N   one cell, untimed (what --callgrind
 *                                        runs under valgrind)
 *   virtq_bench --time-cell NAME --chains N --reps R   one cell timed, the
 *                                        figures on stdout (what --o2 runs)
 *
 * Times are the median of R repetitions of N chains (device part only).
 * --callgrind N runs each cell again under valgrind --tool=callgrind for N
 * chains, counting instructions only inside the serve loop (toggle-collect on
 * bench_serve_*, serve.h), and reports Ir per chain.  For the core-o2 cells of
 * the split (every workload at batch 32 with EVENT_IDX, and 1desc at batch 1
 * with EVENT_IDX) it also reads callgrind's file for the self cost of each
 * function called inside the loop: without LTO they are out of line, so a
 * regression shows where it is.  Nothing here asserts on time: this is a
 * program, and the ctest that runs it (--smoke) only checks that every chain
 * was served.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"
#include "virtq/virtq.h"
#include "virtq_interop/linux_driver.h"
#include "virtq_interop/roundtrip.h"
#include "virtq_interop/vringh_device.h"
#include "vguest/driver.h"
#include "vguest/layout.h"
#include "vguest/mem.h"

#ifndef VIRTQ_BENCH_BUILD
#define VIRTQ_BENCH_BUILD "unknown"
#endif

#define QSIZE 256
#define ARENA_SIZE (8u << 20)
#define MAX_SPLIT 32 /* functions kept per split cell */

enum workload { W_1DESC, W_4DESC, W_IND8, W_COUNT };
static const char *const workload_name[W_COUNT] = {"1desc", "4desc", "ind8"};
static const char *const workload_text[W_COUNT] = {
	"1 descriptor", "4 descriptors", "1 + indirect 8"};

enum impl { I_CORE, I_CORE_O2, I_VRINGH, I_KERN, I_COUNT };
static const char *const impl_name[I_COUNT] = {"core", "core-o2", "vringh-user", "vringh-kern"};

struct cell {
	enum impl impl;
	enum workload w;
	unsigned batch;
	bool ev;
};

/* One function's self cost inside the serve loop (callgrind). */
struct split_fn {
	char name[96];
	double ir_per_chain;
};

struct result {
	struct cell c;
	double chains_per_sec; /* median of the repetitions; 0 if not timed */
	double ir_per_chain;   /* from callgrind; 0 if not measured */
	uint64_t notifies;     /* of the last repetition */
	uint64_t served;
	struct split_fn *split; /* core-o2 split cells with callgrind, else NULL */
	size_t nsplit;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

__attribute__((noreturn)) static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "virtq_bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/* core-o2 is the core of another binary: it runs there as "core". */
static enum impl child_impl(enum impl i)
{
	return i == I_CORE_O2 ? I_CORE : i;
}

static void cell_name(const struct cell *c, enum impl i, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/b%u/ev%d", impl_name[i], workload_name[c->w], c->batch, c->ev);
}

/* A cell this process can run (not core-o2). */
static bool parse_cell(const char *s, struct cell *c)
{
	for (int i = 0; i < I_COUNT; i++)
		for (int w = 0; w < W_COUNT; w++)
			for (unsigned b = 1; b <= 32; b *= 32)
				for (int ev = 0; ev < 2; ev++) {
					struct cell t = {(enum impl)i, (enum workload)w, b, ev != 0};
					char name[64];

					if (t.impl == I_CORE_O2)
						continue;
					cell_name(&t, t.impl, name, sizeof(name));
					if (strcmp(name, s) == 0) {
						*c = t;
						return true;
					}
				}
	return false;
}

/* The cells whose per-function split is reported (see the top). */
static bool split_cell(const struct cell *c)
{
	return c->impl == I_CORE_O2 && c->ev && (c->batch == 32 || c->w == W_1DESC);
}

/* ---- one queue, one workload ---- */

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
		t0 = now();
		if (c->impl == I_CORE)
			n = bench_serve_core(b->core, c->batch, b->wlen, cnt);
		else if (c->impl == I_VRINGH)
			n = bench_serve_vringh(b->vrh, c->batch, b->wlen, cnt);
		else
			n = bench_serve_vringh_kern(b->kern, c->batch, b->wlen, cnt);
		t += now() - t0;
		while (vg_drv_get_used(b->drv, NULL, NULL, NULL) == 1)
			got++;
		if (n != added || got != added || cnt->errors)
			die("%s", "chains lost or failed: the benchmark is broken");
		if (c->ev)
			vg_drv_set_used_event(b->drv, b->drv->last_used);
	}
	return t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median chains/s over @reps repetitions of @chains (after one warm-up). */
static double time_cell(const struct cell *c, uint64_t chains, unsigned reps, struct result *r)
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
	qsort(rate, reps, sizeof(rate[0]), cmp_double);
	r->notifies = cnt.notifies;
	r->served = cnt.served;
	return reps ? rate[reps / 2] : 0;
}

/* ---- the other binary (--o2) ---- */

/* The binary that runs @c's children: this one, or --o2's for core-o2. */
static const char *binary_of(const struct cell *c, const char *self, const char *o2)
{
	return c->impl == I_CORE_O2 ? o2 : self;
}

/* "'path'" for a shell command; paths with a quote are refused, not escaped. */
static void quoted(char *buf, size_t n, const char *path)
{
	if (strchr(path, '\'') || (size_t)snprintf(buf, n, "'%s'", path) >= n)
		die("unusable path for a child process: %s", path);
}

/*
 * core-o2's timing: the other binary times its own core in --time-cell mode
 * and prints the figures; its build string goes into the report.
 */
static double time_child(const struct cell *c, const char *bin, uint64_t chains, unsigned reps,
			 struct result *r, char *build, size_t nbuild)
{
	char q[4200], name[64], cmd[8192], line[1024];
	unsigned long long served = 0, notifies = 0;
	double rate = -1;
	FILE *p;

	quoted(q, sizeof(q), bin);
	cell_name(c, child_impl(c->impl), name, sizeof(name));
	snprintf(cmd, sizeof(cmd), "%s --time-cell %s --chains %llu --reps %u", q, name,
		 (unsigned long long)chains, reps);
	p = popen(cmd, "r");
	if (!p)
		die("%s", "popen");
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "build ", 6) == 0) {
			size_t l = strlen(line + 6) < nbuild ? strlen(line + 6) : nbuild - 1;

			memcpy(build, line + 6, l);
			build[l] = '\0';
		}
		sscanf(line, "chains_per_sec %lf", &rate);
		sscanf(line, "served %llu", &served);
		sscanf(line, "notifies %llu", &notifies);
	}
	if (pclose(p) != 0 || rate < 0 || served == 0)
		die("child run failed: %s", cmd);
	r->served = served;
	r->notifies = notifies;
	return rate;
}

/* ---- instruction counts under callgrind ---- */

/*
 * Count the serve loop itself (noinline, one per implementation): with the
 * release preset's link-time optimisation the libraries' entry points are
 * inlined into it, so they have no symbols to toggle on; without LTO (core-o2)
 * they are its callees and counted with it.  The loop around the calls is the
 * same few instructions for every implementation.
 */
static const char *toggle(const struct cell *c)
{
	switch (c->impl) {
	case I_CORE:
	case I_CORE_O2:
		return "bench_serve_core";
	case I_VRINGH:
		return "bench_serve_vringh";
	default:
		return "bench_serve_vringh_kern";
	}
}

/*
 * Run @c under callgrind for @chains chains with @bin; @file gets the name of
 * callgrind's output file.  @return Ir per chain (0 if the run failed) and
 * *served the chains the child served.
 */
static double callgrind_cell(const struct cell *c, uint64_t chains, const char *outdir,
			     const char *bin, char *file, size_t nfile, unsigned long long *served)
{
	char q[4200], name[64], cmd[16384], line[512];
	unsigned long long ir = 0;
	FILE *p;

	*served = 0;
	quoted(q, sizeof(q), bin);
	cell_name(c, child_impl(c->impl), name, sizeof(name));
	snprintf(file, nfile, "%s/callgrind.%s.%s.b%u.ev%d", outdir, impl_name[c->impl],
		 workload_name[c->w], c->batch, c->ev);
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=%s "
		 "--toggle-collect=%s %s --cell %s --chains %llu 2>/dev/null",
		 file, toggle(c), q, name, (unsigned long long)chains);
	p = popen(cmd, "r");
	if (!p)
		die("%s", "popen valgrind");
	while (fgets(line, sizeof(line), p))
		sscanf(line, "served %llu", served);
	if (pclose(p) != 0 || *served == 0) {
		fprintf(stderr, "virtq_bench: callgrind run failed: %s\n", cmd);
		*served = 0;
		return 0;
	}
	p = fopen(file, "r");
	if (!p)
		die("cannot read %s", file);
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "summary: %llu", &ir) == 1 || sscanf(line, "totals: %llu", &ir) == 1)
			break;
	fclose(p);
	return (double)ir / (double)*served;
}

static int cmp_split(const void *a, const void *b)
{
	double x = ((const struct split_fn *)a)->ir_per_chain;
	double y = ((const struct split_fn *)b)->ir_per_chain;

	return (x < y) - (x > y);
}

/*
 * Self cost per function from callgrind's output file (format: callgrind's
 * manual, "Callgrind Format Specification"; events Ir only, positions
 * "line").  Names are compressed: "fn=(id) name" defines an id, "fn=(id)"
 * reuses it, and a "cfn=" line may be the one that defines it.  A cost line
 * adds to the current fn= function's self cost, except the one right after
 * "calls=", which is the call's inclusive cost.  Everything collected ran
 * inside the toggled serve loop, so the functions are the loop and what it
 * calls.  @return the number of functions in @out (most costly first, at most
 * MAX_SPLIT; the rest are summed into a last "(other)" row).
 */
static size_t callgrind_split(const char *file, unsigned long long served, struct split_fn *out)
{
	struct split_fn *fn = NULL;
	size_t nfn = 0, n;
	char line[4096];
	long cur = -1;
	bool inclusive = false;
	FILE *f = fopen(file, "r");

	if (!f)
		die("cannot read %s", file);
	while (fgets(line, sizeof(line), f)) {
		bool is_fn = strncmp(line, "fn=", 3) == 0, is_cfn = strncmp(line, "cfn=", 4) == 0;

		if (is_fn || is_cfn) {
			char *s = line + (is_fn ? 3 : 4), *e;
			long id;

			if (*s != '(' || (id = strtol(s + 1, &e, 10)) < 0 || *e != ')')
				die("%s: uncompressed or unknown fn= line", file);
			if ((size_t)id >= nfn) {
				size_t grow = (size_t)id + 64;

				fn = realloc(fn, grow * sizeof(*fn));
				if (!fn)
					die("%s", "out of memory");
				memset(fn + nfn, 0, (grow - nfn) * sizeof(*fn));
				nfn = grow;
			}
			if (e[1] == ' ') {
				e[2 + strcspn(e + 2, "\n")] = '\0';
				snprintf(fn[id].name, sizeof(fn[id].name), "%s", e + 2);
			}
			if (is_fn)
				cur = id;
		} else if (strncmp(line, "calls=", 6) == 0) {
			inclusive = true;
		} else if (strchr("0123456789+-*", line[0]) && line[0] != '\n') {
			unsigned long long cost = 0;
			char *sp = strchr(line, ' ');

			if (sp)
				cost = strtoull(sp + 1, NULL, 10);
			if (!inclusive && cur >= 0)
				fn[cur].ir_per_chain += (double)cost;
			inclusive = false;
		}
	}
	fclose(f);
	for (size_t i = 0; i < nfn; i++)
		fn[i].ir_per_chain /= (double)served;
	qsort(fn, nfn, sizeof(*fn), cmp_split);
	for (n = 0; n < nfn && n < MAX_SPLIT - 1 && fn[n].ir_per_chain > 0; n++)
		out[n] = fn[n];
	if (n < nfn && fn[n].ir_per_chain > 0) {
		out[n] = (struct split_fn){"(other)", 0};
		for (size_t i = n; i < nfn; i++)
			out[n].ir_per_chain += fn[i].ir_per_chain;
		n++;
	}
	free(fn);
	return n;
}

/* ---- output ---- */

struct rt_result {
	bool ev, ind;
	uint64_t buffers;
	double per_sec;
	uint64_t kicks, interrupts;
};

/* What the report says about the run (beside the results). */
struct run_info {
	char cpu[256];
	char o2_build[512]; /* the --o2 binary's VIRTQ_BENCH_BUILD, or "" */
	uint64_t chains, cg;
	unsigned reps;
};

static void machine(char *cpu, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(cpu, n, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && v) {
			v += 2;
			v[strcspn(v, "\n")] = '\0';
			snprintf(cpu, n, "%s", v);
			break;
		}
	}
	fclose(f);
}

static const struct result *find(const struct result *r, size_t n, enum impl i, enum workload w,
				 unsigned batch, bool ev)
{
	for (size_t k = 0; k < n; k++)
		if (r[k].c.impl == i && r[k].c.w == w && r[k].c.batch == batch && r[k].c.ev == ev)
			return &r[k];
	return NULL;
}

/* A measured figure of a result (Ir/chain or chains/s), 0 if none. */
static double figure(const struct result *r, bool ir)
{
	return !r ? 0 : ir ? r->ir_per_chain : r->chains_per_sec;
}

static void md_value(FILE *f, double v, bool ir)
{
	if (v <= 0)
		fprintf(f, " – |");
	else if (ir)
		fprintf(f, " %.0f |", v);
	else
		fprintf(f, " %.2fM |", v / 1e6);
}

static void md_ratio(FILE *f, double a, double b)
{
	if (a > 0 && b > 0)
		fprintf(f, " %.2f |", a / b);
	else
		fprintf(f, " – |");
}

/* One goal over every cell that has both figures: how many meet it, and the range. */
static void md_goal(FILE *f, const struct result *r, size_t n, enum impl num, enum impl den,
		    bool ir, const char *what, double bound)
{
	unsigned cells = 0, met = 0;
	double lo = 0, hi = 0;

	for (int w = 0; w < W_COUNT; w++)
		for (unsigned b = 1; b <= 32; b *= 32)
			for (int ev = 0; ev < 2; ev++) {
				double x = figure(find(r, n, num, (enum workload)w, b, ev), ir);
				double y = figure(find(r, n, den, (enum workload)w, b, ev), ir);
				double q;

				if (x <= 0 || y <= 0)
					continue;
				q = x / y;
				lo = cells ? (q < lo ? q : lo) : q;
				hi = cells ? (q > hi ? q : hi) : q;
				cells++;
				met += ir ? q <= bound : q >= bound;
			}
	if (cells)
		fprintf(f, "- %s %s %.2f: met in %u of %u cells (%.2f–%.2f)\n", what,
			ir ? "≤" : "≥", bound, met, cells, lo, hi);
}

static void md_table(FILE *f, const struct result *r, size_t n, bool ir)
{
	fprintf(f, "| workload | batch | EVENT_IDX | core | core -O2 | -O2/core | vringh-user "
		   "| vringh-kern | core/vringh-user |\n");
	fprintf(f, "|---|---:|:---:|---:|---:|---:|---:|---:|---:|\n");
	for (int w = 0; w < W_COUNT; w++)
		for (unsigned b = 1; b <= 32; b *= 32)
			for (int ev = 0; ev < 2; ev++) {
				double v[I_COUNT];
				bool any = false;

				for (int i = 0; i < I_COUNT; i++) {
					v[i] = figure(find(r, n, (enum impl)i, (enum workload)w, b, ev), ir);
					any |= v[i] > 0;
				}
				if (!any)
					continue;
				fprintf(f, "| %s | %u | %s |", workload_text[w], b, ev ? "on" : "off");
				md_value(f, v[I_CORE], ir);
				md_value(f, v[I_CORE_O2], ir);
				md_ratio(f, v[I_CORE_O2], v[I_CORE]);
				md_value(f, v[I_VRINGH], ir);
				md_value(f, v[I_KERN], ir);
				md_ratio(f, v[I_CORE], v[I_VRINGH]);
				fprintf(f, "\n");
			}
}

/* The split table: a row per function, a column per split cell. */
static void md_split(FILE *f, const struct result *r, size_t n)
{
	const struct result *col[W_COUNT + 1];
	const char *names[MAX_SPLIT * (W_COUNT + 1)];
	size_t ncol = 0, nnames = 0;

	for (size_t k = 0; k < n; k++)
		if (r[k].nsplit)
			col[ncol++] = &r[k];
	if (!ncol)
		return;
	/* Rows in the order of the first column's cost, then the others' new names. */
	for (size_t c = 0; c < ncol; c++)
		for (size_t i = 0; i < col[c]->nsplit; i++) {
			size_t j;

			for (j = 0; j < nnames && strcmp(names[j], col[c]->split[i].name) != 0; j++)
				;
			if (j == nnames)
				names[nnames++] = col[c]->split[i].name;
		}
	fprintf(f, "\nCore -O2 (functions out of line): self instructions per chain of each "
		   "function called inside `bench_serve_core`, and of the loop itself "
		   "(callgrind, EVENT_IDX on):\n\n| function |");
	for (size_t c = 0; c < ncol; c++)
		fprintf(f, " %s, batch %u |", workload_text[col[c]->c.w], col[c]->c.batch);
	fprintf(f, "\n|---|");
	for (size_t c = 0; c < ncol; c++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (size_t j = 0; j < nnames; j++) {
		fprintf(f, "| `%s` |", names[j]);
		for (size_t c = 0; c < ncol; c++) {
			double v = 0;

			for (size_t i = 0; i < col[c]->nsplit; i++)
				if (strcmp(col[c]->split[i].name, names[j]) == 0)
					v = col[c]->split[i].ir_per_chain;
			if (v >= 0.05)
				fprintf(f, " %.1f |", v);
			else /* called in some chains only (a cache refill, a lookup) */
				fprintf(f, v > 0 ? " < 0.1 |" : " – |");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "| total |");
	for (size_t c = 0; c < ncol; c++)
		fprintf(f, " %.1f |", col[c]->ir_per_chain);
	fprintf(f, "\n");
}

static void write_md(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
		     size_t nrt, const struct run_info *ri)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "Machine: %s, %ld CPUs online, Linux %s; core: %s", ri->cpu,
		sysconf(_SC_NPROCESSORS_ONLN), u.release, VIRTQ_BENCH_BUILD);
	if (ri->o2_build[0])
		fprintf(f, "; core -O2: %s", ri->o2_build);
	fprintf(f, "; vringh from %s.\n", virtq_linux_source_version());
	fprintf(f, "Device side only (pop + walk + push + notify decision), queue size %d, identity "
		   "guest memory (gpa == host address: core and vringh-user translate through the "
		   "region table, vringh-kern uses addresses as they are).\n\n",
		QSIZE);
	if (n == 0) /* --only matched nothing */
		fprintf(f, "No cells.\n");
	if (ri->cg && n) {
		fprintf(f, "Instructions per chain (callgrind, %llu chains; the serve loop: the "
			   "implementation's calls, inlined by LTO, or out of line at -O2, and the "
			   "loop around them):\n\n",
			(unsigned long long)ri->cg);
		md_table(f, r, n, true);
		fprintf(f, "\n");
	}
	if (n) {
		fprintf(f, "Chains per second (median of %u runs of %llu chains; noisy on a shared "
			   "machine):\n\n",
			ri->reps, (unsigned long long)ri->chains);
		md_table(f, r, n, false);
		fprintf(f, "\nGoals (issue 12), over the cells with both figures:\n\n");
		md_goal(f, r, n, I_CORE, I_VRINGH, true, "core/vringh-user Ir", 0.80);
		md_goal(f, r, n, I_CORE, I_VRINGH, false, "core/vringh-user chains/s", 1.25);
		md_goal(f, r, n, I_CORE_O2, I_CORE, true, "-O2/release Ir (within 1.2×)", 1.20);
		md_goal(f, r, n, I_CORE_O2, I_CORE, false, "-O2/release chains/s (within 1.2×)",
			1 / 1.2);
		md_split(f, r, n);
	}
	if (nrt == 0)
		return;
	fprintf(f, "\nTwo-thread round trip, Linux's virtio_ring.c driver against the core on a "
		   "second thread (eventfd kicks and interrupts, suppression honoured; one 64-byte "
		   "readable + one 64-byte writable buffer per request):\n\n");
	fprintf(f, "| EVENT_IDX | INDIRECT | buffers | buffers/s | kicks | interrupts |\n");
	fprintf(f, "|:---:|:---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < nrt; k++)
		fprintf(f, "| %s | %s | %llu | %.2fM | %llu | %llu |\n", rt[k].ev ? "on" : "off",
			rt[k].ind ? "on" : "off", (unsigned long long)rt[k].buffers,
			rt[k].per_sec / 1e6, (unsigned long long)rt[k].kicks,
			(unsigned long long)rt[k].interrupts);
}

/* @s as a JSON string body (build strings and function names are plain, but be sure). */
static void json_str(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
}

static void write_json(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
		       size_t nrt, const struct run_info *ri)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "{\n  \"machine\": {\"cpu\": \"");
	json_str(f, ri->cpu);
	fprintf(f, "\", \"cpus_online\": %ld, \"kernel\": \"%s\", \"build\": \"",
		sysconf(_SC_NPROCESSORS_ONLN), u.release);
	json_str(f, VIRTQ_BENCH_BUILD);
	fprintf(f, "\", \"o2_build\": \"");
	json_str(f, ri->o2_build);
	fprintf(f, "\", \"linux_source\": \"%s\"},\n", virtq_linux_source_version());
	fprintf(f, "  \"config\": {\"queue_size\": %d, \"chains_per_run\": %llu, \"runs\": %u, "
		   "\"callgrind_chains\": %llu, \"memory\": \"identity\"},\n  \"cells\": [\n",
		QSIZE, (unsigned long long)ri->chains, ri->reps, (unsigned long long)ri->cg);
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "    {\"impl\": \"%s\", \"workload\": \"%s\", \"batch\": %u, "
			   "\"event_idx\": %s, \"chains_per_sec\": %.0f, \"ns_per_chain\": %.2f, "
			   "\"ir_per_chain\": %.1f, \"notifies\": %llu",
			impl_name[r[k].c.impl], workload_name[r[k].c.w], r[k].c.batch,
			r[k].c.ev ? "true" : "false", r[k].chains_per_sec,
			r[k].chains_per_sec > 0 ? 1e9 / r[k].chains_per_sec : 0.0, r[k].ir_per_chain,
			(unsigned long long)r[k].notifies);
		if (r[k].nsplit) {
			fprintf(f, ",\n     \"split\": [");
			for (size_t i = 0; i < r[k].nsplit; i++) {
				fprintf(f, "%s{\"function\": \"", i ? ", " : "");
				json_str(f, r[k].split[i].name);
				fprintf(f, "\", \"self_ir_per_chain\": %.2f}", r[k].split[i].ir_per_chain);
			}
			fprintf(f, "]");
		}
		fprintf(f, "}%s\n", k + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n  \"roundtrip\": [\n");
	for (size_t k = 0; k < nrt; k++)
		fprintf(f, "    {\"event_idx\": %s, \"indirect\": %s, \"buffers\": %llu, "
			   "\"buffers_per_sec\": %.0f, \"kicks\": %llu, \"interrupts\": %llu}%s\n",
			rt[k].ev ? "true" : "false", rt[k].ind ? "true" : "false",
			(unsigned long long)rt[k].buffers, rt[k].per_sec,
			(unsigned long long)rt[k].kicks, (unsigned long long)rt[k].interrupts,
			k + 1 < nrt ? "," : "");
	fprintf(f, "  ]\n}\n");
}

/* ---- main ---- */

static uint64_t arg_u64(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end != '\0')
		die("not a number: %s", s);
	return v;
}

static int run_roundtrips(struct rt_result *out, uint64_t buffers, bool verify)
{
	int n = 0;

	for (int ev = 0; ev < 2; ev++)
		for (int ind = 0; ind < 2; ind++) {
			struct virtq_rt_config cfg = {
				.mode = VIRTQ_RT_THREADS, .workload = VIRTQ_RT_SMALL,
				.event_idx = ev, .indirect = ind, .queue_size = QSIZE,
				.buffers = buffers, .verify = verify, .seed = 42, .stall_ms = 10000};
			struct virtq_rt_stats st;
			static char err[4096];

			if (virtq_rt_run(&cfg, &st, err, sizeof(err)) != 0) {
				fprintf(stderr, "virtq_bench: round trip failed: %s\n", err);
				exit(1);
			}
			out[n].ev = ev;
			out[n].ind = ind;
			out[n].buffers = st.completed;
			out[n].per_sec = st.seconds > 0 ? (double)st.completed / st.seconds : 0;
			out[n].kicks = st.kicks;
			out[n].interrupts = st.interrupts;
			n++;
		}
	return n;
}

/* A child mode: one cell of this binary, untimed (--cell) or timed (--time-cell). */
static int run_one(const char *name, bool timed, uint64_t chains, unsigned reps)
{
	struct cell c;
	struct bench_count cnt;
	struct result r;
	struct bed b;

	if (!parse_cell(name, &c))
		die("unknown cell %s", name);
	if (!timed) {
		bed_setup(&b, &c);
		(void)bed_run(&b, &c, chains, &cnt);
		bed_teardown(&b);
		printf("served %llu\n", (unsigned long long)cnt.served);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.chains_per_sec = time_cell(&c, chains, reps, &r);
	printf("build %s\nchains_per_sec %.3f\nserved %llu\nnotifies %llu\n", VIRTQ_BENCH_BUILD,
	       r.chains_per_sec, (unsigned long long)r.served, (unsigned long long)r.notifies);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t rt_buffers = 1000000;
	const char *json = NULL, *md = NULL, *only = NULL, *one = NULL, *timed = NULL, *o2 = NULL;
	bool smoke = false;
	static struct result res[I_COUNT * W_COUNT * 4];
	static struct split_fn splits[W_COUNT + 1][MAX_SPLIT];
	static struct run_info ri = {.chains = 1000000, .reps = 5};
	struct rt_result rt[4];
	size_t n = 0, nrt = 0, nsplits = 0;
	char self[4096], outdir[4096] = ".";
	ssize_t k;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--smoke") == 0) {
			smoke = true;
			continue;
		}
		if (!v)
			die("missing value after %s", a);
		i++;
		if (strcmp(a, "--chains") == 0)
			ri.chains = arg_u64(v);
		else if (strcmp(a, "--reps") == 0)
			ri.reps = (unsigned)arg_u64(v);
		else if (strcmp(a, "--roundtrip") == 0)
			rt_buffers = arg_u64(v);
		else if (strcmp(a, "--callgrind") == 0)
			ri.cg = arg_u64(v);
		else if (strcmp(a, "--o2") == 0)
			o2 = v;
		else if (strcmp(a, "--json") == 0)
			json = v;
		else if (strcmp(a, "--md") == 0)
			md = v;
		else if (strcmp(a, "--only") == 0)
			only = v;
		else if (strcmp(a, "--cell") == 0)
			one = v;
		else if (strcmp(a, "--time-cell") == 0)
			timed = v;
		else
			die("unknown option %s", a);
	}

	if (one || timed) { /* a child: the callgrind run, or core-o2's timing */
		if (o2 || smoke || (one && timed))
			die("%s", "--cell and --time-cell run one cell of this binary, nothing else");
		return run_one(one ? one : timed, timed != NULL, ri.chains, ri.reps);
	}
	if (o2 && access(o2, X_OK) != 0)
		die("--o2 %s: not an executable (bench/run.sh builds it: cmake --preset bench-o2 "
		    "-DVIRTQ_LINUX_INTEROP=ON && cmake --build --preset bench-o2 --target virtq_bench)",
		    o2);
	k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (k <= 0)
		die("%s", "readlink /proc/self/exe");
	self[k] = '\0';
	if (smoke) {
		ri.chains = 4096;
		ri.reps = 1;
		rt_buffers = 20000;
	}
	/* callgrind's files go beside the JSON, or into a fresh temporary directory. */
	if (json) {
		snprintf(outdir, sizeof(outdir), "%s", json);
		if (strrchr(outdir, '/'))
			*strrchr(outdir, '/') = '\0';
		else
			snprintf(outdir, sizeof(outdir), ".");
	} else if (ri.cg) {
		snprintf(outdir, sizeof(outdir), "/tmp/virtq_bench.XXXXXX");
		if (!mkdtemp(outdir))
			die("mkdtemp: %s", strerror(errno));
		fprintf(stderr, "callgrind output in %s\n", outdir);
	}
	if (ri.cg && access(outdir, W_OK) != 0)
		die("callgrind's files go beside the JSON, into %s: not a writable directory", outdir);

	machine(ri.cpu, sizeof(ri.cpu));
	if (!smoke) { /* let the clock settle before the first figure */
		struct cell warm = {I_CORE, W_1DESC, 1, false};
		struct result scratch;

		(void)time_cell(&warm, ri.chains / 2 + 1, 1, &scratch);
	}
	for (int w = 0; w < W_COUNT; w++)
		for (unsigned b = 1; b <= 32; b *= 32)
			for (int ev = 0; ev < 2; ev++)
				for (int i = 0; i < I_COUNT; i++) {
					struct cell c = {(enum impl)i, (enum workload)w, b, ev != 0};
					struct result *r = &res[n];
					char name[64], file[4200];
					unsigned long long served = 0;

					cell_name(&c, c.impl, name, sizeof(name));
					if ((only && !strstr(name, only)) || (c.impl == I_CORE_O2 && !o2))
						continue;
					r->c = c;
					if (c.impl == I_CORE_O2)
						r->chains_per_sec = time_child(&c, o2, ri.chains, ri.reps, r,
									       ri.o2_build,
									       sizeof(ri.o2_build));
					else
						r->chains_per_sec = time_cell(&c, ri.chains, ri.reps, r);
					if (smoke && r->served < ri.chains)
						die("%s: not every chain served", name);
					if (ri.cg)
						r->ir_per_chain = callgrind_cell(&c, ri.cg, outdir,
										 binary_of(&c, self, o2),
										 file, sizeof(file), &served);
					if (ri.cg && served && split_cell(&c)) {
						r->split = splits[nsplits++];
						r->nsplit = callgrind_split(file, served, r->split);
					}
					fprintf(stderr, "%-26s %8.2f M chains/s  %7.1f Ir/chain\n", name,
						r->chains_per_sec / 1e6, r->ir_per_chain);
					n++;
				}
	if (rt_buffers && !only) {
		nrt = (size_t)run_roundtrips(rt, rt_buffers, smoke);
		for (size_t j = 0; j < nrt; j++)
			fprintf(stderr, "roundtrip ev%d ind%d     %8.2f M buffers/s\n", rt[j].ev, rt[j].ind,
				rt[j].per_sec / 1e6);
	}
	write_md(stdout, res, n, rt, nrt, &ri);
	if (md) {
		FILE *f = fopen(md, "w");

		if (!f)
			die("cannot write %s", md);
		write_md(f, res, n, rt, nrt, &ri);
		fclose(f);
	}
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			die("cannot write %s", json);
		write_json(f, res, n, rt, nrt, &ri);
		fclose(f);
	}
	return 0;
}
