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
 * Beside them, what one full fence costs on this machine (bench_fence.c): a
 * notify decision needs one, so it is the floor under the batch-1 cells.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "virtq_interop/roundtrip.h"

const char *const workload_name[W_COUNT] = {"1desc", "4desc", "ind8"};
const char *const workload_text[W_COUNT] = {"1 descriptor", "4 descriptors", "1 + indirect 8"};
const char *const impl_name[I_COUNT] = {"core", "core-o2", "vringh-user", "vringh-kern"};

__attribute__((noreturn)) void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "virtq_bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

struct cell cell_at(enum impl i, unsigned k)
{
	return (struct cell){i, (enum workload)(k / 4), k / 2 % 2 ? 32 : 1, k % 2 != 0};
}

enum impl child_impl(enum impl i)
{
	return i == I_CORE_O2 ? I_CORE : i;
}

void cell_name(const struct cell *c, enum impl i, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/b%u/ev%d", impl_name[i], workload_name[c->w], c->batch, c->ev);
}

/* A cell this process can run (not core-o2). */
static bool parse_cell(const char *s, struct cell *c)
{
	for (int i = 0; i < I_COUNT; i++)
		for (unsigned k = 0; k < NCELLS && i != I_CORE_O2; k++) {
			struct cell t = cell_at((enum impl)i, k);
			char name[64];

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
	struct result r;

	if (!parse_cell(name, &c))
		die("unknown cell %s", name);
	if (!timed) {
		printf("served %llu\n", (unsigned long long)serve_cell(&c, chains));
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.chains_per_sec = time_cell(&c, chains, reps, &r);
	printf("build %s\nchains_per_sec %.3f\nserved %llu\nnotifies %llu\n", VIRTQ_BENCH_BUILD,
	       r.chains_per_sec, (unsigned long long)r.served, (unsigned long long)r.notifies);
	return 0;
}

/*
 * One cell's figures into @r: timed (here, or by the --o2 binary for
 * core-o2), counted under callgrind if asked, and split into @split if it is
 * a split cell.
 */
static void measure(struct result *r, const struct cell *c, struct run_info *ri, const char *self,
		    const char *o2, const char *outdir, struct split_fn *split)
{
	char name[64], file[4200];
	unsigned long long served = 0;

	r->c = *c;
	if (c->impl == I_CORE_O2)
		r->chains_per_sec = time_child(c, o2, ri->chains, ri->reps, r, ri->o2_build,
					       sizeof(ri->o2_build));
	else
		r->chains_per_sec = time_cell(c, ri->chains, ri->reps, r);
	if (ri->cg)
		r->ir_per_chain = callgrind_cell(c, ri->cg, outdir, binary_of(c, self, o2), file,
						 sizeof(file), &served);
	if (ri->cg && served && split_cell(c)) {
		r->split = split;
		r->nsplit = callgrind_split(file, served, split);
	}
	cell_name(c, c->impl, name, sizeof(name));
	fprintf(stderr, "%-26s %8.2f M chains/s  %7.1f Ir/chain\n", name, r->chains_per_sec / 1e6,
		r->ir_per_chain);
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
	ssize_t len;

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
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		die("%s", "readlink /proc/self/exe");
	self[len] = '\0';
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
		struct cell warm = cell_at(I_CORE, 0);
		struct result scratch;

		(void)time_cell(&warm, ri.chains / 2 + 1, 1, &scratch);
	}
	for (unsigned k = 0; k < NCELLS; k++)
		for (int i = 0; i < I_COUNT; i++) {
			struct cell c = cell_at((enum impl)i, k);
			char name[64];

			cell_name(&c, c.impl, name, sizeof(name));
			if ((only && !strstr(name, only)) || (c.impl == I_CORE_O2 && !o2))
				continue;
			measure(&res[n], &c, &ri, self, o2, outdir, splits[nsplits]);
			nsplits += res[n].nsplit != 0;
			if (smoke && res[n].served < ri.chains)
				die("%s: not every chain served", name);
			n++;
		}
	if (!only) { /* the platform's floor under every batch-1 cell (bench_fence.c) */
		ri.fence_ns[0] = fence_ns(0, ri.chains, ri.reps);
		ri.fence_ns[1] = fence_ns(FENCE_STORES, ri.chains, ri.reps);
		fprintf(stderr, "full fence               %8.2f ns (%.2f ns with %d stores pending)\n",
			ri.fence_ns[0], ri.fence_ns[1], FENCE_STORES);
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
