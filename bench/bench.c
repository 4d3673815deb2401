/* SPDX-License-Identifier: MIT */
/*
 * virtq_bench: the core against Linux's vringh on the same workloads from the
 * hostile guest's driver (guest/), and the two-thread round trip with Linux's
 * virtio driver.
 *
 * A cell is (implementation, workload, batch, EVENT_IDX).  Each round the
 * guest's driver fills a 256-entry ring with one workload's chains and publishes
 * them; the device then drains the ring (the timed part: pop + walk + push +
 * notify decision, serve.h) and the driver reaps the used entries and, with
 * EVENT_IDX, asks for an interrupt at the next entry as Linux's enable_cb
 * does.  Workloads (fixed buffers, reused every round):
 *   1desc   one 1024-byte writable buffer (a receive buffer)
 *   4desc   16-byte header, two 512-byte data buffers (readable), 1-byte status
 *   ind8    16-byte header direct, then an indirect table of 8: seven 512-byte
 *           readable buffers and a 1-byte status
 *
 *   virtq_bench [--chains N] [--reps R] [--roundtrip N] [--callgrind N]
 *               [--json FILE] [--md FILE] [--only SUBSTRING]
 *   virtq_bench --smoke      every cell and a round trip, tiny; checks counts
 *   virtq_bench --cell NAME --chains N   one cell, untimed (what --callgrind runs
 *                                        under valgrind)
 *
 * Times are the median of R repetitions of N chains (device part only).
 * --callgrind N runs each cell again under valgrind --tool=callgrind for N
 * chains, counting instructions only inside the implementation's calls
 * (toggle-collect on the core's or vringh's entry points, not the loop), and
 * reports Ir per chain.  Nothing here asserts on time: this is a program, and
 * the ctest that runs it (--smoke) only checks that every chain was served.
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
#define ARENA_GPA 0x100000u
#define ARENA_SIZE (8u << 20)

enum workload { W_1DESC, W_4DESC, W_IND8, W_COUNT };
static const char *const workload_name[W_COUNT] = {"1desc", "4desc", "ind8"};
static const char *const workload_text[W_COUNT] = {
	"1 descriptor", "4 descriptors", "1 + indirect 8"};

enum impl { I_CORE, I_VRINGH, I_COUNT };
static const char *const impl_name[I_COUNT] = {"core", "vringh"};

struct cell {
	enum impl impl;
	enum workload w;
	unsigned batch;
	bool ev;
};

struct result {
	struct cell c;
	double chains_per_sec; /* median of the repetitions; 0 if not timed */
	double ir_per_chain;   /* from callgrind; 0 if not measured */
	uint64_t notifies;     /* of the last repetition */
	uint64_t served;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "virtq_bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

static void cell_name(const struct cell *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/b%u/ev%d", impl_name[c->impl], workload_name[c->w], c->batch,
		 c->ev);
}

static bool parse_cell(const char *s, struct cell *c)
{
	for (int i = 0; i < I_COUNT; i++)
		for (int w = 0; w < W_COUNT; w++)
			for (unsigned b = 1; b <= 32; b *= 32)
				for (int ev = 0; ev < 2; ev++) {
					struct cell t = {(enum impl)i, (enum workload)w, b, ev != 0};
					char name[64];

					cell_name(&t, name, sizeof(name));
					if (strcmp(name, s) == 0) {
						*c = t;
						return true;
					}
				}
	return false;
}

/* ---- one queue, one workload ---- */

struct bed {
	struct vg_mem mem;
	struct vg_drv *drv;
	/* The region table both implementations translate with; it outlives them. */
	struct virtq_mem_region table[VG_MAX_REGIONS];
	struct virtq_mem vmem;
	struct vg_chain tmpl;
	unsigned ndirect;
	uint32_t wlen;
	struct bench_core *core;
	struct virtq_vringh *vrh;
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
	if (vg_mem_add(&b->mem, ARENA_GPA, ARENA_SIZE) < 0)
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
	if (c->impl == I_CORE) {
		b->core = calloc(1, sizeof(*b->core));
		if (!b->core || virtq_init(&b->core->q, &cfg) != 0)
			die("%s", "virtq_init");
	} else {
		b->vrh = virtq_vringh_create(&cfg, BENCH_MAX_SEGS, &err);
		if (!b->vrh)
			die("%s", "virtq_vringh_create");
	}
}

