/* kzv_frame: atomic refcounting over a pooled or owned pixel buffer, or over
 * the decoder's own picture buffers (passthrough). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame_internal.h"

static const char *const pixfmt_names[] = {
    [KZV_PIXFMT_RGB24]   = "rgb24",
    [KZV_PIXFMT_RGBA]    = "rgba",
    [KZV_PIXFMT_RGB48]   = "rgb48",
    [KZV_PIXFMT_YUV420P] = "yuv420p",
    [KZV_PIXFMT_YUV422P] = "yuv422p",
    [KZV_PIXFMT_YUV444P] = "yuv444p",
    [KZV_PIXFMT_YUV420P10] = "yuv420p10",
    [KZV_PIXFMT_YUV422P10] = "yuv422p10",
    [KZV_PIXFMT_YUV444P10] = "yuv444p10",
    [KZV_PIXFMT_NV12]    = "nv12",
    [KZV_PIXFMT_P010]    = "p010",
    [KZV_PIXFMT_YUV_AUTO] = "yuv",
};
#define N_PIXFMTS ((int)(sizeof(pixfmt_names) / sizeof(pixfmt_names[0])))

const char *kzv_pixfmt_name(kzv_pixfmt fmt)
{
    return (int)fmt >= 0 && (int)fmt < N_PIXFMTS ? pixfmt_names[fmt] : "none";
}

kzv_pixfmt kzv_pixfmt_from_name(const char *name)
{
    if (name)
        for (int i = 0; i < N_PIXFMTS; i++)
            if (!strcmp(name, pixfmt_names[i]))
                return (kzv_pixfmt)i;
    return KZV_PIXFMT_NONE;
}

int kzv_pixfmt_planes(kzv_pixfmt fmt)
{
    switch (fmt) {
    case KZV_PIXFMT_RGB24: case KZV_PIXFMT_RGBA: case KZV_PIXFMT_RGB48: return 1;
    case KZV_PIXFMT_YUV420P: case KZV_PIXFMT_YUV422P: case KZV_PIXFMT_YUV444P:
    case KZV_PIXFMT_YUV420P10: case KZV_PIXFMT_YUV422P10: case KZV_PIXFMT_YUV444P10: return 3;
    case KZV_PIXFMT_NV12: case KZV_PIXFMT_P010: return 2;
    default: return 0;
    }
}

int kzv_pixfmt_depth(kzv_pixfmt fmt)
{
    switch (fmt) {
    case KZV_PIXFMT_RGB24: case KZV_PIXFMT_RGBA: case KZV_PIXFMT_YUV420P:
    case KZV_PIXFMT_YUV422P: case KZV_PIXFMT_YUV444P: case KZV_PIXFMT_NV12: return 8;
    case KZV_PIXFMT_YUV420P10: case KZV_PIXFMT_YUV422P10: case KZV_PIXFMT_YUV444P10:
    case KZV_PIXFMT_P010: return 10;
    case KZV_PIXFMT_RGB48: return 16;
    default: return 0;
    }
}

int kzv_pixfmt_sample_bytes(kzv_pixfmt fmt)
{
    int d = kzv_pixfmt_depth(fmt);
    return d == 0 ? 0 : d > 8 ? 2 : 1;
}

bool kzv_pixfmt_chroma_shift(kzv_pixfmt fmt, int *log2_w, int *log2_h)
{
    int sw = 0, sh = 0;
    bool yuv = true;
    switch (fmt) {
    case KZV_PIXFMT_YUV420P: case KZV_PIXFMT_YUV420P10:
    case KZV_PIXFMT_NV12: case KZV_PIXFMT_P010: sw = sh = 1; break;
    case KZV_PIXFMT_YUV422P: case KZV_PIXFMT_YUV422P10: sw = 1; break;
    case KZV_PIXFMT_YUV444P: case KZV_PIXFMT_YUV444P10: break;
    default: yuv = false; break;
    }
    if (log2_w)
        *log2_w = sw;
    if (log2_h)
        *log2_h = sh;
    return yuv;
}

int kzv_pixfmt_packed_bpp(kzv_pixfmt fmt)
{
    switch (fmt) {
    case KZV_PIXFMT_RGB24: return 3;
    case KZV_PIXFMT_RGBA:  return 4;
    case KZV_PIXFMT_RGB48: return 6;
    default: return 0;
    }
}

int kzv_pixfmt_plane_size(kzv_pixfmt fmt, int w, int h, int plane, int *plane_width,
                          int *plane_height, size_t *row_bytes)
{
    int pw = 0, ph = 0, sx = 0, sy = 0;
    size_t bytes = 0;
    int planes = kzv_pixfmt_planes(fmt);
    bool ok = w > 0 && h > 0 && plane >= 0 && plane < planes;
    if (ok) {
        int bpp = kzv_pixfmt_packed_bpp(fmt);
        kzv_pixfmt_chroma_shift(fmt, &sx, &sy);
        /* Rounded up: an odd-sized 4:2:0 picture has a chroma sample for
         * its last column and row. */
        pw = plane ? (int)(((int64_t)w + (1 << sx) - 1) >> sx) : w;
        ph = plane ? (int)(((int64_t)h + (1 << sy) - 1) >> sy) : h;
        /* Semi-planar (NV12, P010): plane 1 holds U and V side by side. */
        size_t per = bpp ? (size_t)bpp : (size_t)kzv_pixfmt_sample_bytes(fmt) * (plane && planes == 2 ? 2 : 1);
        bytes = (size_t)pw * per;
    }
    if (plane_width)
        *plane_width = pw;
    if (plane_height)
        *plane_height = ph;
    if (row_bytes)
        *row_bytes = bytes;
    return ok ? KZV_OK : KZV_EINVAL;
}

