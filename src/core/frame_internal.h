/* Internal side of kzv_frame: the refcount and the buffer behind the pixels. */
#ifndef KZV_SRC_CORE_FRAME_INTERNAL_H
#define KZV_SRC_CORE_FRAME_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>

#include <libavutil/buffer.h>
#include <libavutil/frame.h>

#include "kzv/frame.h"

/* Ownership: the frame holds one reference on every buffer its pixels live in
 * and drops them all with its last kzv_frame_unref(). Converted frames have
 * one buffer (pooled or owned); passthrough frames share the decoder's own
 * picture buffers (buf plus extra[], one per AVFrame.buf[] in use), which
 * FFmpeg recycles only when the last of these references is gone. */
#define KZV_FRAME_EXTRA_BUFS 3

typedef struct kzv_frame_internal {
    kzv_frame pub;          /* first member: a kzv_frame* is a kzv_frame_internal* */
    atomic_int refs;
    AVBufferRef *buf;       /* pixel storage (pooled or owned); NULL = none */
    AVBufferRef *extra[KZV_FRAME_EXTRA_BUFS]; /* passthrough: further buffers of the picture */
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

/* Copy what describes a picture but is not its pixels or geometry — timing
 * (pts, duration, pts_ts, time_base, frame_index, keyframe), colour and the
 * field flags — from `src` to the frame `dst` that a stage just made from it
 * (scaled, turned, filtered, copied). */
void kzv_frame_copy_props(kzv_frame *dst, const kzv_frame *src);

/* Passthrough: a frame showing the planes of the decoded `src` as they are
 * (pointers and strides as decoded, no copy), holding references on its
 * buffers. `fmt` must describe src's layout exactly (the caller checks the
 * pixel format); the strides must be positive and cover a row. Timing fields
 * are left unknown. Returns KZV_OK, KZV_ENOMEM, or KZV_EUNSUPPORTED when the
 * frame cannot be shared this way (not refcounted, odd strides, too many
 * buffers): the caller copies it instead. */
int kzv_frame_wrap_avframe(kzv_frame **out, const AVFrame *src, kzv_pixfmt fmt);

#endif
