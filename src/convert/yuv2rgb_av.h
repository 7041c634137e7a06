/*
 * Glue between FFmpeg frames and the kzv YUV → RGB converter (yuv2rgb.h).
 * Header-only; include it where FFmpeg headers are already in use
 * (src/convert/convert.c). Typical use:
 *
 *     kzv_yuv2rgb_params p;
 *     if (kzv_yuv2rgb_params_from_av(&p, src->format, src->width, src->height,
 *                                    src->chroma_location, color->matrix,
 *                                    color->range, dst->format) == KZV_OK &&
 *         kzv_yuv2rgb_init(&ctx, &p) == KZV_OK) {          // once per format change
 *         const uint8_t *planes[3] = { src->data[0], src->data[1], src->data[2] };
 *         const ptrdiff_t strides[3] = { src->linesize[0], src->linesize[1], src->linesize[2] };
 *         err = kzv_yuv2rgb_convert(&ctx, planes, strides, dst->data[0], dst->stride[0], pool);
 *     } else {
 *         … fall back to libswscale …
 *     }
 */
#ifndef KZV_SRC_CONVERT_YUV2RGB_AV_H
#define KZV_SRC_CONVERT_YUV2RGB_AV_H

#include <libavutil/pixdesc.h>
#include <libavutil/pixfmt.h>

#include "kzv/common.h"
#include "convert/yuv2rgb.h"

/**
 * Describe an FFmpeg YUV pixel format for kzv_yuv2rgb_init(). Accepts the
 * planar yuv420p/422p/444p (and yuvj*, yuva*: alpha ignored) at 8..12 bits
 * in host byte order and the semi-planar nv12/p010/p012-style (U before V)
 * formats. `matrix`/`range` are kzv_color values (already resolved, see
 * kzv_color_resolve()); chroma_location is the frame's AVChromaLocation
 * (TOPLEFT selects co-sited rows; everything else uses the left/centre-row
 * siting of MPEG-2/H.264).
 * @return KZV_OK or KZV_EUNSUPPORTED (use libswscale for that format).
 */
static inline int kzv_yuv2rgb_params_from_av(kzv_yuv2rgb_params *p, int av_format, int width, int height,
                                             int chroma_location, int matrix, int range, kzv_pixfmt out)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)av_format);
    kzv_yuv2rgb_default_params(p);
    if (!d || d->nb_components < 3 ||
        (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL |
                     AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BAYER)))
        return KZV_EUNSUPPORTED;
#if AV_HAVE_BIGENDIAN
    const int foreign_endian = !(d->flags & AV_PIX_FMT_FLAG_BE) && d->comp[0].depth > 8;
#else
    const int foreign_endian = (d->flags & AV_PIX_FMT_FLAG_BE) != 0;
#endif
    if (foreign_endian)
        return KZV_EUNSUPPORTED;
    int depth = d->comp[0].depth;
    int bytes = depth > 8 ? 2 : 1;
    if (depth < 8 || depth > 12 || d->comp[1].depth != depth || d->comp[2].depth != depth)
        return KZV_EUNSUPPORTED;
    if (d->comp[0].plane != 0 || d->comp[0].step != bytes || d->comp[0].offset != 0)
        return KZV_EUNSUPPORTED;
    if (d->comp[1].plane == 1 && d->comp[2].plane == 2) {
        if (d->comp[1].step != bytes || d->comp[2].step != bytes || d->comp[1].offset || d->comp[2].offset)
            return KZV_EUNSUPPORTED;
        p->semi_planar = false;
    } else if (d->comp[1].plane == 1 && d->comp[2].plane == 1) {
        if (d->comp[1].step != 2 * bytes || d->comp[2].step != 2 * bytes || d->comp[1].offset != 0 ||
            d->comp[2].offset != bytes)
            return KZV_EUNSUPPORTED;   /* NV21 (V first) and friends */
        p->semi_planar = true;
    } else {
        return KZV_EUNSUPPORTED;
    }
    if (d->comp[0].shift) {
        if (bytes != 2 || d->comp[0].shift != 16 - depth)
            return KZV_EUNSUPPORTED;
        p->msb_aligned = true;
    }
    p->width = width;
    p->height = height;
    p->depth = depth;
    p->log2_chroma_w = d->log2_chroma_w;
    p->log2_chroma_h = d->log2_chroma_h;
    p->matrix = matrix;
    p->range = range;
    p->chroma_top = chroma_location == AVCHROMA_LOC_TOPLEFT;
    p->out = out;
    return KZV_OK;
}

#endif
