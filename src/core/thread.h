/*
 * Thin pthread wrappers for kzv's internals.
 *
 * Like libuv's uv_mutex_lock(), the lock/unlock/wait/signal wrappers abort()
 * when pthreads reports an error: those errors (EINVAL, EDEADLK, EPERM) only
 * happen when the program is already broken (a destroyed mutex, a lock not
 * held), and carrying on would corrupt state silently. Initialisation can fail
 * for ordinary reasons (ENOMEM, EAGAIN) and returns a kzv status instead.
 *
 * Condition variables use CLOCK_MONOTONIC so that a timed wait is not
 * stretched or cut short when someone sets the wall clock.
 */
#ifndef KZV_SRC_CORE_THREAD_H
#define KZV_SRC_CORE_THREAD_H

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "kzv/common.h"

#define KZV_NS_PER_SEC INT64_C(1000000000)

static inline int kzv_mutex_init(pthread_mutex_t *m)
{
    int err = pthread_mutex_init(m, NULL);
    return err == 0 ? KZV_OK : err == ENOMEM ? KZV_ENOMEM : KZV_EINVAL;
}

static inline void kzv_mutex_destroy(pthread_mutex_t *m)
{
    if (pthread_mutex_destroy(m))
        abort();
}

static inline void kzv_mutex_lock(pthread_mutex_t *m)
{
    if (pthread_mutex_lock(m))
        abort();
}

static inline void kzv_mutex_unlock(pthread_mutex_t *m)
{
    if (pthread_mutex_unlock(m))
        abort();
}

/* A condition variable whose timed waits measure CLOCK_MONOTONIC. */
static inline int kzv_cond_init(pthread_cond_t *c)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr))
        return KZV_ENOMEM;
    int err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (!err)
        err = pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
    return err == 0 ? KZV_OK : err == ENOMEM || err == EAGAIN ? KZV_ENOMEM : KZV_EINVAL;
}

static inline void kzv_cond_destroy(pthread_cond_t *c)
{
    if (pthread_cond_destroy(c))
        abort();
}

static inline void kzv_cond_signal(pthread_cond_t *c)
{
    if (pthread_cond_signal(c))
        abort();
}

static inline void kzv_cond_broadcast(pthread_cond_t *c)
{
    if (pthread_cond_broadcast(c))
        abort();
}

static inline void kzv_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    if (pthread_cond_wait(c, m))
        abort();
}

/* Wait until signalled or `deadline` (CLOCK_MONOTONIC) passes.
 * @return 0, or ETIMEDOUT when the deadline has passed. */
static inline int kzv_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                     const struct timespec *deadline)
{
    int err = pthread_cond_timedwait(c, m, deadline);
    if (err && err != ETIMEDOUT)
        abort();
    return err;
}

/* Nanoseconds on CLOCK_MONOTONIC (an arbitrary but fixed origin). */
static inline int64_t kzv_time_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts))
        abort();
    return (int64_t)ts.tv_sec * KZV_NS_PER_SEC + ts.tv_nsec;
}

/*
 * The CLOCK_MONOTONIC instant `timeout_ns` (> 0) from now.
 * @return 0, or -1 when the deadline lies so far away that it does not fit
 *         (the caller then waits without a deadline: nobody waits 292 years).
 */
static inline int kzv_deadline(struct timespec *ts, int64_t timeout_ns)
{
    int64_t now = kzv_time_ns();
    if (timeout_ns > INT64_MAX - now)
        return -1;
    int64_t t = now + timeout_ns;
    ts->tv_sec = (time_t)(t / KZV_NS_PER_SEC);
    ts->tv_nsec = (long)(t % KZV_NS_PER_SEC);
    return 0;
}

#endif /* KZV_SRC_CORE_THREAD_H */
