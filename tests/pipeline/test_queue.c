/* kzv_queue: every state and error path, single- and multi-threaded. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "core/frame_internal.h"
#include "kzv/queue.h"
#include "ktest.h"
#include "pipeline_util.h"

#define MS PT_MS

static kzv_frame *make_frame(int64_t index)
{
    kzv_frame *f = NULL;
    if (kzv_frame_alloc(&f, 2, 2, KZV_PIXFMT_RGB24) != KZV_OK)
        return NULL;
    f->frame_index = index;
    return f;
}

static kzv_queue *make_queue(int cap, kzv_queue_policy policy)
{
    kzv_queue_settings s = { .capacity = cap, .policy = policy };
    kzv_queue *q = NULL;
    if (kzv_queue_create(&q, &s) != KZV_OK)
        return NULL;
    return q;
}

static void test_create(void)
{
    kzv_queue_settings s;
    kzv_queue_default_settings(&s);
    KT_CHECK_EQ_INT(s.capacity, 16);
    KT_CHECK_EQ_INT(s.policy, KZV_QUEUE_BLOCK);

    kzv_queue *q = (kzv_queue *)&s; /* must be overwritten with NULL on failure */
    KT_CHECK_EQ_INT(kzv_queue_create(NULL, NULL), KZV_EINVAL);
    s.capacity = 0;
    KT_CHECK_EQ_INT(kzv_queue_create(&q, &s), KZV_EINVAL);
    KT_CHECK(q == NULL, "out not cleared on failure");
    s.capacity = -5;
    KT_CHECK_EQ_INT(kzv_queue_create(&q, &s), KZV_EINVAL);
    s.capacity = 4;
    s.policy = (kzv_queue_policy)7;
    KT_CHECK_EQ_INT(kzv_queue_create(&q, &s), KZV_EINVAL);

    /* NULL settings: defaults. */
    KT_CHECK_EQ_INT(kzv_queue_create(&q, NULL), KZV_OK);
    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.capacity, 16);
    KT_CHECK_EQ_INT(st.size, 0);
    KT_CHECK_EQ_INT(st.total_enqueued, 0);
    kzv_queue_destroy(&q);
    KT_CHECK(q == NULL, "destroy must clear the pointer");
    kzv_queue_destroy(&q);   /* NULL-safe */
    kzv_queue_destroy(NULL);
    kzv_queue_close(NULL);
    kzv_queue_get_stats(NULL, &st);
    KT_CHECK_EQ_INT(st.capacity, 0);
}

static void test_bad_args(void)
{
    kzv_queue *q = make_queue(2, KZV_QUEUE_BLOCK);
    kzv_frame *f = make_frame(0);
    KT_CHECK_EQ_INT(kzv_queue_push(NULL, f, 0), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_queue_push(q, NULL, 0), KZV_EINVAL);
    kzv_frame *out = f;
    KT_CHECK_EQ_INT(kzv_queue_pop(NULL, &out, 0), KZV_EINVAL);
    KT_CHECK(out == NULL, "pop must clear *out on failure");
    KT_CHECK_EQ_INT(kzv_queue_pop(q, NULL, 0), KZV_EINVAL);
    KT_CHECK_EQ_INT(pt_refs(f), 1);
    kzv_frame_unref(&f);
    kzv_queue_destroy(&q);
}

static void test_fifo_and_stats(void)
{
    kzv_queue *q = make_queue(4, KZV_QUEUE_BLOCK);
    PT_REQUIRE(q, "create");
    for (int round = 0; round < 3; round++) {  /* wraps the ring several times */
        for (int i = 0; i < 3; i++) {
            kzv_frame *f = make_frame(round * 10 + i);
            KT_CHECK_EQ_INT(kzv_queue_push(q, f, 0), KZV_OK);
        }
        for (int i = 0; i < 3; i++) {
            kzv_frame *f = NULL;
            KT_CHECK_EQ_INT(kzv_queue_pop(q, &f, 0), KZV_OK);
            KT_CHECK(f && f->frame_index == round * 10 + i, "FIFO order broken at %d/%d", round, i);
            if (f)
                KT_CHECK_EQ_INT(pt_refs(f), 1); /* the queue handed over its reference */
            kzv_frame_unref(&f);
        }
    }
    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.total_enqueued, 9);
    KT_CHECK_EQ_INT(st.total_dequeued, 9);
    KT_CHECK_EQ_INT(st.total_dropped, 0);
    KT_CHECK_EQ_INT(st.size, 0);
    KT_CHECK_EQ_INT(st.peak_size, 3);
    KT_CHECK_EQ_INT(st.capacity, 4);
    kzv_queue_destroy(&q);
}

