/*
 * kzv_processor: one decode thread feeds a bounded queue; the thread that
 * called kzv_processor_run() pops, uploads, calls the user back and releases.
 *
 * Shutdown is always the same sequence, whoever starts it (end of stream,
 * decode error, callback, kzv_processor_stop(), close): raise `quit`, close
 * the queue (which wakes both ends), join the decode thread, then drain the
 * queue. Closing the queue is what makes every wait finite; the flag is what
 * makes the decode thread stop decoding rather than just fail its next push.
 *
 * Texture ownership is local to one loop iteration in run(): a texture is
 * made, handed to the callback and released before the next pop, so no path
 * out of the loop can hold one.
 */
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/processor.h"
#include "core/abi.h"
#include "core/log.h"
#include "core/thread.h"

/* How long the decode thread waits on a full BLOCK queue before it looks at
 * the quit flag again. Closing the queue wakes it at once; the timeout is a
 * second line of defence, not the mechanism. */
#define PUSH_POLL_NS (100 * INT64_C(1000000))

struct kzv_processor {
    kzv_decoder *dec;
    kzv_queue *queue;
    kzv_uploader *uploader;      /* borrowed from the caller; may be NULL */
    kzv_processor_settings settings;
    kzv_logger log;

    pthread_t thread;
    bool thread_running;         /* started and not joined yet */
    bool ran;                    /* run() is allowed once */

    atomic_bool quit;            /* the decode thread must stop */
    atomic_bool canceled;        /* kzv_processor_stop() was called */

    /* Written by the decode thread before it closes the queue, read by run()
     * after the join, which orders the two. */
    int decode_status;           /* KZV_EOF, a decoder error, or KZV_OK if stopped */
    char decode_error[512];

    char last_error[512];

    /* Lifecycle counters, readable from any thread. */
    _Atomic int64_t decoded, enqueued, processing, uploaded, released, errors, dropped;
};

static void count(_Atomic int64_t *c)
{
    atomic_fetch_add(c, 1);
}

void kzv_processor_default_settings(kzv_processor_settings *s)
{
    if (!s)
        return;
    *s = (kzv_processor_settings){
        .start_frame = -1,
        .start_time = NAN,
        .max_frames = -1,
    };
    kzv_decoder_default_settings(&s->decoder);
    kzv_queue_default_settings(&s->queue);
}

int kzv_processor_open(kzv_processor **out, const char *path, kzv_uploader *uploader,
                       const kzv_processor_settings *settings)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (!path)
        return KZV_EINVAL;
    if (settings && !KZV_RESERVED_OK(settings)) {
        kzv_log(NULL, KZV_LOG_ERROR, "kzv_processor_open: %s", KZV_RESERVED_WHY("kzv_processor_settings"));
        return KZV_EINVAL;
    }

    kzv_processor *p = calloc(1, sizeof(*p));
    if (!p)
        return KZV_ENOMEM;
    if (settings)
        p->settings = *settings;
    else
        kzv_processor_default_settings(&p->settings);
    p->uploader = uploader;
    p->log = (kzv_logger){ p->settings.decoder.log_fn, p->settings.decoder.log_user };
    p->decode_status = KZV_OK;
    atomic_init(&p->quit, false);
    atomic_init(&p->canceled, false);

    /* The queue first: it is cheap and validates its settings before we
     * spend a file open on a processor that cannot work. */
    int err = kzv_queue_create(&p->queue, &p->settings.queue);
    if (err == KZV_OK)
        err = kzv_decoder_open(&p->dec, path, &p->settings.decoder);
    if (err < 0) {
        kzv_queue_destroy(&p->queue);
        free(p);
        return err;
    }
    *out = p;
    return KZV_OK;
}

const kzv_video_info *kzv_processor_info(const kzv_processor *p)
{
    return p ? kzv_decoder_info(p->dec) : NULL;
}

static void update_dropped(kzv_processor *p)
{
    kzv_queue_stats qs;
    kzv_queue_get_stats(p->queue, &qs);
    atomic_store(&p->dropped, qs.total_dropped);
}

