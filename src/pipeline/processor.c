/*
 * kzv_processor: open, close, settings and stats, and the push-mode loop
 * (kzv_processor_run()). The decode thread is in processor_decode.c, seeks in
 * processor_seek.c, the clock in processor_clock.c and the consumer's pull
 * calls in processor_pick.c (see processor_internal.h for the locking).
 *
 * Shutdown is always the same sequence, whoever starts it (end of stream,
 * decode error, callback, kzv_processor_stop(), close): raise `quit`,
 * interrupt the decoder, wake every wait (broadcast under mx), join the
 * decode thread, then drain the queue (what is left is discarded).
 *
 * Texture ownership in run() is local to one loop iteration: a texture is
 * made, handed to the callback (or found stale by a seek) and released before
 * the next frame, so no path out of the loop can hold one.
 */
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/processor.h"
#include "pipeline/processor_internal.h"
#include "core/abi.h"
#include "core/log.h"
#include "core/thread.h"

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

/* The real-time settings make sense? (reserved bytes are checked apart) */
static bool settings_ok(const kzv_processor_settings *s)
{
    if (s->realtime != 0 && s->realtime != 1)
        return false;
    if (s->start_paused != 0 && s->start_paused != 1)
        return false;
    if (s->rate < 0 || isnan(s->rate) || isinf(s->rate) || isnan(s->late_threshold) ||
        s->max_duration < 0 || isnan(s->max_duration))
        return false;
    if (s->clock_now && !s->clock_sleep)
        return false;
    return true;
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
    if (settings && !settings_ok(settings)) {
        kzv_log(NULL, KZV_LOG_ERROR, "kzv_processor_open: invalid real-time settings "
                "(realtime and start_paused are 0 or 1, rate >= 0, max_duration >= 0, "
                "clock_sleep with clock_now)");
        return KZV_EINVAL;
    }

    kzv_processor *p = calloc(1, sizeof(*p));
    if (!p)
        return KZV_ENOMEM;
    if (settings)
        p->settings = *settings;
    else
        kzv_processor_default_settings(&p->settings);
    kzv_processor_settings *s = &p->settings;
    p->uploader = uploader;
    p->log = (kzv_logger){ s->decoder.log_fn, s->decoder.log_user };
    p->decode_status = KZV_OK;
    p->first_pts = NAN;
    p->clock.rate = s->rate > 0 ? s->rate : 1.0;
    p->clock.paused = s->realtime && s->start_paused;
    atomic_init(&p->quit, false);
    atomic_init(&p->canceled, false);

    /* The queue first: it is cheap and validates its settings before we
     * spend a file open on a processor that cannot work. */
    int err = kzv_queue_create(&p->queue, &s->queue);
    if (err == KZV_OK)
        err = kzv_decoder_open(&p->dec, path, &s->decoder);
    bool have_mx = false, have_cv = false;
    if (err == KZV_OK)
        have_mx = (err = kzv_mutex_init(&p->mx)) == KZV_OK;
    if (err == KZV_OK)
        have_cv = (err = kzv_cond_init(&p->cv)) == KZV_OK;
    if (err < 0) {
        if (have_mx)
            kzv_mutex_destroy(&p->mx);
        kzv_decoder_close(&p->dec);
        kzv_queue_destroy(&p->queue);
        free(p);
        return err;
    }
    (void)have_cv;
    /* A fresh decoder is at the first frame already: the decode thread seeks
     * (which builds the index, one demux pass) only when the start is
     * somewhere else. Not counted in `seeks`, which counts requests. */
    if (s->start_frame > 0) {
        p->seek_pending = true;
        p->seek_frame = s->start_frame;
        p->seek_mode = KZV_SEEK_EXACT;
    } else if (s->start_frame < 0 && !isnan(s->start_time) &&
               s->start_time > kzv_decoder_info(p->dec)->start_time) {
        p->seek_pending = true;
        p->seek_frame = -1;
        p->seek_time = s->start_time;
        p->seek_mode = KZV_SEEK_EXACT;
    }
    *out = p;
    return KZV_OK;
}

int kzv_processor_set_uploader(kzv_processor *p, kzv_uploader *uploader)
{
    if (!p || p->ran)
        return KZV_EINVAL;
    p->uploader = uploader;
    return KZV_OK;
}

const kzv_video_info *kzv_processor_info(const kzv_processor *p)
{
    return p ? kzv_decoder_info(p->dec) : NULL;
}

