/*
 * kzv_processor on real files from $KZV_FIXTURES: h264.mp4 (a clean clip)
 * and corrupt_mid.mkv (damaged packets in the middle, an error in strict
 * mode). Every path is checked for texture accounting with a counting
 * uploader built on the public function table: uploaded == released, the
 * backend saw each texture released exactly once, nothing live at the end.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "counting_uploader.h"
#include "kzv/kzv.h"
#include "ktest.h"
#include "pipeline_util.h"

/* ---- reference: what the decoder alone delivers ------------------------- */

/* Strict runs use one decoding thread: with frame threading, where a damaged
 * frame is detected can vary from run to run, and the comparison between the
 * decoder alone and the processor must be exact. */
static int64_t reference_count(const char *path, bool strict, int *end_status)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.strict = strict;
    s.threads = strict ? 1 : 0;
    kzv_decoder *d = NULL;
    PT_REQUIRE(kzv_decoder_open(&d, path, &s) == KZV_OK, "open %s: %s", path,
               kzv_decoder_last_error(NULL));
    kzv_frame *f = NULL;
    int64_t n = 0;
    int err;
    while ((err = kzv_decoder_next(d, &f)) == KZV_OK) {
        n++;
        kzv_frame_unref(&f);
    }
    if (end_status)
        *end_status = err;
    kzv_decoder_close(&d);
    return n;
}

/* ---- a configurable callback -------------------------------------------- */

typedef struct ctx ctx;
struct ctx {
    kzv_processor *p;
    kzv_uploader *u;            /* the uploader given to the processor, or NULL */
    bool memory;                /* u is the memory backend: compare its copy */
    bool sequential;            /* frame_index must go 0, 1, 2 … */
    int64_t stop_return_at;     /* return 1 at this index (-1: never) */
    int64_t stop_call_at;       /* call kzv_processor_stop() at this index (-1: never) */
    bool fail_odd;              /* return -1 for odd indices */
    int (*hook)(ctx *c, const kzv_frame *f); /* extra behaviour, may be NULL */
    void *hook_data;
    int capacity;               /* queue capacity, for the memory bound check */
    bool check_bound;

    int64_t calls;
    int64_t last_index;
    int64_t calls_after_stop;
    bool stopped;
    int64_t delivered[512];     /* frame_index of each call (first 512) */
    int bad;                    /* broken expectations inside the callback */
};

static void ctx_init(ctx *c, kzv_processor *p, kzv_uploader *u)
{
    memset(c, 0, sizeof(*c));
    c->p = p;
    c->u = u;
    c->sequential = true;
    c->stop_return_at = -1;
    c->stop_call_at = -1;
    c->last_index = -1;
}

