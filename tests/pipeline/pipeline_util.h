/* Small helpers shared by the pipeline tests. */
#ifndef KZV_TESTS_PIPELINE_UTIL_H
#define KZV_TESTS_PIPELINE_UTIL_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "core/frame_internal.h"
#include "ktest.h"

/* KT_REQUIRE for helper functions (KT_REQUIRE itself returns from main):
 * record the failure and end the program with the summary. */
#define PT_REQUIRE(cond, ...) do { kt_checks++; if (!(cond)) { \
    kt_fail_at(__FILE__, __LINE__, __VA_ARGS__); exit(kt_finish()); } } while (0)

#define PT_MS (INT64_C(1000000))

static inline int64_t pt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void pt_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {}
}

/* Current reference count of a frame (internal view). */
static inline int pt_refs(const kzv_frame *f)
{
    return atomic_load(&((const kzv_frame_internal *)f)->refs);
}

#endif
