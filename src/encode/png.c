/* kzv_frame_write_png: one frame → one PNG file, with FFmpeg's PNG encoder. */
#include <libavutil/bswap.h>
#include <libavutil/frame.h>

#include "kzv/frame.h"
#include "image_file.h"

static int fill_input(AVFrame *in, const kzv_frame *f)
{
    in->width = f->width;
    in->height = f->height;
    switch (f->format) {
    case KZV_PIXFMT_RGB24: in->format = AV_PIX_FMT_RGB24; break;
    case KZV_PIXFMT_RGBA:  in->format = AV_PIX_FMT_RGBA;  break;
    case KZV_PIXFMT_RGB48: in->format = AV_PIX_FMT_RGB48BE; break; /* PNG is big endian */
    default: return KZV_EUNSUPPORTED;
    }
    if (f->format != KZV_PIXFMT_RGB48 || AV_HAVE_BIGENDIAN) {
        /* Borrow the pixels: the encoder copies a non-refcounted frame. */
        in->data[0] = f->data[0];
        in->linesize[0] = f->stride[0];
        return KZV_OK;
    }
    if (av_frame_get_buffer(in, 0) < 0)
        return KZV_ENOMEM;
    for (int y = 0; y < f->height; y++) {
        const uint16_t *s = (const uint16_t *)(f->data[0] + (size_t)y * f->stride[0]);
        uint16_t *d = (uint16_t *)(in->data[0] + (size_t)y * in->linesize[0]);
        for (int x = 0; x < f->width * 3; x++)
            d[x] = av_bswap16(s[x]);
    }
    return KZV_OK;
}

int kzv_frame_write_png(const kzv_frame *f, const char *path)
{
    if (!f || !path || !f->data[0] || f->width <= 0 || f->height <= 0)
        return KZV_EINVAL;
    AVFrame *in = av_frame_alloc();
    if (!in)
        return KZV_ENOMEM;
    int err = fill_input(in, f);
    if (err == KZV_OK)
        err = kzv_image_file_encode(AV_CODEC_ID_PNG, in, 0, path);
    av_frame_free(&in);
    return err;
}
