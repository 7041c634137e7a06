/* Random access for a decoder: the frame index built on demand, exact and
 * keyframe seeks (by time or display index), batches and ranges. */
#include <inttypes.h>
#include <stdlib.h>

#include <libavcodec/bsf.h>

#include "decode/decoder_internal.h"
#include "core/satmath.h"

/* Build the frame index once (a separate demux-only pass over the file). */
int kzv_dec_ensure_index(kzv_decoder *d)
{
    if (d->have_index)
        return KZV_OK;
    char msg[512] = "";
    AVFormatContext *fmt = NULL;
    int ret = kzv_dec_open_input(d, &fmt);
    if (ret < 0)
        return kzv_dec_fail(d, ret == AVERROR_EXIT ? kzv_dec_io_exit_code(d) : KZV_EIO,
                    "%s: cannot reopen for indexing: %s", d->path, AVERR(ret));
    atomic_store(&d->io_deadline, 0);   /* a scan is many reads: the timeout is per read */
    int err = kzv_index_scan(&d->index, fmt, d->st->index, msg, sizeof(msg));
    kzv_input_close(&fmt);
    if (err == KZV_ECANCELED)
        err = kzv_dec_io_exit_code(d);
    if (err < 0)
        return kzv_dec_fail(d, err, "%s", msg);
    d->have_index = true;
    /* Without container pts, the decoder's timestamps trail the packets'
     * decode timestamps by its reorder delay; align the index with what
     * frames actually carry, using the first frame as the reference. */
    if (d->index.no_pts && d->first_pts_ts != AV_NOPTS_VALUE && d->index.e[0].pts_ts != d->first_pts_ts)
        kzv_index_shift(&d->index, kzv_sat_sub(d->first_pts_ts, d->index.e[0].pts_ts),
                        d->st->time_base.num, d->st->time_base.den);
    if (d->index.n > 0)
        d->info.total_frames = d->index.n;
    return KZV_OK;
}

/* ---- seeking ----------------------------------------------------------- */

int kzv_decoder_get_index(kzv_decoder *d, const kzv_index_entry **entries, int64_t *count)
{
    if (!d || !entries || !count)
        return KZV_EINVAL;
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    *entries = d->index.e;
    *count = d->index.n;
    return KZV_OK;
}

/* Forget everything decoded so far (after av_seek_frame). */
static void reset_decode_state(kzv_decoder *d)
{
    avcodec_flush_buffers(d->dec);
    if (d->unpack)
        av_bsf_flush(d->unpack);
    av_frame_unref(d->held);
    av_frame_unref(d->scratch);
    d->have_held = false;
    d->demux_done = false;
    d->codec_done = false;
    d->pending_error = 0;
    d->last_pts_ts = AV_NOPTS_VALUE;
    d->last_dur_ts = 0;
    d->drop_before_dts = AV_NOPTS_VALUE;
}

/* Keyframe (decode order) to start from for a frame displayed at pts t:
 * the last one whose pts is <= t; -1 if none (an MP4 edit list can start
 * the display before its first random-access point: decode from the start). */
