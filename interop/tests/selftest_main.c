/* SPDX-License-Identifier: MIT */
/*
 * Oracle self-test for the interop round trips: linked against a core with
 * one planted bug (planted/bugs.tsv), a round trip must fail, and for the
 * reason given.  Exit 0 when it does ("the test bites"), 1 when the bug
 * slipped through or failed for another reason.
 *
 *   interop_selftest_<bug> single|threads ev0|ev1 ind0|ind1 BUFFERS EXPECTED
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virtq_interop/roundtrip.h"

int main(int argc, char **argv)
{
	struct virtq_rt_config cfg;
	struct virtq_rt_stats st;
	static char err[8192];

	if (argc != 6) {
		fprintf(stderr, "usage: %s single|threads ev0|ev1 ind0|ind1 BUFFERS EXPECTED\n", argv[0]);
		return 2;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = strcmp(argv[1], "threads") == 0 ? VIRTQ_RT_THREADS : VIRTQ_RT_SINGLE;
	cfg.workload = VIRTQ_RT_MIXED;
	cfg.event_idx = strcmp(argv[2], "ev1") == 0;
	cfg.indirect = strcmp(argv[3], "ind1") == 0;
	cfg.queue_size = 256;
	cfg.buffers = strtoull(argv[4], NULL, 10);
	cfg.verify = true;
	cfg.seed = 0x5E1F;
	cfg.stall_ms = 2000;
	if (virtq_rt_run(&cfg, &st, err, sizeof(err)) == 0) {
		printf("%s: planted bug NOT caught: %llu buffers came back intact\n", argv[0],
		       (unsigned long long)st.completed);
		return 1;
	}
	if (strstr(err, argv[5]) == NULL) {
		printf("%s: failed, but not with \"%s\":\n%s\n", argv[0], argv[5], err);
		return 1;
	}
	printf("%s: caught as expected:\n%s\n", argv[0], err);
	return 0;
}
