/* SPDX-License-Identifier: MIT */
/* Manual ASan poisoning, a no-op without ASan: memory the guest keeps but no one may touch. */
#ifndef VGUEST_SRC_ASAN_H
#define VGUEST_SRC_ASAN_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VG_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VG_ASAN 1
#endif
#ifdef VG_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif /* VGUEST_SRC_ASAN_H */
