/* SPDX-License-Identifier: MIT */
/*
 * vqc_run(): a suite as a Check runner.  One TCase per test, named after
 * the test ("SPLIT-UNS-10.need_event_matrix") and tagged with its clause IDs,
 * so CK_INCLUDE_TAGS=SPLIT-UNS-10 runs one clause and CK_RUN_CASE one test.
 * Every iteration forks (CK_FORK, forced): a fault on a read-only page ends
 * that child with a recorded finding, a crash or hang is Check's error, and
 * the next test runs regardless.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "findings.h"
#include "virtq_conformance/runner.h"

#ifndef VQC_DEFAULT_CATALOGUE
#define VQC_DEFAULT_CATALOGUE "clauses.tsv"
#endif

#define DEFAULT_TIMEOUT 120

static void usage(const char *argv0, const struct vqc_target *t)
{
	fprintf(stderr,
		"usage: %s [--list] [--results FILE] [--xml FILE] [--catalogue FILE]%s\n"
		"  runs the virtq conformance suite against this implementation.\n"
		"  CK_INCLUDE_TAGS=<clause ID> runs the tests of one clause, CK_RUN_CASE=<test> one test.\n",
		argv0, t->usage ? t->usage : "");
}

/* Every tag must be a testable catalogue row, and a test is named after its first tag. */
static int validate(const struct vqc_test_def *const *suites)
{
	int bad = 0;

	for (size_t s = 0; suites[s]; s++) {
		for (const struct vqc_test_def *d = suites[s]; d->cname; d++) {
			char tags[256], name[160], *save = NULL, *t;
			size_t n;

			vqc_display_name(d->cname, name, sizeof(name));
			snprintf(tags, sizeof(tags), "%s", d->tags);
			t = strtok_r(tags, " ", &save);
			n = t ? strlen(t) : 0;
			if (!t || strncmp(name, t, n) != 0 || name[n] != '.') {
				fprintf(stderr, "suite bug: %s is not named after its first tag\n", name);
				bad = 1;
			}
			for (; t; t = strtok_r(NULL, " ", &save)) {
				if (!vqc_catalogue_testable(t)) {
					fprintf(stderr, "suite bug: %s tags %s, which is not a testable "
						"clause of the catalogue\n", name, t);
					bad = 1;
				}
			}
		}
	}
	return bad ? -1 : 0;
}

static void list(const struct vqc_target *t)
{
	printf("impl\t%s\t%s\t0x%llx\t%s\n", t->name, t->description, (unsigned long long)t->features,
	       t->access_log ? "access_log" : "-");
	for (size_t s = 0; t->suites[s]; s++) {
		for (const struct vqc_test_def *d = t->suites[s]; d->cname; d++) {
			char name[160];

			vqc_display_name(d->cname, name, sizeof(name));
			printf("test\t%s\t%s\t%d\n", name, d->tags, d->iterations);
		}
	}
}

int vqc_run(int argc, char **argv, const struct vqc_target *t)
{
	const char *results = NULL, *xml = NULL, *catalogue = getenv("VQC_CATALOGUE");
	bool listing = false;
	Suite *suite;
	SRunner *sr;
	char *names[256];
	size_t nnames = 0;
	int fd = -1, failed, run;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			listing = true;
		else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
			results = argv[++i];
		else if (strcmp(argv[i], "--xml") == 0 && i + 1 < argc)
			xml = argv[++i];
		else if (strcmp(argv[i], "--catalogue") == 0 && i + 1 < argc)
			catalogue = argv[++i];
		else if (t->option && i + 1 < argc && t->option(argv[i], argv[i + 1]) == 0)
			i++;
		else {
			usage(argv[0], t);
			return 2;
		}
	}
	if (t->ready && t->ready() != 0)
		return 2;
	vqc_use_suites(t->suites);
	if (vqc_catalogue_load(catalogue ? catalogue : VQC_DEFAULT_CATALOGUE) != 0 || validate(t->suites) != 0)
		return 2;
	if (listing) {
		list(t);
		return 0;
	}
	if (results) {
		fd = open(results, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "%s: %s\n", results, strerror(errno));
			return 2;
		}
		vqc_results_fd(fd);
	}
	suite = suite_create(t->name);
	for (size_t s = 0; t->suites[s]; s++) {
		for (const struct vqc_test_def *d = t->suites[s]; d->cname; d++) {
			char name[160];
			TCase *tc;

			vqc_display_name(d->cname, name, sizeof(name));
			if (nnames == sizeof(names) / sizeof(names[0])) {
				fprintf(stderr, "suite bug: more than %zu tests\n", nnames);
				return 2;
			}
			names[nnames] = strdup(name); /* Check keeps the pointer */
			tc = tcase_create(names[nnames++]);
			tcase_set_tags(tc, d->tags);
			tcase_set_timeout(tc, d->timeout ? d->timeout : DEFAULT_TIMEOUT);
			tcase_add_loop_test(tc, *d->tt, 0, d->iterations);
			suite_add_tcase(suite, tc);
		}
	}
	sr = srunner_create(suite);
	srunner_set_fork_status(sr, CK_FORK);
	if (xml)
		srunner_set_xml(sr, xml);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	run = srunner_ntests_run(sr);
	srunner_free(sr);
	while (nnames)
		free(names[--nnames]);
	if (fd >= 0)
		close(fd);
	/* A run that executed nothing (a tag filter that matched none) is not a pass. */
	return failed == 0 && run > 0 ? 0 : 1;
}