const char *kzv_color_matrix_name(int m)
{
    switch (m) {
    case KZV_MATRIX_RGB:         return "rgb";
    case KZV_MATRIX_BT709:       return "bt709";
    case KZV_MATRIX_UNSPECIFIED: return "unspecified";
    case KZV_MATRIX_FCC:         return "fcc";
    case KZV_MATRIX_BT470BG:     return "bt470bg";
    case KZV_MATRIX_SMPTE170M:   return "smpte170m";
    case KZV_MATRIX_SMPTE240M:   return "smpte240m";
    case KZV_MATRIX_YCGCO:       return "ycgco";
    case KZV_MATRIX_BT2020_NCL:  return "bt2020nc";
    case KZV_MATRIX_BT2020_CL:   return "bt2020c";
    default:                     return "other";
    }
}

const char *kzv_color_range_name(int r)
{
    switch (r) {
    case KZV_RANGE_LIMITED: return "limited";
    case KZV_RANGE_FULL:    return "full";
    default:                return "unspecified";
    }
}

/* Max dimension we accept for a frame we allocate: keeps size arithmetic far
 * from overflow (16384² × 8 bytes fits easily in size_t and int strides). */
#define KZV_MAX_DIM 32768

size_t kzv_frame_layout(int w, int h, kzv_pixfmt fmt, int stride[4], size_t offset[4])
{
    for (int i = 0; i < 4; i++) {
        stride[i] = 0;
        offset[i] = 0;
    }
    int planes = kzv_pixfmt_planes(fmt);
    if (w <= 0 || h <= 0 || w > KZV_MAX_DIM || h > KZV_MAX_DIM || !planes)
        return 0;
    bool packed = kzv_pixfmt_packed_bpp(fmt) != 0;
    size_t size = 0;
    for (int p = 0; p < planes; p++) {
        int rows;
        size_t row;
        kzv_pixfmt_plane_size(fmt, w, h, p, NULL, &rows, &row);
        stride[p] = packed ? (int)row : (int)((row + 63) & ~(size_t)63);
        offset[p] = size;
        size += (size_t)stride[p] * (size_t)rows;
    }
    return size;
}

