/* kzv_transcode: decode thread → queue → process (calling thread) → queue →
 * encode thread (encoder + copied streams); see include/kzv/transcode.h. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/pixdesc.h>

#include "kzv/decoder.h"
#include "kzv/queue.h"
#include "kzv/scale.h"
#include "kzv/transcode.h"
#include "core/abi.h"
#include "convert/convert.h"
#include "core/frame_internal.h"
#include "encode/encoder_internal.h"
#include "encode/pipe_filter.h"
#include "encode/remux.h"

static _Thread_local char tc_err[1024];
static _Thread_local kzv_transcode_stage tc_stage;

void kzv_transcode_default_settings(kzv_transcode_settings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    kzv_encoder_default_settings(&s->encoder);
    s->process_format = KZV_PIXFMT_RGB24;
}

const char *kzv_transcode_last_error(void)
{
    return tc_err;
}

kzv_transcode_stage kzv_transcode_failed_stage(void)
{
    return tc_stage;
}

typedef struct tc {
    const kzv_transcode_settings *s;
    kzv_decoder *dec;
    const kzv_video_info *info;
    kzv_encoder *enc;
    kzv_remux *rmx;
    kzv_queue *qa, *qb;
    pthread_mutex_t lock;
    int err;
    kzv_transcode_stage stage;
    char msg[1024];
    atomic_bool stop;

    kzv_frame *first;           /* a cut's first frame, read before the threads start */
    int64_t want;               /* frames to write; -1 = all */
    int64_t shift_ts;           /* subtracted from every pts (source time base) */
    kzv_scaler *scaler;         /* the built-in scaler (s->scale > 1) */
    kzv_pipe_filter *filter;
    int64_t t0_ns;
    kzv_transcode_progress prog;
    double last_end;            /* source seconds: end of the last frame written */
    double src_start;           /* the source's first pts, seconds */
} tc;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((format(printf, 4, 5)))
static int fail(tc *t, int code, kzv_transcode_stage stage, const char *fmt, ...)
{
    pthread_mutex_lock(&t->lock);
    if (!t->err) {
        t->err = code;
        t->stage = stage;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&t->lock);
    atomic_store(&t->stop, true);
    kzv_queue_close(t->qa);
    kzv_queue_close(t->qb);
    kzv_decoder_interrupt(t->dec);
    return code;
}

/* ---- decode thread ------------------------------------------------------ */

static void *decode_main(void *arg)
{
    tc *t = arg;
    int64_t n = 0;
    kzv_frame *f = t->first;
    t->first = NULL;
    while (!atomic_load(&t->stop) && (t->want < 0 || n < t->want)) {
        if (!f) {
            int r = kzv_decoder_next(t->dec, &f);
            if (r == KZV_EOF)
                break;
            if (r < 0) {
                if (!atomic_load(&t->stop))
                    fail(t, r, KZV_TRANSCODE_INPUT, "decoding failed: %s", kzv_decoder_last_error(t->dec));
                break;
            }
        }
        if (kzv_queue_push(t->qa, f, -1) < 0) {
            kzv_frame_unref(&f);
            break;
        }
        f = NULL;
        n++;
    }
    kzv_frame_unref(&f);
    kzv_queue_close(t->qa);
    return NULL;
}

/* ---- encode thread ------------------------------------------------------ */

static int report(tc *t, bool done)
{
    const kzv_transcode_settings *s = t->s;
    kzv_encoder_stats st;
    kzv_encoder_get_stats(t->enc, &st);
    t->prog.elapsed = (double)(now_ns() - t->t0_ns) / 1e9;
    t->prog.bytes = st.bytes_out;
    t->prog.fps = t->prog.elapsed > 0 ? (double)t->prog.frames / t->prog.elapsed : 0;
    double media = t->prog.out_time - t->src_start;
    t->prog.speed = t->prog.elapsed > 0 && media > 0 ? media / t->prog.elapsed : 0;
    t->prog.done = done;
    if (s->progress && s->progress(s->progress_user, &t->prog))
        return fail(t, KZV_ECANCELED, KZV_TRANSCODE_STOPPED, "stopped after %" PRId64 " frames (at %.3f s)",
                    t->prog.frames, t->prog.out_time);
    return KZV_OK;
}

