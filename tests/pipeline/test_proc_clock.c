/*
 * kzv_processor's presentation clock on an injected time source (a fake
 * clock that moves only when the processor sleeps on it, or when the test
 * moves it), so every timing below is exact, whatever the machine's load:
 *   - VFR (vfr.mkv): each frame is due at its own pts, at rate 0.5, through a
 *     pause (from another thread) and after a change of rate to 2;
 *   - start_paused: nothing is due until the clock is resumed;
 *   - late frames (h264.mp4, 25 fps, a consumer that stalls 0.5 s) are dropped
 *     before upload: the uploader sees exactly the frames delivered, and
 *     dropped_late counts the others (also with a clock-paced DROP_OLDEST queue);
 *   - kzv_processor_frame_for(t) picks by pts on vfr.mkv (10 ms steps: every
 *     frame, none dropped; 100 ms steps: the skipped ones counted).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "counting_uploader.h"
#include "kzv/kzv.h"
#include "ktest.h"
#include "pipeline_util.h"

#define SEC INT64_C(1000000000)

/* ---- the fake clock ------------------------------------------------------ */

typedef struct fake_clock {
    pthread_mutex_t mx;
    double now;
    int sleeps;
} fake_clock;

static double fake_now(void *user)
{
    fake_clock *c = user;
    pthread_mutex_lock(&c->mx);
    double t = c->now;
    pthread_mutex_unlock(&c->mx);
    return t;
}

static void fake_sleep(void *user, double until)
{
    fake_clock *c = user;
    pthread_mutex_lock(&c->mx);
    if (until > c->now)
        c->now = until;
    c->sleeps++;
    pthread_mutex_unlock(&c->mx);
}

static void fake_advance(fake_clock *c, double dt)
{
    pthread_mutex_lock(&c->mx);
    c->now += dt;
    pthread_mutex_unlock(&c->mx);
}

static void fake_init(fake_clock *c, double t)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mx, NULL);
    c->now = t;
}

static void realtime_settings(kzv_processor_settings *s, fake_clock *c)
{
    kzv_processor_default_settings(s);
    s->realtime = 1;
    s->clock_now = fake_now;
    s->clock_sleep = fake_sleep;
    s->clock_user = c;
}

/* ---- VFR timing, rate, pause -------------------------------------------- */

typedef struct pause_job {
    kzv_processor *p;
    bool pause;
} pause_job;

static void *pauser(void *arg)
{
    pause_job *j = arg;
    kzv_processor_pause(j->p, j->pause);
    return NULL;
}

static void pause_from_thread(kzv_processor *p, bool pause)
{
    pause_job j = { p, pause };
    pthread_t t;
    PT_REQUIRE(pthread_create(&t, NULL, pauser, &j) == 0, "thread");
    pthread_join(t, NULL);
}

static void test_vfr_clock(void)
{
    fake_clock c;
    fake_init(&c, 100.0);
    kzv_processor_settings s;
    realtime_settings(&s, &c);
    s.rate = 0.5;
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, kt_fixture("vfr.mkv"), NULL, &s) == KZV_OK, "open");
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    KT_CHECK(isnan(kzv_processor_clock_time(p)), "no clock before the first frame");

    double pts0 = 0, shown0 = 0, pts30 = 0, shown30 = 0, paused_for = 0;
    int n = 0, bad = 0;
    for (;;) {
        kzv_frame *f = NULL;
        int err = kzv_processor_frame_next(p, &f, NULL, 30 * SEC);
        if (err == KZV_EOF)
            break;
        PT_REQUIRE(err == KZV_OK, "frame_next: %s", kzv_strerror(err));
        if (n == 10) {
            /* pause: the frame is not due, however long we wait */
            pause_from_thread(p, true);
            KT_CHECK(kzv_processor_paused(p), "paused");
            double t0 = fake_now(&c);
            KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 50 * INT64_C(1000000), NULL), KZV_ETIMEDOUT);
            fake_advance(&c, 10.0);
            paused_for = fake_now(&c) - t0;
            pause_from_thread(p, false);
            KT_CHECK(!kzv_processor_paused(p), "resumed");
        }
        double late = -1;
        err = kzv_processor_wait(p, f, -1, &late);
        KT_CHECK(err == KZV_OK, "wait: %s", kzv_strerror(err));
        double shown = fake_now(&c);
        if (n == 0) {
            pts0 = f->pts;
            shown0 = shown;
            KT_CHECK(shown == 100.0, "the first frame starts the clock at once (%.9f)", shown);
        }
        double want;
        if (n <= 30)
            want = shown0 + (f->pts - pts0) / 0.5 + (n >= 10 ? paused_for : 0);
        else
            want = shown30 + (f->pts - pts30) / 2.0;
        if (fabs(shown - want) > 1e-9 || late != 0) {
            if (bad++ < 5)
                kt_fail_at(__FILE__, __LINE__, "frame %d (pts %.3f) shown at %.9f, due %.9f, late %g",
                           n, f->pts, shown, want, late);
        }
        if (n == 30) {
            pts30 = f->pts;
            shown30 = shown;
            KT_CHECK_EQ_INT(kzv_processor_set_rate(p, 2.0), KZV_OK);
            double ct = kzv_processor_clock_time(p);
            KT_CHECK(fabs(ct - f->pts) < 1e-9, "clock at the frame's pts after set_rate: %.9f vs %.9f",
                     ct, f->pts);
        }
        kzv_frame_unref(&f);
        n++;
    }
    KT_CHECK_EQ_INT(bad, 0);
    KT_CHECK_EQ_INT(n, 53);
    KT_CHECK(paused_for >= 10.0, "paused %.3f s", paused_for);
    KT_CHECK_EQ_INT(kzv_processor_set_rate(p, 0), KZV_EINVAL);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.dropped_late, 0);
    KT_CHECK_EQ_INT(st.dropped, 0);
    KT_CHECK_EQ_INT(st.processing, 53);
    kzv_processor_close(&p);
    pthread_mutex_destroy(&c.mx);
}

