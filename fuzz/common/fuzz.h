/* SPDX-License-Identifier: MIT */
/*
 * Shared by every fuzz target.
 *
 * Knobs (all compile-time, set by fuzz/CMakeLists.txt):
 *   VIRTQ_FUZZ_ENGINE_*      which engine main() comes from (standalone driver,
 *                            libFuzzer, AFL++'s libAFLDriver, or $LIB_FUZZING_ENGINE)
 *   VIRTQ_PLANT=...          a planted-bug core (fuzz self-test builds only)
 * Environment at run time:
 *   VIRTQ_FUZZ_VERBOSE=1     print each step and, at exit, the counters
 *                            (unneeded notifications, chains served, errors)
 *
 * A bug is an abort() from FUZZ_ASSERT, which works whatever NDEBUG says,
 * so every engine records it as a crash.  It is a macro so that the crash
 * state's top frame is the check itself, not a helper (dedup by top frames).
 */
#ifndef VIRTQ_FUZZ_H
#define VIRTQ_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(cond, ...)                                                               \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "FUZZ_ASSERT failed at %s:%d: %s\n  ", __FILE__,     \
				__LINE__, #cond);                                            \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Verbose tracing, decided once per process from VIRTQ_FUZZ_VERBOSE. */
int fuzz_verbose(void);

#define FUZZ_TRACE(...)                                                                      \
	do {                                                                                 \
		if (fuzz_verbose())                                                          \
			fprintf(stderr, __VA_ARGS__);                                        \
	} while (0)

#endif /* VIRTQ_FUZZ_H */