static void test_try_eagain(void)
{
    kzv_queue *q = make_queue(2, KZV_QUEUE_BLOCK);
    kzv_frame *out = (kzv_frame *)q;
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_EAGAIN);
    KT_CHECK(out == NULL, "EAGAIN pop must leave *out NULL");

    kzv_frame *a = make_frame(1), *b = make_frame(2), *c = make_frame(3);
    KT_CHECK_EQ_INT(kzv_queue_push(q, a, 0), KZV_OK);
    KT_CHECK_EQ_INT(kzv_queue_push(q, b, 0), KZV_OK);
    KT_CHECK_EQ_INT(kzv_queue_push(q, c, 0), KZV_EAGAIN);
    KT_CHECK_EQ_INT(pt_refs(c), 1); /* still the caller's */

    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.size, 2);
    KT_CHECK_EQ_INT(st.peak_size, 2);
    KT_CHECK_EQ_INT(st.total_enqueued, 2);
    KT_CHECK_EQ_INT(st.total_dropped, 0);
    kzv_frame_unref(&c);
    kzv_queue_destroy(&q);
}

static void test_timeouts(void)
{
    kzv_queue *q = make_queue(1, KZV_QUEUE_BLOCK);
    kzv_frame *out = NULL;

    int64_t t0 = pt_now_ns();
    int err = kzv_queue_pop(q, &out, 60 * MS);
    int64_t dt = pt_now_ns() - t0;
    KT_CHECK_EQ_INT(err, KZV_ETIMEDOUT);
    KT_CHECK(out == NULL, "timed-out pop must leave *out NULL");
    KT_CHECK(dt >= 60 * MS, "pop returned after %lld ns, before its 60 ms timeout", (long long)dt);

    kzv_frame *a = make_frame(1), *b = make_frame(2);
    KT_CHECK_EQ_INT(kzv_queue_push(q, a, 50 * MS), KZV_OK); /* room: no wait at all */
    t0 = pt_now_ns();
    err = kzv_queue_push(q, b, 60 * MS);
    dt = pt_now_ns() - t0;
    KT_CHECK_EQ_INT(err, KZV_ETIMEDOUT);
    KT_CHECK(dt >= 60 * MS, "push returned after %lld ns, before its 60 ms timeout", (long long)dt);
    KT_CHECK_EQ_INT(pt_refs(b), 1);

    /* A timeout too large for the clock is treated as "forever", not as an
     * overflowed deadline in the past: with room it succeeds... */
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, INT64_MAX), KZV_OK);
    kzv_frame_unref(&out);
    KT_CHECK_EQ_INT(kzv_queue_push(q, b, INT64_MAX), KZV_OK);
    kzv_queue_destroy(&q);
}

/* ---- helpers that act on a queue from another thread after a delay ---- */

typedef enum { ACT_PUSH, ACT_POP, ACT_CLOSE } act_kind;

typedef struct actor {
    kzv_queue *q;
    act_kind kind;
    int delay_ms;
    int64_t timeout_ns;
    kzv_frame *frame;   /* ACT_PUSH: to push (caller keeps it on failure); ACT_POP: result */
    int result;
    pthread_t thread;
} actor;

static void *actor_main(void *arg)
{
    actor *a = arg;
    pt_sleep_ms(a->delay_ms);
    switch (a->kind) {
    case ACT_PUSH: a->result = kzv_queue_push(a->q, a->frame, a->timeout_ns); break;
    case ACT_POP: a->result = kzv_queue_pop(a->q, &a->frame, a->timeout_ns); break;
    case ACT_CLOSE: kzv_queue_close(a->q); a->result = KZV_OK; break;
    }
    return NULL;
}

static void actor_start(actor *a)
{
    if (pthread_create(&a->thread, NULL, actor_main, a) != 0) {
        kt_fail_at(__FILE__, __LINE__, "pthread_create");
        a->result = -999;
    }
}

