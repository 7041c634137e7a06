/*
 * Seeking a running kzv_processor from another thread (h264.mp4: 50 frames,
 * 25 fps, two keyframes):
 *   - push mode: a thread seeks while the callback waits for it; the next
 *     frame delivered is exactly the target, then the frames after it;
 *   - pull mode: a frame handed out before a seek is stale (wait says
 *     KZV_ECANCELED); the next one is the target (exact and keyframe, by
 *     frame and by time);
 *   - a seeker thread seeking again and again while the consumer takes and
 *     uploads frames (memory uploader): the first frame after each seek is
 *     its target, frames go on consecutively from there, nothing leaks, and
 *     decoded == processing + dropped + dropped_late + discarded.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "kzv/kzv.h"
#include "ktest.h"
#include "pipeline_util.h"

static const char *clip;

static void check_accounting(kzv_processor *p, const char *what)
{
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK(st.decoded == st.processing + st.dropped + st.dropped_late + st.discarded,
             "%s: decoded %lld != processing %lld + dropped %lld + late %lld + discarded %lld",
             what, (long long)st.decoded, (long long)st.processing, (long long)st.dropped,
             (long long)st.dropped_late, (long long)st.discarded);
    KT_CHECK(st.uploaded == st.released, "%s: uploaded %lld, released %lld", what,
             (long long)st.uploaded, (long long)st.released);
}

/* ---- push mode: a seek from another thread during the callback ---------- */

typedef struct seek_job {
    kzv_processor *p;
    int64_t frame;
    double time;
} seek_job;

static void *seeker(void *arg)
{
    seek_job *j = arg;
    if (j->frame >= 0)
        kzv_processor_seek_frame(j->p, j->frame, KZV_SEEK_EXACT);
    else
        kzv_processor_seek(j->p, j->time, KZV_SEEK_EXACT);
    return NULL;
}

typedef struct push_ctx {
    kzv_processor *p;
    int64_t got[128];
    int n;
    int seek_at;     /* after this many frames, seek to frame 40 */
} push_ctx;

static int on_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    push_ctx *c = user;
    (void)tex;
    if (c->n < 128)
        c->got[c->n] = f->frame_index;
    c->n++;
    if (c->n == c->seek_at) {
        /* the queue is full of frames 6, 7, … by now: all must go */
        pt_sleep_ms(20);
        seek_job j = { c->p, 40, 0 };
        pthread_t t;
        if (pthread_create(&t, NULL, seeker, &j) == 0)
            pthread_join(t, NULL);
    }
    return 0;
}

static void test_push_mode(void)
{
    kzv_processor_settings s;
    kzv_processor_default_settings(&s);
    s.queue.capacity = 8;
    kzv_uploader *u = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(&u), KZV_OK);
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, clip, u, &s) == KZV_OK, "open");
    push_ctx c = { .p = p, .seek_at = 6 };
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    /* 0..5, then 40..49 */
    KT_CHECK_EQ_INT(c.n, 16);
    for (int i = 0; i < c.n && i < 16; i++)
        KT_CHECK(c.got[i] == (i < 6 ? i : 34 + i), "push: frame %d is %lld", i, (long long)c.got[i]);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.seeks, 1);
    KT_CHECK(st.discarded > 0, "push: the queued frames were discarded (%lld)", (long long)st.discarded);
    check_accounting(p, "push");
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

/* ---- pull mode: stale frames, exact and keyframe targets ---------------- */

static kzv_frame *next(kzv_processor *p)
{
    kzv_frame *f = NULL;
    int err = kzv_processor_frame_next(p, &f, NULL, 10 * INT64_C(1000000000));
    KT_CHECK(err == KZV_OK, "frame_next: %s", kzv_strerror(err));
    return f;
}

static void seek_from_thread(kzv_processor *p, int64_t frame, double time)
{
    seek_job j = { p, frame, time };
    pthread_t t;
    PT_REQUIRE(pthread_create(&t, NULL, seeker, &j) == 0, "thread");
    pthread_join(t, NULL);
}

