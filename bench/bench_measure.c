/* SPDX-License-Identifier: MIT */
/*
 * virtq_bench's child processes (bench.h): the --o2 binary timing its own
 * core, and every cell run again under valgrind --tool=callgrind, with the
 * per-function split read from callgrind's file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The binary that runs @c's children: this one, or --o2's for core-o2. */
const char *binary_of(const struct cell *c, const char *self, const char *o2)
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
double time_child(const struct cell *c, const char *bin, uint64_t chains, unsigned reps,
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
double callgrind_cell(const struct cell *c, uint64_t chains, const char *outdir,
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
size_t callgrind_split(const char *file, unsigned long long served, struct split_fn *out)
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
