/* kzv_frame_write_image: one frame → one image file, the format chosen by
 * the file name's extension (PNG, or JPEG with FFmpeg's MJPEG encoder). */
#include <string.h>
#include <strings.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "kzv/frame.h"
#include "image_file.h"

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

int kzv_image_format_from_name(const char *path)
{
    if (!path)
        return KZV_EINVAL;
    const char *ext = extension(path);
    if (!strcasecmp(ext, "png"))
        return KZV_IMAGE_PNG;
    if (!strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg"))
        return KZV_IMAGE_JPEG;
    return KZV_EUNSUPPORTED;
}

/* RGB → full-range 4:4:4 YCbCr (JFIF, BT.601 matrix), the layout MJPEG takes. */
static int to_yuvj(const kzv_frame *f, AVFrame *out)
{
    enum AVPixelFormat src;
    switch (f->format) {
    case KZV_PIXFMT_RGB24: src = AV_PIX_FMT_RGB24; break;
    case KZV_PIXFMT_RGBA:  src = AV_PIX_FMT_RGBA; break;
    case KZV_PIXFMT_RGB48: src = AV_PIX_FMT_RGB48; break;
    default: return KZV_EUNSUPPORTED;
    }
    out->width = f->width;
    out->height = f->height;
    out->format = AV_PIX_FMT_YUV444P;
    out->color_range = AVCOL_RANGE_JPEG;
    if (av_frame_get_buffer(out, 0) < 0)
        return KZV_ENOMEM;
    struct SwsContext *sws = sws_getContext(f->width, f->height, src, f->width, f->height,
                                            AV_PIX_FMT_YUV444P, SWS_BICUBIC | SWS_ACCURATE_RND,
                                            NULL, NULL, NULL);
    if (!sws)
        return KZV_ENOMEM;
    /* JFIF: BT.601 matrix, full range (yuvj* formats are deprecated) */
    const int *coef = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws, coef, 1, coef, 1, 0, 1 << 16, 1 << 16);
    const uint8_t *sd[4] = { f->data[0] };
    const int ss[4] = { f->stride[0] };
    sws_scale(sws, sd, ss, 0, f->height, out->data, out->linesize);
    sws_freeContext(sws);
    return KZV_OK;
}

static int write_jpeg(const kzv_frame *f, const char *path)
{
    AVFrame *in = av_frame_alloc();
    if (!in)
        return KZV_ENOMEM;
    int err = to_yuvj(f, in);
    if (err == KZV_OK)
        err = kzv_image_file_encode(AV_CODEC_ID_MJPEG, in, 2, path);   /* high quality (qscale 2) */
    av_frame_free(&in);
    return err;
}

int kzv_frame_write_image(const kzv_frame *f, const char *path)
{
    if (!f || !path || !f->data[0] || f->width <= 0 || f->height <= 0)
        return KZV_EINVAL;
    int type = kzv_image_format_from_name(path);
    if (type < 0)
        return type;
    return type == KZV_IMAGE_JPEG ? write_jpeg(f, path) : kzv_frame_write_png(f, path);
}