static void bed_teardown(struct bed *b)
{
	free(b->core);
	virtq_vringh_destroy(b->vrh);
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
		else
			n = bench_serve_vringh(b->vrh, c->batch, b->wlen, cnt);
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

/* ---- instruction counts under callgrind ---- */

/*
 * Count the serve loop itself (noinline, one per implementation): with the
 * release preset's link-time optimisation the libraries' entry points are
 * inlined into it, so they have no symbols to toggle on.  The loop around
 * the calls is the same few instructions for both implementations.
 */
static const char *toggles(const struct cell *c)
{
	return c->impl == I_CORE ? "bench_serve_core" : "bench_serve_vringh";
}

static double callgrind_cell(const struct cell *c, uint64_t chains, const char *outdir)
{
	char self[4096], name[64], file[4600], cmd[16384], line[512];
	unsigned long long ir = 0, served = 0;
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *t;
	FILE *p;
	size_t len;

	if (k <= 0)
		die("%s", "readlink /proc/self/exe");
	self[k] = '\0';
	cell_name(c, name, sizeof(name));
	snprintf(file, sizeof(file), "%s/callgrind.%s.%s.b%u.ev%d", outdir, impl_name[c->impl],
		 workload_name[c->w], c->batch, c->ev);
	len = (size_t)snprintf(cmd, sizeof(cmd),
			       "valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file=%s",
			       file);
	for (t = toggles(c); *t;) {
		const char *e = strchr(t, ' ');
		size_t n = e ? (size_t)(e - t) : strlen(t);

		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " --toggle-collect=%.*s",
					(int)n, t);
		t += n + (e ? 1 : 0);
	}
	snprintf(cmd + len, sizeof(cmd) - len, " '%s' --cell %s --chains %llu 2>/dev/null", self,
		 name, (unsigned long long)chains);
	p = popen(cmd, "r");
	if (!p)
		die("%s", "popen valgrind");
	while (fgets(line, sizeof(line), p))
		sscanf(line, "served %llu", &served);
	if (pclose(p) != 0 || served == 0) {
		fprintf(stderr, "virtq_bench: callgrind run failed: %s\n", cmd);
		return 0;
	}
	p = fopen(file, "r");
	if (!p)
		die("cannot read %s", file);
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "summary: %llu", &ir) == 1 || sscanf(line, "totals: %llu", &ir) == 1)
			break;
	fclose(p);
	return (double)ir / (double)served;
}

/* ---- output ---- */

struct rt_result {
	bool ev, ind;
	uint64_t buffers;
	double per_sec;
	uint64_t kicks, interrupts;
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

static void write_md(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
		     size_t nrt, const char *cpu, uint64_t chains, unsigned reps, uint64_t cg)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "Machine: %s, %ld CPUs online, Linux %s; %s; vringh from %s.\n", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), u.release, VIRTQ_BENCH_BUILD,
		virtq_linux_source_version());
	fprintf(f, "Device side only (pop + walk + push + notify decision), queue size %d; "
		   "chains/s: median of %u runs of %llu chains; Ir/chain: callgrind, %llu chains, "
		   "instructions of the serve loop (the implementation's calls, inlined by LTO, and the loop around them).\n\n",
		QSIZE, reps, (unsigned long long)chains, (unsigned long long)cg);
	fprintf(f, "| workload | batch | EVENT_IDX | core chains/s | vringh chains/s | core/vringh "
		   "| core Ir/chain | vringh Ir/chain | core/vringh |\n");
	fprintf(f, "|---|---:|:---:|---:|---:|---:|---:|---:|---:|\n");
	for (int w = 0; w < W_COUNT; w++)
		for (unsigned b = 1; b <= 32; b *= 32)
			for (int ev = 0; ev < 2; ev++) {
				const struct result *c = find(r, n, I_CORE, (enum workload)w, b, ev);
				const struct result *v = find(r, n, I_VRINGH, (enum workload)w, b, ev);

				if (!c || !v)
					continue;
				fprintf(f, "| %s | %u | %s | %.2fM | %.2fM | %.2f× | ", workload_text[w],
					b, ev ? "on" : "off", c->chains_per_sec / 1e6,
					v->chains_per_sec / 1e6,
					v->chains_per_sec > 0 ? c->chains_per_sec / v->chains_per_sec : 0);
				if (c->ir_per_chain > 0 && v->ir_per_chain > 0)
					fprintf(f, "%.0f | %.0f | %.2f |\n", c->ir_per_chain,
						v->ir_per_chain, c->ir_per_chain / v->ir_per_chain);
				else
					fprintf(f, "– | – | – |\n");
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

static void write_json(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
		       size_t nrt, const char *cpu, uint64_t chains, unsigned reps, uint64_t cg)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "{\n  \"machine\": {\"cpu\": \"%s\", \"cpus_online\": %ld, \"kernel\": \"%s\", "
		   "\"build\": \"%s\", \"linux_source\": \"%s\"},\n",
		cpu, sysconf(_SC_NPROCESSORS_ONLN), u.release, VIRTQ_BENCH_BUILD,
		virtq_linux_source_version());
	fprintf(f, "  \"config\": {\"queue_size\": %d, \"chains_per_run\": %llu, \"runs\": %u, "
		   "\"callgrind_chains\": %llu},\n  \"cells\": [\n",
		QSIZE, (unsigned long long)chains, reps, (unsigned long long)cg);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "    {\"impl\": \"%s\", \"workload\": \"%s\", \"batch\": %u, "
			   "\"event_idx\": %s, \"chains_per_sec\": %.0f, \"ns_per_chain\": %.2f, "
			   "\"ir_per_chain\": %.1f, \"notifies\": %llu}%s\n",
			impl_name[r[k].c.impl], workload_name[r[k].c.w], r[k].c.batch,
			r[k].c.ev ? "true" : "false", r[k].chains_per_sec,
			r[k].chains_per_sec > 0 ? 1e9 / r[k].chains_per_sec : 0.0, r[k].ir_per_chain,
			(unsigned long long)r[k].notifies, k + 1 < n ? "," : "");
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

