/* SPDX-License-Identifier: MIT */
/* Names for the device interface's result codes (reports, oracle messages). */
#include "virtq_dut/dut.h"

const char *vdut_rc_name(enum vdut_rc rc)
{
	static const char *const names[] = {"OK", "EMPTY", "REJECTED", "QUEUE_BROKEN", "UNSUPPORTED",
					    "FAILED"};

	return (unsigned)rc < sizeof(names) / sizeof(names[0]) ? names[rc] : "?";
}