static int on_frame(const kzv_frame *f, kzv_texture tex, void *user)
{
    ctx *c = user;
    if (c->stopped)
        c->calls_after_stop++;
    if (c->calls < 512)
        c->delivered[c->calls] = f->frame_index;
    c->calls++;

    if (c->sequential && f->frame_index != c->last_index + 1) {
        kt_fail_at(__FILE__, __LINE__, "frame %lld after %lld", (long long)f->frame_index,
                   (long long)c->last_index);
        c->bad++;
    }
    if (f->frame_index <= c->last_index) {
        kt_fail_at(__FILE__, __LINE__, "frames out of order");
        c->bad++;
    }
    c->last_index = f->frame_index;

    if (c->u) {
        int w = 0, h = 0;
        if (tex == KZV_NO_TEXTURE || kzv_uploader_texture_size(c->u, tex, &w, &h) != KZV_OK ||
            w != f->width || h != f->height || kzv_uploader_live_textures(c->u) != 1) {
            kt_fail_at(__FILE__, __LINE__, "texture %llu not live with the frame's size",
                       (unsigned long long)tex);
            c->bad++;
        }
        if (c->memory) {
            kzv_frame *copy = NULL;
            if (kzv_uploader_memory_read(c->u, tex, &copy) != KZV_OK ||
                copy->width != f->width || copy->height != f->height ||
                copy->frame_index != f->frame_index ||
                memcmp(copy->data[0], f->data[0], (size_t)f->stride[0] * (size_t)f->height)) {
                kt_fail_at(__FILE__, __LINE__, "memory texture differs from frame %lld",
                           (long long)f->frame_index);
                c->bad++;
            }
            kzv_frame_unref(&copy);
        }
    } else if (tex != KZV_NO_TEXTURE) {
        kt_fail_at(__FILE__, __LINE__, "texture without an uploader");
        c->bad++;
    }

    if (c->check_bound) {
        /* Bounded memory: the decode thread is at most a full queue plus the
         * one frame it is trying to push ahead of the consumer. */
        kzv_processor_stats st;
        kzv_processor_get_stats(c->p, &st);
        if (st.decoded > st.processing + c->capacity + 1) {
            kt_fail_at(__FILE__, __LINE__, "decoded %lld while processing %lld (capacity %d)",
                       (long long)st.decoded, (long long)st.processing, c->capacity);
            c->bad++;
        }
    }

    if (c->hook) {
        int r = c->hook(c, f);
        if (r)
            return r;
    }
    if (f->frame_index == c->stop_call_at) {
        kzv_processor_stop(c->p);
        kzv_processor_stop(c->p); /* idempotent */
        c->stopped = true;
    }
    if (f->frame_index == c->stop_return_at)
        return 1;
    if (c->fail_odd && (f->frame_index & 1))
        return -1;
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static kzv_processor *open_proc(const char *path, kzv_uploader *u, int capacity,
                                kzv_queue_policy policy, bool strict)
{
    kzv_processor_settings s;
    kzv_processor_default_settings(&s);
    s.queue.capacity = capacity;
    s.queue.policy = policy;
    s.decoder.strict = strict;
    s.decoder.threads = strict ? 1 : 0; /* see reference_count() */
    kzv_processor *p = NULL;
    int err = kzv_processor_open(&p, path, u, &s);
    PT_REQUIRE(err == KZV_OK, "processor open %s: %s", path, kzv_strerror(err));
    return p;
}

static kzv_uploader *counting(counting_uploader *cu)
{
    counting_uploader_init(cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, cu) == KZV_OK, "uploader");
    return u;
}

/* The texture contract, checked on both sides of the function table. */
static void check_textures(const char *what, kzv_processor *p, kzv_uploader *u,
                           counting_uploader *cu)
{
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK(st.uploaded == st.released, "%s: uploaded %lld != released %lld", what,
             (long long)st.uploaded, (long long)st.released);
    KT_CHECK(kzv_uploader_live_textures(u) == 0, "%s: %lld textures live", what,
             (long long)kzv_uploader_live_textures(u));
    if (cu) {
        KT_CHECK(atomic_load(&cu->uploads) == st.uploaded, "%s: backend uploads %d != %lld",
                 what, atomic_load(&cu->uploads), (long long)st.uploaded);
        KT_CHECK(atomic_load(&cu->releases) == st.released, "%s: backend releases %d", what,
                 atomic_load(&cu->releases));
        KT_CHECK(atomic_load(&cu->bad_releases) == 0, "%s: bad releases reached the backend", what);
        KT_CHECK(counting_uploader_outstanding(cu) == 0, "%s: backend has textures out", what);
    }
}

static const char *clip;    /* h264.mp4 */
static int64_t clip_frames; /* what the decoder alone gives */

/* ---- tests ------------------------------------------------------------------ */

