/* Reading a decoder: demux (libavformat) → decode (libavcodec) → convert →
 * kzv_frame, with each frame's timing (kzv_decoder_next). See
 * decoder_internal.h for the held-frame scheme. */
#include <inttypes.h>
#include <limits.h>
#include <time.h>

#include <libavcodec/bsf.h>
#include <libavutil/pixdesc.h>

#include "convert/rotate.h"
#include "decode/decoder_internal.h"
#include "decode/disposable.h"
#include "core/frame_internal.h"
#include "core/satmath.h"

/* Consecutive container read errors tolerated before giving up on the rest of
 * the file (a damaged tail); each one is logged and counted. */
#define MAX_CONSECUTIVE_READ_ERRORS 64

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- demux + decode ---------------------------------------------------- */

/* Next packet of our stream into d->pkt. 0, AVERROR_EOF, or a KZV error. */
static int read_packet(kzv_decoder *d)
{
    int consecutive = 0;
    for (;;) {
        kzv_dec_arm_io(d);
        int64_t t0 = now_ns();
        int ret = av_read_frame(d->fmt, d->pkt);
        d->stats.demux_ns += now_ns() - t0;
        if (ret == AVERROR_EXIT || (ret < 0 && kzv_dec_interrupted(d))) {
            int code = kzv_dec_io_exit_code(d);
            return kzv_dec_fail(d, code, "%s: %s", d->path, code == KZV_ECANCELED ? "reading interrupted"
                        : "read timed out (no data within the I/O timeout)");
        }
        if (ret == AVERROR_EOF || (ret < 0 && d->fmt->pb && avio_feof(d->fmt->pb)))
            return AVERROR_EOF;
        if (ret == AVERROR(ENOMEM))
            return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory while reading", d->path);
        if (ret < 0) {
            d->stats.read_errors++;
            if (d->s.strict)
                return kzv_dec_fail(d, kzv_dec_status(ret) == KZV_EIO ? KZV_EIO : KZV_EINVALIDDATA,
                            "%s: read error (strict mode): %s", d->path, AVERR(ret));
            if (++consecutive > MAX_CONSECUTIVE_READ_ERRORS) {
                kzv_log(&d->log, KZV_LOG_WARNING, "%s: %d read errors in a row (%s); "
                        "treating the rest of the file as missing", d->path, consecutive, AVERR(ret));
                return AVERROR_EOF;
            }
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: read error skipped: %s", d->path, AVERR(ret));
            continue;
        }
        if (d->pkt->stream_index == d->st->index)
            return 0;
        av_packet_unref(d->pkt);
    }
}

static bool frame_is_corrupt(const AVFrame *f)
{
    return (f->flags & AV_FRAME_FLAG_CORRUPT) || f->decode_error_flags;
}

/* Decode the next frame (decoder output order = display order) into `out`.
 * Returns 0, AVERROR_EOF when fully drained, or a negative KZV code. */
