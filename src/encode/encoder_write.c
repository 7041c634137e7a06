/* kzv_encoder: the codec started on the first frame, pixel conversion,
 * timestamps, encode and mux (see encoder_internal.h). */
#include <inttypes.h>
#include <string.h>

#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>

#include "convert/colorspace.h"
#include "convert/convert.h"
#include "encode/encoder_internal.h"

static bool is_yuv(kzv_pixfmt f)
{
    return kzv_pixfmt_planes(f) > 0 && kzv_pixfmt_chroma_shift(f, NULL, NULL);
}

static bool is_rgb(kzv_pixfmt f)
{
    return f == KZV_PIXFMT_RGB24 || f == KZV_PIXFMT_RGBA || f == KZV_PIXFMT_RGB48;
}

static bool codec_takes(const AVCodec *c, enum AVPixelFormat f)
{
    if (!c->pix_fmts)
        return true;        /* unknown: let avcodec_open2 decide */
    for (const enum AVPixelFormat *p = c->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == f)
            return true;
    return false;
}

static void list_pix_fmts(const AVCodec *c, char *buf, size_t n)
{
    buf[0] = 0;
    size_t len = 0;
    for (const enum AVPixelFormat *p = c->pix_fmts; p && *p != AV_PIX_FMT_NONE && len + 2 < n; p++) {
        const char *name = av_get_pix_fmt_name(*p);
        int w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "", name ? name : "?");
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

static bool rational_ok(kzv_rational r)
{
    return r.num > 0 && r.den > 0;
}

/* The colour description written: the settings, else the first frame's,
 * made explicit (an untagged matrix becomes the one the frame was decoded
 * with, or BT.709 / BT.601 by the output height). */
static void resolve_color(kzv_encoder *e, const kzv_frame *f, int out_h)
{
    double kr, kb;
    e->matrix = e->s.matrix >= 0 ? e->s.matrix : f->color.matrix;
    if (e->s.matrix < 0 && !kzv_matrix_kr_kb(e->matrix, &kr, &kb))
        e->matrix = out_h > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M;
    e->range = e->s.range >= 0 ? e->s.range : f->color.range;
    if (e->range != KZV_RANGE_LIMITED && e->range != KZV_RANGE_FULL)
        e->range = KZV_RANGE_LIMITED;
    e->primaries = e->s.primaries >= 0 ? e->s.primaries : f->color.primaries;
    e->transfer = e->s.transfer >= 0 ? e->s.transfer : f->color.transfer;
    if (e->primaries <= 0)
        e->primaries = 2;
    if (e->transfer <= 0)
        e->transfer = 2;
}

static int open_codec(kzv_encoder *e, int w, int h)
{
    enum AVPixelFormat avf = kzv_pixfmt_to_av(e->out_fmt);
    if (!codec_takes(e->codec, avf)) {
        char list[512];
        list_pix_fmts(e->codec, list, sizeof(list));
        return kzv_enc_fail(e, KZV_EUNSUPPORTED, "encoder %s cannot encode %s (it takes: %s)",
                            e->codec->name, kzv_pixfmt_name(e->out_fmt), list);
    }
    AVCodecContext *c = e->ctx = avcodec_alloc_context3(e->codec);
    if (!c)
        return kzv_enc_fail(e, KZV_ENOMEM, "out of memory");
    c->width = w;
    c->height = h;
    c->pix_fmt = avf;
    c->time_base = (AVRational){ e->in_tb.num, e->in_tb.den };
    if (rational_ok(e->s.time_base))
        c->time_base = (AVRational){ e->s.time_base.num, e->s.time_base.den };
    if (rational_ok(e->s.frame_rate))
        c->framerate = (AVRational){ e->s.frame_rate.num, e->s.frame_rate.den };
    c->colorspace = (enum AVColorSpace)e->matrix;
    c->color_range = (enum AVColorRange)e->range;
    c->color_primaries = (enum AVColorPrimaries)e->primaries;
    c->color_trc = (enum AVColorTransferCharacteristic)e->transfer;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->thread_count = e->s.threads;
    if (e->ofmt->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *opts = NULL;
    char num[64];
    if (e->s.crf >= 0) {
        snprintf(num, sizeof(num), "%g", e->s.crf);
        av_dict_set(&opts, "crf", num, 0);
    }
    if (e->s.qp >= 0) {
        snprintf(num, sizeof(num), "%d", e->s.qp);
        av_dict_set(&opts, "qp", num, 0);
    }
    if (e->preset)
        av_dict_set(&opts, "preset", e->preset, 0);
    for (char **o = e->options; o && *o; o++) {
        char *eq = strchr(*o, '=');
        *eq = 0;
        av_dict_set(&opts, *o, eq + 1, 0);
        *eq = '=';
    }
    int err = avcodec_open2(c, e->codec, &opts);
    if (err < 0) {
        av_dict_free(&opts);
        return kzv_enc_fail(e, err == AVERROR(ENOMEM) ? KZV_ENOMEM : KZV_EUNSUPPORTED,
                            "encoder %s refused %dx%d %s with these settings: %s", e->codec->name, w, h,
                            kzv_pixfmt_name(e->out_fmt), ENC_AVERR(err));
    }
    const AVDictionaryEntry *left = av_dict_get(opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (left) {
        int r = kzv_enc_fail(e, KZV_EINVAL, "encoder %s did not use the option '%s=%s'", e->codec->name,
                             left->key, left->value);
        av_dict_free(&opts);
        return r;
    }
    av_dict_free(&opts);
    return KZV_OK;
}

static int start(kzv_encoder *e, const kzv_frame *f)
{
    if (!is_yuv(f->format) && !is_rgb(f->format))
        return kzv_enc_fail(e, KZV_EINVAL, "cannot encode frames of format %s", kzv_pixfmt_name(f->format));
    int w = e->s.width ? e->s.width : f->width, h = e->s.height ? e->s.height : f->height;
    if (w != f->width || h != f->height)
        return kzv_enc_fail(e, KZV_EINVAL, "the first frame is %dx%d but the output was declared %dx%d "
                            "(the encoder does not scale)", f->width, f->height, w, h);
    e->in_fmt = f->format;
    e->in_w = w;
    e->in_h = h;
    e->in_tb = f->time_base;
    if (!rational_ok(e->in_tb) && !rational_ok(e->s.time_base))
        return kzv_enc_fail(e, KZV_EINVAL, "the first frame has no time base (set settings.time_base)");
    if (!rational_ok(e->in_tb))
        e->in_tb = e->s.time_base;
    e->out_fmt = e->s.format != KZV_PIXFMT_NONE ? e->s.format
               : is_yuv(f->format) ? f->format
               : f->format == KZV_PIXFMT_RGB48 ? KZV_PIXFMT_YUV420P10 : KZV_PIXFMT_YUV420P;
    resolve_color(e, f, h);
    if (is_rgb(f->format)) {
        kzv_rgb2yuv_params p;
        kzv_rgb2yuv_default_params(&p);
        p.width = w;
        p.height = h;
        p.in = f->format;
        p.out = e->out_fmt;
        p.matrix = e->matrix;
        p.range = e->range;
        int err = kzv_rgb2yuv_init(&e->r2y, &p);
        if (err < 0)
            return kzv_enc_fail(e, err, "cannot convert %s to %s with matrix %s, %s range",
                                kzv_pixfmt_name(f->format), kzv_pixfmt_name(e->out_fmt),
                                kzv_color_matrix_name(e->matrix), kzv_color_range_name(e->range));
        if (kzv_workers_create(&e->pool, 0) < 0)
            e->pool = NULL;     /* convert on the calling thread */
    } else if (f->format != e->out_fmt) {
        e->sws = sws_getContext(w, h, kzv_pixfmt_to_av(f->format), w, h, kzv_pixfmt_to_av(e->out_fmt),
                                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
        if (!e->sws)
            return kzv_enc_fail(e, KZV_EUNSUPPORTED, "cannot convert %s to %s", kzv_pixfmt_name(f->format),
                                kzv_pixfmt_name(e->out_fmt));
    }
    int err = open_codec(e, w, h);
    if (err < 0)
        return err;

    e->st = avformat_new_stream(e->mux, NULL);
    if (!e->st)
        return kzv_enc_fail(e, KZV_ENOMEM, "out of memory");
    err = avcodec_parameters_from_context(e->st->codecpar, e->ctx);
    if (err < 0)
        return kzv_enc_fail(e, KZV_ENOMEM, "out of memory");
    e->st->time_base = e->ctx->time_base;
    if (rational_ok(e->s.frame_rate))
        e->st->avg_frame_rate = e->ctx->framerate;
    e->st->sample_aspect_ratio = e->ctx->sample_aspect_ratio;
    if (e->hooks.prepare) {
        err = e->hooks.prepare(e->hooks.user, e->mux, e->st);
        if (err < 0)
            return e->failed ? err : kzv_enc_fail(e, err, "preparing the other streams failed: %s", kzv_strerror(err));
    }
    err = avformat_write_header(e->mux, NULL);
    if (err < 0)
        return kzv_enc_fail(e, kzv_enc_status(err), "cannot write the %s header of %s: %s", e->ofmt->name,
                            e->path, ENC_AVERR(err));
    e->frame->format = e->ctx->pix_fmt;
    e->frame->width = w;
    e->frame->height = h;
    err = av_frame_get_buffer(e->frame, 0);
    if (err < 0)
        return kzv_enc_fail(e, KZV_ENOMEM, "out of memory");
    e->started = true;
    return KZV_OK;
}

int kzv_enc_encode(kzv_encoder *e, const AVFrame *f)
{
    int64_t t0 = av_gettime_relative();
    int err = avcodec_send_frame(e->ctx, f);
    if (err < 0 && err != AVERROR_EOF)
        return kzv_enc_fail(e, kzv_enc_status(err), "encoder %s failed: %s", e->codec->name, ENC_AVERR(err));
    for (;;) {
        err = avcodec_receive_packet(e->ctx, e->pkt);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
            break;
        if (err < 0)
            return kzv_enc_fail(e, kzv_enc_status(err), "encoder %s failed: %s", e->codec->name, ENC_AVERR(err));
        e->pkt->stream_index = e->st->index;
        av_packet_rescale_ts(e->pkt, e->ctx->time_base, e->st->time_base);
        if (e->hooks.before_video) {
            int64_t ts = e->pkt->dts != AV_NOPTS_VALUE ? e->pkt->dts : e->pkt->pts;
            double t = ts == AV_NOPTS_VALUE ? 0 : (double)ts * av_q2d(e->st->time_base);
            int r = e->hooks.before_video(e->hooks.user, t);
            if (r < 0) {
                av_packet_unref(e->pkt);
                return e->failed ? r : kzv_enc_fail(e, r, "copying the other streams failed: %s", kzv_strerror(r));
            }
        }
        e->stats.packets_out++;
        e->stats.bytes_out += e->pkt->size;
        err = av_interleaved_write_frame(e->mux, e->pkt);
        if (err < 0)
            return kzv_enc_fail(e, kzv_enc_status(err), "writing %s failed: %s", e->path, ENC_AVERR(err));
    }
    e->stats.encode_ns += (av_gettime_relative() - t0) * 1000;
    return KZV_OK;
}

static void copy_plane_u10(uint8_t *dst, ptrdiff_t ds, const uint8_t *src, ptrdiff_t ss, size_t n, int rows)
{
    for (int y = 0; y < rows; y++) {
        uint8_t *d = dst + y * ds;
        const uint8_t *s = src + y * ss;
        for (size_t x = 0; x < n; x++) {
            uint16_t v;     /* memcpy: a wrapped frame's rows need not be 2-byte aligned */
            memcpy(&v, s + 2 * x, 2);
            v = v > 1023 ? 1023 : v;
            memcpy(d + 2 * x, &v, 2);
        }
    }
}

static int fill(kzv_encoder *e, const kzv_frame *f)
{
    AVFrame *o = e->frame;
    if (is_rgb(f->format)) {
        ptrdiff_t ds[3] = { o->linesize[0], o->linesize[1], o->linesize[2] };
        uint8_t *const dp[3] = { o->data[0], o->data[1], o->data[2] };
        return kzv_rgb2yuv_convert(&e->r2y, f->data[0], f->stride[0], dp, ds, e->pool);
    }
    if (e->sws) {
        const uint8_t *sp[4] = { f->data[0], f->data[1], f->data[2], NULL };
        int ss[4] = { f->stride[0], f->stride[1], f->stride[2], 0 };
        sws_scale(e->sws, sp, ss, 0, f->height, o->data, o->linesize);
        return KZV_OK;
    }
    /* Planar 10-bit samples are clamped to 1023 on the way: a value with
     * higher bits set (outside the format's 0..1023) would otherwise reach
     * the encoder as it is, and libx264 aborts the process on such input
     * (x264_10_rc_analyse_slice: "cost >= 0", found by tests/fuzz/fuzz_encode). */
    bool clamp10 = kzv_pixfmt_depth(f->format) == 10 && f->format != KZV_PIXFMT_P010;
    for (int p = 0; p < kzv_pixfmt_planes(f->format); p++) {
        int rows;
        size_t row;
        kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &rows, &row);
        if (clamp10)
            copy_plane_u10(o->data[p], o->linesize[p], f->data[p], f->stride[p], row / 2, rows);
        else
            av_image_copy_plane(o->data[p], o->linesize[p], f->data[p], f->stride[p], (int)row, rows);
    }
    return KZV_OK;
}

int kzv_encoder_write(kzv_encoder *e, const kzv_frame *f)
{
    if (!e || !f)
        return KZV_EINVAL;
    if (e->failed)
        return e->fail_code < 0 ? e->fail_code : KZV_EINVAL;  /* the first error and its message stay */
    int64_t n = e->stats.frames_in;
    if (!e->started) {
        int err = start(e, f);
        if (err < 0)
            return err;
    }
    if (f->width != e->in_w || f->height != e->in_h || f->format != e->in_fmt)
        return kzv_enc_fail(e, KZV_EINVAL, "frame %" PRId64 " is %dx%d %s but this output takes %dx%d %s "
                            "(size and format are fixed by the first frame)", n, f->width, f->height,
                            kzv_pixfmt_name(f->format), e->in_w, e->in_h, kzv_pixfmt_name(e->in_fmt));
    if (f->pts_ts == INT64_MIN)
        return kzv_enc_fail(e, KZV_EINVAL, "frame %" PRId64 " has no timestamp", n);
    kzv_rational tb = rational_ok(f->time_base) ? f->time_base : e->in_tb;
    AVRational ftb = { tb.num, tb.den };
    int64_t pts = av_cmp_q(ftb, e->ctx->time_base) == 0 ? f->pts_ts
                : av_rescale_q(f->pts_ts, ftb, e->ctx->time_base);
    if (e->last_pts != INT64_MIN && pts <= e->last_pts)
        return kzv_enc_fail(e, KZV_EINVAL, "frame %" PRId64 ": timestamps must increase: pts %" PRId64
                            " (time base %d/%d) after %" PRId64, n, pts, e->ctx->time_base.num,
                            e->ctx->time_base.den, e->last_pts);
    int64_t t0 = av_gettime_relative();
    int err = av_frame_make_writable(e->frame);
    if (err < 0)
        return kzv_enc_fail(e, KZV_ENOMEM, "out of memory");
    err = fill(e, f);
    if (err < 0)
        return kzv_enc_fail(e, err, "converting frame %" PRId64 " failed: %s", n, kzv_strerror(err));
    e->stats.convert_ns += (av_gettime_relative() - t0) * 1000;
    e->frame->pts = pts;
    e->frame->colorspace = e->ctx->colorspace;
    e->frame->color_range = e->ctx->color_range;
    e->frame->color_primaries = e->ctx->color_primaries;
    e->frame->color_trc = e->ctx->color_trc;
    e->frame->pict_type = AV_PICTURE_TYPE_NONE;
    err = kzv_enc_encode(e, e->frame);
    if (err < 0)
        return err;
    e->last_pts = pts;
    e->stats.frames_in++;
    return KZV_OK;
}