static void init_fields(kzv_frame *f, int width, int height, kzv_pixfmt fmt)
{
    f->width = width;
    f->height = height;
    f->format = fmt;
    f->pts_ts = INT64_MIN;
    f->time_base = (kzv_rational){ 0, 1 };
    f->color = (kzv_color){ .matrix = KZV_MATRIX_BT709, .range = KZV_RANGE_LIMITED,
                            .primaries = 2, .transfer = 2 };
}

int kzv_frame_wrap_buffer(kzv_frame **out, AVBufferRef *buf, int width, int height, kzv_pixfmt fmt)
{
    *out = NULL;
    size_t offset[4];
    int stride[4];
    size_t size = kzv_frame_layout(width, height, fmt, stride, offset);
    if (!size || !buf || (size_t)buf->size < size) {
        av_buffer_unref(&buf);
        return KZV_EINVAL;
    }
    kzv_frame_internal *fi = calloc(1, sizeof(*fi));
    if (!fi) {
        av_buffer_unref(&buf);
        return KZV_ENOMEM;
    }
    atomic_init(&fi->refs, 1);
    fi->buf = buf;
    kzv_frame *f = &fi->pub;
    int planes = kzv_pixfmt_planes(fmt);
    for (int i = 0; i < planes; i++) {
        f->data[i] = buf->data + offset[i];
        f->stride[i] = stride[i];
    }
    init_fields(f, width, height, fmt);
    *out = f;
    return KZV_OK;
}

int kzv_frame_wrap_avframe(kzv_frame **out, const AVFrame *src, kzv_pixfmt fmt)
{
    *out = NULL;
    int planes = kzv_pixfmt_planes(fmt);
    if (!planes || !kzv_pixfmt_chroma_shift(fmt, NULL, NULL) || src->width <= 0 || src->height <= 0 ||
        src->width > KZV_MAX_DIM || src->height > KZV_MAX_DIM || src->nb_extended_buf > 0)
        return KZV_EUNSUPPORTED;
    /* kzv_frame promises stride >= a row's bytes (negative strides of
     * bottom-up pictures are not offered to callers). */
    for (int p = 0; p < planes; p++) {
        size_t row;
        kzv_pixfmt_plane_size(fmt, src->width, src->height, p, NULL, NULL, &row);
        if (!src->data[p] || src->linesize[p] < 0 || (size_t)src->linesize[p] < row)
            return KZV_EUNSUPPORTED;
    }
    AVBufferRef *const *bufs = src->buf;
    int nbuf = 0;
    while (nbuf < AV_NUM_DATA_POINTERS && bufs[nbuf])
        nbuf++;
    for (int i = nbuf; i < AV_NUM_DATA_POINTERS; i++)
        if (bufs[i])   /* FFmpeg fills buf[] from 0 without holes; anything else is not ours to guess */
            return KZV_EUNSUPPORTED;
    if (nbuf == 0 || nbuf > 1 + KZV_FRAME_EXTRA_BUFS)
        return KZV_EUNSUPPORTED;   /* not refcounted (cannot be kept), or too many pieces */

    kzv_frame_internal *fi = calloc(1, sizeof(*fi));
    if (!fi)
        return KZV_ENOMEM;
    atomic_init(&fi->refs, 1);
    bool ok = (fi->buf = av_buffer_ref(bufs[0])) != NULL;
    for (int i = 1; ok && i < nbuf; i++)
        ok = (fi->extra[i - 1] = av_buffer_ref(bufs[i])) != NULL;
    if (!ok) {
        kzv_frame *f = &fi->pub;
        kzv_frame_unref(&f);
        return KZV_ENOMEM;
    }
    kzv_frame *f = &fi->pub;
    for (int p = 0; p < planes; p++) {
        f->data[p] = src->data[p];
        f->stride[p] = src->linesize[p];
    }
    init_fields(f, src->width, src->height, fmt);
    *out = f;
    return KZV_OK;
}

int kzv_frame_new_empty(kzv_frame **out, int width, int height)
{
    kzv_frame_internal *fi = calloc(1, sizeof(*fi));
    *out = NULL;
    if (!fi)
        return KZV_ENOMEM;
    atomic_init(&fi->refs, 1);
    init_fields(&fi->pub, width, height, KZV_PIXFMT_NONE);
    *out = &fi->pub;
    return KZV_OK;
}