/* What the decoder's own index says (display order). */
static int64_t keyframe_at_or_before(int64_t frame)
{
    kzv_decoder *d = NULL;
    PT_REQUIRE(kzv_decoder_open(&d, clip, NULL) == KZV_OK, "open");
    const kzv_index_entry *e = NULL;
    int64_t n = 0, k = -1;
    PT_REQUIRE(kzv_decoder_get_index(d, &e, &n) == KZV_OK && n == 50, "index");
    for (int64_t i = 0; i <= frame; i++)
        if (e[i].keyframe)
            k = i;
    kzv_decoder_close(&d);
    return k;
}

static void test_pull_mode(void)
{
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, clip, NULL, NULL) == KZV_OK, "open");
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_EINVAL);
    kzv_frame *f = next(p);
    PT_REQUIRE(f, "first frame");
    KT_CHECK_EQ_INT(f->frame_index, 0);
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 0, NULL), KZV_OK);

    seek_from_thread(p, 30, 0);
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 0, NULL), KZV_ECANCELED); /* stale */
    kzv_frame_unref(&f);
    f = next(p);
    KT_CHECK(f && f->frame_index == 30, "exact seek to 30: got %lld", f ? (long long)f->frame_index : -1LL);
    KT_CHECK(f && kzv_processor_wait(p, f, 0, NULL) == KZV_OK, "a new frame is not stale");
    kzv_frame_unref(&f);
    f = next(p);
    KT_CHECK(f && f->frame_index == 31, "then 31: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);

    /* by time: frame 12 is displayed at 0.48 .. 0.52 s */
    seek_from_thread(p, -1, 0.50);
    f = next(p);
    KT_CHECK(f && f->frame_index == 12, "exact seek to 0.5 s: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);

    /* keyframe: the random-access point at or before 40 (from the index) */
    int64_t key = keyframe_at_or_before(40);
    KT_CHECK(key > 0 && key < 40, "a keyframe inside the clip (%lld)", (long long)key);
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, 40, KZV_SEEK_KEYFRAME), KZV_OK);
    f = next(p);
    KT_CHECK(f && f->frame_index == key, "keyframe seek to 40: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);
    KT_CHECK_EQ_INT(kzv_processor_seek(p, 1.7, KZV_SEEK_KEYFRAME), KZV_OK);
    f = next(p);
    KT_CHECK(f && f->frame_index == key, "keyframe seek to 1.7 s: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);

    /* the last frame, then the end; a seek past the end ends the stream */
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, 49, KZV_SEEK_EXACT), KZV_OK);
    f = next(p);
    KT_CHECK(f && f->frame_index == 49, "seek to 49: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);
    KT_CHECK_EQ_INT(kzv_processor_frame_next(p, &f, NULL, -1), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, 2, KZV_SEEK_EXACT), KZV_OK);
    f = next(p);  /* a seek after the end starts it again */
    KT_CHECK(f && f->frame_index == 2, "seek to 2 after the end: got %lld", f ? (long long)f->frame_index : -1LL);
    kzv_frame_unref(&f);
    KT_CHECK_EQ_INT(kzv_processor_seek(p, 100.0, KZV_SEEK_EXACT), KZV_OK);
    KT_CHECK_EQ_INT(kzv_processor_frame_next(p, &f, NULL, -1), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_processor_seek(p, NAN, KZV_SEEK_EXACT), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, -1, KZV_SEEK_EXACT), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, 1, (kzv_seek_mode)7), KZV_EINVAL);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.seeks, 7);
    kzv_processor_close(&p);
}

/* ---- a seeker thread against a consumer that uploads --------------------- */

#define ROUNDS 24

typedef struct race {
    kzv_processor *p;
    atomic_int requested;   /* seek k (1-based) has been requested */
    atomic_int seen;        /* the consumer has checked seek k */
    int64_t target[ROUNDS + 1];
} race;

