/*
 * The processor's decode thread: decode in display order, hold one frame,
 * push it into the queue when the policy and the clock allow, and perform
 * seek requests. Every decision is taken under mx (see processor_internal.h);
 * decoding and seeking themselves run unlocked.
 *
 * When a held frame is pushed:
 *   - there is room: at once (every policy, every mode);
 *   - BLOCK, full: when a pop makes room (the consumer broadcasts);
 *   - DROP_OLDEST, full, offline: at once (the queue drops its oldest frame);
 *   - DROP_OLDEST, full, realtime: when the held frame is due on the clock, so
 *     that the queue's drops keep the case they exist for, a consumer that
 *     has fallen behind; a file decodes faster than real time, and an
 *     unpaced decode thread would race ahead and drop almost everything.
 *     While the clock is stopped (before the first frame, after a seek) or
 *     paused, nothing is due: it waits for room.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>

#include "pipeline/processor_internal.h"
#include "core/thread.h"

/* Realtime: how often a decode thread waiting for a due time looks again
 * (pause, rate and the clock's start change what it waits for). */
#define PACE_SLICE_S 0.005

/* Keep the first decode error. mx held; the log line is written with mx
 * released (a log callback may take a lock of its own, such as Python's GIL,
 * whose holder may be waiting for mx). decode_error is written once, by this
 * thread only, so reading it unlocked here is safe. */
static void record_error(kzv_processor *p, int err, const char *msg)
{
    if (p->decode_status < 0)
        return;
    p->decode_status = err;
    kzv_proc_count(&p->errors);
    snprintf(p->decode_error, sizeof(p->decode_error), "%s", msg);
    if (!p->decode_error[0])
        snprintf(p->decode_error, sizeof(p->decode_error), "decoding failed: %s", kzv_strerror(err));
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
    kzv_log(&p->log, KZV_LOG_ERROR, "processor: %s", p->decode_error);
    kzv_mutex_lock(&p->mx);
}

/* Take the pending seek request and perform it. mx held on entry and exit. */
static void perform_seek(kzv_processor *p)
{
    double t = p->seek_time;
    int64_t frame = p->seek_frame;
    kzv_seek_mode mode = p->seek_mode;
    p->seek_pending = false;
    p->eos = false;
    kzv_mutex_unlock(&p->mx);
    int err = kzv_proc_do_seek(p, t, frame, mode);
    char msg[sizeof(p->decode_error)] = "";
    if (err < 0 && err != KZV_EOF)
        snprintf(msg, sizeof(msg), "%s", kzv_decoder_last_error(p->dec));
    kzv_mutex_lock(&p->mx);
    if (err < 0) {
        p->eos = true;  /* past the end (or broken): the stream is over */
        if (err != KZV_EOF && !atomic_load(&p->quit))
            record_error(p, err, msg);
    }
    kzv_cond_broadcast(&p->cv);
}

/* Decode the next frame into *f. mx held on entry and exit. */
static void decode_one(kzv_processor *p, kzv_frame **f)
{
    const kzv_processor_settings *s = &p->settings;
    if (s->max_frames >= 0 && p->limit_count >= s->max_frames) {
        p->eos = true;
        kzv_cond_broadcast(&p->cv);
        return;
    }
    kzv_mutex_unlock(&p->mx);
    int err = kzv_decoder_next(p->dec, f);
    char msg[sizeof(p->decode_error)] = "";
    if (err < 0 && err != KZV_EOF)
        snprintf(msg, sizeof(msg), "%s", kzv_decoder_last_error(p->dec));
    kzv_mutex_lock(&p->mx);
    if (err == KZV_OK) {
        if (isnan(p->first_pts))
            p->first_pts = (*f)->pts;
        if (s->max_duration > 0 && (*f)->pts - p->first_pts >= s->max_duration) {
            kzv_frame_unref(f);  /* beyond the requested span: not "decoded" */
            p->eos = true;
        } else {
            kzv_proc_count(&p->decoded);
            p->limit_count++;
        }
    } else {
        p->eos = true;
        if (err != KZV_EOF && !atomic_load(&p->quit))  /* interrupted by stop: no error */
            record_error(p, err, msg);
    }
    kzv_cond_broadcast(&p->cv);
}

/* Push the held frame or wait for the moment it may be. mx held. */
static void push_or_wait(kzv_processor *p, kzv_frame **f)
{
    const kzv_processor_settings *s = &p->settings;
    kzv_queue_stats qs;
    kzv_queue_get_stats(p->queue, &qs);
    bool push = qs.size < qs.capacity;
    double until = INFINITY, now = 0, due = 0;
    if (!push && s->queue.policy == KZV_QUEUE_DROP_OLDEST) {
        if (!s->realtime) {
            push = true;
        } else {
            now = kzv_proc_now(p);
            until = now + PACE_SLICE_S;
            if (kzv_proc_due(&p->clock, (*f)->pts, &due)) {
                if (due <= now)
                    push = true;
                else if (due < until)
                    until = due;
            }
        }
    }
    if (push && kzv_queue_push(p->queue, *f, 0) == KZV_OK) {
        *f = NULL;
        kzv_proc_count(&p->enqueued);
        if (s->queue.policy == KZV_QUEUE_DROP_OLDEST)
            kzv_proc_update_dropped(p);
        kzv_cond_broadcast(&p->cv);
        return;
    }
    kzv_proc_cv_wait_until(p, until);  /* a pop, a seek, a pause, quit, or the due time */
}

void *kzv_proc_decode_main(void *arg)
{
    kzv_processor *p = arg;
    kzv_frame *f = NULL;
    kzv_mutex_lock(&p->mx);
    while (!atomic_load(&p->quit)) {
        if (p->seek_pending) {
            if (f) {
                kzv_frame_unref(&f);
                kzv_proc_count(&p->discarded);
            }
            perform_seek(p);
        } else if (!f) {
            if (p->eos)
                kzv_cond_wait(&p->cv, &p->mx);  /* a seek may start it again */
            else
                decode_one(p, &f);
        } else {
            push_or_wait(p, &f);
        }
    }
    if (f) {
        kzv_frame_unref(&f);
        kzv_proc_count(&p->discarded);
    }
    p->eos = true;
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
    return NULL;
}