static void test_start_paused(void)
{
    fake_clock c;
    fake_init(&c, 5.0);
    kzv_processor_settings s;
    realtime_settings(&s, &c);
    s.start_paused = 1;
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, kt_fixture("h264.mp4"), NULL, &s) == KZV_OK, "open");
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    KT_CHECK(kzv_processor_paused(p), "start_paused: paused");
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(kzv_processor_frame_next(p, &f, NULL, 30 * SEC), KZV_OK);
    PT_REQUIRE(f, "frame");
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 0, NULL), KZV_ETIMEDOUT);
    KT_CHECK(isnan(kzv_processor_clock_time(p)), "not started");
    kzv_processor_pause(p, false);
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 0, NULL), KZV_OK);
    KT_CHECK(fabs(kzv_processor_clock_time(p) - f->pts) < 1e-9, "started at the first frame");
    kzv_frame_unref(&f);
    /* the second frame is due one frame later, not now */
    KT_CHECK_EQ_INT(kzv_processor_frame_next(p, &f, NULL, 30 * SEC), KZV_OK);
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, 0, NULL), KZV_ETIMEDOUT);
    KT_CHECK_EQ_INT(kzv_processor_wait(p, f, SEC, NULL), KZV_OK);
    KT_CHECK(fabs(fake_now(&c) - 5.04) < 1e-9, "second frame at 5.04 (%.9f)", fake_now(&c));
    kzv_frame_unref(&f);
    kzv_processor_close(&p);
    pthread_mutex_destroy(&c.mx);

    /* settings that make no sense are refused */
    realtime_settings(&s, &c);
    s.clock_sleep = NULL;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, kt_fixture("h264.mp4"), NULL, &s), KZV_EINVAL);
    realtime_settings(&s, &c);
    s.rate = -1;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, kt_fixture("h264.mp4"), NULL, &s), KZV_EINVAL);
}

/* ---- late frames are dropped before upload -------------------------------- */

typedef struct late_ctx {
    fake_clock *c;
    int64_t got[64];
    int n;
} late_ctx;

static int on_late_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    late_ctx *lc = user;
    if (tex == KZV_NO_TEXTURE)
        return -1;
    if (lc->n < 64)
        lc->got[lc->n] = f->frame_index;
    lc->n++;
    if (f->frame_index == 3)
        fake_advance(lc->c, 0.5);   /* a consumer that stalls for 0.5 s */
    return 0;
}

/* drop_oldest: the same with a DROP_OLDEST queue of 2, whose decode thread is
 * paced by the clock: during the stall it may replace queued frames that are
 * due (counted in `dropped`) before the consumer finds them late; which of
 * the two drops a frame depends on the threads, but not the sum, nor what is
 * delivered. */