int kzv_dec_decode_one(kzv_decoder *d, AVFrame *out)
{
    int receive_errors = 0;
    for (;;) {
        int64_t t0 = now_ns();
        int ret = avcodec_receive_frame(d->dec, out);
        d->stats.decode_ns += now_ns() - t0;
        if (ret == 0) {
            d->stats.frames_decoded++;
            int herr = kzv_hw_download(&d->hw, out);
            if (herr < 0) {
                av_frame_unref(out);
                return kzv_dec_fail(d, herr, "%s: cannot read back a %s surface", d->path, d->hw.name);
            }
            if (frame_is_corrupt(out)) {
                d->stats.corrupt_frames++;
                if (d->s.strict) {
                    av_frame_unref(out);
                    return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: damaged frame (strict mode)", d->path);
                }
                kzv_log(&d->log, KZV_LOG_WARNING, "%s: frame decoded with errors (concealed)", d->path);
            }
            return 0;
        }
        if (ret == AVERROR_EOF) {
            d->codec_done = true;
            return AVERROR_EOF;
        }
        if (ret == AVERROR(ENOMEM))
            return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory while decoding", d->path);
        if (ret != AVERROR(EAGAIN)) {
            d->stats.corrupt_packets++;
            if (d->s.strict)
                return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: decode error (strict mode): %s", d->path, AVERR(ret));
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: decode error skipped: %s", d->path, AVERR(ret));
            if (++receive_errors > MAX_CONSECUTIVE_READ_ERRORS)
                return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: decoder keeps failing: %s", d->path, AVERR(ret));
            continue;
        }
        if (d->demux_done) {
            /* Flushed and still asking for input: nothing more will come. */
            d->codec_done = true;
            return AVERROR_EOF;
        }
        ret = read_packet(d);
        if (ret == AVERROR_EOF) {
            d->demux_done = true;
            avcodec_send_packet(d->dec, NULL);
            continue;
        }
        if (ret < 0)
            return ret;
        d->stats.packets_read++;
        if (d->unpack && (ret = kzv_unpack_filter(d->unpack, d->pkt)) < 0) {
            if (ret == AVERROR(EAGAIN))
                continue;
            if (ret == AVERROR(ENOMEM))
                return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory while decoding", d->path);
            d->stats.corrupt_packets++;
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: packet skipped by the unpacking filter: %s", d->path, AVERR(ret));
            continue;
        }
        if (d->drop_before_dts != AV_NOPTS_VALUE) {
            /* Decoding starts at the keyframe the index chose; anything the
             * demuxer returns before it in decode order is never needed. */
            if (d->pkt->dts != AV_NOPTS_VALUE && d->pkt->dts < d->drop_before_dts) {
                av_packet_unref(d->pkt);
                continue;
            }
            d->drop_before_dts = AV_NOPTS_VALUE;
        }
        int64_t pkt_pts = d->pkt->pts != AV_NOPTS_VALUE ? d->pkt->pts : d->pkt->dts;
        /* Seeking: a non-reference picture displayed before the target is
         * never needed. Where the packet shows it, it is not sent at all
         * (disposable.h); else the codec drops it undecoded (per packet;
         * frame threads pick the setting up at submission). */
        bool before = d->skip_before != AV_NOPTS_VALUE && d->pkt->pts != AV_NOPTS_VALUE &&
                      d->pkt->pts < d->skip_before;
        if (before && kzv_disposable_packet(d->disposable, d->pkt->data, d->pkt->size)) {
            d->stats.packets_skipped++;
            av_packet_unref(d->pkt);
            continue;
        }
        d->disposable = kzv_disposable_watch(d->disposable, d->pkt->data, d->pkt->size);
        d->dec->skip_frame = before ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
        t0 = now_ns();
        ret = avcodec_send_packet(d->dec, d->pkt);
        d->stats.decode_ns += now_ns() - t0;
        av_packet_unref(d->pkt);
        if (ret == AVERROR(ENOMEM))
            return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory while decoding", d->path);
        if (ret < 0 && ret != AVERROR(EAGAIN)) {
            d->stats.corrupt_packets++;
            if (d->s.strict)
                return kzv_dec_fail(d, KZV_EINVALIDDATA, "%s: corrupt packet at pts %" PRId64 " (strict mode): %s",
                            d->path, pkt_pts, AVERR(ret));
            kzv_log(&d->log, KZV_LOG_WARNING, "%s: corrupt packet at pts %" PRId64 " skipped: %s",
                    d->path, pkt_pts, AVERR(ret));
        }
    }
}

/* ---- frame output ------------------------------------------------------ */

int64_t kzv_dec_own_duration(const AVFrame *f)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
    return f->duration;
#else
    return f->pkt_duration;
#endif
}

static bool is_keyframe(const AVFrame *f)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(58, 7, 100)
    return f->flags & AV_FRAME_FLAG_KEY;
#else
    return f->key_frame;
#endif
}

AVRational kzv_dec_frame_rate(const kzv_decoder *d)
{
    AVRational r = d->st->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = d->st->r_frame_rate;
    if ((r.num <= 0 || r.den <= 0) && d->dec)
        r = d->dec->framerate;
    if (r.num <= 0 || r.den <= 0)
        r = (AVRational){ 0, 1 };
    return r;
}

