/* SPDX-License-Identifier: MIT */
/* vqc_main(): the in-process suite against a device behind the device interface. */
#include <stdio.h>

#include "cq.h"
#include "virtq_conformance/runner.h"
#include "virtq_conformance/suite.h"

extern const struct vqc_test_def *const vqc_suites[];

int vqc_main(int argc, char **argv, const struct vdut_adapter *impl)
{
	struct vqc_target t;

	if (!impl || impl->version != VDUT_VERSION) {
		fprintf(stderr, "adapter version %u, suite expects %u\n", impl ? impl->version : 0, VDUT_VERSION);
		return 2;
	}
	vqc_impl = impl;
	t = (struct vqc_target){.name = impl->name, .description = impl->description,
				.features = impl->features, .access_log = impl->caps & VDUT_CAP_ACCESS_LOG,
				.suites = vqc_suites};
	return vqc_run(argc, argv, &t);
}
