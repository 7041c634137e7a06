/* kzv_encoder: settings, the output under its temporary name, close and
 * abort (see encoder_internal.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "core/abi.h"
#include "encode/encoder_internal.h"
#include "core/staging.h"

static _Thread_local char open_err[1024];

void kzv_encoder_default_settings(kzv_encoder_settings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->crf = -1;
    s->qp = -1;
    s->format = KZV_PIXFMT_NONE;
    s->matrix = s->range = s->primaries = s->transfer = -1;
}

int kzv_enc_fail(kzv_encoder *e, int code, const char *fmt, ...)
{
    if (e->failed)
        return code;        /* the first error's code and message stay */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof(e->err), fmt, ap);
    va_end(ap);
    e->fail_code = code;
    e->failed = true;
    kzv_log(&e->log, KZV_LOG_DEBUG, "%s", e->err);
    return code;
}

int kzv_enc_status(int e)
{
    switch (e) {
    case AVERROR(ENOMEM):               return KZV_ENOMEM;
    case AVERROR(EINVAL):               return KZV_EINVAL;
    case AVERROR_ENCODER_NOT_FOUND:
    case AVERROR_MUXER_NOT_FOUND:
    case AVERROR_PATCHWELCOME:
    case AVERROR(ENOSYS):               return KZV_EUNSUPPORTED;
    case AVERROR_EXIT:                  return KZV_ECANCELED;
    default:                            return KZV_EIO;
    }
}

const char *kzv_enc_averr(int e, char *buf, size_t n)
{
    if (av_strerror(e, buf, n) < 0)
        snprintf(buf, n, "error %d", e);
    return buf;
}

void kzv_enc_set_hooks(kzv_encoder *e, const kzv_enc_hooks *h)
{
    if (e && h)
        e->hooks = *h;
}

static void free_encoder(kzv_encoder *e)
{
    if (e->mux) {
        if (e->mux->pb)
            kzv_enc_file_close(&e->mux->pb);
        avformat_free_context(e->mux);
    }
    avcodec_free_context(&e->ctx);
    av_frame_free(&e->frame);
    av_packet_free(&e->pkt);
    sws_freeContext(e->sws);
    kzv_workers_destroy(&e->pool);
    if (e->options)
        for (char **o = e->options; *o; o++)
            free(*o);
    free(e->options);
    free(e->codec_name);
    free(e->preset);
    free(e->container);
    free(e->path);
    free(e->tmp_path);
    free(e);
}

