/* SPDX-License-Identifier: MIT */
/*
 * virtq_bench's report (bench.h): the Markdown tables, the goals of issue 12
 * met, the per-function split, and the same figures as JSON.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "virtq_interop/linux_driver.h"

void machine(char *cpu, size_t n)
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

/* @i's result in the cell of index @k (cell_at()), or NULL. */
static const struct result *find(const struct result *r, size_t n, enum impl i, unsigned k)
{
	struct cell c = cell_at(i, k);

	for (size_t j = 0; j < n; j++)
		if (r[j].c.impl == i && r[j].c.w == c.w && r[j].c.batch == c.batch && r[j].c.ev == c.ev)
			return &r[j];
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

	for (unsigned k = 0; k < NCELLS; k++) {
		double x = figure(find(r, n, num, k), ir);
		double y = figure(find(r, n, den, k), ir);
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
	for (unsigned k = 0; k < NCELLS; k++) {
		struct cell c = cell_at(I_CORE, k);
		double v[I_COUNT];
		bool any = false;

		for (int i = 0; i < I_COUNT; i++) {
			v[i] = figure(find(r, n, (enum impl)i, k), ir);
			any |= v[i] > 0;
		}
		if (!any)
			continue;
		fprintf(f, "| %s | %u | %s |", workload_text[c.w], c.batch, c.ev ? "on" : "off");
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

void write_md(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
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
	if (ri->fence_ns[0] > 0)
		fprintf(f, "\nOne full fence, which every notify decision makes between the used idx "
			   "store and the read of used_event or avail flags (F1, SPLIT-OP-7), costs %.2f ns "
			   "here with no stores pending and %.2f ns with %d (a loop of stores and a "
			   "dependent load, with the fence and without; median of %u runs of %llu): at "
			   "batch 1 each chain pays for one, less what the implementation's other work "
			   "hides.\n",
			ri->fence_ns[0], ri->fence_ns[1], FENCE_STORES, ri->reps,
			(unsigned long long)ri->chains);
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

void write_json(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
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
	fprintf(f, "  \"fence\": {\"ns_no_stores_pending\": %.2f, \"stores_pending\": %d, "
		   "\"ns_with_stores_pending\": %.2f},\n",
		ri->fence_ns[0], FENCE_STORES, ri->fence_ns[1]);
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
