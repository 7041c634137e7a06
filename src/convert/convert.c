/* YUV/RGB → kzv output format through libswscale, honouring matrix and range. */
#include <string.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "convert/convert.h"
#include "core/frame_internal.h"
#include "convert/yuv2rgb_av.h"

enum AVPixelFormat kzv_pixfmt_to_av(kzv_pixfmt fmt)
{
    switch (fmt) {
    case KZV_PIXFMT_RGB24:   return AV_PIX_FMT_RGB24;
    case KZV_PIXFMT_RGBA:    return AV_PIX_FMT_RGBA;
    case KZV_PIXFMT_RGB48:   return AV_PIX_FMT_RGB48;   /* native endian */
    case KZV_PIXFMT_YUV420P: return AV_PIX_FMT_YUV420P;
    case KZV_PIXFMT_YUV422P: return AV_PIX_FMT_YUV422P;
    case KZV_PIXFMT_YUV444P: return AV_PIX_FMT_YUV444P;
    /* The *_NE names are FFmpeg's host-endian variants: kzv's 16-bit samples
     * are host endian. */
    case KZV_PIXFMT_YUV420P10: return AV_PIX_FMT_YUV420P10;
    case KZV_PIXFMT_YUV422P10: return AV_PIX_FMT_YUV422P10;
    case KZV_PIXFMT_YUV444P10: return AV_PIX_FMT_YUV444P10;
    case KZV_PIXFMT_NV12:    return AV_PIX_FMT_NV12;
    case KZV_PIXFMT_P010:    return AV_PIX_FMT_P010;
    default:                 return AV_PIX_FMT_NONE;
    }
}

/* Planar YUV format of a depth class and chroma subsampling. */
static kzv_pixfmt planar_yuv(bool deep, int sx, int sy)
{
    if (sx && sy)
        return deep ? KZV_PIXFMT_YUV420P10 : KZV_PIXFMT_YUV420P;
    if (sx)
        return deep ? KZV_PIXFMT_YUV422P10 : KZV_PIXFMT_YUV422P;
    return deep ? KZV_PIXFMT_YUV444P10 : KZV_PIXFMT_YUV444P;
}

kzv_pixfmt kzv_pixfmt_native(enum AVPixelFormat src)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(src);
    if (!d)
        return KZV_PIXFMT_YUV420P;
    /* Anything above 8 bits keeps its precision as 10 bits (the deepest kzv
     * offers); 8 bits and below stay 8. */
    bool deep = d->comp[0].depth > 8;
    bool rgb = d->flags & AV_PIX_FMT_FLAG_RGB;
    bool pal = d->flags & AV_PIX_FMT_FLAG_PAL;
    if (rgb || pal || d->flags & AV_PIX_FMT_FLAG_BAYER)
        return planar_yuv(deep, 0, 0);   /* full-resolution colour: keep it all */
    if (d->nb_components < 3)
        return planar_yuv(deep, 1, 1);   /* gray: the smallest layout, neutral chroma */
    int sx = d->log2_chroma_w, sy = d->log2_chroma_h;
    /* Two planes, chroma interleaved (nv12, nv21, p010, p016 …): hardware
     * surfaces and their downloads. 4:2:0 ones stay semi-planar. */
    bool semi = d->nb_components >= 3 && d->comp[1].plane == d->comp[2].plane;
    if (semi && sx == 1 && sy == 1)
        return deep ? KZV_PIXFMT_P010 : KZV_PIXFMT_NV12;
    /* Never less chroma resolution than the source in either direction:
     * 4:1:1 (2,0) → 4:2:2, 4:1:0 → 4:2:0, 4:4:0 (0,1) → 4:4:4. */
    int ox = sx >= 1 ? 1 : 0, oy = sy >= 1 && ox ? 1 : 0;
    return planar_yuv(deep, ox, oy);
}

bool kzv_pixfmt_is_layout_of(kzv_pixfmt fmt, enum AVPixelFormat src)
{
    enum AVPixelFormat want = kzv_pixfmt_to_av(fmt);
    if (want == AV_PIX_FMT_NONE || kzv_pixfmt_packed_bpp(fmt))
        return false;
    /* yuvj* are byte-for-byte the yuv* layouts; their range is in kzv_color. */
    switch (src) {
    case AV_PIX_FMT_YUVJ420P: src = AV_PIX_FMT_YUV420P; break;
    case AV_PIX_FMT_YUVJ422P: src = AV_PIX_FMT_YUV422P; break;
    case AV_PIX_FMT_YUVJ444P: src = AV_PIX_FMT_YUV444P; break;
    default: break;
    }
    return src == want;
}

static int is_yuvj(enum AVPixelFormat f)
{
    return f == AV_PIX_FMT_YUVJ420P || f == AV_PIX_FMT_YUVJ422P ||
           f == AV_PIX_FMT_YUVJ444P || f == AV_PIX_FMT_YUVJ440P || f == AV_PIX_FMT_YUVJ411P;
}