static void test_blocking_wakeups(void)
{
    kzv_queue *q = make_queue(1, KZV_QUEUE_BLOCK);
    kzv_frame *out = NULL;

    /* A pop waiting forever is woken by a push. */
    actor pusher = { .q = q, .kind = ACT_PUSH, .delay_ms = 30, .timeout_ns = 0, .frame = make_frame(7) };
    actor_start(&pusher);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_OK);
    pthread_join(pusher.thread, NULL);
    KT_CHECK_EQ_INT(pusher.result, KZV_OK);
    KT_CHECK(out && out->frame_index == 7, "got the pushed frame");
    kzv_frame_unref(&out);

    /* A pop with a long timeout is woken by a push well before it. */
    pusher = (actor){ .q = q, .kind = ACT_PUSH, .delay_ms = 30, .timeout_ns = 0, .frame = make_frame(8) };
    actor_start(&pusher);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 20000 * MS), KZV_OK);
    pthread_join(pusher.thread, NULL);
    kzv_frame_unref(&out);

    /* A push waiting forever on a full queue is woken by a pop. */
    KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(1), 0), KZV_OK);
    actor popper = { .q = q, .kind = ACT_POP, .delay_ms = 30, .timeout_ns = 0 };
    actor_start(&popper);
    kzv_frame *f2 = make_frame(2);
    KT_CHECK_EQ_INT(kzv_queue_push(q, f2, -1), KZV_OK);
    pthread_join(popper.thread, NULL);
    KT_CHECK_EQ_INT(popper.result, KZV_OK);
    KT_CHECK(popper.frame && popper.frame->frame_index == 1, "popper got the older frame");
    kzv_frame_unref(&popper.frame);

    /* Same with a long positive timeout. */
    popper = (actor){ .q = q, .kind = ACT_POP, .delay_ms = 30, .timeout_ns = 0 };
    actor_start(&popper);
    KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(3), 20000 * MS), KZV_OK);
    pthread_join(popper.thread, NULL);
    kzv_frame_unref(&popper.frame);

    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.size, 1);
    KT_CHECK_EQ_INT(st.peak_size, 1);
    KT_CHECK_EQ_INT(st.total_enqueued, 5);
    KT_CHECK_EQ_INT(st.total_dequeued, 4);
    kzv_queue_destroy(&q); /* with one frame (index 3) inside */
}

static void test_close(void)
{
    kzv_queue *q = make_queue(3, KZV_QUEUE_BLOCK);
    for (int i = 0; i < 2; i++)
        KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(i), 0), KZV_OK);
    kzv_queue_close(q);
    kzv_queue_close(q); /* idempotent */

    /* Push after close: ECLOSED for every timeout, the frame stays ours. */
    kzv_frame *f = make_frame(99);
    KT_CHECK_EQ_INT(kzv_queue_push(q, f, 0), KZV_ECLOSED);
    KT_CHECK_EQ_INT(kzv_queue_push(q, f, -1), KZV_ECLOSED);
    KT_CHECK_EQ_INT(kzv_queue_push(q, f, 10 * MS), KZV_ECLOSED);
    KT_CHECK_EQ_INT(pt_refs(f), 1);
    kzv_frame_unref(&f);

    /* Pops drain in order, then EOF for every timeout, repeatedly. */
    kzv_frame *out = NULL;
    for (int i = 0; i < 2; i++) {
        KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_OK);
        KT_CHECK(out && out->frame_index == i, "drain order");
        kzv_frame_unref(&out);
    }
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 10 * MS), KZV_EOF);
    KT_CHECK(out == NULL, "EOF leaves *out NULL");

    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.total_enqueued, 2);
    KT_CHECK_EQ_INT(st.total_dequeued, 2);
    kzv_queue_destroy(&q);
}

static void test_close_wakes_waiters(void)
{
    /* Several pops waiting forever on an empty queue: close wakes them all. */
    kzv_queue *q = make_queue(1, KZV_QUEUE_BLOCK);
    actor pops[3];
    for (int i = 0; i < 3; i++) {
        pops[i] = (actor){ .q = q, .kind = ACT_POP, .delay_ms = 0, .timeout_ns = -1 };
        actor_start(&pops[i]);
    }
    actor closer = { .q = q, .kind = ACT_CLOSE, .delay_ms = 50 };
    actor_start(&closer);
    for (int i = 0; i < 3; i++) {
        pthread_join(pops[i].thread, NULL);
        KT_CHECK_EQ_INT(pops[i].result, KZV_EOF);
        KT_CHECK(pops[i].frame == NULL, "woken pop got no frame");
    }
    pthread_join(closer.thread, NULL);
    kzv_queue_destroy(&q);

    /* Pushes waiting forever (and with a long timeout) on a full queue:
     * ECLOSED, and each keeps its frame. */
    q = make_queue(1, KZV_QUEUE_BLOCK);
    KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(0), 0), KZV_OK);
    actor pushes[2];
    for (int i = 0; i < 2; i++) {
        pushes[i] = (actor){ .q = q, .kind = ACT_PUSH, .timeout_ns = i ? 20000 * MS : -1,
                             .frame = make_frame(i + 1) };
        actor_start(&pushes[i]);
    }
    closer = (actor){ .q = q, .kind = ACT_CLOSE, .delay_ms = 50 };
    actor_start(&closer);
    for (int i = 0; i < 2; i++) {
        pthread_join(pushes[i].thread, NULL);
        KT_CHECK_EQ_INT(pushes[i].result, KZV_ECLOSED);
        KT_CHECK_EQ_INT(pt_refs(pushes[i].frame), 1);
        kzv_frame_unref(&pushes[i].frame);
    }
    pthread_join(closer.thread, NULL);
    kzv_frame *out = NULL;
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_OK); /* the frame inside still drains */
    KT_CHECK(out && out->frame_index == 0, "drained frame");
    kzv_frame_unref(&out);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_EOF);
    kzv_queue_destroy(&q);
}

