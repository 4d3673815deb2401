/* SPDX-License-Identifier: MIT */
/*
 * Linux's virtio driver (virtio_ring.c, as every Linux guest runs it) drives
 * the core as the device: out-only, in-only and mixed requests of 1 to 300
 * buffers, direct or indirect as Linux chooses, every byte checked both ways,
 * for one feature configuration and one mode per test (see
 * virtq_interop/roundtrip.h).  The threads mode is the lost-wakeup test for
 * fences F1 and F2 (catalogue §4.3): a wakeup lost by either side stalls
 * that side, and the bounded wait turns the stall into a failure that shows
 * both sides' indices, flags and event indices.
 */
#include <stdio.h>

#include "interop.h"
#include "virtq_interop/roundtrip.h"

static struct virtq_rt_config rt_cfg;

static void report(const char *what, const struct virtq_rt_stats *st)
{
	printf("%s ev%d ind%d: %llu buffers in %.2f s (%.0f/s); kicks %llu (forced %llu), "
	       "interrupts %llu, device sleeps %llu, driver sleeps %llu, indirect chains %llu, "
	       "largest %u buffers, %llu bytes read, %llu written; "
	       "signals while suppressed: kicks %llu, interrupts %llu\n",
	       what, rt_cfg.event_idx, rt_cfg.indirect, (unsigned long long)st->completed,
	       st->seconds, st->seconds > 0 ? (double)st->completed / st->seconds : 0.0,
	       (unsigned long long)st->kicks, (unsigned long long)st->forced_kicks,
	       (unsigned long long)st->interrupts, (unsigned long long)st->device_sleeps,
	       (unsigned long long)st->driver_sleeps, (unsigned long long)st->indirect_chains,
	       st->max_buffers, (unsigned long long)st->bytes_read,
	       (unsigned long long)st->bytes_written, (unsigned long long)st->kicks_while_running,
	       (unsigned long long)st->interrupts_while_running);
	fflush(stdout);
}

/* What every mode must show besides "no failure". */
static void check_coverage(const struct virtq_rt_stats *st)
{
	ck_assert_uint_eq(st->completed, rt_cfg.buffers);
	if (rt_cfg.indirect) {
		ck_assert_uint_gt(st->indirect_chains, 0);
		/* Requests longer than the ring exist only through indirect tables. */
		if (rt_cfg.buffers >= 100000)
			ck_assert_uint_gt(st->max_buffers, 256);
	} else {
		ck_assert_uint_eq(st->indirect_chains, 0);
	}
	ck_assert_uint_gt(st->bytes_read, 0);
	ck_assert_uint_gt(st->bytes_written, 0);
	/* Both sides went to sleep and were woken, many times. */
	ck_assert_uint_gt(st->device_sleeps, 0);
	ck_assert_uint_gt(st->driver_sleeps, 0);
}

START_TEST(single_thread_linux_driver_gets_every_buffer_back_intact)
{
	struct virtq_rt_stats st;
	char err[4096];

	rt_cfg.mode = VIRTQ_RT_SINGLE;
	ck_assert_msg(virtq_rt_run(&rt_cfg, &st, err, sizeof(err)) == 0, "%s", err);
	report("single", &st);
	check_coverage(&st);
}
END_TEST

START_TEST(device_thread_with_eventfds_loses_no_wakeup_and_no_buffer)
{
	struct virtq_rt_stats st;
	char err[4096];

	rt_cfg.mode = VIRTQ_RT_THREADS;
	ck_assert_msg(virtq_rt_run(&rt_cfg, &st, err, sizeof(err)) == 0, "%s", err);
	report("threads", &st);
	check_coverage(&st);
}
END_TEST

Suite *linux_driver_suite(const char *mode, bool event_idx, bool indirect, uint64_t buffers)
{
	Suite *s = suite_create("linux_driver");
	TCase *tc = tcase_create(mode);

	rt_cfg.workload = VIRTQ_RT_MIXED;
	rt_cfg.event_idx = event_idx;
	rt_cfg.indirect = indirect;
	rt_cfg.queue_size = 256;
	rt_cfg.buffers = buffers;
	rt_cfg.verify = true;
	rt_cfg.seed = 0x1234u + (event_idx ? 2u : 0u) + (indirect ? 1u : 0u);
	rt_cfg.stall_ms = 10000;
	/* ctest bounds the whole run; Check must not cut it shorter. */
	tcase_set_timeout(tc, 3600);
	if (strcmp(mode, "single") == 0)
		tcase_add_test(tc, single_thread_linux_driver_gets_every_buffer_back_intact);
	else
		tcase_add_test(tc, device_thread_with_eventfds_loses_no_wakeup_and_no_buffer);
	suite_add_tcase(s, tc);
	return s;
}
