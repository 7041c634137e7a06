/* Internal side of kzv_frame: the refcount and the buffer behind the pixels. */
#ifndef KZV_SRC_FRAME_INTERNAL_H
#define KZV_SRC_FRAME_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include <libavutil/buffer.h>

#include "kzv/frame.h"

typedef struct kzv_frame_internal {
    kzv_frame pub;          /* first member: a kzv_frame* is a kzv_frame_internal* */
    atomic_int refs;
    AVBufferRef *buf;       /* pixel storage (pooled or owned); NULL = none */
} kzv_frame_internal;

/* Bytes per pixel of packed formats (0 for planar). */
int kzv_pixfmt_packed_bpp(kzv_pixfmt fmt);

/* Plane layout kzv uses for a width × height picture: packed formats are tight
 * (stride = width × bpp, one contiguous block); planar rows are padded to 64
 * bytes. Fills stride[] and offset[] (unused planes 0) and returns the total
 * size in bytes, or 0 for an invalid size/format. */
size_t kzv_frame_layout(int width, int height, kzv_pixfmt fmt, int stride[4], size_t offset[4]);

/* A frame without pixels (format KZV_PIXFMT_NONE): timing-only output. */
int kzv_frame_new_empty(kzv_frame **out, int width, int height);

/* Wrap `buf` (ownership passes to the frame, also on failure) as a new frame
 * laid out by kzv_frame_layout(). Timing fields are left unknown. */
int kzv_frame_wrap_buffer(kzv_frame **out, AVBufferRef *buf, int width, int height, kzv_pixfmt fmt);

#endif