static int64_t keyframe_for(const kzv_index *idx, int64_t t)
{
    int64_t lo = 0, hi = idx->nkf;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (idx->kf[mid].pts <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

/* The timestamp emit() gives a decoded frame: its best-effort one, or for a
 * frame without (the last anchor of an AVI stream, flushed at the end) the
 * previous frame's plus its duration. */
static int64_t timed(const kzv_decoder *d, const AVFrame *f)
{
    int64_t pts = f->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE && d->last_pts_ts != AV_NOPTS_VALUE)
        pts = kzv_sat_add(d->last_pts_ts, d->last_dur_ts);
    return pts;
}

/* A frame decoded and dropped on the way to a target: keep the timestamp
 * chain emit() keeps for frames delivered (see timed()). */
static void note_dropped(kzv_decoder *d, const AVFrame *f, int64_t pts)
{
    if (pts == AV_NOPTS_VALUE)
        return;
    int64_t own = kzv_dec_own_duration(f);
    if (own > 0)
        d->last_dur_ts = own;
    else if (d->last_pts_ts != AV_NOPTS_VALUE && pts > d->last_pts_ts)
        d->last_dur_ts = kzv_sat_sub(pts, d->last_pts_ts);
    d->last_pts_ts = pts;
}

/* Decode forward, dropping (not converting) frames before pts t, until the
 * frame at or after t is held. `first_check`: fail with KZV_EAGAIN when the
 * first frame decoded is already past t (the seek landed too late). */
static int skip_to_inner(kzv_decoder *d, int64_t t, bool first_check)
{
    for (bool first = true;; first = false) {
        int r = kzv_dec_decode_one(d, d->held);
        if (r == AVERROR_EOF)
            return KZV_EOF;
        if (r < 0)
            return r;
        int64_t pts = timed(d, d->held);
        if (pts == AV_NOPTS_VALUE || pts < t) {
            note_dropped(d, d->held, pts);
            av_frame_unref(d->held);
            continue;
        }
        if (first && first_check && pts > t) {
            av_frame_unref(d->held);
            return KZV_EAGAIN;
        }
        d->have_held = true;
        return KZV_OK;
    }
}

static int skip_to(kzv_decoder *d, int64_t t, bool first_check)
{
    d->skip_before = t;
    int r = skip_to_inner(d, t, first_check);
    d->skip_before = AV_NOPTS_VALUE;
    return r;
}

/* Back to the first packet of the file. Stream -1: the mov demuxer of
 * FFmpeg 5.1 reads nothing after a per-stream INT64_MIN seek. Raw elementary
 * streams (.h264, .hevc) have no time index at all: byte 0 is their start. */
static int seek_to_start(kzv_decoder *d)
{
    d->stats.seeks++;
    kzv_dec_arm_io(d);
    int ret = avformat_seek_file(d->fmt, -1, INT64_MIN, INT64_MIN, INT64_MIN, 0);
    if (ret < 0 && !(d->fmt->iformat->flags & AVFMT_NO_BYTE_SEEK) &&
        av_seek_frame(d->fmt, -1, 0, AVSEEK_FLAG_BYTE) >= 0)
        ret = 0;
    return ret;
}

/* Streams without container timestamps (AVI, raw elementary streams): the
 * decoder's guessed timestamps after a seek differ from those of a decode
 * from the start, so a frame can only be identified by counting. Go forward
 * by counting from where we are, or restart from the beginning: slow but
 * exact, and only for these streams. */
static int seek_by_count(kzv_decoder *d, int64_t target)
{
    if (!(d->have_held && d->next_index <= target)) {
        int ret = seek_to_start(d);
        if (ret < 0)
            return kzv_dec_fail(d, KZV_EIO, "%s: cannot seek to the start: %s", d->path, AVERR(ret));
        reset_decode_state(d);
        d->next_index = 0;
        int r = kzv_dec_decode_one(d, d->held);
        if (r < 0)
            return r == AVERROR_EOF ? kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: no frame after seeking", d->path) : r;
        d->have_held = true;
    }
    while (d->next_index < target) {
        /* Keep the timestamp chain of sequential decoding for the frame we
         * drop: its duration is what the next synthesized pts builds on. */
        int r = kzv_dec_decode_one(d, d->scratch);
        if (r < 0) {
            av_frame_unref(d->held);
            d->have_held = false;
            return r == AVERROR_EOF ? kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded",
                                           d->path, target) : r;
        }
        int64_t pts = d->held->best_effort_timestamp, next = d->scratch->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE)
            pts = d->last_pts_ts != AV_NOPTS_VALUE ? kzv_sat_add(d->last_pts_ts, d->last_dur_ts) : 0;
        d->last_dur_ts = next != AV_NOPTS_VALUE && next > pts ? kzv_sat_sub(next, pts) : d->last_dur_ts;
        d->last_pts_ts = pts;
        av_frame_unref(d->held);
        AVFrame *t = d->held;
        d->held = d->scratch;
        d->scratch = t;
        d->next_index++;
    }
    return KZV_OK;
}

