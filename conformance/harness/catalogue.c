/* SPDX-License-Identifier: MIT */
/*
 * The clause catalogue (conformance/clauses.tsv), as far as the suite needs
 * it: which IDs exist and which a test may claim to check.  The report reads
 * the same file for everything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings.h"

#define MAX_CLAUSES 256

static struct {
	char id[32];
	bool testable;
} rows[MAX_CLAUSES];
static size_t nrows;

int vqc_catalogue_load(const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	bool header = true;

	if (!f) {
		perror(path);
		return -1;
	}
	nrows = 0;
	while (fgets(line, sizeof(line), f)) {
		char *id, *testable, *save = NULL;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (header) { /* the column names */
			header = false;
			continue;
		}
		id = strtok_r(line, "\t", &save);
		for (int col = 1; col < 5; col++)
			(void)strtok_r(NULL, "\t", &save);
		testable = strtok_r(NULL, "\t", &save);
		if (!id || !testable || nrows == MAX_CLAUSES) {
			fprintf(stderr, "%s: malformed row for %s\n", path, id ? id : "?");
			fclose(f);
			return -1;
		}
		snprintf(rows[nrows].id, sizeof(rows[0].id), "%s", id);
		rows[nrows].testable = strcmp(testable, "yes") == 0 || strcmp(testable, "robust") == 0;
		nrows++;
	}
	fclose(f);
	if (nrows == 0) {
		fprintf(stderr, "%s: no clauses\n", path);
		return -1;
	}
	return 0;
}

static int find(const char *id)
{
	for (size_t i = 0; i < nrows; i++)
		if (strcmp(rows[i].id, id) == 0)
			return (int)i;
	return -1;
}

bool vqc_catalogue_known(const char *id) { return find(id) >= 0; }

bool vqc_catalogue_testable(const char *id)
{
	int i = find(id);

	return i >= 0 && rows[i].testable;
}