static void test_open_errors(void)
{
    kzv_processor_settings s;
    kzv_processor_default_settings(&s);
    KT_CHECK_EQ_INT(s.queue.capacity, 16);
    KT_CHECK_EQ_INT(s.queue.policy, KZV_QUEUE_BLOCK);
    KT_CHECK_EQ_INT(s.decoder.format, KZV_PIXFMT_RGB24);

    kzv_processor *p = (kzv_processor *)&s;
    KT_CHECK_EQ_INT(kzv_processor_open(NULL, clip, NULL, NULL), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_processor_open(&p, NULL, NULL, NULL), KZV_EINVAL);
    KT_CHECK(p == NULL, "out cleared on failure");

    char missing[4200];
    snprintf(missing, sizeof(missing), "%s/no-such-file.mp4", kt_tmpdir());
    p = (kzv_processor *)&s;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, missing, NULL, NULL), KZV_ENOENT);
    KT_CHECK(p == NULL, "out cleared on failure");
    KT_CHECK(kzv_decoder_last_error(NULL)[0] != '\0', "open failure explained");

    s.queue.capacity = 0;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, clip, NULL, &s), KZV_EINVAL);
    kzv_processor_default_settings(&s);
    s.queue.policy = (kzv_queue_policy)9;
    KT_CHECK_EQ_INT(kzv_processor_open(&p, clip, NULL, &s), KZV_EINVAL);

    /* NULL-safety. */
    kzv_processor_close(NULL);
    p = NULL;
    kzv_processor_close(&p);
    kzv_processor_stop(NULL);
    kzv_processor_stats st;
    kzv_processor_get_stats(NULL, &st);
    KT_CHECK_EQ_INT(st.decoded, 0);
    KT_CHECK(kzv_processor_info(NULL) == NULL, "info of NULL");
    KT_CHECK(!strcmp(kzv_processor_last_error(NULL), ""), "last_error of NULL");
    KT_CHECK_EQ_INT(kzv_processor_run(NULL, on_frame, NULL), KZV_EINVAL);
}

static void test_plain_run(void)
{
    kzv_processor *p = open_proc(clip, NULL, 4, KZV_QUEUE_BLOCK, false);
    const kzv_video_info *info = kzv_processor_info(p);
    KT_CHECK(info && info->width == 320 && info->height == 240, "info");
    KT_CHECK(!strcmp(kzv_processor_last_error(p), ""), "no error yet");
    KT_CHECK_EQ_INT(kzv_processor_run(p, NULL, NULL), KZV_EINVAL); /* does not use up the run */

    ctx c;
    ctx_init(&c, p, NULL);
    c.capacity = 4;
    c.check_bound = true;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, clip_frames);
    KT_CHECK_EQ_INT(c.bad, 0);

    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.decoded, clip_frames);
    KT_CHECK_EQ_INT(st.enqueued, clip_frames);
    KT_CHECK_EQ_INT(st.processing, clip_frames);
    KT_CHECK_EQ_INT(st.uploaded, 0);
    KT_CHECK_EQ_INT(st.released, 0);
    KT_CHECK_EQ_INT(st.errors, 0);
    KT_CHECK_EQ_INT(st.dropped, 0);

    /* One run per processor. */
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_EINVAL);
    KT_CHECK_EQ_INT(c.calls, clip_frames);
    kzv_processor_close(&p);
    KT_CHECK(p == NULL, "close clears the pointer");
}

static void test_uploader_runs(void)
{
    /* Counting backend: every frame gets a live texture, released after. */
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, 3, KZV_QUEUE_BLOCK, false);
    ctx c;
    ctx_init(&c, p, u);
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, clip_frames);
    KT_CHECK_EQ_INT(c.bad, 0);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.uploaded, clip_frames);
    KT_CHECK_EQ_INT(st.released, clip_frames);
    check_textures("counting run", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
    KT_CHECK_EQ_INT(atomic_load(&cu.destroys), 1);

    /* Memory backend: the texture holds exactly the frame's pixels. */
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(&u), KZV_OK);
    p = open_proc(clip, u, 16, KZV_QUEUE_BLOCK, false);
    ctx_init(&c, p, u);
    c.memory = true;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, clip_frames);
    KT_CHECK_EQ_INT(c.bad, 0);
    check_textures("memory run", p, u, NULL);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

