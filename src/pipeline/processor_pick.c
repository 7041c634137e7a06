/*
 * The consumer's side of the processor: take the next frame (dropping, before
 * any upload, a frame that would be late once uploaded), upload it when asked,
 * pick "the frame for time t" (kzv_processor_frame_for(), after libplacebo's
 * pl_queue_update()), and take textures back.
 *
 * Pops happen under mx (see processor_internal.h), so a frame popped here is
 * from the current seek generation, which is recorded in out_gen.
 */
#include <math.h>
#include <stdatomic.h>

#include "pipeline/processor_internal.h"
#include "core/thread.h"

/* What the stream's end means for the consumer. */
static int end_status(const kzv_processor *p)
{
    return p->decode_status < 0 ? p->decode_status : KZV_EOF;
}

/* Pop one frame of the current generation. mx held.
 * @return KZV_OK, KZV_EAGAIN (none now), KZV_EOF (none ever, until a seek). */
static int pop_locked(kzv_processor *p, kzv_frame **f)
{
    if (kzv_queue_pop(p->queue, f, 0) == KZV_OK) {
        kzv_cond_broadcast(&p->cv);  /* room for the decode thread */
        return KZV_OK;
    }
    if (p->eos && !p->seek_pending)
        return KZV_EOF;
    return KZV_EAGAIN;
}

/* Realtime: would `f` be too late once uploaded? mx held. */
static bool too_late(kzv_processor *p, const kzv_frame *f)
{
    double due;
    if (!p->settings.realtime || !kzv_proc_due(&p->clock, f->pts, &due))
        return false;
    double lead = p->uploader ? p->upload_ema : 0;
    return kzv_proc_now(p) + lead > due + kzv_proc_late_threshold(p, f);
}

/* Take the next deliverable frame, waiting up to timeout_ns (real time: how
 * long the caller is willing to block, whatever the clock's time source). */
static int take(kzv_processor *p, kzv_frame **out, int64_t timeout_ns)
{
    struct timespec deadline;
    bool forever = timeout_ns < 0 || (timeout_ns > 0 && kzv_deadline(&deadline, timeout_ns) < 0);
    bool timed_out = timeout_ns == 0;
    kzv_mutex_lock(&p->mx);
    int ret;
    for (;;) {
        if (atomic_load(&p->canceled)) {
            ret = KZV_ECANCELED;
            break;
        }
        kzv_frame *f = NULL;
        ret = pop_locked(p, &f);
        if (ret == KZV_OK) {
            if (too_late(p, f)) {
                kzv_frame_unref(&f);
                kzv_proc_count(&p->dropped_late);
                continue;
            }
            p->out_gen = p->gen;
            *out = f;
            break;
        }
        if (ret == KZV_EOF) {
            ret = end_status(p);
            break;
        }
        if (timed_out)
            break;  /* KZV_EAGAIN */
        if (forever)
            kzv_cond_wait(&p->cv, &p->mx);
        else
            timed_out = kzv_cond_timedwait(&p->cv, &p->mx, &deadline) == ETIMEDOUT;
    }
    kzv_mutex_unlock(&p->mx);
    return ret;
}

/* Upload `f`, timing it (the prediction too_late() uses). */
static int upload(kzv_processor *p, const kzv_frame *f, kzv_texture *tex)
{
    double t0 = kzv_proc_now(p);
    int err = kzv_uploader_upload(p->uploader, f, tex);
    if (err < 0) {
        kzv_proc_count(&p->errors);
        kzv_proc_set_error(p, "upload to '%s' failed: %s", kzv_uploader_name(p->uploader),
                           kzv_strerror(err));
        kzv_log(&p->log, KZV_LOG_WARNING, "processor: frame %lld: %s",
                (long long)f->frame_index, p->last_error);
        return err;
    }
    kzv_proc_count(&p->uploaded);
    double dt = kzv_proc_now(p) - t0;
    p->upload_ema = p->upload_samples++ ? 0.8 * p->upload_ema + 0.2 * dt : dt;
    return KZV_OK;
}

int kzv_proc_next(kzv_processor *p, kzv_frame **out, kzv_texture *tex, int64_t timeout_ns)
{
    *out = NULL;
    if (tex)
        *tex = KZV_NO_TEXTURE;
    for (;;) {
        kzv_frame *f = NULL;
        int err = take(p, &f, timeout_ns);
        if (err < 0)
            return err;
        if (tex && p->uploader && upload(p, f, tex) < 0) {
            /* Graceful degradation as in the seed: skip the frame, go on. */
            kzv_frame_unref(&f);
            continue;
        }
        *out = f;
        return KZV_OK;
    }
}

int kzv_processor_frame_next(kzv_processor *p, kzv_frame **out, kzv_texture *tex,
                             int64_t timeout_ns)
{
    if (out)
        *out = NULL;
    if (tex)
        *tex = KZV_NO_TEXTURE;
    if (!p || !out)
        return KZV_EINVAL;
    int err = kzv_proc_next(p, out, tex, timeout_ns);
    if (err == KZV_OK)
        kzv_proc_count(&p->processing);
    else if (err < 0 && err != KZV_EOF && err != KZV_EAGAIN && err != KZV_ECANCELED)
        kzv_proc_set_error(p, "%s", p->decode_error);
    return err;
}

int kzv_processor_frame_for(kzv_processor *p, double t, kzv_frame **out)
{
    if (out)
        *out = NULL;
    if (!p || !out || isnan(t))
        return KZV_EINVAL;
    kzv_mutex_lock(&p->mx);
    int ret;
    for (;;) {
        if (atomic_load(&p->canceled)) {
            ret = KZV_ECANCELED;
            break;
        }
        if (!p->pick) {
            ret = pop_locked(p, &p->pick);
            if (ret == KZV_EOF)
                ret = end_status(p);
            if (ret < 0)
                break;
            p->pick_returned = false;
        }
        const kzv_frame *f = p->pick;
        if (t < f->pts) {
            ret = KZV_EAGAIN;  /* before this frame (a gap, or before the first) */
            break;
        }
        if (t < f->pts + kzv_proc_frame_duration(p, f)) {
            if (!p->pick_returned)
                kzv_proc_count(&p->processing);
            p->pick_returned = true;
            p->out_gen = p->gen;
            *out = kzv_frame_ref(p->pick);
            ret = *out ? KZV_OK : KZV_ENOMEM;
            break;
        }
        /* t is past this frame: it is done with (dropped if never shown) */
        if (!p->pick_returned)
            kzv_proc_count(&p->dropped_late);
        kzv_frame_unref(&p->pick);
    }
    kzv_mutex_unlock(&p->mx);
    if (ret < 0 && ret != KZV_EOF && ret != KZV_EAGAIN && ret != KZV_ECANCELED)
        kzv_proc_set_error(p, "%s", p->decode_error);
    return ret;
}

int kzv_processor_release(kzv_processor *p, kzv_texture tex)
{
    if (!p || !p->uploader)
        return KZV_EINVAL;
    if (tex == KZV_NO_TEXTURE)
        return KZV_OK;
    int err = kzv_uploader_release(p->uploader, tex);
    if (err == KZV_OK)
        kzv_proc_count(&p->released);
    else  /* someone released our texture behind our back (logged by the uploader) */
        kzv_proc_count(&p->errors);
    return err;
}
