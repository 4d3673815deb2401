/* SPDX-License-Identifier: MIT */
/* A conformance runner: the suite against the device its adapter defines (virtq_add_device). */
#include "virtq_conformance/suite.h"
#include "virtq_dut/dut.h"

int main(int argc, char **argv) { return vqc_main(argc, argv, &vdut_device); }
