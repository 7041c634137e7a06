/* Turning frames by 90, 180 or 270 degrees clockwise, plane by plane, for
 * every kzv pixel format (an element is a pixel of a packed format, a
 * sample of a planar one, a U,V pair of NV12/P010's second plane). */
#include <string.h>

#include "convert/rotate.h"

bool kzv_rotate_supported(kzv_pixfmt fmt, int cw)
{
    if (cw != 90 && cw != 180 && cw != 270)
        return cw == 0;
    if (cw == 180)
        return kzv_pixfmt_planes(fmt) > 0;
    int sw = 0, sh = 0;
    kzv_pixfmt_chroma_shift(fmt, &sw, &sh);
    return kzv_pixfmt_planes(fmt) > 0 && sw == sh;
}

/* dst(dx, dy) = src(sx, sy) for one plane of `e`-byte elements. */
static void rotate_plane(const uint8_t *src, int sstride, int sw, int sh, uint8_t *dst,
                         int dstride, int cw, size_t e)
{
    int dw = cw == 180 ? sw : sh, dh = cw == 180 ? sh : sw;
    for (int dy = 0; dy < dh; dy++) {
        uint8_t *d = dst + (size_t)dy * (size_t)dstride;
        for (int dx = 0; dx < dw; dx++, d += e) {
            int sx, sy;
            if (cw == 90) {          /* bottom-left comes to the top-left */
                sx = dy;
                sy = sh - 1 - dx;
            } else if (cw == 270) {  /* top-right comes to the top-left */
                sx = sw - 1 - dy;
                sy = dx;
            } else {
                sx = sw - 1 - dx;
                sy = sh - 1 - dy;
            }
            memcpy(d, src + (size_t)sy * (size_t)sstride + (size_t)sx * e, e);
        }
    }
}

int kzv_rotate_frame(const kzv_frame *src, int cw, kzv_frame **out)
{
    *out = NULL;
    if (!kzv_rotate_supported(src->format, cw) || cw == 0)
        return KZV_EUNSUPPORTED;
    bool swap = cw != 180;
    kzv_frame *dst = NULL;
    int err = kzv_frame_alloc(&dst, swap ? src->height : src->width,
                              swap ? src->width : src->height, src->format);
    if (err < 0)
        return err;
    for (int p = 0; p < kzv_pixfmt_planes(src->format); p++) {
        int pw, ph;
        size_t row;
        if (kzv_pixfmt_plane_size(src->format, src->width, src->height, p, &pw, &ph, &row) < 0)
            break;
        rotate_plane(src->data[p], src->stride[p], pw, ph, dst->data[p], dst->stride[p], cw,
                     row / (size_t)pw);
    }
    *out = dst;
    return KZV_OK;
}
