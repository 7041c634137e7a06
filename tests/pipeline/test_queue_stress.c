/*
 * Stress: many producers and consumers through a tiny queue.
 *
 * BLOCK: 4 producers and 4 consumers move N frames (default 1,000,000)
 * through a queue of capacity 3. Every frame carries a unique id in
 * frame_index; consumers mark it in a shared bitmap with an atomic fetch_or,
 * so a duplicate is caught the moment it happens and a loss shows as an
 * unset bit at the end. A deadlock shows as the test timing out.
 *
 * DROP_OLDEST: the same shape; nothing may be duplicated, and every frame
 * must be accounted for as delivered or dropped (each exactly once: the
 * dropped ones are counted by the queue, and their references must really
 * be released, which ASan's leak checker verifies).
 *
 * KZV_STRESS_FRAMES lowers N, but only under a sanitizer (KZV_SANITIZER set
 * by the test runner), and never below 100,000. The throughput is printed,
 * never asserted.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kzv/queue.h"
#include "ktest.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define CAPACITY 3
#define FULL_COUNT 1000000
#define MIN_COUNT 100000

typedef struct shared {
    kzv_queue *q;
    int64_t count;
    _Atomic uint64_t *seen;      /* bitmap over frame ids */
    atomic_llong delivered;
    atomic_llong duplicates;
    atomic_llong out_of_range;
    atomic_llong errors;         /* unexpected status codes */
    atomic_int producers_left;
} shared;

