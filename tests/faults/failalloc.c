#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "failalloc.h"

/* memalign is not in <stdlib.h>; aligned_alloc, posix_memalign are. */
void *memalign(size_t align, size_t n);

/* glibc's own entry points, which our definitions forward to. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_llong g_countdown;   /* > 0: armed; the allocation that takes it to 0 fails */
static atomic_llong g_count;
static atomic_int g_fired;
static atomic_llong g_live;

void failalloc_arm(int64_t n)
{
    atomic_store(&g_count, 0);
    atomic_store(&g_fired, 0);
    atomic_store(&g_countdown, n);
}

int64_t failalloc_count(void) { return atomic_load(&g_count); }
int failalloc_fired(void) { return atomic_load(&g_fired); }
int64_t failalloc_live(void) { return atomic_load(&g_live); }

static int should_fail(void)
{
    atomic_fetch_add(&g_count, 1);
    if (atomic_load(&g_countdown) <= 0)
        return 0;
    if (atomic_fetch_sub(&g_countdown, 1) == 1) {
        atomic_store(&g_fired, 1);
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    if (should_fail())
        return NULL;
    void *p = __libc_malloc(n);
    if (p)
        atomic_fetch_add(&g_live, 1);
    return p;
}

void *calloc(size_t a, size_t b)
{
    if (should_fail())
        return NULL;
    void *p = __libc_calloc(a, b);
    if (p)
        atomic_fetch_add(&g_live, 1);
    return p;
}

void *realloc(void *old, size_t n)
{
    if (!old)
        return malloc(n);
    if (n == 0) {
        free(old);
        return NULL;
    }
    if (should_fail())
        return NULL;
    return __libc_realloc(old, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (should_fail())
        return ENOMEM;
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    atomic_fetch_add(&g_live, 1);
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    void *p = NULL;
    return posix_memalign(&p, align, n) == 0 ? p : NULL;
}

void *memalign(size_t align, size_t n)
{
    return aligned_alloc(align, n);
}

void free(void *p)
{
    if (p) {
        atomic_fetch_sub(&g_live, 1);
        __libc_free(p);
    }
}
