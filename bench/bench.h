/* SPDX-License-Identifier: MIT */
/*
 * virtq_bench's parts (the method is at the top of bench.c): cells and their
 * results (bench.c), one queue served per cell (bench_bed.c), the child
 * processes for the --o2 binary and callgrind (bench_measure.c), and the
 * report (bench_report.c).
 */
#ifndef VIRTQ_BENCH_H
#define VIRTQ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "serve.h"

#ifndef VIRTQ_BENCH_BUILD
#define VIRTQ_BENCH_BUILD "unknown"
#endif

#define QSIZE 256
#define ARENA_SIZE (8u << 20)
#define MAX_SPLIT 32 /* functions kept per split cell */

enum workload { W_1DESC, W_4DESC, W_IND8, W_COUNT };
extern const char *const workload_name[W_COUNT];
extern const char *const workload_text[W_COUNT];

enum impl { I_CORE, I_CORE_O2, I_VRINGH, I_KERN, I_COUNT };
extern const char *const impl_name[I_COUNT];

struct cell {
	enum impl impl;
	enum workload w;
	unsigned batch;
	bool ev;
};

/* Cells per implementation: workload × batch 1 / 32 × EVENT_IDX off / on. */
#define NCELLS (W_COUNT * 2 * 2)

/* @i's cell of index @k < NCELLS, in report order: workload, then batch, then EVENT_IDX. */
struct cell cell_at(enum impl i, unsigned k);
/* "impl/workload/bBATCH/evN", with @i for the implementation. */
void cell_name(const struct cell *c, enum impl i, char *buf, size_t n);
/* core-o2 is the core of another binary: it runs there as "core". */
enum impl child_impl(enum impl i);

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

struct rt_result {
	bool ev, ind;
	uint64_t buffers;
	double per_sec;
	uint64_t kicks, interrupts;
};

/* What the report says about the run (beside the results). */
struct run_info {
	char cpu[256];
	double fence_ns[2]; /* bench_fence.c: no stores pending, FENCE_STORES pending; 0 if not run */
	char o2_build[512]; /* the --o2 binary's VIRTQ_BENCH_BUILD, or "" */
	uint64_t chains, cg;
	unsigned reps;
};

/* bench_bed.c: monotonic seconds; qsort's order for doubles, ascending. */
double bench_now(void);
int bench_cmp_double(const void *a, const void *b);
/* bench_fence.c: what a full fence costs here with @stores (<= FENCE_MAX_STORES) stores pending, ns. */
#define FENCE_MAX_STORES 16
#define FENCE_STORES 8
double fence_ns(unsigned stores, uint64_t rounds, unsigned reps);

__attribute__((noreturn)) void die(const char *fmt, const char *arg);

/* bench_bed.c: median chains/s of @c over @reps runs of @chains (after a warm-up). */
double time_cell(const struct cell *c, uint64_t chains, unsigned reps, struct result *r);
/* bench_bed.c: @c for @chains chains, untimed; @return chains served. */
uint64_t serve_cell(const struct cell *c, uint64_t chains);

/* bench_measure.c: the binary that runs @c's children: @self, or @o2 for core-o2. */
const char *binary_of(const struct cell *c, const char *self, const char *o2);
/* bench_measure.c: core-o2's timing, by the --o2 binary; its build string into @build. */
double time_child(const struct cell *c, const char *bin, uint64_t chains, unsigned reps,
		  struct result *r, char *build, size_t nbuild);
/* bench_measure.c: @c under callgrind with @bin; Ir per chain, 0 if the run failed. */
double callgrind_cell(const struct cell *c, uint64_t chains, const char *outdir,
		      const char *bin, char *file, size_t nfile, unsigned long long *served);
/* bench_measure.c: self Ir per chain of each function in callgrind's @file. */
size_t callgrind_split(const char *file, unsigned long long served, struct split_fn *out);

/* bench_report.c */
void machine(char *cpu, size_t n);
void write_md(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
	      size_t nrt, const struct run_info *ri);
void write_json(FILE *f, const struct result *r, size_t n, const struct rt_result *rt,
		size_t nrt, const struct run_info *ri);

#endif /* VIRTQ_BENCH_H */