typedef struct worker {
    shared *sh;
    int id;
    pthread_t thread;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *producer(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    /* Interleaved ids: producer k makes k, k + P, k + 2P, … */
    for (int64_t id = w->id; id < sh->count; id += PRODUCERS) {
        kzv_frame *f = NULL;
        if (kzv_frame_alloc(&f, 1, 1, KZV_PIXFMT_RGB24) != KZV_OK) {
            atomic_fetch_add(&sh->errors, 1);
            break;
        }
        f->frame_index = id;
        /* Mix the waiting modes: forever, a long timeout, and try-again spins. */
        int err;
        switch (id % 3) {
        case 0: err = kzv_queue_push(sh->q, f, -1); break;
        case 1:
            do err = kzv_queue_push(sh->q, f, 1000000); while (err == KZV_ETIMEDOUT);
            break;
        default:
            /* yield, as a polling producer should: a bare spin would
             * starve the consumers it is waiting for on a small machine */
            while ((err = kzv_queue_push(sh->q, f, 0)) == KZV_EAGAIN)
                sched_yield();
            break;
        }
        if (err != KZV_OK) {
            atomic_fetch_add(&sh->errors, 1);
            kzv_frame_unref(&f);
            break;
        }
    }
    /* The last producer out closes the queue, so consumers end on EOF. */
    if (atomic_fetch_sub(&sh->producers_left, 1) == 1)
        kzv_queue_close(sh->q);
    return NULL;
}

static void *consumer(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (int n = 0;; n++) {
        kzv_frame *f = NULL;
        int err = kzv_queue_pop(sh->q, &f, (n + w->id) % 4 == 0 ? 1000000 : -1);
        if (err == KZV_ETIMEDOUT)
            continue;
        if (err == KZV_EOF)
            break;
        if (err != KZV_OK) {
            atomic_fetch_add(&sh->errors, 1);
            break;
        }
        int64_t id = f->frame_index;
        if (id < 0 || id >= sh->count) {
            atomic_fetch_add(&sh->out_of_range, 1);
        } else {
            uint64_t bit = UINT64_C(1) << (id & 63);
            if (atomic_fetch_or(&sh->seen[id >> 6], bit) & bit)
                atomic_fetch_add(&sh->duplicates, 1);
        }
        atomic_fetch_add(&sh->delivered, 1);
        kzv_frame_unref(&f);
    }
    return NULL;
}

static int64_t frame_count(void)
{
    const char *san = getenv("KZV_SANITIZER");
    const char *env = getenv("KZV_STRESS_FRAMES");
    if (!san || !*san || !env || !*env)
        return FULL_COUNT;
    int64_t n = strtoll(env, NULL, 10);
    return n < MIN_COUNT ? MIN_COUNT : n > FULL_COUNT ? FULL_COUNT : n;
}

static int64_t count_missing(shared *sh)
{
    int64_t missing = 0;
    for (int64_t id = 0; id < sh->count; id++)
        if (!(atomic_load(&sh->seen[id >> 6]) & (UINT64_C(1) << (id & 63))))
            missing++;
    return missing;
}

static void run(kzv_queue_policy policy, int64_t count)
{
    kzv_queue_settings s = { .capacity = CAPACITY, .policy = policy };
    shared sh = { .count = count };
    size_t words = (size_t)(count + 63) / 64;
    sh.seen = kt_malloc(words * sizeof(*sh.seen));
    for (size_t i = 0; i < words; i++)
        atomic_init(&sh.seen[i], 0);
    atomic_init(&sh.producers_left, PRODUCERS);
    if (kzv_queue_create(&sh.q, &s) != KZV_OK) {
        kt_fail_at(__FILE__, __LINE__, "queue create");
        free(sh.seen);
        return;
    }

    worker prod[PRODUCERS], cons[CONSUMERS];
    double t0 = now_s();
    for (int i = 0; i < CONSUMERS; i++) {
        cons[i] = (worker){ .sh = &sh, .id = i };
        if (pthread_create(&cons[i].thread, NULL, consumer, &cons[i]))
            abort();
    }
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i] = (worker){ .sh = &sh, .id = i };
        if (pthread_create(&prod[i].thread, NULL, producer, &prod[i]))
            abort();
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(prod[i].thread, NULL);
    for (int i = 0; i < CONSUMERS; i++)
        pthread_join(cons[i].thread, NULL);
    double dt = now_s() - t0;

    kzv_queue_stats st;
    kzv_queue_get_stats(sh.q, &st);
    int64_t delivered = atomic_load(&sh.delivered);
    int64_t missing = count_missing(&sh);
    const char *name = policy == KZV_QUEUE_BLOCK ? "block" : "drop_oldest";
    printf("stress %s: %d producers, %d consumers, capacity %d: %lld frames pushed, "
           "%lld delivered, %lld dropped in %.3f s = %.0f frames/s (peak size %d)\n",
           name, PRODUCERS, CONSUMERS, CAPACITY, (long long)st.total_enqueued,
           (long long)delivered, (long long)st.total_dropped, dt, (double)count / dt,
           st.peak_size);

    KT_CHECK_EQ_INT(atomic_load(&sh.errors), 0);
    KT_CHECK_EQ_INT(atomic_load(&sh.duplicates), 0);
    KT_CHECK_EQ_INT(atomic_load(&sh.out_of_range), 0);
    KT_CHECK_EQ_INT(st.total_enqueued, count);
    KT_CHECK_EQ_INT(st.total_dequeued, delivered);
    KT_CHECK_EQ_INT(st.size, 0);
    KT_CHECK(st.peak_size >= 1 && st.peak_size <= CAPACITY, "peak %d outside 1..%d",
             st.peak_size, CAPACITY);
    if (policy == KZV_QUEUE_BLOCK) {
        /* Lossless: every id exactly once. */
        KT_CHECK_EQ_INT(delivered, count);
        KT_CHECK_EQ_INT(missing, 0);
        KT_CHECK_EQ_INT(st.total_dropped, 0);
    } else {
        /* Every frame delivered or dropped, never both (no duplicates above,
         * and the counts add up exactly). */
        KT_CHECK_EQ_INT(delivered + st.total_dropped, count);
        KT_CHECK_EQ_INT(missing, st.total_dropped);
    }
    kzv_queue_destroy(&sh.q);
    free(sh.seen);
}

int main(void)
{
    int64_t count = frame_count();
    run(KZV_QUEUE_BLOCK, count);
    run(KZV_QUEUE_DROP_OLDEST, count / 4 < MIN_COUNT ? MIN_COUNT : count / 4);
    return kt_finish();
}
