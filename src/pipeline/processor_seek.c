/*
 * Seeking a running processor. A request (any thread) is recorded under mx
 * with a new generation, and the queue is flushed in the same critical
 * section; the decode thread looks for a request right before every push
 * (also under mx), drops the frame it holds and performs the seek. So no
 * frame decoded before the request can reach the consumer after it, and a
 * frame handed out before it is recognised by its older generation.
 */
#include <math.h>
#include <stdatomic.h>

#include "pipeline/processor_internal.h"
#include "core/thread.h"

void kzv_proc_flush(kzv_processor *p)
{
    kzv_frame *f;
    while (kzv_queue_pop(p->queue, &f, 0) == KZV_OK) {
        kzv_frame_unref(&f);
        kzv_proc_count(&p->discarded);
    }
    if (p->pick) {
        if (!p->pick_returned)
            kzv_proc_count(&p->discarded);
        kzv_frame_unref(&p->pick);
    }
}

static int request(kzv_processor *p, double t, int64_t frame, kzv_seek_mode mode)
{
    if (!p || (mode != KZV_SEEK_EXACT && mode != KZV_SEEK_KEYFRAME))
        return KZV_EINVAL;
    kzv_mutex_lock(&p->mx);
    p->seek_pending = true;
    p->seek_time = t;
    p->seek_frame = frame;
    p->seek_mode = mode;
    p->gen++;
    kzv_proc_flush(p);
    p->clock.running = false;    /* restarts at the first frame after the seek */
    kzv_cond_broadcast(&p->cv);
    kzv_mutex_unlock(&p->mx);
    kzv_proc_count(&p->seeks);
    return KZV_OK;
}

int kzv_processor_seek(kzv_processor *p, double seconds, kzv_seek_mode mode)
{
    if (isnan(seconds))
        return KZV_EINVAL;
    return request(p, seconds, -1, mode);
}

int kzv_processor_seek_frame(kzv_processor *p, int64_t frame_index, kzv_seek_mode mode)
{
    if (frame_index < 0)
        return KZV_EINVAL;
    return request(p, NAN, frame_index, mode);
}

/* The random-access point at or before display index `frame` (from the
 * index, which seek_frame builds anyway). */
static int64_t keyframe_before(kzv_decoder *dec, int64_t frame)
{
    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    if (kzv_decoder_get_index(dec, &e, &n) < 0 || n <= 0 || frame >= n)
        return frame;
    for (int64_t i = frame; i >= 0; i--)
        if (e[i].keyframe)
            return i;
    return 0;
}

int kzv_proc_do_seek(kzv_processor *p, double t, int64_t frame, kzv_seek_mode mode)
{
    if (frame >= 0) {
        if (mode == KZV_SEEK_KEYFRAME)
            frame = keyframe_before(p->dec, frame);
        return kzv_decoder_seek_frame(p->dec, frame);
    }
    return kzv_decoder_seek(p->dec, t, mode);
}
