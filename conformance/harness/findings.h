/* SPDX-License-Identifier: MIT */
/*
 * Test lifecycle and findings: what the suite writes to its results file.
 *
 * Every test iteration runs in its own forked child (Check's CK_FORK).  It
 * appends JSON lines to the results file the runner opened: a begin record,
 * parameters, findings, and an end record.  A finding names the clause it
 * is evidence against, whatever test observed it: the notification oracle,
 * the used-ring observer, the access log and the fault handler attribute by
 * what they saw, so a test for one clause that trips over another reports it
 * under that other clause.  The report (conformance/report) joins these
 * lines with Check's own per-test result (crash, timeout) and the catalogue.
 *
 * Records (one JSON object per line, "t" says which):
 *   begin    test, iter, tags
 *   param    test, iter, q, features, access_log
 *   finding  test, iter, clause, verdict (fail|warn|info), kind, fatal,
 *            expected, observed, detail, ctx {q, avail, used, ...}
 *   count    test, iter, clause, verdict, kind, count (repeats of a finding)
 *   end      test, iter, status (done|na|untested), note
 * A test without an end record was cut short: by a fatal finding (then
 * recorded) or by a crash or timeout (then only Check knows).
 */
#ifndef VQC_FINDINGS_H
#define VQC_FINDINGS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "vguest/mem.h"

enum vqc_verdict { VQC_INFO, VQC_WARN, VQC_FAIL };

/*
 * Harness assertion that costs nothing when it holds.  (Check records every
 * passing ck_assert as a location message through a file, which dominates a
 * 65537-completion run; ck_abort_msg writes only when it fails.)
 */
#define VQC_REQUIRE(cond, ...)                                                               \
	do {                                                                                 \
		if (!(cond))                                                                 \
			ck_abort_msg(__VA_ARGS__);                                           \
	} while (0)

/** One registered test: a Check test function run once per iteration. */
struct vqc_test_def {
	const TTest *const *tt; /* &name (the pointer START_TEST defines) */
	const char *cname;      /* C name: CLAUSE__behaviour, clause with '_' for '-' */
	const char *tags;       /* clause IDs, space-separated; the first is the primary */
	int iterations;         /* _i runs 0..iterations-1 */
	int timeout;            /* seconds for one iteration (before CK_TIMEOUT_MULTIPLIER) */
};

/** Exit status of a test child killed by a fatal finding (the report knows it). */
#define VQC_EXIT_FATAL 86

/* ---- the runner's side ---- */

/** The runner's test tables (NULL-terminated), where vqc_begin() finds a test's tags. */
void vqc_use_suites(const struct vqc_test_def *const *suites);

/** Display name "SPLIT-UNS-10.behaviour" of a test's C name, into @p buf. */
void vqc_display_name(const char *cname, char *buf, size_t n);

/** Load the clause catalogue; @return 0 or -1 (message on stderr). */
int vqc_catalogue_load(const char *path);
/** Whether @p id is a catalogue row a test may check (testable yes / robust). */
bool vqc_catalogue_testable(const char *id);
/** Whether @p id is a catalogue row at all. */
bool vqc_catalogue_known(const char *id);

/** Results file descriptor the children append to (-1: none, findings go to stderr). */
void vqc_results_fd(int fd);

/* ---- inside a test ---- */

/** Start of a test body (the VQC_TEST macro calls it). */
void vqc_begin(const char *cname, int iter);
/** End of a test body: writes the end record; fails the Check test on any fail finding. */
void vqc_end(void);
/** The test cannot be run here: status "na" (feature not offered) or "untested" (no access log). */
void vqc_set_status(const char *status, const char *note);
/** A param record (a JSON fragment of "key":value pairs, no braces). */
void vqc_param(const char *json_fields);

/** Whether @p clause is one of the running test's tags. */
bool vqc_own(const char *clause);
/** The running test's first tag. */
const char *vqc_primary(void);

/**
 * Record a finding.  @p kind is a short stable key ("missed-notification");
 * repeats of (clause, kind, verdict) beyond the third are only counted.
 * @p expected / @p observed may be NULL.
 */
void vqc_find(enum vqc_verdict v, const char *clause, const char *kind, const char *expected,
	      const char *observed, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/** A fail finding after which the test cannot go on: record it and end the child. */
_Noreturn void vqc_fatal(const char *clause, const char *kind, const char *expected,
			 const char *observed, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/**
 * @p fn runs after a fatal finding is recorded, before the child ends: the
 * harness's own clean-up (a back-end process, its folder).  Not after a fault.
 */
void vqc_on_fatal(void (*fn)(void));

/**
 * The async-signal-safe variant for the fault handler: @p detail is already
 * formatted.  Ends the child with VQC_EXIT_FATAL.
 */
_Noreturn void vqc_fault(const char *clause, const char *kind, const char *detail);

/** The clause a device store into guest bytes of kind @p k breaks (kind_clause.c). */
const char *vqc_kind_clause(enum vg_kind k);
/**
 * The shadow compare: every byte of @p m that only a device can have changed
 * and that is not device-writable is a stray-write finding, under @p clause
 * or (NULL) the clause of the byte's kind; then the shadow takes it in.
 */
void vqc_check_memory(struct vg_mem *m, const char *clause);

/** Number of fail findings recorded so far in this test (any clause). */
unsigned vqc_fail_count(void);
/** Findings of @p verdict under @p clause so far in this test. */
unsigned long vqc_count(const char *clause, enum vqc_verdict v);

/**
 * Context appended to each finding (queue size, indices): @p fn writes a
 * JSON fragment into @p buf using only async-signal-safe code.
 */
void vqc_set_ctx(size_t (*fn)(void *opaque, char *buf, size_t n), void *opaque);

/** printf into one of a few rotating static buffers (for expected/observed). */
const char *vqc_s(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Async-signal-safe string building (no stdio). */
struct vqc_sb {
	char *buf;
	size_t cap, len;
};
void vqc_sb_str(struct vqc_sb *b, const char *s);
void vqc_sb_json(struct vqc_sb *b, const char *s); /* quoted and escaped */
void vqc_sb_u64(struct vqc_sb *b, uint64_t v);
void vqc_sb_hex(struct vqc_sb *b, uint64_t v);

/* Test registration (struct vqc_test_def): VQC_TEST(CLAUSE__behaviour) { body using _i } */
#define VQC_TEST(id)                                                                        \
	static void id##_body(int _i __attribute__((unused)));                              \
	START_TEST(id)                                                                      \
	{                                                                                   \
		vqc_begin(#id, _i);                                                         \
		id##_body(_i);                                                              \
		vqc_end();                                                                  \
	}                                                                                   \
	END_TEST                                                                            \
	static void id##_body(int _i __attribute__((unused)))

#define VQC_DEF(id, tags, iters, timeout) {&id, #id, tags, iters, timeout}

#endif /* VQC_FINDINGS_H */