static void test_drop_oldest(void)
{
    kzv_queue *q = make_queue(3, KZV_QUEUE_DROP_OLDEST);
    kzv_frame *keep[6];
    for (int i = 0; i < 6; i++) {
        kzv_frame *f = make_frame(i);
        keep[i] = kzv_frame_ref(f);           /* watch what the queue does with it */
        /* Never waits, whatever the timeout. */
        KT_CHECK_EQ_INT(kzv_queue_push(q, f, i % 2 ? -1 : 0), KZV_OK);
    }
    /* 0, 1, 2 were dropped (the oldest) and their references released. */
    for (int i = 0; i < 3; i++)
        KT_CHECK(pt_refs(keep[i]) == 1, "dropped frame %d still referenced by the queue", i);
    for (int i = 3; i < 6; i++)
        KT_CHECK_EQ_INT(pt_refs(keep[i]), 2);

    kzv_queue_stats st;
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.total_enqueued, 6);
    KT_CHECK_EQ_INT(st.total_dropped, 3);
    KT_CHECK_EQ_INT(st.size, 3);
    KT_CHECK_EQ_INT(st.peak_size, 3);

    kzv_frame *out = NULL;
    for (int i = 3; i < 6; i++) {
        KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_OK);
        KT_CHECK(out && out->frame_index == i, "kept the newest frames in order");
        kzv_frame_unref(&out);
    }
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_EAGAIN);
    /* Pops on a DROP_OLDEST queue still wait and time out like any other. */
    int64_t t0 = pt_now_ns();
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 30 * MS), KZV_ETIMEDOUT);
    KT_CHECK(pt_now_ns() - t0 >= 30 * MS, "timed pop too short");

    /* Close applies to DROP_OLDEST as well. */
    kzv_queue_close(q);
    kzv_frame *f = make_frame(100);
    KT_CHECK_EQ_INT(kzv_queue_push(q, f, 0), KZV_ECLOSED);
    KT_CHECK_EQ_INT(pt_refs(f), 1);
    kzv_frame_unref(&f);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, -1), KZV_EOF);

    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.total_dequeued, 3);
    KT_CHECK_EQ_INT(st.total_dropped, 3);
    KT_CHECK_EQ_INT(st.total_enqueued, st.total_dequeued + st.total_dropped + st.size);
    kzv_queue_destroy(&q);
    for (int i = 0; i < 6; i++) {
        KT_CHECK_EQ_INT(pt_refs(keep[i]), 1);
        kzv_frame_unref(&keep[i]);
    }

    /* Capacity 1: every push replaces the one frame. */
    q = make_queue(1, KZV_QUEUE_DROP_OLDEST);
    for (int i = 0; i < 10; i++)
        KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(i), 0), KZV_OK);
    KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_OK);
    KT_CHECK(out && out->frame_index == 9, "only the newest survives");
    kzv_frame_unref(&out);
    kzv_queue_get_stats(q, &st);
    KT_CHECK_EQ_INT(st.total_dropped, 9);
    kzv_queue_destroy(&q);
}

static void test_destroy_with_frames(void)
{
    for (int policy = 0; policy < 2; policy++) {
        kzv_queue *q = make_queue(4, (kzv_queue_policy)policy);
        kzv_frame *keep[3];
        for (int i = 0; i < 3; i++) {
            kzv_frame *f = make_frame(i);
            keep[i] = kzv_frame_ref(f);
            KT_CHECK_EQ_INT(kzv_queue_push(q, f, 0), KZV_OK);
        }
        kzv_frame *out = NULL; /* pop one so the live range does not start at slot 0 */
        KT_CHECK_EQ_INT(kzv_queue_pop(q, &out, 0), KZV_OK);
        kzv_frame_unref(&out);
        KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(3), 0), KZV_OK);
        KT_CHECK_EQ_INT(kzv_queue_push(q, make_frame(4), 0), KZV_OK); /* wraps around */
        kzv_queue_destroy(&q);
        KT_CHECK(q == NULL, "destroy clears the pointer");
        for (int i = 0; i < 3; i++) {
            KT_CHECK(pt_refs(keep[i]) == 1, "destroy left a reference on frame %d", i);
            kzv_frame_unref(&keep[i]);
        }
    }
}

int main(void)
{
    test_create();
    test_bad_args();
    test_fifo_and_stats();
    test_try_eagain();
    test_timeouts();
    test_blocking_wakeups();
    test_close();
    test_close_wakes_waiters();
    test_drop_oldest();
    test_destroy_with_frames();
    return kt_finish();
}