int kzv_frame_alloc(kzv_frame **out, int width, int height, kzv_pixfmt format)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    size_t offset[4];
    int stride[4];
    size_t size = kzv_frame_layout(width, height, format, stride, offset);
    if (!size || size > (size_t)INT_MAX)
        return KZV_EINVAL;
    AVBufferRef *buf = av_buffer_allocz(size);
    if (!buf)
        return KZV_ENOMEM;
    return kzv_frame_wrap_buffer(out, buf, width, height, format);
}

kzv_frame *kzv_frame_ref(kzv_frame *f)
{
    if (f)
        atomic_fetch_add_explicit(&((kzv_frame_internal *)f)->refs, 1, memory_order_relaxed);
    return f;
}

void kzv_frame_unref(kzv_frame **pf)
{
    if (!pf || !*pf)
        return;
    kzv_frame_internal *fi = (kzv_frame_internal *)*pf;
    *pf = NULL;
    /* acq_rel: the thread that frees must see every other holder's writes. */
    if (atomic_fetch_sub_explicit(&fi->refs, 1, memory_order_acq_rel) == 1) {
        av_buffer_unref(&fi->buf);
        for (int i = 0; i < KZV_FRAME_EXTRA_BUFS; i++)
            av_buffer_unref(&fi->extra[i]);
        free(fi);
    }
}

/* kzv_frame_wrap(): the caller's memory behind an AVBufferRef whose free
 * callback calls the caller's. */
typedef struct wrap_owner {
    kzv_frame_free_fn fn;
    void *opaque;
} wrap_owner;

static void wrap_free(void *opaque, uint8_t *data)
{
    (void)data;
    wrap_owner *w = opaque;
    if (w->fn)
        w->fn(w->opaque);
    free(w);
}

int kzv_frame_wrap(kzv_frame **out, const kzv_frame *desc, kzv_frame_free_fn free_fn, void *opaque)
{
    if (!out)
        return KZV_EINVAL;
    *out = NULL;
    if (!desc)
        return KZV_EINVAL;
    int planes = kzv_pixfmt_planes(desc->format);
    if (!planes || desc->width <= 0 || desc->height <= 0 || desc->width > KZV_MAX_DIM ||
        desc->height > KZV_MAX_DIM)
        return KZV_EINVAL;
    for (int p = 0; p < planes; p++) {
        size_t row;
        kzv_pixfmt_plane_size(desc->format, desc->width, desc->height, p, NULL, NULL, &row);
        if (!desc->data[p] || desc->stride[p] <= 0 || (size_t)desc->stride[p] < row)
            return KZV_EINVAL;
    }
    wrap_owner *w = malloc(sizeof(*w));
    kzv_frame_internal *fi = calloc(1, sizeof(*fi));
    AVBufferRef *buf = w && fi ? av_buffer_create(desc->data[0], 0, wrap_free, w, 0) : NULL;
    if (!buf) {
        free(w);
        free(fi);
        return KZV_ENOMEM;
    }
    w->fn = free_fn;
    w->opaque = opaque;
    atomic_init(&fi->refs, 1);
    fi->buf = buf;
    kzv_frame *f = &fi->pub;
    for (int p = 0; p < planes; p++) {
        f->data[p] = desc->data[p];
        f->stride[p] = desc->stride[p];
    }
    f->width = desc->width;
    f->height = desc->height;
    f->format = desc->format;
    kzv_frame_copy_props(f, desc);
    *out = f;
    return KZV_OK;
}

void kzv_frame_copy_props(kzv_frame *dst, const kzv_frame *src)
{
    dst->pts = src->pts;
    dst->duration = src->duration;
    dst->pts_ts = src->pts_ts;
    dst->time_base = src->time_base;
    dst->frame_index = src->frame_index;
    dst->keyframe = src->keyframe;
    dst->color = src->color;
    dst->interlaced = src->interlaced;
    dst->top_field_first = src->top_field_first;
    dst->repeat_pict = src->repeat_pict;
}
