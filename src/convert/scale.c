/* kzv_scaler: integer upscaling with libswscale's lanczos, output buffers
 * from a pool (a transcode scales every frame to the same size). */
#include <stdint.h>
#include <stdlib.h>

#include <libavutil/buffer.h>
#include <libswscale/swscale.h>

#include "kzv/scale.h"
#include "convert.h"
#include "core/frame_internal.h"

#define SCALE_FLAGS (SWS_LANCZOS | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)

struct kzv_scaler {
    int factor;
    struct SwsContext *sws;    /* for in_w × in_h in_fmt, made on first use */
    int in_w, in_h;
    kzv_pixfmt in_fmt;
    AVBufferPool *pool;        /* output buffers of pool_size bytes */
    size_t pool_size;
};

int kzv_scaler_open(kzv_scaler **out, int factor)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (factor < 2 || factor > 16)
        return KZV_EINVAL;
    kzv_scaler *s = calloc(1, sizeof(*s));
    if (!s)
        return KZV_ENOMEM;
    s->factor = factor;
    *out = s;
    return KZV_OK;
}

int kzv_scaler_factor(const kzv_scaler *s)
{
    return s ? s->factor : 0;
}

/* A context for this input; the old one goes when the input changes. */
static int prepare(kzv_scaler *s, const kzv_frame *in)
{
    if (s->sws && in->width == s->in_w && in->height == s->in_h && in->format == s->in_fmt)
        return KZV_OK;
    sws_freeContext(s->sws);
    s->sws = NULL;
    enum AVPixelFormat f = kzv_pixfmt_to_av(in->format);
    if (f == AV_PIX_FMT_NONE || !sws_isSupportedInput(f) || !sws_isSupportedOutput(f))
        return KZV_EUNSUPPORTED;
    s->sws = sws_getContext(in->width, in->height, f, in->width * s->factor, in->height * s->factor, f,
                            SCALE_FLAGS, NULL, NULL, NULL);
    if (!s->sws)
        return KZV_ENOMEM;
    s->in_w = in->width;
    s->in_h = in->height;
    s->in_fmt = in->format;
    return KZV_OK;
}

int kzv_scaler_run(kzv_scaler *s, const kzv_frame *in, kzv_frame **out)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (!s || !in || !in->data[0] || in->width <= 0 || in->height <= 0 ||
        in->width > INT32_MAX / s->factor || in->height > INT32_MAX / s->factor)
        return KZV_EINVAL;
    int w = in->width * s->factor, h = in->height * s->factor;
    int stride[4];
    size_t offset[4];
    size_t size = kzv_frame_layout(w, h, in->format, stride, offset);
    if (!size || size > INT32_MAX)
        return KZV_EINVAL;
    int err = prepare(s, in);
    if (err < 0)
        return err;
    if (!s->pool || s->pool_size != size) {
        av_buffer_pool_uninit(&s->pool);    /* frames still out keep their buffers */
        s->pool = av_buffer_pool_init(size, av_buffer_alloc);
        s->pool_size = size;
    }
    AVBufferRef *buf = s->pool ? av_buffer_pool_get(s->pool) : NULL;
    kzv_frame *o = NULL;
    err = buf ? kzv_frame_wrap_buffer(&o, buf, w, h, in->format) : KZV_ENOMEM;
    if (err < 0)
        return err;
    const uint8_t *sp[4] = { in->data[0], in->data[1], in->data[2], in->data[3] };
    const int ss[4] = { in->stride[0], in->stride[1], in->stride[2], in->stride[3] };
    sws_scale(s->sws, sp, ss, 0, in->height, o->data, o->stride);
    kzv_frame_copy_props(o, in);
    *out = o;
    return KZV_OK;
}

void kzv_scaler_close(kzv_scaler **ps)
{
    if (!ps || !*ps)
        return;
    kzv_scaler *s = *ps;
    sws_freeContext(s->sws);
    av_buffer_pool_uninit(&s->pool);
    free(s);
    *ps = NULL;
}
