/*
 * kzv_queue: a bounded ring of frame references guarded by one mutex and two
 * condition variables (not_empty for consumers, not_full for producers).
 *
 * One lock for both ends keeps the invariants obvious (size, close, stats all
 * change together); the queue holds pointers only, so the critical sections
 * are a few instructions and the lock is never the bottleneck next to decoding.
 * Waiters are counted so that the common uncontended push/pop does not pay for
 * a futex wake-up nobody is waiting for.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "kzv/queue.h"
#include "core/abi.h"
#include "core/log.h"
#include "core/thread.h"

struct kzv_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;  /* signalled when a frame arrives or on close */
    pthread_cond_t not_full;   /* signalled when a slot frees up or on close */

    kzv_frame **ring;          /* capacity slots; [head, head + size) are live */
    int capacity;
    int head;
    int size;
    kzv_queue_policy policy;
    bool closed;

    int push_waiters;          /* threads inside a not_full wait */
    int pop_waiters;           /* threads inside a not_empty wait */

    int64_t total_enqueued;
    int64_t total_dequeued;
    int64_t total_dropped;
    int peak_size;
};

void kzv_queue_default_settings(kzv_queue_settings *s)
{
    if (!s)
        return;
    *s = (kzv_queue_settings){
        .capacity = 16,
        .policy = KZV_QUEUE_BLOCK,
    };
}

int kzv_queue_create(kzv_queue **out, const kzv_queue_settings *settings)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;

    kzv_queue_settings s;
    kzv_queue_default_settings(&s);
    if (settings)
        s = *settings;
    if (!KZV_RESERVED_OK(&s)) {
        kzv_log(NULL, KZV_LOG_ERROR, "kzv_queue_create: %s", KZV_RESERVED_WHY("kzv_queue_settings"));
        return KZV_EINVAL;
    }
    if (s.capacity < 1 || (s.policy != KZV_QUEUE_BLOCK && s.policy != KZV_QUEUE_DROP_OLDEST))
        return KZV_EINVAL;

    kzv_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return KZV_ENOMEM;
    q->ring = calloc((size_t)s.capacity, sizeof(*q->ring));
    if (!q->ring) {
        free(q);
        return KZV_ENOMEM;
    }
    q->capacity = s.capacity;
    q->policy = s.policy;

    int err = kzv_mutex_init(&q->lock);
    if (err < 0)
        goto fail_lock;
    if ((err = kzv_cond_init(&q->not_empty)) < 0)
        goto fail_not_empty;
    if ((err = kzv_cond_init(&q->not_full)) < 0)
        goto fail_not_full;

    *out = q;
    return KZV_OK;

fail_not_full:
    kzv_cond_destroy(&q->not_empty);
fail_not_empty:
    kzv_mutex_destroy(&q->lock);
fail_lock:
    free(q->ring);
    free(q);
    return err;
}

/* Wait on `cond` until `ready(q)` holds, the queue closes, or the timeout
 * runs out. Called and returns with q->lock held.
 * @return KZV_OK when ready or closed (the caller tells which), KZV_EAGAIN
 *         for a zero timeout, KZV_ETIMEDOUT when the deadline passed. */
static int queue_wait(kzv_queue *q, pthread_cond_t *cond, int *waiters,
                      bool (*ready)(const kzv_queue *q), int64_t timeout_ns)
{
    if (ready(q) || q->closed)
        return KZV_OK;
    if (timeout_ns == 0)
        return KZV_EAGAIN;

    struct timespec deadline;
    bool forever = timeout_ns < 0 || kzv_deadline(&deadline, timeout_ns) < 0;
    int res = KZV_OK;
    (*waiters)++;
    while (!ready(q) && !q->closed) {
        if (forever) {
            kzv_cond_wait(cond, &q->lock);
        } else if (kzv_cond_timedwait(cond, &q->lock, &deadline) == ETIMEDOUT) {
            /* The condition may have become true just as time ran out;
             * prefer the success in that case, as pthreads itself does. */
            if (!ready(q) && !q->closed)
                res = KZV_ETIMEDOUT;
            break;
        }
    }
    (*waiters)--;
    return res;
}