static int get_buffer(kzv_decoder *d, int w, int h, kzv_frame **out)
{
    int stride[4];
    size_t offset[4];
    size_t size = kzv_frame_layout(w, h, d->s.format, stride, offset);
    if (!size || size > (size_t)INT_MAX)
        return kzv_dec_fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d not supported", d->path, w, h);
    if (size != d->pool_size) {
        /* Frames still out keep the old pool alive until they come back. */
        av_buffer_pool_uninit(&d->pool);
        d->pool = av_buffer_pool_init(size, av_buffer_alloc);
        d->pool_size = d->pool ? size : 0;
        if (!d->pool)
            return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    }
    AVBufferRef *buf = av_buffer_pool_get(d->pool);
    if (!buf)
        return kzv_dec_fail(d, KZV_ENOMEM, "%s: out of memory", d->path);
    int err = kzv_frame_wrap_buffer(out, buf, w, h, d->s.format);
    return err < 0 ? kzv_dec_fail(d, err, "%s: out of memory", d->path) : KZV_OK;
}

static int timed_convert(kzv_decoder *d, const AVFrame *src, kzv_frame *f, const kzv_color *color)
{
    int64_t t0 = now_ns();
    int err = kzv_convert(&d->conv, src, f, color);
    d->stats.convert_ns += now_ns() - t0;
    return err;
}

/* Passthrough: when the decoded picture already is the output (the requested
 * layout, same size), the frame shares the codec's buffers instead of a copy.
 * FFmpeg's decoded frames are reference counted: the codec (frame threads
 * included) allocates fresh pictures from its pools while ours are held, and
 * a pool outlives the codec context until its last buffer comes back, so a
 * frame may be kept as long as the caller likes, past kzv_decoder_close().
 * The decoder itself only unrefs its AVFrame after emit(). Leaves *out NULL
 * when the picture cannot be shared (the caller converts it then). */
static int try_passthrough(kzv_decoder *d, const AVFrame *src, int ow, int oh, kzv_frame **out)
{
    *out = NULL;
    if (ow != src->width || oh != src->height || !kzv_pixfmt_is_layout_of(d->s.format, src->format))
        return KZV_OK;
    int err = kzv_frame_wrap_avframe(out, src, d->s.format);
    if (err == KZV_ENOMEM)
        return kzv_dec_fail(d, err, "%s: out of memory", d->path);
    return KZV_OK;
}

/* Turn the decoded `src` into a kzv_frame. `next_pts` is the following
 * frame's best-effort timestamp (AV_NOPTS_VALUE at the end). */