static int seek_to_entry(kzv_decoder *d, int64_t target)
{
    const kzv_index *idx = &d->index;
    if (idx->no_pts)
        return seek_by_count(d, target);
    int64_t t = idx->e[target].pts_ts;
    int64_t kfi = keyframe_for(idx, t);

    /* Going forward within reach: the frame we hold is at or before the
     * target and no later keyframe lies in between, so decoding on is
     * cheaper than seeking back to the same keyframe. */
    if (d->have_held && d->held->best_effort_timestamp != AV_NOPTS_VALUE &&
        d->held->best_effort_timestamp <= t && (kfi < 0 || idx->kf[kfi].pts <= d->held->best_effort_timestamp)) {
        d->stats.seeks_decoded_on++;
        if (d->held->best_effort_timestamp < t) {
            note_dropped(d, d->held, d->held->best_effort_timestamp);
            av_frame_unref(d->held);
            d->have_held = false;
            int r = skip_to(d, t, false);
            if (r < 0)
                return r == KZV_EOF ? kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded",
                                           d->path, target) : r;
        }
    } else {
        /* Seek to the keyframe; if the demuxer lands after the target (an
         * imprecise container index), back off one keyframe and retry; last
         * resort: the start of the file. No keyframe at or before the target
         * (an edit list that starts the display before the first one): the
         * first keyframe with AVSEEK_FLAG_BACKWARD, which lands on the
         * packets the edit list hides (the generic start-of-file seek below
         * leaves the mov demuxer at its end in FFmpeg 5.1). */
        /* Before the first keyframe, the packets ahead of it are part of what
         * sequential decoding sees: keep them (no drop_before_dts). */
        bool before_first = kfi < 0;
        if (kfi < 0 && idx->nkf > 0)
            kfi = 0;
        for (int attempt = 0;; attempt++) {
            int ret;
            kzv_dec_arm_io(d);
            if (idx->nkf == 0 || kfi < 0 || attempt >= 4)
                ret = seek_to_start(d);
            else {
                d->stats.seeks++;
                ret = av_seek_frame(d->fmt, d->st->index, idx->kf[kfi].seek_ts, AVSEEK_FLAG_BACKWARD);
            }
            if (ret < 0 && attempt < 4) {
                kfi--;
                continue;
            }
            if (ret < 0)
                return kzv_dec_fail(d, KZV_EIO, "%s: cannot seek: %s", d->path, AVERR(ret));
            reset_decode_state(d);
            if (idx->nkf > 0 && kfi >= 0 && attempt < 4 && !before_first)
                d->drop_before_dts = idx->kf[kfi].dts;
            int r = skip_to(d, t, attempt < 4);
            if (r == KZV_OK)
                break;
            if (r == KZV_EAGAIN || (r == KZV_EOF && attempt < 4)) {
                kfi--;
                continue;
            }
            if (r == KZV_EOF)
                return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded", d->path, target);
            return r;
        }
    }
    /* The frame held now is the target (or, if the target itself could not be
     * decoded, the next one): its true display position comes from the index. */
    int64_t at = kzv_index_find_pts(idx, d->held->best_effort_timestamp);
    d->next_index = at >= 0 ? at : target;
    return KZV_OK;
}

/* Make the decoder report EOF from now on (seek past the end). */
static int seek_past_end(kzv_decoder *d)
{
    d->serve = -1;
    reset_decode_state(d);
    d->codec_done = true;
    d->next_index = d->index.n;
    return KZV_EOF;
}

/* Which decoding position answers an access to display index `target`. */
static void pick_cursor(kzv_decoder *d, int64_t target)
{
    const kzv_index *idx = &d->index;
    if (idx->no_pts)
        return;
    int64_t t = idx->e[target].pts_ts;
    int64_t kfi = keyframe_for(idx, t);
    int64_t start = kfi >= 0 ? idx->kf[kfi].pts : INT64_MIN;
    int64_t end = kfi + 1 < idx->nkf ? idx->kf[kfi + 1].pts : INT64_MAX;
    kzv_dec_pick_cursor(d, t, start, end);
}