static void test_late_drop(bool drop_oldest)
{
    fake_clock c;
    fake_init(&c, 0.0);
    kzv_processor_settings s;
    realtime_settings(&s, &c);
    if (drop_oldest) {
        s.queue.policy = KZV_QUEUE_DROP_OLDEST;
        s.queue.capacity = 2;
    }
    counting_uploader *cu = kt_malloc(sizeof(*cu));
    counting_uploader_init(cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, cu) == KZV_OK, "uploader");
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, kt_fixture("h264.mp4"), u, &s) == KZV_OK, "open");
    late_ctx lc = { .c = &c };
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_late_frame, &lc), KZV_OK);
    /* after frame 3 (due 0.12) the clock is at 0.62: frame k (due 0.04 k)
     * is too late when 0.62 > 0.04 k + 0.04 (its duration), so 4 … 14 go */
    KT_CHECK_EQ_INT(lc.n, 50 - 11);
    for (int i = 0; i < lc.n && i < 64; i++)
        KT_CHECK(lc.got[i] == (i < 4 ? i : i + 11), "delivered #%d is %lld", i, (long long)lc.got[i]);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    if (drop_oldest)
        KT_CHECK_EQ_INT(st.dropped_late + st.dropped, 11);
    else
        KT_CHECK_EQ_INT(st.dropped_late, 11);
    KT_CHECK_EQ_INT(st.decoded, 50);
    KT_CHECK_EQ_INT(atomic_load(&cu->uploads), 39);   /* never uploaded to be thrown away */
    KT_CHECK_EQ_INT(st.uploaded, 39);
    KT_CHECK_EQ_INT(st.released, 39);
    KT_CHECK_EQ_INT(st.processing, 39);
    KT_CHECK_EQ_INT(counting_uploader_outstanding(cu), 0);
    KT_CHECK_EQ_INT(atomic_load(&cu->bad_releases), 0);
    KT_CHECK(st.decoded == st.processing + st.dropped + st.dropped_late + st.discarded,
             "accounting");
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
    free(cu);
    pthread_mutex_destroy(&c.mx);
}

/* ---- frame_for(t) on a VFR file ------------------------------------------ */

typedef struct ref_frame {
    double pts, end;
    int64_t index;
} ref_frame;

static int load_reference(const char *path, ref_frame *r, int max)
{
    kzv_decoder *d = NULL;
    PT_REQUIRE(kzv_decoder_open(&d, path, NULL) == KZV_OK, "open %s", path);
    double fps = kzv_decoder_info(d)->fps;
    kzv_frame *f = NULL;
    int n = 0;
    while (n < max && kzv_decoder_next(d, &f) == KZV_OK) {
        double dur = f->duration > 0 ? f->duration : fps > 0 ? 1.0 / fps : 1.0 / 25;
        r[n++] = (ref_frame){ f->pts, f->pts + dur, f->frame_index };
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
    return n;
}

static int frame_for_retry(kzv_processor *p, double t, kzv_frame **f)
{
    int err;
    for (int i = 0; (err = kzv_processor_frame_for(p, t, f)) == KZV_EAGAIN && i < 20000; i++)
        pt_sleep_ms(1);   /* not decoded yet */
    return err;
}

static void test_frame_for(double step)
{
    const char *path = kt_fixture("vfr.mkv");
    ref_frame ref[128];
    int nref = load_reference(path, ref, 128);
    PT_REQUIRE(nref == 53, "reference: %d frames", nref);
    kzv_processor *p = NULL;
    PT_REQUIRE(kzv_processor_open(&p, path, NULL, NULL) == KZV_OK, "open");
    KT_CHECK_EQ_INT(kzv_processor_start(p), KZV_OK);
    bool covered[128] = { false };
    int bad = 0;
    double t = ref[0].pts + 0.003;
    for (; t < ref[nref - 1].end; t += step) {
        int want = -1;
        for (int i = 0; i < nref; i++)
            if (ref[i].pts <= t && t < ref[i].end)
                want = i;
        kzv_frame *f = NULL;
        int err = frame_for_retry(p, t, &f);
        if (want < 0) {
            KT_CHECK(err == KZV_EAGAIN, "t %.3f: in a gap, got %s", t, kzv_strerror(err));
        } else if (err != KZV_OK || f->frame_index != ref[want].index) {
            if (bad++ < 5)
                kt_fail_at(__FILE__, __LINE__, "t %.3f: want frame %lld, got %s %lld", t,
                           (long long)ref[want].index, kzv_strerror(err),
                           f ? (long long)f->frame_index : -1LL);
        } else {
            covered[want] = true;
        }
        kzv_frame_unref(&f);
    }
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(frame_for_retry(p, t + 1.0, &f), KZV_EOF);
    int skipped = 0;
    for (int i = 0; i < nref; i++)
        skipped += !covered[i];
    KT_CHECK_EQ_INT(bad, 0);
    if (step < 0.04)
        KT_CHECK_EQ_INT(skipped, 0);
    else
        KT_CHECK(skipped > 10, "%.2f s steps skip frames (%d)", step, skipped);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK(st.dropped_late == skipped, "step %.2f: dropped_late %lld, skipped %d", step,
             (long long)st.dropped_late, skipped);
    KT_CHECK_EQ_INT(st.processing, nref - skipped);
    kzv_processor_close(&p);
}

int main(void)
{
    test_vfr_clock();
    test_start_paused();
    test_late_drop(false);
    test_late_drop(true);
    test_frame_for(0.01);
    test_frame_for(0.1);
    return kt_finish();
}
