/* SPDX-License-Identifier: MIT */
/*
 * conformance_vhost_user: the black-box suite as a conformance runner for a
 * vhost-user back-end in another process.
 *     conformance_vhost_user --backend 'COMMAND --socket {socket}' [--type blk|net|fs] [--name NAME]
 *     conformance_vhost_user --backend @/path/to/socket ...   (one already listening)
 * Each test starts the back-end afresh ({socket} is a private path), so a
 * crash ends one test, not the run.  `virtq-conformance --impl
 * 'vhost-user:NAME=TYPE:COMMAND'` runs it and puts it in the report.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb.h"
#include "virtq_conformance/runner.h"

extern const struct vqc_test_def *const bb_suites[];

static int option(const char *opt, const char *val);
static int ready(void);

static char description[512];
static struct vqc_target target = {
	.name = "vhost-user", .description = description,
	.features = F_VERSION_1 | F_INDIRECT | F_EVENT_IDX, /* asked for; a back-end without them: n/a */
	.suites = bb_suites, .option = option, .ready = ready,
	.usage = " --backend COMMAND|@SOCKET [--type blk|net|fs] [--name NAME]",
};

static const char *type_name = "blk";

static int option(const char *opt, const char *val)
{
	if (strcmp(opt, "--backend") == 0)
		bb_backend = val;
	else if (strcmp(opt, "--type") == 0)
		type_name = val;
	else if (strcmp(opt, "--name") == 0)
		target.name = val;
	else
		return -1;
	return 0;
}

static int ready(void)
{
	if (!bb_backend) {
		fprintf(stderr, "conformance_vhost_user: --backend COMMAND (with {socket}) or @SOCKET is required\n");
		return -1;
	}
	bb_type = bb_type_find(type_name);
	if (!bb_type) {
		fprintf(stderr, "conformance_vhost_user: --type %s: the device types are %s\n", type_name,
			bb_type_names());
		return -1;
	}
	snprintf(description, sizeof(description), "vhost-user %s back-end: %s", bb_type->name, bb_backend);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	(void)remove(path); /* best effort: go on with the rest */
	return 0;
}

/*
 * Every test's back-end folder lives in one folder of the run, removed when
 * the run ends: a test child that ends early (a failed assertion _exits, a
 * timeout kills it) cannot clean up after itself.
 */
int main(int argc, char **argv)
{
	static char tmp[] = "/tmp/virtq-vhu-run-XXXXXX";
	int rc;

	bb_tmp = mkdtemp(tmp);
	if (!bb_tmp) {
		perror("conformance_vhost_user: mkdtemp");
		return 2;
	}
	rc = vqc_run(argc, argv, &target);
	if (getenv("VIRTQ_VHU_KEEP_LOGS"))
		fprintf(stderr, "conformance_vhost_user: back-end logs kept in %s\n", bb_tmp);
	else
		nftw(bb_tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
