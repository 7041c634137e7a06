/* Helpers shared by the gl uploader tests (tests/gl/). */
#ifndef KZV_TESTS_GL_UTIL_H
#define KZV_TESTS_GL_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "kzv/frame.h"
#include "kzv/gl.h"
#include "kzv/uploader.h"

/* A frame whose pixel memory the test owns (any stride, even one that is not
 * a multiple of the pixel size). Free with gt_frame_free(). */
kzv_frame *gt_frame_new(int w, int h, kzv_pixfmt fmt, const int stride[3]);
void gt_frame_free(kzv_frame *f);

/* Fill with a deterministic pattern (seeded), padding bytes included; the
 * samples of 10-bit formats stay legal (value < 1024, P010's low bits 0). */
void gt_fill_pattern(kzv_frame *f, uint32_t seed);

/* Code value of a YUV sample (P010 shifted down to its 10 bits). plane 1/2
 * are U/V for every layout (NV12/P010: the interleaved plane's components);
 * comp picks a component of an interleaved texel directly (0 otherwise). */
int gt_sample(const kzv_frame *f, int plane, int comp, int x, int y);
/* Store a code value (plane 1/2 = U/V for every layout, as above). */
void gt_put(kzv_frame *f, int plane, int x, int y, int value);

/* Create a gl uploader; the test fails (not skips) when it cannot. */
kzv_uploader *gt_gl_create(int pbo_ring, int pool_size, kzv_gl_path path);

/* Read a gl texture back into a new malloc'd RGBA buffer (tight rows). */
uint8_t *gt_read_rgba(kzv_uploader *u, kzv_texture t, int w, int h);

/* Exact double-precision YUV → RGB of one sample triple (8-bit codes), with
 * the H.273 matrix and range; result not rounded, 0..255 (clamped). */
void gt_yuv_to_rgb(int matrix, int range, double y, double u, double v, double rgb[3]);
/* The same for code values of `depth` bits (H.273 quantisation at that depth). */
void gt_yuv_to_rgb_depth(int matrix, int range, int depth, double y, double u, double v,
                         double rgb[3]);

/* Exact float reference of a whole YUV frame (any kzv YUV layout) with kzv's
 * interpolation (left-sited horizontal, centre-sited vertical, linear,
 * clamped at the edges): malloc'd w*h*3 doubles. */
double *gt_yuv_reference(const kzv_frame *f);

/* Monotonic seconds. */
double gt_now(void);

#endif