void kzv_color_resolve(const AVFrame *f, kzv_color *out)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    int is_rgb = d && (d->flags & AV_PIX_FMT_FLAG_RGB);
    int m = f->colorspace;

    memset(out, 0, sizeof(*out));   /* reserved included */
    out->chroma_location = (int)f->chroma_location > 0 && (int)f->chroma_location <= (int)KZV_CHROMA_BOTTOM
                           ? (uint8_t)f->chroma_location : KZV_CHROMA_UNSPECIFIED;
    out->primaries = f->color_primaries;
    out->transfer = f->color_trc;
    out->matrix_tagged = true;
    if (is_rgb) {
        m = KZV_MATRIX_RGB;
    } else if (m == AVCOL_SPC_UNSPECIFIED || m == AVCOL_SPC_RESERVED || m == AVCOL_SPC_RGB ||
               m < 0 || m > AVCOL_SPC_ICTCP) {
        /* Untagged (or nonsense): the convention players use. */
        m = f->height > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M;
        out->matrix_tagged = false;
    }
    out->matrix = m;

    out->range_tagged = true;
    if (f->color_range == AVCOL_RANGE_JPEG || is_rgb) {
        out->range = KZV_RANGE_FULL;
    } else if (f->color_range == AVCOL_RANGE_MPEG) {
        out->range = KZV_RANGE_LIMITED;
    } else {
        out->range = is_yuvj(f->format) ? KZV_RANGE_FULL : KZV_RANGE_LIMITED;
        out->range_tagged = is_yuvj(f->format);
    }
}

/* yuvj* are the same layouts as yuv* with full range; swscale wants the plain
 * ones (and warns about the deprecated ones), range goes via setColorspaceDetails. */
static enum AVPixelFormat dejpeg(enum AVPixelFormat f)
{
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: return AV_PIX_FMT_YUV411P;
    default: return f;
    }
}

static int setup(kzv_converter *c, const AVFrame *src, const kzv_frame *dst, const kzv_color *color)
{
    enum AVPixelFormat sf = dejpeg(src->format);
    if (c->sws && c->src_w == src->width && c->src_h == src->height && c->src_fmt == sf &&
        c->dst_w == dst->width && c->dst_h == dst->height && c->dst_fmt == dst->format &&
        c->matrix == color->matrix && c->range == color->range)
        return KZV_OK;

    sws_freeContext(c->sws);
    c->sws = NULL;
    enum AVPixelFormat df = kzv_pixfmt_to_av(dst->format);
    if (df == AV_PIX_FMT_NONE || !sws_isSupportedInput(sf))
        return KZV_EUNSUPPORTED;

    /* Accurate rounding and full chroma interpolation: the difference between
     * "about right" and "within 2 levels of the exact conversion". */
    int flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;
    c->sws = sws_getContext(src->width, src->height, sf, dst->width, dst->height, df,
                            flags, NULL, NULL, NULL);
    if (!c->sws)
        return KZV_ENOMEM;

    int full = color->range == KZV_RANGE_FULL;
    const int *coeffs = sws_getCoefficients(color->matrix == KZV_MATRIX_RGB ? SWS_CS_DEFAULT : color->matrix);
    int out_is_yuv = kzv_pixfmt_chroma_shift(dst->format, NULL, NULL);
    /* YUV output keeps the source's matrix and range (a layout change, not a
     * colour change); RGB output is full range. */
    sws_setColorspaceDetails(c->sws, coeffs, full, coeffs, out_is_yuv ? full : 1,
                             0, 1 << 16, 1 << 16);
    c->src_w = src->width;
    c->src_h = src->height;
    c->src_fmt = sf;
    c->dst_w = dst->width;
    c->dst_h = dst->height;
    c->dst_fmt = dst->format;
    c->matrix = color->matrix;
    c->range = color->range;
    return KZV_OK;
}

/* kzv's converter: exact to within a level, chroma interpolated, threaded.
 * Returns KZV_EUNSUPPORTED when this frame needs libswscale instead. */
static int convert_fast(kzv_converter *c, const AVFrame *src, kzv_frame *dst, const kzv_color *color)
{
    if (kzv_pixfmt_planes(dst->format) != 1 || src->width != dst->width || src->height != dst->height)
        return KZV_EUNSUPPORTED;
    if (!c->fast_valid || c->fast_fmt != src->format || c->fast_w != src->width || c->fast_h != src->height ||
        c->fast_loc != (int)src->chroma_location || c->fast_matrix != color->matrix ||
        c->fast_range != color->range || c->fast_out != dst->format) {
        kzv_yuv2rgb_params p;
        c->fast_valid = false;
        if (kzv_yuv2rgb_params_from_av(&p, src->format, src->width, src->height, src->chroma_location,
                                       color->matrix, color->range, dst->format) != KZV_OK ||
            kzv_yuv2rgb_init(&c->fast, &p) != KZV_OK)
            return KZV_EUNSUPPORTED;
        c->fast_valid = true;
        c->fast_fmt = src->format;
        c->fast_w = src->width;
        c->fast_h = src->height;
        c->fast_loc = src->chroma_location;
        c->fast_matrix = color->matrix;
        c->fast_range = color->range;
        c->fast_out = dst->format;
    }
    if (!c->pool && c->threads != 1 && kzv_workers_create(&c->pool, c->threads) != KZV_OK)
        c->pool = NULL;   /* no threads: convert on the calling thread alone */
    const uint8_t *planes[3] = { src->data[0], src->data[1], src->data[2] };
    const ptrdiff_t strides[3] = { src->linesize[0], src->linesize[1], src->linesize[2] };
    return kzv_yuv2rgb_convert(&c->fast, planes, strides, dst->data[0], dst->stride[0], c->pool);
}

int kzv_convert(kzv_converter *c, const AVFrame *src, kzv_frame *dst, const kzv_color *color)
{
    if (convert_fast(c, src, dst, color) == KZV_OK)
        return KZV_OK;
    int err = setup(c, src, dst, color);
    if (err < 0)
        return err;
    int h = sws_scale(c->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                      dst->data, dst->stride);
    return h > 0 ? KZV_OK : KZV_EUNSUPPORTED;
}

void kzv_converter_uninit(kzv_converter *c)
{
    sws_freeContext(c->sws);
    c->sws = NULL;
    kzv_workers_destroy(&c->pool);
    c->fast_valid = false;
}