static void test_callback_stop(void)
{
    /* > 0 stops the run with KZV_OK; the frames still queued are dropped by
     * run/close (ASan's leak check sees a lost reference). */
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, 16, KZV_QUEUE_BLOCK, false);
    ctx c;
    ctx_init(&c, p, u);
    c.stop_return_at = 5;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, 6);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.processing, 6);
    KT_CHECK_EQ_INT(st.uploaded, 6);
    KT_CHECK_EQ_INT(st.errors, 0);
    KT_CHECK(st.decoded >= 6 && st.decoded <= 6 + 16 + 1, "decoded %lld", (long long)st.decoded);
    check_textures("callback > 0", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);

    /* kzv_processor_stop() from inside the callback: KZV_ECANCELED, and the
     * callback is not called again. */
    u = counting(&cu);
    p = open_proc(clip, u, 2, KZV_QUEUE_BLOCK, false);
    ctx_init(&c, p, u);
    c.stop_call_at = 3;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_ECANCELED);
    KT_CHECK_EQ_INT(c.calls, 4);
    KT_CHECK_EQ_INT(c.calls_after_stop, 0);
    check_textures("stop in callback", p, u, &cu);
    kzv_processor_stop(p); /* after the run: harmless */
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

static void test_callback_errors(void)
{
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, 4, KZV_QUEUE_BLOCK, false);
    ctx c;
    ctx_init(&c, p, u);
    c.fail_odd = true;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, clip_frames); /* errors do not stop the run */
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.errors, clip_frames / 2);
    KT_CHECK_EQ_INT(st.processing, clip_frames);
    check_textures("callback errors", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

static void test_upload_failure(void)
{
    /* A failed upload skips that frame (counted as an error) and goes on. */
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    cu.fail_index = 3;
    kzv_processor *p = open_proc(clip, u, 4, KZV_QUEUE_BLOCK, false);
    ctx c;
    ctx_init(&c, p, u);
    c.sequential = false;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.calls, clip_frames - 1);
    KT_CHECK(c.calls > 4 && c.delivered[2] == 2 && c.delivered[3] == 4, "frame 3 skipped");
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.errors, 1);
    KT_CHECK_EQ_INT(st.uploaded, clip_frames - 1);
    KT_CHECK_EQ_INT(st.processing, clip_frames - 1);
    KT_CHECK(strstr(kzv_processor_last_error(p), "upload") != NULL, "last error names the upload: '%s'",
             kzv_processor_last_error(p));
    check_textures("upload failure", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

/* Stop from another thread, made deterministic: the callback for frame 5
 * hands control to a stopper thread and waits until it has called stop. */
typedef struct stopper {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int phase;            /* 0 running, 1 callback waiting for stop, 2 stopped */
    kzv_processor *p;
} stopper;

static void *stopper_main(void *arg)
{
    stopper *s = arg;
    pthread_mutex_lock(&s->lock);
    while (s->phase == 0)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    kzv_processor_stop(s->p);
    pthread_mutex_lock(&s->lock);
    s->phase = 2;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static int stop_hook(ctx *c, const kzv_frame *f)
{
    stopper *s = c->hook_data;
    if (f->frame_index != 5)
        return 0;
    pthread_mutex_lock(&s->lock);
    s->phase = 1;
    pthread_cond_broadcast(&s->cond);
    while (s->phase != 2)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    c->stopped = true;
    return 0;
}

static void test_stop_other_thread(void)
{
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, 3, KZV_QUEUE_BLOCK, false);
    stopper s = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .p = p };
    pthread_t th;
    PT_REQUIRE(pthread_create(&th, NULL, stopper_main, &s) == 0, "thread");
    ctx c;
    ctx_init(&c, p, u);
    c.hook = stop_hook;
    c.hook_data = &s;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_ECANCELED);
    pthread_join(th, NULL);
    KT_CHECK_EQ_INT(c.calls, 6);
    KT_CHECK_EQ_INT(c.calls_after_stop, 0);
    check_textures("stop from another thread", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);

    /* Stop before run: the run does nothing and reports the cancel. */
    u = counting(&cu);
    p = open_proc(clip, u, 3, KZV_QUEUE_BLOCK, false);
    kzv_processor_stop(p);
    ctx_init(&c, p, u);
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_ECANCELED);
    KT_CHECK_EQ_INT(c.calls, 0);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.processing, 0);
    check_textures("stop before run", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

static void test_close_without_run(void)
{
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, 3, KZV_QUEUE_BLOCK, false);
    kzv_processor_close(&p);
    KT_CHECK(p == NULL, "closed");
    KT_CHECK_EQ_INT(atomic_load(&cu.uploads), 0);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_uploader_destroy(&u);
}