static void *encode_main(void *arg)
{
    tc *t = arg;
    for (;;) {
        kzv_frame *f = NULL;
        int r = kzv_queue_pop(t->qb, &f, 250 * 1000000LL);
        if (r == KZV_ETIMEDOUT || r == KZV_EAGAIN) {
            report(t, false);
            continue;
        }
        if (r < 0)
            break;      /* closed: the end, or another stage failed */
        if (atomic_load(&t->stop)) {
            kzv_frame_unref(&f);
            break;
        }
        r = kzv_encoder_write(t->enc, f);
        if (r < 0) {
            fail(t, r, KZV_TRANSCODE_OUTPUT, "%s", kzv_encoder_last_error(t->enc));
            kzv_frame_unref(&f);
            break;
        }
        t->prog.frames++;
        t->prog.out_time = f->pts;
        double dur = f->duration > 0 ? f->duration : 0;
        t->last_end = f->pts + dur + (double)t->shift_ts * f->time_base.num / f->time_base.den;
        kzv_frame_unref(&f);
        if (report(t, false) < 0)
            break;
    }
    {
        pthread_mutex_lock(&t->lock);
        bool ok = !t->err;
        pthread_mutex_unlock(&t->lock);
        if (ok) {
            if (t->rmx && (t->want >= 0 || t->s->start_frame > 0 || t->s->start > 0))
                kzv_remux_set_end(t->rmx, t->last_end);
            int r = kzv_encoder_close(&t->enc);
            if (r < 0)
                fail(t, r, KZV_TRANSCODE_OUTPUT, "%s", kzv_encoder_last_error(NULL));
            else
                report(t, true);
        }
    }
    return NULL;
}

/* ---- processing (calling thread) ---------------------------------------- */

static void unref_opaque(void *opaque)
{
    kzv_frame *f = opaque;
    kzv_frame_unref(&f);
}

/* `out` with the timing of `in` (shifted for a cut). `owned`: out is a
 * frame only this thread holds (the scaler's or the filter's, just made),
 * so its fields are set in place; else (a callback's frame, which its
 * maker may still hold, or `in` itself) out is wrapped and left untouched. */
static int retime(tc *t, const kzv_frame *in, kzv_frame **out, bool owned)
{
    if (*out == in && t->shift_ts == 0)
        return KZV_OK;
    /* The field flags stay the output's: a filter may have deinterlaced. */
    kzv_frame desc = **out;
    kzv_frame *dst = owned && *out != in ? *out : &desc;
    dst->pts_ts = in->pts_ts - t->shift_ts;
    dst->time_base = in->time_base;
    dst->pts = in->time_base.den ? (double)dst->pts_ts * in->time_base.num / in->time_base.den : in->pts;
    dst->duration = in->duration;
    dst->frame_index = in->frame_index;
    dst->keyframe = in->keyframe;
    dst->color = in->color;
    if (dst == *out)
        return KZV_OK;
    kzv_frame *w = NULL;
    int r = kzv_frame_wrap(&w, &desc, unref_opaque, *out);
    if (r < 0) {
        kzv_frame_unref(out);
        return r;
    }
    *out = w;
    return KZV_OK;
}

static int scale(tc *t, const kzv_frame *in, kzv_frame **out)
{
    int r = t->scaler ? KZV_OK : kzv_scaler_open(&t->scaler, t->s->scale);
    if (r == KZV_OK)
        r = kzv_scaler_run(t->scaler, in, out);
    if (r == KZV_EUNSUPPORTED)
        return fail(t, r, KZV_TRANSCODE_PROCESS, "cannot scale %s frames", kzv_pixfmt_name(in->format));
    if (r < 0)
        return fail(t, r, KZV_TRANSCODE_PROCESS, "cannot scale %dx%d by %d: %s", in->width, in->height,
                    t->s->scale, kzv_strerror(r));
    return KZV_OK;
}

static int process_all(tc *t)
{
    const kzv_transcode_settings *s = t->s;
    char msg[768];
    for (int64_t n = 0;; n++) {
        kzv_frame *in = NULL, *out = NULL;
        int r = kzv_queue_pop(t->qa, &in, -1);
        if (r < 0)
            break;
        if (s->process) {
            r = s->process(s->process_user, in, &out);
            if (r < 0 || !out) {
                kzv_frame_unref(&in);
                kzv_frame_unref(&out);
                return fail(t, r < 0 ? r : KZV_EINVAL, KZV_TRANSCODE_PROCESS,
                            "the processing callback failed on frame %" PRId64 ": %s", n,
                            r < 0 ? kzv_strerror(r) : "it returned no frame");
            }
        } else if (t->filter) {
            r = kzv_pipe_filter_run(t->filter, in, &out, msg, sizeof(msg));
            if (r < 0) {
                kzv_frame_unref(&in);
                return fail(t, r, KZV_TRANSCODE_PROCESS, "%s", msg);
            }
        } else if (s->scale > 1) {
            r = scale(t, in, &out);
            if (r < 0) {
                kzv_frame_unref(&in);
                return r;
            }
        } else {
            out = kzv_frame_ref(in);
        }
        r = retime(t, in, &out, !s->process && (t->filter || s->scale > 1));
        kzv_frame_unref(&in);
        if (r < 0)
            return fail(t, r, KZV_TRANSCODE_PROCESS, "out of memory");
        if (kzv_queue_push(t->qb, out, -1) < 0) {
            kzv_frame_unref(&out);
            break;
        }
    }
    /* The filter's end is checked before the encode thread may finish the
     * output: a filter that fails there leaves no file either. */
    if (t->filter) {
        pthread_mutex_lock(&t->lock);
        bool ok = !t->err;
        pthread_mutex_unlock(&t->lock);
        int r = kzv_pipe_filter_finish(&t->filter, ok, msg, sizeof(msg));
        if (r < 0)
            return fail(t, r, KZV_TRANSCODE_PROCESS, "%s", msg);
    }
    kzv_queue_close(t->qb);
    return KZV_OK;
}

