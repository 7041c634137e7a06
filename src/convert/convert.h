/* Picture conversion from a decoded AVFrame to a kzv output format, with the
 * source's own colour matrix and range. One converter per decoder; it rebuilds
 * its swscale context only when the source or target description changes. */
#ifndef KZV_SRC_CONVERT_CONVERT_H
#define KZV_SRC_CONVERT_CONVERT_H

#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>

#include "kzv/frame.h"
#include "convert/yuv2rgb.h"

typedef struct kzv_converter {
    struct SwsContext *sws;
    /* what `sws` was built for */
    int src_w, src_h, dst_w, dst_h;
    enum AVPixelFormat src_fmt;
    kzv_pixfmt dst_fmt;
    int matrix, range;

    /* kzv's own YUV → RGB path (yuv2rgb.c), used whenever it can do the
     * job: same size, YUV source up to 12 bits, RGB output. */
    bool fast_valid;
    int fast_fmt, fast_w, fast_h, fast_loc, fast_matrix, fast_range;
    kzv_pixfmt fast_out;
    kzv_yuv2rgb fast;
    kzv_workers *pool;      /* conversion threads (created on first use) */
    int threads;            /* pool size; 0 = one per core */
} kzv_converter;

/* The colour description kzv uses for `f`: tags where the stream has them,
 * else BT.709 above 576 lines / BT.601 otherwise, limited range (full for the
 * legacy yuvj formats). */
void kzv_color_resolve(const AVFrame *f, kzv_color *out);

/* FFmpeg pixel format for a kzv output format. */
enum AVPixelFormat kzv_pixfmt_to_av(kzv_pixfmt fmt);

/* What KZV_PIXFMT_YUV_AUTO resolves to for frames decoded as `src`: the kzv
 * YUV format with the same layout, else the nearest (depth above 8 → 10 bits,
 * chroma never subsampled more than the source's; gray → 4:2:0, RGB → 4:4:4). */
kzv_pixfmt kzv_pixfmt_native(enum AVPixelFormat src);

/* True when frames decoded as `src` already are `fmt` byte for byte (so they
 * can be handed out without conversion). */
bool kzv_pixfmt_is_layout_of(kzv_pixfmt fmt, enum AVPixelFormat src);

/* Convert `src` into `dst` (already allocated with dst->width × dst->height and
 * dst->format; scales when sizes differ) using `color`.
 * Returns KZV_OK, KZV_ENOMEM or KZV_EUNSUPPORTED. */
int kzv_convert(kzv_converter *c, const AVFrame *src, kzv_frame *dst, const kzv_color *color);

void kzv_converter_uninit(kzv_converter *c);

#endif
