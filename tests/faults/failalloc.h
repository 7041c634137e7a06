/* Allocation-failure injection for tests (the counting-allocator way of
 * dav1d's malloc-wrapping fuzzer): this test program defines malloc & co.,
 * which take precedence over glibc's for the whole process (FFmpeg's
 * libraries included), and can make the Nth allocation from now fail. Only
 * built without sanitizers, which bring their own allocator. */
#ifndef KZV_TESTS_FAILALLOC_H
#define KZV_TESTS_FAILALLOC_H

#include <stdint.h>

/* Fail the n-th allocation from now (1 = the next one); 0 disarms. */
void failalloc_arm(int64_t n);
/* Allocations made since the last arm (whether or not one failed). */
int64_t failalloc_count(void);
/* True once the armed allocation has failed. */
int failalloc_fired(void);
/* Blocks currently allocated (mallocs minus frees), process-wide. */
int64_t failalloc_live(void);

#endif