void kzv_proc_update_dropped(kzv_processor *p)
{
    kzv_queue_stats qs;
    kzv_queue_get_stats(p->queue, &qs);
    atomic_store(&p->dropped, qs.total_dropped);
}

/* Raise quit, wake every wait, and wait for the decode thread to be gone. */
static void shut_down(kzv_processor *p)
{
    atomic_store(&p->quit, true);
    kzv_decoder_interrupt(p->dec);   /* a read blocked on a stalled input returns */
    kzv_mutex_lock(&p->mx);
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
    if (p->thread_running) {
        pthread_join(p->thread, NULL);
        p->thread_running = false;
    }
}

/* Free frames left in the queue (never delivered: discarded). */
static void drain(kzv_processor *p)
{
    kzv_mutex_lock(&p->mx);
    kzv_proc_flush(p);
    kzv_mutex_unlock(&p->mx);
    kzv_proc_update_dropped(p);
}

void kzv_proc_set_error(kzv_processor *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->last_error, sizeof(p->last_error), fmt, ap);
    va_end(ap);
}

static int start_thread(kzv_processor *p)
{
    if (p->ran)
        return KZV_EINVAL;
    p->ran = true;
    if (atomic_load(&p->canceled))
        return KZV_ECANCELED;
    if (pthread_create(&p->thread, NULL, kzv_proc_decode_main, p)) {
        kzv_proc_set_error(p, "cannot start the decode thread");
        return KZV_ENOMEM;
    }
    p->thread_running = true;
    return KZV_OK;
}

int kzv_processor_start(kzv_processor *p)
{
    return p ? start_thread(p) : KZV_EINVAL;
}

/* Wait (realtime), call back, release: one frame, with its texture's whole
 * life. @return the callback's result; 0 when a seek made the frame stale. */
static int deliver(kzv_processor *p, const kzv_frame *f, kzv_texture tex, kzv_processor_fn fn,
                   void *user, bool *canceled)
{
    int ret = 0;
    int err = kzv_processor_wait(p, f, -1, NULL);
    if (err == KZV_OK) {
        kzv_proc_count(&p->processing);
        ret = fn(f, tex, user);
    } else {
        /* stale after a seek, or stopped: never shown */
        kzv_proc_count(&p->discarded);
        *canceled = atomic_load(&p->canceled);
    }
    if (tex != KZV_NO_TEXTURE)
        kzv_processor_release(p, tex);
    if (ret < 0) {
        kzv_proc_count(&p->errors);
        kzv_log(&p->log, KZV_LOG_DEBUG, "processor: callback returned %d for frame %lld",
                ret, (long long)f->frame_index);
    }
    return ret;
}

int kzv_processor_run(kzv_processor *p, kzv_processor_fn fn, void *user)
{
    if (!p || !fn || p->ran)
        return KZV_EINVAL;
    int err = start_thread(p);
    if (err < 0)
        return err;

    int result = KZV_OK;
    bool by_callback = false;
    for (;;) {
        kzv_frame *f = NULL;
        kzv_texture tex = KZV_NO_TEXTURE;
        err = kzv_proc_next(p, &f, &tex, -1);
        if (err == KZV_ECANCELED) {
            result = KZV_ECANCELED;
            break;
        }
        if (err < 0)   /* the end, or a decode error (reported below) */
            break;
        bool canceled = false;
        int ret = deliver(p, f, tex, fn, user, &canceled);
        kzv_frame_unref(&f);
        if (canceled) {
            result = KZV_ECANCELED;
            break;
        }
        if (ret > 0) {
            by_callback = true;
            break;
        }
    }

    shut_down(p);
    drain(p);

    if (result == KZV_OK && !by_callback && p->decode_status < 0) {
        result = p->decode_status;
        kzv_proc_set_error(p, "%s", p->decode_error);
    }
    return result;
}

void kzv_processor_stop(kzv_processor *p)
{
    if (!p)
        return;
    atomic_store(&p->quit, true);
    atomic_store(&p->canceled, true);
    kzv_decoder_interrupt(p->dec);
    kzv_mutex_lock(&p->mx);
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
}

void kzv_processor_finish(kzv_processor *p)
{
    if (!p)
        return;
    atomic_store(&p->canceled, true);
    shut_down(p);
    drain(p);
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
    st->seeks = atomic_load(&p->seeks);
    st->discarded = atomic_load(&p->discarded);
    st->dropped_late = atomic_load(&p->dropped_late);
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
    kzv_cond_destroy(&p->cv);
    kzv_mutex_destroy(&p->mx);
    free(p);
}