/* An exact access to display index `target` (< index.n): from the cache of
 * recent frames when it has the target, else by moving the codec there.
 * The first access that goes back (to before the frame next() would return)
 * turns the cache on: from then on next() keeps what it returns. */
static int access_entry(kzv_decoder *d, int64_t target)
{
    int64_t pos = d->serve >= 0 ? d->serve : d->next_index;
    if (target < pos)
        d->cache_on = true;
    if (d->cache_on) {
        kzv_frame *f = kzv_fcache_get(&d->cache, target);
        if (f) {
            kzv_frame_unref(&f);
            d->serve = target;
            return KZV_OK;
        }
    }
    d->serve = -1;
    pick_cursor(d, target);
    return seek_to_entry(d, target);
}

int kzv_dec_resume(kzv_decoder *d)
{
    int64_t target = d->serve;
    d->serve = -1;
    if (target >= d->index.n)
        return seek_past_end(d);
    /* The codec's frame is the one wanted (the usual case after a cached run
     * that caught up with it): nothing to do. */
    if (d->have_held && d->next_index == target)
        return KZV_OK;
    pick_cursor(d, target);
    return seek_to_entry(d, target);
}

int kzv_decoder_seek_frame(kzv_decoder *d, int64_t frame_index)
{
    if (!d || frame_index < 0)
        return KZV_EINVAL;
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    if (frame_index >= d->index.n)
        return seek_past_end(d);
    return access_entry(d, frame_index);
}

/* Display index of the frame shown at `seconds`; KZV_EOF past the end. */
static int index_at_time(kzv_decoder *d, double seconds, int64_t *target)
{
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    const kzv_index *idx = &d->index;
    if (idx->n == 0)
        return KZV_EOF;
    /* Search in seconds, computed exactly as frame pts are, so that a pts the
     * caller got from a frame finds that very frame. */
    int64_t lo = 0, hi = idx->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (idx->e[mid].pts <= seconds)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* A time at most half a microsecond (or half a tick, when ticks are
     * finer) before a frame's pts means that frame: a pts printed rounded to
     * microseconds (kzv frames: 28/30 s as 0.933333) finds its own frame
     * instead of the one before. Pts are whole ticks, so no other frame is
     * that close; a microsecond before a pts is still the frame before. */
    AVRational tb = d->st->time_base;
    double snap = 0.5000001e-6;
    if (tb.num > 0 && tb.den > 0 && 0.5 * tb.num / tb.den < snap)
        snap = 0.5 * tb.num / tb.den;
    if (lo < idx->n && idx->e[lo].pts - seconds <= snap)
        lo++;
    const kzv_index_entry *last = &idx->e[idx->n - 1];
    if (seconds >= last->pts + last->duration && last->duration > 0)
        return KZV_EOF;
    *target = lo > 0 ? lo - 1 : 0;
    return KZV_OK;
}

int kzv_decoder_frame_at(kzv_decoder *d, double seconds, int64_t *frame_index)
{
    if (!d || !frame_index || seconds != seconds)
        return KZV_EINVAL;
    return index_at_time(d, seconds, frame_index);
}

int kzv_decoder_seek(kzv_decoder *d, double seconds, kzv_seek_mode mode)
{
    if (!d || seconds != seconds || (mode != KZV_SEEK_EXACT && mode != KZV_SEEK_KEYFRAME))
        return KZV_EINVAL;
    int64_t target = 0;
    int err = index_at_time(d, seconds, &target);
    if (err == KZV_EOF)
        return seek_past_end(d);
    if (err < 0)
        return err;
    const kzv_index *idx = &d->index;
    if (mode == KZV_SEEK_KEYFRAME && idx->nkf > 0) {
        /* No keyframe at or before t: the first frame (decoding starts there). */
        int64_t kfi = keyframe_for(idx, idx->e[target].pts_ts);
        int64_t k = kfi >= 0 ? kzv_index_find_pts(idx, idx->kf[kfi].pts) : 0;
        target = k >= 0 ? k : 0;
    }
    return access_entry(d, target);
}

