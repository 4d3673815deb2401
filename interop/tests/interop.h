/* SPDX-License-Identifier: MIT */
/* The interop suites (ctest label "interop"). */
#ifndef VIRTQ_INTEROP_TESTS_H
#define VIRTQ_INTEROP_TESTS_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Linux's driver against the core: @mode "single" or "threads", one feature set. */
Suite *linux_driver_suite(const char *mode, bool event_idx, bool indirect, uint64_t buffers);

/* The vringh wrapper over a fake-driver arena. */
Suite *vringh_device_suite(void);

#endif /* VIRTQ_INTEROP_TESTS_H */