/* ---- set-up ------------------------------------------------------------- */

static int setup(tc *t, const char *in, const char *out)
{
    const kzv_transcode_settings *s = t->s;
    char msg[768];
    kzv_decoder_settings ds;
    kzv_decoder_default_settings(&ds);
    ds.threads = s->decode_threads;
    bool yuv_scale = !s->process && !s->filter_cmd;   /* scaler or plain re-encode: YUV as decoded */
    ds.format = yuv_scale ? KZV_PIXFMT_YUV_AUTO : s->process_format;
    if (s->filter_cmd && s->process_format != KZV_PIXFMT_RGB24 && s->process_format != KZV_PIXFMT_RGB48)
        return fail(t, KZV_EINVAL, KZV_TRANSCODE_PROCESS, "the filter takes rgb24 or rgb48 frames, not %s",
                    kzv_pixfmt_name(s->process_format));
    int r = kzv_decoder_open(&t->dec, in, &ds);
    if (r < 0)
        return fail(t, r, KZV_TRANSCODE_INPUT, "%s", kzv_decoder_last_error(NULL));
    t->info = kzv_decoder_info(t->dec);
    const kzv_video_info *info = t->info;

    /* The range. */
    t->want = s->frames > 0 ? s->frames : -1;
    bool cut = s->start_frame > 0 || s->start > 0;
    if (s->start_frame > 0)
        r = kzv_decoder_seek_frame(t->dec, s->start_frame);
    else if (s->start > 0)
        r = kzv_decoder_seek(t->dec, s->start, KZV_SEEK_EXACT);
    if (cut && r == KZV_OK)
        r = kzv_decoder_next(t->dec, &t->first);
    if (r == KZV_EOF)
        return fail(t, KZV_EINVAL, KZV_TRANSCODE_INPUT, "the start is past the last frame of %s", in);
    if (r < 0)
        return fail(t, r, KZV_TRANSCODE_INPUT, "seeking in %s failed: %s", in, kzv_decoder_last_error(t->dec));
    double src_start = t->src_start = info->start_time;
    if (cut) {
        kzv_rational tb = t->first->time_base;
        int64_t s0 = tb.num > 0 ? llrint(src_start * tb.den / tb.num) : 0;
        t->shift_ts = t->first->pts_ts - s0;
    }
    int64_t total = info->total_frames >= 0 ? info->total_frames : info->header_frames;
    t->prog.total_frames = t->want >= 0 ? t->want : total >= 0 ? total - (cut ? t->first->frame_index : 0) : -1;
    t->prog.duration = t->prog.total_frames > 0 && info->fps > 0 ? t->prog.total_frames / info->fps : info->duration;

    /* The encoder, with the source's description where not set. */
    kzv_encoder_settings es = s->encoder;
    if (es.time_base.num == 0 && es.time_base.den == 0)
        es.time_base = info->time_base;
    if (es.frame_rate.num == 0 && es.frame_rate.den == 0 && info->frame_rate.num > 0)
        es.frame_rate = info->frame_rate;
    if (es.matrix < 0)
        es.matrix = info->color.matrix;
    if (es.range < 0)
        es.range = info->color.range;
    if (es.primaries < 0)
        es.primaries = info->color.primaries;
    if (es.transfer < 0)
        es.transfer = info->color.transfer;
    if (es.format == KZV_PIXFMT_NONE) {
        enum AVPixelFormat src = av_get_pix_fmt(info->pix_fmt);
        es.format = src != AV_PIX_FMT_NONE ? kzv_pixfmt_native(src) : KZV_PIXFMT_YUV420P;
        if (es.format == KZV_PIXFMT_NV12)
            es.format = KZV_PIXFMT_YUV420P;
        if (es.format == KZV_PIXFMT_P010)
            es.format = KZV_PIXFMT_YUV420P10;
    }
    r = kzv_encoder_open(&t->enc, out, &es);
    if (r < 0)
        return fail(t, r, KZV_TRANSCODE_OUTPUT, "%s", kzv_encoder_last_error(NULL));

    kzv_remux_opts ro = { .video_index = info->stream_index, .drop_audio = s->drop_audio,
                          .drop_subtitles = s->drop_subtitles, .drop_attachments = s->drop_attachments,
                          .drop_data = s->drop_data, .languages = s->languages };
    r = kzv_remux_open(&t->rmx, in, &ro, msg, sizeof(msg));
    if (r < 0)
        return fail(t, r, KZV_TRANSCODE_INPUT, "%s", msg);
    if (cut) {
        kzv_rational tb = t->first->time_base;
        kzv_remux_set_cut(t->rmx, t->first->pts, (double)t->shift_ts * tb.num / tb.den);
    }
    kzv_enc_hooks h;
    kzv_remux_hooks(t->rmx, t->enc, &h);
    kzv_enc_set_hooks(t->enc, &h);

    if (s->filter_cmd) {
        int fw = s->filter_width ? s->filter_width : info->width;
        int fh = s->filter_height ? s->filter_height : info->height;
        r = kzv_pipe_filter_start(&t->filter, s->filter_cmd, fw, fh, s->process_format, s->filter_timeout_ms,
                                  &t->stop, msg, sizeof(msg));
        if (r < 0)
            return fail(t, r, KZV_TRANSCODE_PROCESS, "%s", msg);
    }
    kzv_queue_settings qs;
    kzv_queue_default_settings(&qs);
    qs.capacity = s->queue > 0 ? s->queue : 8;
    if (kzv_queue_create(&t->qa, &qs) < 0 || kzv_queue_create(&t->qb, &qs) < 0)
        return fail(t, KZV_ENOMEM, KZV_TRANSCODE_PROCESS, "out of memory");
    return KZV_OK;
}