/* ---- batches ------------------------------------------------------------ */

typedef struct batch_item { int64_t index; size_t slot; } batch_item;

static int by_index(const void *a, const void *b)
{
    const batch_item *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Decode each distinct index once, in ascending order, so that a group of
 * pictures is decoded once for all the frames wanted from it. */
static int get_sorted(kzv_decoder *d, batch_item *items, size_t n, kzv_frame **out)
{
    qsort(items, n, sizeof(*items), by_index);
    int err = KZV_OK;
    kzv_frame *prev = NULL;
    for (size_t i = 0; i < n && err == KZV_OK; i++) {
        if (i > 0 && items[i].index == items[i - 1].index) {
            out[items[i].slot] = kzv_frame_ref(prev);
            continue;
        }
        err = kzv_decoder_seek_frame(d, items[i].index);
        if (err == KZV_OK)
            err = kzv_decoder_next(d, &out[items[i].slot]);
        if (err == KZV_EOF)
            err = kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: frame %" PRId64 " could not be decoded", d->path, items[i].index);
        prev = out[items[i].slot];
    }
    if (err != KZV_OK)
        for (size_t i = 0; i < n; i++)
            kzv_frame_unref(&out[items[i].slot]);
    return err;
}

int kzv_decoder_get_frames(kzv_decoder *d, const int64_t *indices, size_t n, kzv_frame **out)
{
    if (!d || (n && (!indices || !out)))
        return KZV_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    batch_item *items = malloc(sizeof(*items) * (n ? n : 1));
    if (!items)
        return KZV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (indices[i] < 0 || indices[i] >= d->index.n) {
            free(items);
            return kzv_dec_fail(d, KZV_EINVAL, "%s: frame %" PRId64 " does not exist (%" PRId64 " frames)",
                        d->path, indices[i], d->index.n);
        }
        items[i] = (batch_item){ indices[i], i };
    }
    err = get_sorted(d, items, n, out);
    free(items);
    return err;
}

int kzv_decoder_get_frames_at(kzv_decoder *d, const double *seconds, size_t n, kzv_frame **out)
{
    if (!d || (n && (!seconds || !out)))
        return KZV_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    batch_item *items = malloc(sizeof(*items) * (n ? n : 1));
    if (!items)
        return KZV_ENOMEM;
    int err = KZV_OK;
    for (size_t i = 0; i < n && err == KZV_OK; i++) {
        items[i].slot = i;
        err = seconds[i] != seconds[i] ? KZV_EINVAL : index_at_time(d, seconds[i], &items[i].index);
    }
    if (err == KZV_OK)
        err = get_sorted(d, items, n, out);
    free(items);
    return err;
}

int kzv_decoder_get_range(kzv_decoder *d, int64_t start, int64_t end, int64_t step,
                          kzv_frame **out, size_t *n_out)
{
    if (n_out)
        *n_out = 0;
    if (!d || !out || !n_out || start < 0 || step < 1 || start >= end)
        return KZV_EINVAL;
    int err = kzv_dec_ensure_index(d);
    if (err < 0)
        return err;
    if (end > d->index.n)
        end = d->index.n;
    if (start >= end)
        return KZV_OK;
    size_t n = (size_t)((end - start + step - 1) / step);
    int64_t *indices = malloc(sizeof(*indices) * n);
    if (!indices)
        return KZV_ENOMEM;
    for (size_t i = 0; i < n; i++)
        indices[i] = start + (int64_t)i * step;
    err = kzv_decoder_get_frames(d, indices, n, out);
    free(indices);
    if (err == KZV_OK)
        *n_out = n;
    return err;
}