/* DROP_OLDEST, made deterministic: the first callback waits until the
 * decode thread has pushed every frame, so exactly the newest `capacity`
 * frames are left and everything between was dropped. The first frame
 * delivered is usually 0, but a slow consumer may find 0 already dropped,
 * so the test does not insist on which. */
static int wait_all_pushed(ctx *c, const kzv_frame *f)
{
    (void)f;
    if (c->calls != 1)
        return 0;
    int64_t deadline = pt_now_ns() + 60 * INT64_C(1000000000);
    kzv_processor_stats st;
    do {
        pt_sleep_ms(2);
        kzv_processor_get_stats(c->p, &st);
    } while (st.enqueued < clip_frames && pt_now_ns() < deadline);
    if (st.enqueued < clip_frames) {
        kt_fail_at(__FILE__, __LINE__, "decode thread stuck at %lld frames", (long long)st.enqueued);
        c->bad++;
    }
    return 0;
}

static void test_drop_oldest(void)
{
    enum { CAP = 2 };
    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(clip, u, CAP, KZV_QUEUE_DROP_OLDEST, false);
    ctx c;
    ctx_init(&c, p, u);
    c.sequential = false;
    c.hook = wait_all_pushed;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    KT_CHECK_EQ_INT(c.bad, 0);
    KT_CHECK_EQ_INT(c.calls, 1 + CAP);
    KT_CHECK(c.delivered[0] < clip_frames - 2 && c.delivered[1] == clip_frames - 2 &&
             c.delivered[2] == clip_frames - 1, "delivered %lld, %lld, %lld",
             (long long)c.delivered[0], (long long)c.delivered[1], (long long)c.delivered[2]);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.decoded, clip_frames);
    KT_CHECK_EQ_INT(st.enqueued, clip_frames);
    KT_CHECK_EQ_INT(st.dropped, clip_frames - 1 - CAP);
    KT_CHECK_EQ_INT(st.processing + st.dropped, st.decoded);
    check_textures("drop oldest", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

/* A decode error in the middle: every frame before it is delivered, then
 * run returns the decoder's error. */
static void test_decode_error(void)
{
    const char *bad = kt_fixture("corrupt_mid.mkv");
    int ref_status = 0;
    int64_t before = reference_count(bad, true, &ref_status);
    PT_REQUIRE(ref_status < 0 && ref_status != KZV_EOF && before > 0,
               "corrupt_mid.mkv in strict mode must fail mid-file (got %d after %lld frames)",
               ref_status, (long long)before);

    counting_uploader cu;
    kzv_uploader *u = counting(&cu);
    kzv_processor *p = open_proc(bad, u, 4, KZV_QUEUE_BLOCK, true);
    ctx c;
    ctx_init(&c, p, u);
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), ref_status);
    KT_CHECK_EQ_INT(c.calls, before);
    KT_CHECK_EQ_INT(c.bad, 0);
    kzv_processor_stats st;
    kzv_processor_get_stats(p, &st);
    KT_CHECK_EQ_INT(st.errors, 1);
    KT_CHECK_EQ_INT(st.decoded, before);
    KT_CHECK(kzv_processor_last_error(p)[0] != '\0', "decode error has a message");
    check_textures("decode error", p, u, &cu);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);

    /* Non-strict: the damage is skipped and the run ends normally. */
    p = open_proc(bad, NULL, 4, KZV_QUEUE_BLOCK, false);
    ctx_init(&c, p, NULL);
    kzv_set_log_level(KZV_LOG_QUIET); /* the damage is logged loudly; expected here */
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    kzv_set_log_level(KZV_LOG_WARNING);
    KT_CHECK(c.calls > before, "non-strict run goes past the damage (%lld)", (long long)c.calls);
    kzv_processor_close(&p);
}