int main(int argc, char **argv)
{
	uint64_t chains = 1000000, rt_buffers = 1000000, cg = 0;
	unsigned reps = 5;
	const char *json = NULL, *md = NULL, *only = NULL, *one = NULL;
	bool smoke = false;
	static struct result res[I_COUNT * W_COUNT * 4];
	struct rt_result rt[4];
	size_t n = 0, nrt = 0;
	char cpu[256], outdir[4096] = ".";

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
			chains = arg_u64(v);
		else if (strcmp(a, "--reps") == 0)
			reps = (unsigned)arg_u64(v);
		else if (strcmp(a, "--roundtrip") == 0)
			rt_buffers = arg_u64(v);
		else if (strcmp(a, "--callgrind") == 0)
			cg = arg_u64(v);
		else if (strcmp(a, "--json") == 0)
			json = v;
		else if (strcmp(a, "--md") == 0)
			md = v;
		else if (strcmp(a, "--only") == 0)
			only = v;
		else if (strcmp(a, "--cell") == 0)
			one = v;
		else
			die("unknown option %s", a);
	}

	if (one) { /* one cell, untimed: the callgrind child */
		struct cell c;
		struct bench_count cnt;
		struct bed b;

		if (!parse_cell(one, &c))
			die("unknown cell %s", one);
		bed_setup(&b, &c);
		(void)bed_run(&b, &c, chains, &cnt);
		bed_teardown(&b);
		printf("served %llu\n", (unsigned long long)cnt.served);
		return 0;
	}
	if (smoke) {
		chains = 4096;
		reps = 1;
		rt_buffers = 20000;
	}
	/* callgrind's files go beside the JSON, or into a fresh temporary directory. */
	if (json) {
		snprintf(outdir, sizeof(outdir), "%s", json);
		if (strrchr(outdir, '/'))
			*strrchr(outdir, '/') = '\0';
		else
			snprintf(outdir, sizeof(outdir), ".");
	} else if (cg) {
		snprintf(outdir, sizeof(outdir), "/tmp/virtq_bench.XXXXXX");
		if (!mkdtemp(outdir))
			die("mkdtemp: %s", strerror(errno));
		fprintf(stderr, "callgrind output in %s\n", outdir);
	}

	machine(cpu, sizeof(cpu));
	if (!smoke) { /* let the clock settle before the first figure */
		struct cell warm = {I_CORE, W_1DESC, 1, false};
		struct result scratch;

		(void)time_cell(&warm, chains / 2 + 1, 1, &scratch);
	}
	for (int w = 0; w < W_COUNT; w++)
		for (unsigned b = 1; b <= 32; b *= 32)
			for (int ev = 0; ev < 2; ev++)
				for (int i = 0; i < I_COUNT; i++) {
					struct cell c = {(enum impl)i, (enum workload)w, b, ev != 0};
					struct result *r = &res[n];
					char name[64];

					cell_name(&c, name, sizeof(name));
					if (only && !strstr(name, only))
						continue;
					r->c = c;
					r->chains_per_sec = time_cell(&c, chains, reps, r);
					if (smoke && r->served < chains)
						die("%s: not every chain served", name);
					if (cg)
						r->ir_per_chain = callgrind_cell(&c, cg, outdir);
					fprintf(stderr, "%-22s %8.2f M chains/s  %7.1f Ir/chain\n", name,
						r->chains_per_sec / 1e6, r->ir_per_chain);
					n++;
				}
	if (rt_buffers && !only) {
		nrt = (size_t)run_roundtrips(rt, rt_buffers, smoke);
		for (size_t k = 0; k < nrt; k++)
			fprintf(stderr, "roundtrip ev%d ind%d     %8.2f M buffers/s\n", rt[k].ev, rt[k].ind,
				rt[k].per_sec / 1e6);
	}
	write_md(stdout, res, n, rt, nrt, cpu, chains, reps, cg);
	if (md) {
		FILE *f = fopen(md, "w");

		if (!f)
			die("cannot write %s", md);
		write_md(f, res, n, rt, nrt, cpu, chains, reps, cg);
		fclose(f);
	}
	if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			die("cannot write %s", json);
		write_json(f, res, n, rt, nrt, cpu, chains, reps, cg);
		fclose(f);
	}
	return 0;
}