/* Hand one frame to the queue. @return true when it was taken. */
static bool decode_push(kzv_processor *p, kzv_frame *f)
{
    int err;
    if (p->settings.queue.policy == KZV_QUEUE_DROP_OLDEST) {
        err = kzv_queue_push(p->queue, f, -1); /* never waits */
    } else {
        do {
            err = kzv_queue_push(p->queue, f, PUSH_POLL_NS);
        } while (err == KZV_ETIMEDOUT && !atomic_load(&p->quit));
    }
    if (err < 0)
        return false;
    count(&p->enqueued);
    if (p->settings.queue.policy == KZV_QUEUE_DROP_OLDEST)
        update_dropped(p);
    return true;
}

static void *decode_thread(void *arg)
{
    kzv_processor *p = arg;
    int status = KZV_OK;
    const kzv_processor_settings *s = &p->settings;
    int err = KZV_OK;
    /* A fresh decoder is at the first frame already: seek (which builds the
     * index, one demux pass) only when the start is somewhere else. */
    if (s->start_frame > 0)
        err = kzv_decoder_seek_frame(p->dec, s->start_frame);
    else if (s->start_frame < 0 && !isnan(s->start_time) &&
             s->start_time > kzv_decoder_info(p->dec)->start_time)
        err = kzv_decoder_seek(p->dec, s->start_time, KZV_SEEK_EXACT);
    int64_t n = 0;
    while (!atomic_load(&p->quit)) {
        kzv_frame *f = NULL;
        if (err == KZV_OK)
            err = s->max_frames >= 0 && n >= s->max_frames ? KZV_EOF : kzv_decoder_next(p->dec, &f);
        if (err == KZV_EOF) {
            status = KZV_EOF;
            break;
        }
        if (err < 0 && atomic_load(&p->quit))
            break;   /* interrupted by stop/close: not a decode error */
        if (err < 0) {
            status = err;
            count(&p->errors);
            snprintf(p->decode_error, sizeof(p->decode_error), "%s",
                     kzv_decoder_last_error(p->dec));
            if (!p->decode_error[0])
                snprintf(p->decode_error, sizeof(p->decode_error), "decoding failed: %s",
                         kzv_strerror(err));
            kzv_log(&p->log, KZV_LOG_ERROR, "processor: %s", p->decode_error);
            break;
        }
        count(&p->decoded);
        n++;
        if (!decode_push(p, f)) {
            kzv_frame_unref(&f); /* refused: the reference is still ours */
            break;
        }
    }
    p->decode_status = status;
    /* Closing lets the consumer drain what is queued and then see EOF. */
    kzv_queue_close(p->queue);
    return NULL;
}

/* Raise quit, wake both ends, and wait for the decode thread to be gone. */
static void shut_down(kzv_processor *p)
{
    atomic_store(&p->quit, true);
    kzv_decoder_interrupt(p->dec);   /* a read blocked on a stalled input returns */
    kzv_queue_close(p->queue);
    if (p->thread_running) {
        pthread_join(p->thread, NULL);
        p->thread_running = false;
    }
}

/* Free frames left in the queue (they were never delivered). */
static void drain(kzv_processor *p)
{
    kzv_frame *f;
    while (kzv_queue_pop(p->queue, &f, 0) == KZV_OK)
        kzv_frame_unref(&f);
}

static void set_error(kzv_processor *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_error(kzv_processor *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->last_error, sizeof(p->last_error), fmt, ap);
    va_end(ap);
}

/* Upload, call back, release: one frame, with its texture's whole life.
 * @return the callback's result, or 0 when the frame was skipped. */