/* Stats read from another thread while running: monotonic, and never more
 * frames at a later lifecycle state than at an earlier one. */
typedef struct watch {
    kzv_processor *p;
    atomic_bool stop;
    int bad;
    atomic_llong samples;
} watch;

static void *watcher(void *arg)
{
    watch *w = arg;
    kzv_processor_stats prev = { 0 }, st;
    while (!atomic_load(&w->stop)) {
        kzv_processor_get_stats(w->p, &st);
        atomic_fetch_add(&w->samples, 1);
        if (st.decoded < prev.decoded || st.processing < prev.processing ||
            st.released < prev.released || st.uploaded < prev.uploaded ||
            st.released > st.processing || st.processing > st.uploaded ||
            st.uploaded > st.decoded || st.enqueued > st.decoded)
            w->bad++;
        prev = st;
    }
    return NULL;
}

/* A short clip can finish before the scheduler ever runs the watcher, so
 * the callback holds the run until the watcher has taken fresh snapshots
 * while frames are in flight (first frame and every 8th). The deadline only
 * guards against a hang. */
static int wait_for_watcher(ctx *c, const kzv_frame *f)
{
    watch *w = c->hook_data;
    if (f->frame_index % 8)
        return 0;
    long long target = atomic_load(&w->samples) + 2;
    int64_t deadline = pt_now_ns() + 30 * INT64_C(1000000000);
    while (atomic_load(&w->samples) < target && pt_now_ns() < deadline)
        sched_yield();
    if (atomic_load(&w->samples) < target) {
        kt_fail_at(__FILE__, __LINE__, "watcher took no snapshot during frame %lld",
                   (long long)f->frame_index);
        c->bad++;
    }
    return 0;
}

static void test_stats_from_other_thread(void)
{
    kzv_uploader *u = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(&u), KZV_OK);
    kzv_processor *p = open_proc(clip, u, 2, KZV_QUEUE_BLOCK, false);
    watch w = { .p = p };
    atomic_init(&w.stop, false);
    pthread_t th;
    PT_REQUIRE(pthread_create(&th, NULL, watcher, &w) == 0, "thread");
    ctx c;
    ctx_init(&c, p, u);
    c.hook = wait_for_watcher;
    c.hook_data = &w;
    KT_CHECK_EQ_INT(kzv_processor_run(p, on_frame, &c), KZV_OK);
    atomic_store(&w.stop, true);
    pthread_join(th, NULL);
    KT_CHECK_EQ_INT(c.bad, 0);
    long long samples = atomic_load(&w.samples);
    KT_CHECK(w.bad == 0, "%d inconsistent snapshots of %lld", w.bad, samples);
    KT_CHECK(samples >= 2 * ((clip_frames + 7) / 8), "watcher sampled during the run (%lld)",
             samples);
    check_textures("watched run", p, u, NULL);
    kzv_processor_close(&p);
    kzv_uploader_destroy(&u);
}

int main(void)
{
    clip = kt_fixture("h264.mp4");
    int status = 0;
    clip_frames = reference_count(clip, false, &status);
    KT_REQUIRE(status == KZV_EOF && clip_frames > 10, "h264.mp4 decodes (%lld frames, %d)",
               (long long)clip_frames, status);

    test_open_errors();
    test_plain_run();
    test_uploader_runs();
    test_callback_stop();
    test_callback_errors();
    test_upload_failure();
    test_stop_other_thread();
    test_close_without_run();
    test_drop_oldest();
    test_decode_error();
    test_stats_from_other_thread();
    return kt_finish();
}
