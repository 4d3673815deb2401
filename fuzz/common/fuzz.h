/* SPDX-License-Identifier: MIT */
/*
 * Shared by every fuzz target.
 *
 * Knobs (compile-time, set by fuzz/CMakeLists.txt):
 *   VIRTQ_FUZZ_ENGINE_*      which engine main() comes from (standalone driver,
 *                            libFuzzer, AFL++'s libAFLDriver, or $LIB_FUZZING_ENGINE)
 * Environment at run time:
 *   VIRTQ_FUZZ_VERBOSE=1     print each step and, at exit, the counters
 *
 * A bug is an abort() from FUZZ_ORACLE, which works whatever NDEBUG says, so
 * every engine records it as a crash.  Each oracle has a name, printed as
 * "oracle <name>:", so that the self-test can check that the oracle claiming
 * a planted bug is the one that fired, and triage can group by it.  It is a
 * macro so that the crash state's top frame is the check itself.
 */
#ifndef VIRTQ_FUZZ_H
#define VIRTQ_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ORACLE(name, cond, ...)                                                         \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "FUZZ_ASSERT failed at %s:%d: oracle %s: %s\n  ",   \
				__FILE__, __LINE__, (name), #cond);                          \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* A harness invariant (the harness's own books), not an oracle about the device. */
#define FUZZ_ASSERT(cond, ...) FUZZ_ORACLE("harness", cond, __VA_ARGS__)

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Verbose tracing, decided once per process from VIRTQ_FUZZ_VERBOSE. */
int fuzz_verbose(void);

/* Chains a device handed out and the harness walked, this process (stats.c). */
extern unsigned long long fuzz_chains_walked;

#define FUZZ_TRACE(...)                                                                      \
	do {                                                                                 \
		if (fuzz_verbose())                                                          \
			fprintf(stderr, __VA_ARGS__);                                        \
	} while (0)

#endif /* VIRTQ_FUZZ_H */