static int deliver(kzv_processor *p, const kzv_frame *f, kzv_processor_fn fn, void *user)
{
    kzv_texture tex = KZV_NO_TEXTURE;
    if (p->uploader) {
        int err = kzv_uploader_upload(p->uploader, f, &tex);
        if (err < 0) {
            /* Graceful degradation as in the seed: skip the frame, go on. */
            count(&p->errors);
            set_error(p, "upload to '%s' failed: %s", kzv_uploader_name(p->uploader),
                      kzv_strerror(err));
            kzv_log(&p->log, KZV_LOG_WARNING, "processor: frame %lld: %s",
                    (long long)f->frame_index, p->last_error);
            return 0;
        }
        count(&p->uploaded);
    }

    count(&p->processing);
    int ret = fn(f, tex, user);

    if (tex != KZV_NO_TEXTURE) {
        if (kzv_uploader_release(p->uploader, tex) == KZV_OK)
            count(&p->released);
        else /* someone released our texture behind our back (logged by the uploader) */
            count(&p->errors);
    }
    if (ret < 0) {
        count(&p->errors);
        kzv_log(&p->log, KZV_LOG_DEBUG, "processor: callback returned %d for frame %lld",
                ret, (long long)f->frame_index);
    }
    return ret;
}

int kzv_processor_run(kzv_processor *p, kzv_processor_fn fn, void *user)
{
    if (!p || !fn || p->ran)
        return KZV_EINVAL;
    p->ran = true;
    if (atomic_load(&p->canceled))
        return KZV_ECANCELED;

    int err = pthread_create(&p->thread, NULL, decode_thread, p);
    if (err) {
        set_error(p, "cannot start the decode thread");
        return KZV_ENOMEM;
    }
    p->thread_running = true;

    int result = KZV_OK;
    bool by_callback = false;
    for (;;) {
        if (atomic_load(&p->canceled)) {
            result = KZV_ECANCELED;
            break;
        }
        kzv_frame *f = NULL;
        err = kzv_queue_pop(p->queue, &f, -1);
        if (err == KZV_EOF)
            break;
        if (err < 0) { /* cannot happen with an infinite wait; do not spin on it */
            result = err;
            break;
        }
        /* A stop that closed the queue lets pops drain: do not deliver. */
        if (atomic_load(&p->canceled)) {
            kzv_frame_unref(&f);
            result = KZV_ECANCELED;
            break;
        }
        int ret = deliver(p, f, fn, user);
        kzv_frame_unref(&f);
        if (ret > 0) {
            by_callback = true;
            break;
        }
    }

    shut_down(p);
    drain(p);
    if (p->settings.queue.policy == KZV_QUEUE_DROP_OLDEST)
        update_dropped(p);

    if (result == KZV_OK && !by_callback && p->decode_status < 0 && p->decode_status != KZV_EOF) {
        result = p->decode_status;
        set_error(p, "%s", p->decode_error);
    }
    return result;
}

void kzv_processor_stop(kzv_processor *p)
{
    if (!p)
        return;
    atomic_store(&p->canceled, true);
    atomic_store(&p->quit, true);
    kzv_decoder_interrupt(p->dec);
    kzv_queue_close(p->queue);
}

void kzv_processor_get_decoder_stats(const kzv_processor *p, kzv_decoder_stats *st)
{
    kzv_decoder_get_stats(p ? p->dec : NULL, st);
}

void kzv_processor_get_stats(const kzv_processor *p, kzv_processor_stats *st)
{
    if (!st)
        return;
    *st = (kzv_processor_stats){ 0 };
    if (!p)
        return;
    /* Read against the direction of flow (each counter is bumped, seq_cst,
     * after the ones before it in a frame's life), so a snapshot taken while
     * running never shows more frames at a later state than at an earlier
     * one: released <= processing <= decoded, enqueued <= decoded, and with
     * an uploader processing <= uploaded <= decoded. */
    st->dropped = atomic_load(&p->dropped);
    st->errors = atomic_load(&p->errors);
    st->released = atomic_load(&p->released);
    st->processing = atomic_load(&p->processing);
    st->uploaded = atomic_load(&p->uploaded);
    st->enqueued = atomic_load(&p->enqueued);
    st->decoded = atomic_load(&p->decoded);
}

const char *kzv_processor_last_error(const kzv_processor *p)
{
    return p ? p->last_error : "";
}

void kzv_processor_close(kzv_processor **pp)
{
    if (!pp || !*pp)
        return;
    kzv_processor *p = *pp;
    *pp = NULL;
    shut_down(p);
    drain(p);
    kzv_queue_destroy(&p->queue);
    kzv_decoder_close(&p->dec);
    free(p);
}
