/* SPDX-License-Identifier: MIT */
/* The guest's own tests: the event rule, the memory walker, the driver, the model, the stores. */
#ifndef VGUEST_TESTS_H
#define VGUEST_TESTS_H

#include <check.h>

Suite *event_suite(void);
Suite *mem_suite(void);
Suite *shadow_suite(void);
Suite *driver_suite(void);
Suite *model_suite(void);
Suite *store_suite(void);

#endif