int kzv_transcode(const char *in, const char *out, const kzv_transcode_settings *s, kzv_transcode_progress *final)
{
    tc_err[0] = 0;
    tc_stage = KZV_TRANSCODE_OK;
    kzv_transcode_settings def;
    if (!s) {
        kzv_transcode_default_settings(&def);
        s = &def;
    }
    if (!in || !out) {
        snprintf(tc_err, sizeof(tc_err), "kzv_transcode: no input or output");
        return KZV_EINVAL;
    }
    if (!KZV_RESERVED_OK(s) || !KZV_RESERVED_OK(&s->encoder)) {
        snprintf(tc_err, sizeof(tc_err), KZV_RESERVED_WHY("kzv_transcode_settings"));
        return KZV_EINVAL;
    }
    if ((s->process != NULL) + (s->filter_cmd != NULL) + (s->scale > 1) > 1) {
        snprintf(tc_err, sizeof(tc_err), "kzv_transcode: choose one of process, filter_cmd and scale");
        return KZV_EINVAL;
    }
    if (s->scale < 0 || s->scale > 16 || s->frames < 0 || s->start_frame < 0 || s->start < 0) {
        snprintf(tc_err, sizeof(tc_err), "kzv_transcode: scale, frames or start out of range");
        return KZV_EINVAL;
    }
    tc t;
    memset(&t, 0, sizeof(t));
    t.s = s;
    t.prog.total_frames = -1;
    pthread_mutex_init(&t.lock, NULL);
    atomic_init(&t.stop, false);
    t.t0_ns = now_ns();
    int r = setup(&t, in, out);
    if (r == KZV_OK) {
        pthread_t dth, eth;
        bool d_ok = pthread_create(&dth, NULL, decode_main, &t) == 0;
        bool e_ok = d_ok && pthread_create(&eth, NULL, encode_main, &t) == 0;
        if (!d_ok || !e_ok)
            fail(&t, KZV_ENOMEM, KZV_TRANSCODE_PROCESS, "cannot start threads");
        else
            process_all(&t);
        if (d_ok)
            pthread_join(dth, NULL);
        if (e_ok)
            pthread_join(eth, NULL);
    }
    char msg[256];
    kzv_pipe_filter_finish(&t.filter, false, msg, sizeof(msg));
    kzv_encoder_abort(&t.enc);      /* still open only after a failure: deletes the partial file */
    kzv_remux_close(&t.rmx);
    kzv_frame_unref(&t.first);
    kzv_queue_destroy(&t.qa);
    kzv_queue_destroy(&t.qb);
    kzv_decoder_close(&t.dec);
    kzv_scaler_close(&t.scaler);
    pthread_mutex_destroy(&t.lock);
    if (final)
        *final = t.prog;
    if (t.err) {
        snprintf(tc_err, sizeof(tc_err), "%s", t.msg);
        tc_stage = t.stage;
        return t.err;
    }
    return KZV_OK;
}