static int emit(kzv_decoder *d, const AVFrame *src, int64_t next_pts, kzv_frame **out)
{
    AVRational tb = d->st->time_base;

    if (src->width != d->cur_w || src->height != d->cur_h || src->format != d->cur_fmt) {
        if (d->next_index > 0) {
            d->stats.size_changes++;
            kzv_log(&d->log, KZV_LOG_INFO, "%s: picture changes from %dx%d to %dx%d at frame %" PRId64,
                    d->path, d->cur_w, d->cur_h, src->width, src->height, d->next_index);
        }
        d->cur_w = src->width;
        d->cur_h = src->height;
        d->cur_fmt = src->format;
    }
    if ((int64_t)src->width * src->height > d->s.max_pixels)
        return kzv_dec_fail(d, KZV_EUNSUPPORTED, "%s: picture size %dx%d is over the limit of %" PRId64 " pixels",
                    d->path, src->width, src->height, d->s.max_pixels);
    int ow = d->s.keep_first_size ? d->first_w : src->width;
    int oh = d->s.keep_first_size ? d->first_h : src->height;

    kzv_frame *f = NULL;
    kzv_color color;
    kzv_color_resolve(src, &color);
    if (color.matrix == KZV_MATRIX_RGB && kzv_pixfmt_chroma_shift(d->s.format, NULL, NULL)) {
        /* RGB source, YUV output: the frame's matrix is the one kzv encodes
         * with (the untagged rule; range stays full), so that converting it
         * back to RGB with its own description is right. */
        color.matrix = src->height > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M;
        color.matrix_tagged = false;
    }
    int err;
    bool swap = d->rotate_cw == 90 || d->rotate_cw == 270;
    if (d->s.format == KZV_PIXFMT_NONE) {   /* timing only: no pixels, no conversion */
        if ((err = kzv_frame_new_empty(&f, swap ? oh : ow, swap ? ow : oh)) < 0)
            return kzv_dec_fail(d, err, "%s: out of memory", d->path);
    } else if ((err = try_passthrough(d, src, ow, oh, &f)) < 0) {
        return err;
    } else if (f) {
        /* shared with the codec: nothing converted, nothing copied */
    } else if ((err = get_buffer(d, ow, oh, &f)) < 0) {
        return err;
    } else if ((err = timed_convert(d, src, f, &color)) < 0) {
        kzv_frame_unref(&f);
        return kzv_dec_fail(d, err, "%s: cannot convert %s %dx%d to %s", d->path,
                    av_get_pix_fmt_name(src->format), src->width, src->height,
                    kzv_pixfmt_name(d->s.format));
    }

    if (d->rotate_cw && d->s.format != KZV_PIXFMT_NONE) {   /* settings.autorotate */
        kzv_frame *turned = NULL;
        err = kzv_rotate_frame(f, d->rotate_cw, &turned);
        kzv_frame_unref(&f);
        if (err < 0)
            return kzv_dec_fail(d, err, "%s: cannot turn the frame by %d degrees", d->path,
                                d->rotate_cw);
        f = turned;
    }

    /* Timing: the codec's best-effort timestamp; missing ones continue the
     * previous frame's (AVI and raw streams without timestamps). */
    int64_t pts = src->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE)
        pts = d->last_pts_ts != AV_NOPTS_VALUE ? kzv_sat_add(d->last_pts_ts, d->last_dur_ts) : 0;
    int64_t dur = 0;
    if (next_pts != AV_NOPTS_VALUE && next_pts > pts)
        dur = kzv_sat_sub(next_pts, pts);
    else if (kzv_dec_own_duration(src) > 0)
        dur = kzv_dec_own_duration(src);
    else if (d->last_dur_ts > 0)
        dur = d->last_dur_ts;
    else {
        AVRational fr = kzv_dec_frame_rate(d);
        if (fr.num > 0)
            dur = av_rescale_q(1, av_inv_q(fr), tb);
    }
    d->last_pts_ts = pts;
    d->last_dur_ts = dur;

    f->pts_ts = pts;
    f->pts = kzv_dec_seconds(pts, tb);
    f->duration = kzv_dec_seconds(dur, tb);
    f->time_base = (kzv_rational){ tb.num, tb.den };
    f->frame_index = d->next_index++;
    f->keyframe = is_keyframe(src);
    f->color = color;
    kzv_dec_fields(src, &f->interlaced, &f->top_field_first, &f->repeat_pict);
    d->stats.frames_output++;
    *out = f;
    return KZV_OK;
}

int kzv_decoder_next(kzv_decoder *d, kzv_frame **out)
{
    if (out)
        *out = NULL;
    if (!d || !out)
        return KZV_EINVAL;
    if (d->serve >= 0) {
        /* After an access that the cache answered: its frames first, then
         * the codec from the first frame it does not have. */
        kzv_frame *f = kzv_fcache_get(&d->cache, d->serve);
        if (f) {
            d->serve++;
            d->stats.frames_output++;
            d->stats.frames_from_cache++;
            *out = f;
            return KZV_OK;
        }
        int r = kzv_dec_resume(d);
        if (r < 0)
            return r;
    }
    if (!d->have_held) {
        if (d->pending_error) {
            int e = d->pending_error;
            d->pending_error = 0;
            return e;
        }
        if (d->codec_done)
            return KZV_EOF;
        int r = kzv_dec_decode_one(d, d->held);
        if (r == AVERROR_EOF)
            return KZV_EOF;
        if (r < 0)
            return r;
        d->have_held = true;
    }

    int r = kzv_dec_decode_one(d, d->scratch);
    int64_t next_pts = r == 0 ? d->scratch->best_effort_timestamp : AV_NOPTS_VALUE;
    int err = emit(d, d->held, next_pts, out);
    if (err == KZV_OK && d->cache_on)
        kzv_fcache_put(&d->cache, *out);
    av_frame_unref(d->held);
    if (r == 0) {
        AVFrame *t = d->held;
        d->held = d->scratch;
        d->scratch = t;
    } else {
        d->have_held = false;
        if (r != AVERROR_EOF)
            d->pending_error = r;   /* deliver what we have, fail on the next call */
        else if (d->info.total_frames < 0 && d->stats.read_errors == 0)
            d->info.total_frames = d->next_index;   /* counted from the content */
    }
    return err;
}