static int open_fail(kzv_encoder *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int open_fail(kzv_encoder *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(open_err, sizeof(open_err), fmt, ap);
    va_end(ap);
    if (e) {
        if (e->mux && e->mux->pb) {
            kzv_enc_file_close(&e->mux->pb);
            kzv_staging_discard(e->tmp_path, e->path);
        }
        free_encoder(e);
    }
    return code;
}

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

/* Every option names something the codec (or AVCodecContext) has. */
static int check_options(kzv_encoder *e)
{
    AVCodecContext *probe = avcodec_alloc_context3(e->codec);
    if (!probe)
        return open_fail(e, KZV_ENOMEM, "out of memory");
    const char *named[3] = { e->s.crf >= 0 ? "crf" : NULL, e->s.qp >= 0 ? "qp" : NULL,
                             e->preset ? "preset" : NULL };
    for (int i = 0; i < 3; i++)
        if (named[i] && !av_opt_find(probe, named[i], NULL, 0, AV_OPT_SEARCH_CHILDREN)) {
            avcodec_free_context(&probe);
            return open_fail(e, KZV_EINVAL, "encoder %s has no option '%s'", e->codec->name, named[i]);
        }
    for (char **o = e->options; o && *o; o++) {
        char *eq = strchr(*o, '=');
        if (!eq || eq == *o) {
            avcodec_free_context(&probe);
            return open_fail(e, KZV_EINVAL, "encoder option '%s' is not key=value", *o);
        }
        *eq = 0;
        bool found = av_opt_find(probe, *o, NULL, 0, AV_OPT_SEARCH_CHILDREN) != NULL;
        if (!found) {
            char key[256];
            snprintf(key, sizeof(key), "%s", *o);
            *eq = '=';
            avcodec_free_context(&probe);
            return open_fail(e, KZV_EINVAL, "encoder %s has no option '%s'", e->codec->name, key);
        }
        *eq = '=';
    }
    avcodec_free_context(&probe);
    return KZV_OK;
}

int kzv_encoder_open(kzv_encoder **out, const char *path, const kzv_encoder_settings *settings)
{
    open_err[0] = 0;
    if (!out)
        return open_fail(NULL, KZV_EINVAL, "kzv_encoder_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return open_fail(NULL, KZV_EINVAL, "kzv_encoder_open: no output path");
    kzv_encoder_settings def;
    if (!settings) {
        kzv_encoder_default_settings(&def);
        settings = &def;
    }
    if (!KZV_RESERVED_OK(settings))
        return open_fail(NULL, KZV_EINVAL, KZV_RESERVED_WHY("kzv_encoder_settings"));
    if (settings->format != KZV_PIXFMT_NONE && !(kzv_pixfmt_chroma_shift(settings->format, NULL, NULL) &&
                                                 kzv_pixfmt_planes(settings->format) > 0))
        return open_fail(NULL, KZV_EINVAL, "output format %s is not a YUV layout",
                         kzv_pixfmt_name(settings->format));
    if (settings->width < 0 || settings->height < 0 || settings->width > 32768 || settings->height > 32768)
        return open_fail(NULL, KZV_EINVAL, "output size %dx%d is out of range", settings->width, settings->height);
    if ((settings->time_base.num != 0 || settings->time_base.den != 0) &&
        (settings->time_base.num <= 0 || settings->time_base.den <= 0))
        return open_fail(NULL, KZV_EINVAL, "output time base %d/%d is not positive",
                         settings->time_base.num, settings->time_base.den);

    kzv_encoder *e = calloc(1, sizeof(*e));
    if (!e)
        return open_fail(NULL, KZV_ENOMEM, "out of memory");
    kzv_log_install_ffmpeg_bridge();
    e->s = *settings;
    e->log.fn = settings->log_fn;
    e->log.user = settings->log_user;
    bool ok = true;
    e->codec_name = dup_or_null(settings->codec ? settings->codec : "libx264", &ok);
    e->preset = dup_or_null(settings->preset, &ok);
    e->container = dup_or_null(settings->container, &ok);
    e->path = dup_or_null(path, &ok);
    size_t n = 0;
    while (settings->options && settings->options[n])
        n++;
    if (settings->options) {
        e->options = calloc(n + 1, sizeof(char *));
        ok = ok && e->options;
        for (size_t i = 0; ok && i < n; i++)
            e->options[i] = dup_or_null(settings->options[i], &ok);
    }
    e->tmp_path = kzv_staging_name(path);
    if (!ok || !e->tmp_path)
        return open_fail(e, KZV_ENOMEM, "out of memory");
    e->s.codec = e->codec_name;
    e->s.preset = e->preset;
    e->s.container = e->container;
    e->s.options = (const char *const *)e->options;
    e->s.log_fn = NULL;
    e->s.log_user = NULL;
    e->last_pts = INT64_MIN;

    e->codec = avcodec_find_encoder_by_name(e->codec_name);
    if (!e->codec || e->codec->type != AVMEDIA_TYPE_VIDEO)
        return open_fail(e, KZV_EUNSUPPORTED, "no video encoder named '%s' in this FFmpeg", e->codec_name);
    int err = check_options(e);
    if (err < 0)
        return err;
    e->ofmt = av_guess_format(e->container, e->container ? NULL : path, NULL);
    if (!e->ofmt)
        return open_fail(e, KZV_EUNSUPPORTED, e->container ? "no container (muxer) named '%s'"
                         : "cannot tell the container from the file name '%s' (set the container)",
                         e->container ? e->container : path);
    if (avformat_query_codec(e->ofmt, e->codec->id, FF_COMPLIANCE_NORMAL) == 0)
        return open_fail(e, KZV_EUNSUPPORTED, "the %s container cannot hold %s video",
                         e->ofmt->name, avcodec_get_name(e->codec->id));
    err = avformat_alloc_output_context2(&e->mux, e->ofmt, NULL, e->tmp_path);
    if (err < 0 || !e->mux)
        return open_fail(e, KZV_ENOMEM, "cannot set up the %s muxer", e->ofmt->name);
    if (!(e->ofmt->flags & AVFMT_NOFILE)) {
        err = kzv_enc_file_open(&e->mux->pb, e->tmp_path);
        if (err < 0)
            return open_fail(e, KZV_EIO, "cannot create %s: %s", e->tmp_path, ENC_AVERR(err));
    }
    e->frame = av_frame_alloc();
    e->pkt = av_packet_alloc();
    if (!e->frame || !e->pkt)
        return open_fail(e, KZV_ENOMEM, "out of memory");
    *out = e;
    return KZV_OK;
}

int kzv_enc_mux_packet(kzv_encoder *e, AVPacket *pkt)
{
    if (e->failed)
        return KZV_EINVAL;
    int err = av_interleaved_write_frame(e->mux, pkt);
    if (err < 0)
        return kzv_enc_fail(e, kzv_enc_status(err), "writing %s failed: %s", e->path, ENC_AVERR(err));
    return KZV_OK;
}

void kzv_encoder_get_stats(const kzv_encoder *e, kzv_encoder_stats *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    if (e)
        *st = e->stats;
}

const char *kzv_encoder_last_error(const kzv_encoder *e)
{
    return e ? e->err : open_err;
}

void kzv_encoder_abort(kzv_encoder **pe)
{
    if (!pe || !*pe)
        return;
    kzv_encoder *e = *pe;
    *pe = NULL;
    if (e->mux && e->mux->pb)
        kzv_enc_file_close(&e->mux->pb);
    kzv_staging_discard(e->tmp_path, e->path);
    free_encoder(e);
}

int kzv_encoder_close(kzv_encoder **pe)
{
    if (!pe || !*pe)
        return KZV_OK;
    kzv_encoder *e = *pe;
    int err = KZV_OK;
    if (e->failed)
        err = e->fail_code < 0 ? e->fail_code : KZV_EIO;
    else if (!e->started)
        err = kzv_enc_fail(e, KZV_EINVAL, "no frame was written to %s", e->path);
    if (err == KZV_OK)
        err = kzv_enc_encode(e, NULL);
    if (err == KZV_OK && e->hooks.finish)
        err = e->hooks.finish(e->hooks.user);
    if (err == KZV_OK && !e->failed) {
        int r = av_write_trailer(e->mux);
        if (r >= 0 && e->mux->pb)
            r = e->mux->pb->error < 0 ? e->mux->pb->error : 0;
        if (r >= 0 && e->mux->pb) {
            r = kzv_enc_file_close(&e->mux->pb);
        }
        if (r < 0)
            err = kzv_enc_fail(e, kzv_enc_status(r), "finishing %s failed: %s", e->path, ENC_AVERR(r));
    }
    if (err == KZV_OK && kzv_staging_commit(e->tmp_path, e->path) != 0)
        err = kzv_enc_fail(e, KZV_EIO, "cannot rename %s to %s: %s", e->tmp_path, e->path, strerror(errno));
    if (err < 0) {
        snprintf(open_err, sizeof(open_err), "%s", e->err[0] ? e->err : kzv_strerror(err));
        kzv_encoder_abort(pe);
        return err;
    }
    *pe = NULL;
    free_encoder(e);
    return KZV_OK;
}
