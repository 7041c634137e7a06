/* YUV4MPEG2 output (the format mjpegtools, x264 and ffmpeg read), with the
 * header FFmpeg's yuv4mpegpipe muxer writes for the same stream. */
#include "kzv.h"

bool cli_y4m_write_header(FILE *fp, const kzv_frame *first, const kzv_video_info *info)
{
    kzv_pixfmt fmt = first ? first->format : info->format;
    int w = first ? first->width : info->width, h = first ? first->height : info->height;
    const kzv_color *color = first ? &first->color : &info->color;
    const char *cs;
    switch (fmt) {
    case KZV_PIXFMT_YUV420P:   /* FFmpeg's names for the 4:2:0 chroma sitings */
        cs = color->chroma_location == KZV_CHROMA_TOPLEFT ? "C420paldv XYSCSS=420PALDV"
           : color->chroma_location == KZV_CHROMA_LEFT ? "C420mpeg2 XYSCSS=420MPEG2"
           : "C420jpeg XYSCSS=420JPEG";
        break;
    case KZV_PIXFMT_YUV422P: cs = "C422 XYSCSS=422"; break;
    case KZV_PIXFMT_YUV444P: cs = "C444 XYSCSS=444"; break;
    /* Deeper samples are 16-bit little-endian in y4m, as in kzv's frames on
     * little-endian hosts (kzv writes its host-endian samples as they are). */
    case KZV_PIXFMT_YUV420P10: cs = "C420p10 XYSCSS=420P10"; break;
    case KZV_PIXFMT_YUV422P10: cs = "C422p10 XYSCSS=422P10"; break;
    case KZV_PIXFMT_YUV444P10: cs = "C444p10 XYSCSS=444P10"; break;
    default: return false;   /* RGB, and NV12/P010: y4m has no semi-planar layouts */
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (kzv_pixfmt_sample_bytes(fmt) > 1)
        return false;   /* would need byte swapping, which the writer does not do */
#endif
    kzv_rational rate = info->frame_rate, sar = info->sample_aspect_ratio;
    if (rate.num <= 0 || rate.den <= 0)
        rate = (kzv_rational){ 25, 1 };
    if (sar.num <= 0 || sar.den <= 0)
        sar = (kzv_rational){ 0, 0 };
    /* The range only when the source says (as FFmpeg: readers assume limited). */
    const char *xr = !color->range_tagged ? ""
                   : color->range == KZV_RANGE_FULL ? " XCOLORRANGE=FULL"
                   : color->range == KZV_RANGE_LIMITED ? " XCOLORRANGE=LIMITED" : "";
    /* Interlacing from the first frame, as FFmpeg's encoder settles it. */
    bool il = first ? first->interlaced : info->interlaced;
    bool tff = first ? first->top_field_first : info->top_field_first;
    char inter = !il ? 'p' : tff ? 't' : 'b';
    return fprintf(fp, "YUV4MPEG2 W%d H%d F%d:%d I%c A%d:%d %s%s\n", w, h, rate.num,
                   rate.den, inter, sar.num, sar.den, cs, xr) > 0;
}

bool cli_y4m_write_frame(FILE *fp, const kzv_frame *f)
{
    if (fputs("FRAME\n", fp) == EOF)
        return false;
    return cli_write_frame_raw(fp, f);
}