static void *race_seeker(void *arg)
{
    race *r = arg;
    for (int k = 1; k <= ROUNDS; k++) {
        /* let some frames flow first, at different depths of the queue */
        pt_sleep_ms(k % 4);
        kzv_processor_seek_frame(r->p, r->target[k], KZV_SEEK_EXACT);
        atomic_store(&r->requested, k);
        while (atomic_load(&r->seen) < k)
            pt_sleep_ms(1);
    }
    return NULL;
}

static void test_race(void)
{
    kzv_processor_settings s;
    kzv_processor_default_settings(&s);
    s.queue.capacity = 4;
    kzv_uploader *u = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(&u), KZV_OK);
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, clip, u, &s) == KZV_OK, "open");
    race r = { .p = p };
    for (int k = 1; k <= ROUNDS; k++)
        r.target[k] = (k * 17) % 45;
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    pthread_t t;
    PT_REQUIRE(pthread_create(&t, NULL, race_seeker, &r) == 0, "thread");
    int64_t last = -1;
    int checked = 0, bad = 0;
    for (;;) {
        int k = atomic_load(&r.requested);
        kzv_frame *f = NULL;
        kzv_texture tex = KZV_NO_TEXTURE;
        int err = kzv_processor_frame_next(p, &f, &tex, 10 * INT64_C(1000000000));
        if (err == KZV_EOF && checked == ROUNDS)
            break;
        if (err == KZV_EOF) {   /* the end came before the next seek: wait for it */
            pt_sleep_ms(1);
            continue;
        }
        if (err != KZV_OK) {
            kt_fail_at(__FILE__, __LINE__, "frame_next: %s", kzv_strerror(err));
            break;
        }
        if (tex == KZV_NO_TEXTURE)
            bad++;
        int k_after = atomic_load(&r.requested);
        if (k == checked && k_after > checked && f->frame_index == r.target[k_after])
            k = k_after;  /* requested while we took it: this may be its first frame */
        if (k > checked) {
            /* seek k was requested before this frame was taken */
            if (f->frame_index != r.target[k]) {
                kt_fail_at(__FILE__, __LINE__, "after seek %d to %lld: frame %lld", k,
                           (long long)r.target[k], (long long)f->frame_index);
                bad++;
            }
            checked = k;
            atomic_store(&r.seen, k);
        } else if (f->frame_index != last + 1) {
            kt_fail_at(__FILE__, __LINE__, "frame %lld after %lld", (long long)f->frame_index,
                       (long long)last);
            bad++;
        }
        last = f->frame_index;
        KT_CHECK_EQ_INT(kzv_processor_release(p, tex), KZV_OK);
        kzv_frame_unref(&f);
        if (bad > 5)
            break;
    }
    atomic_store(&r.seen, ROUNDS);
    pthread_join(t, NULL);
    KT_CHECK_EQ_INT(bad, 0);
    KT_CHECK_EQ_INT(checked, ROUNDS);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.seeks, ROUNDS);
    check_accounting(p, "race (at the end: nothing queued)");
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

/* Close while frames are queued and a seek is pending: nothing leaks (ASan
 * and valgrind see it), and the accounting closes. */
static void test_close_pending(void)
{
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, clip, NULL, NULL) == KZV_OK, "open");
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    kzv_frame *f = next(p);
    kzv_frame_unref(&f);
    pt_sleep_ms(20);
    KT_CHECK_EQ_INT(kzv_processor_seek_frame(p, 20, KZV_SEEK_EXACT), KZV_OK);
    kzv_processor_close(&p);
    KT_CHECK(p == NULL, "close sets NULL");
}

int main(void)
{
    clip = kt_fixture("h264.mp4");
    test_push_mode();
    test_pull_mode();
    test_race();
    test_close_pending();
    return kt_finish();
}