static bool has_room(const kzv_queue *q)
{
    /* A DROP_OLDEST queue always has room: it makes it by dropping. */
    return q->size < q->capacity || q->policy == KZV_QUEUE_DROP_OLDEST;
}

static bool has_frame(const kzv_queue *q)
{
    return q->size > 0;
}

int kzv_queue_push(kzv_queue *q, kzv_frame *frame, int64_t timeout_ns)
{
    if (!q || !frame)
        return KZV_EINVAL;

    kzv_frame *dropped = NULL;
    kzv_mutex_lock(&q->lock);
    int res = queue_wait(q, &q->not_full, &q->push_waiters, has_room, timeout_ns);
    if (res == KZV_OK && q->closed)
        res = KZV_ECLOSED;
    if (res < 0) {
        kzv_mutex_unlock(&q->lock);
        return res; /* the reference stays with the caller */
    }

    if (q->size == q->capacity) {
        /* DROP_OLDEST (BLOCK never gets here full): make room at the head. */
        dropped = q->ring[q->head];
        q->ring[q->head] = NULL;
        q->head = (q->head + 1) % q->capacity;
        q->size--;
        q->total_dropped++;
    }
    q->ring[(q->head + q->size) % q->capacity] = frame;
    q->size++;
    q->total_enqueued++;
    if (q->size > q->peak_size)
        q->peak_size = q->size;
    bool wake = q->pop_waiters > 0;
    kzv_mutex_unlock(&q->lock);

    /* Signalling after unlock spares the woken thread an immediate block on
     * the mutex; a waiter counted under the lock is already inside its wait. */
    if (wake)
        kzv_cond_signal(&q->not_empty);
    /* Unref outside the lock: freeing a frame may take a while. */
    kzv_frame_unref(&dropped);
    return KZV_OK;
}

int kzv_queue_pop(kzv_queue *q, kzv_frame **out, int64_t timeout_ns)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (!q)
        return KZV_EINVAL;

    kzv_mutex_lock(&q->lock);
    int res = queue_wait(q, &q->not_empty, &q->pop_waiters, has_frame, timeout_ns);
    if (res == KZV_OK && q->size == 0)
        res = KZV_EOF; /* closed and drained */
    if (res < 0) {
        kzv_mutex_unlock(&q->lock);
        return res;
    }

    *out = q->ring[q->head];
    q->ring[q->head] = NULL;
    q->head = (q->head + 1) % q->capacity;
    q->size--;
    q->total_dequeued++;
    bool wake = q->push_waiters > 0;
    kzv_mutex_unlock(&q->lock);

    if (wake)
        kzv_cond_signal(&q->not_full);
    return KZV_OK;
}

void kzv_queue_close(kzv_queue *q)
{
    if (!q)
        return;
    kzv_mutex_lock(&q->lock);
    q->closed = true;
    kzv_mutex_unlock(&q->lock);
    kzv_cond_broadcast(&q->not_empty);
    kzv_cond_broadcast(&q->not_full);
}

void kzv_queue_get_stats(const kzv_queue *cq, kzv_queue_stats *st)
{
    if (!st)
        return;
    *st = (kzv_queue_stats){ 0 };
    if (!cq)
        return;
    /* The lock is bookkeeping, not part of the logical value: a const queue
     * can still be locked. */
    kzv_queue *q = (kzv_queue *)cq;
    kzv_mutex_lock(&q->lock);
    st->total_enqueued = q->total_enqueued;
    st->total_dequeued = q->total_dequeued;
    st->total_dropped = q->total_dropped;
    st->size = q->size;
    st->peak_size = q->peak_size;
    st->capacity = q->capacity;
    kzv_mutex_unlock(&q->lock);
}

void kzv_queue_destroy(kzv_queue **pq)
{
    if (!pq || !*pq)
        return;
    kzv_queue *q = *pq;
    *pq = NULL;
    for (int i = 0; i < q->size; i++)
        kzv_frame_unref(&q->ring[(q->head + i) % q->capacity]);
    kzv_cond_destroy(&q->not_full);
    kzv_cond_destroy(&q->not_empty);
    kzv_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}
