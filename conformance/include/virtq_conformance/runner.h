/* SPDX-License-Identifier: MIT */
/*
 * vqc_run(): any suite of clause-tagged Check tests as a conformance runner
 * (the library vqc_runner).  The in-process suite (suite.h, vqc_main) and the
 * black-box suite for vhost-user back-ends (vhost_user/blackbox) are both
 * built on it, so `virtq-conformance` reads their inventories and results
 * the same way and puts them in one report.
 */
#ifndef VIRTQ_CONFORMANCE_RUNNER_H
#define VIRTQ_CONFORMANCE_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

struct vqc_test_def;

/** What a runner tests and how. */
struct vqc_target {
	const char *name;        /**< the report's column */
	const char *description; /**< one line for the report */
	uint64_t features;       /**< ring feature bits it can run with */
	bool access_log;         /**< evidence from an access log is available */
	const struct vqc_test_def *const *suites; /**< test tables, NULL-terminated */
	/** Extra "--option value" pairs: 0 if taken (may be NULL). */
	int (*option)(const char *opt, const char *val);
	/** After the options, before anything runs: 0, or non-zero to stop with status 2 (may be NULL). */
	int (*ready)(void);
	const char *usage; /**< the extra options, for the usage line */
};

/**
 * The whole main() of a runner.  Options: --list, --results FILE (JSON lines
 * the report reads), --xml FILE (Check's own log), --catalogue FILE
 * (clauses.tsv), and the target's own.  Check's CK_INCLUDE_TAGS /
 * CK_RUN_CASE select tests by clause or name.
 * @return process exit status: 0 if every test ran clean.
 */
int vqc_run(int argc, char **argv, const struct vqc_target *t);

#endif /* VIRTQ_CONFORMANCE_RUNNER_H */
