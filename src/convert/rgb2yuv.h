/*
 * Fast RGB → YUV conversion for the encode side (kzv internal; no FFmpeg
 * types): the way back of yuv2rgb.h, with the same matrices and ranges
 * (colorspace.h).
 *
 * Input: packed RGB24, RGBA (alpha ignored) or RGB48 (host-endian 16-bit,
 * full 0..65535), full-range RGB.
 * Output: any kzv YUV layout: YUV420P/422P/444P, their 10-bit forms
 * (LSB-aligned 16-bit words), NV12 and P010 (MSB-aligned).
 *
 * Colour: Y = yoff + yspan (kr R + kg G + kb B), U = coff + cspan (B - Y) /
 * (2 (1 - kb)), V = coff + cspan (R - Y) / (2 (1 - kr)) with R, G, B in 0..1,
 * the H.273 matrix and the range's codes of colorspace.h, rounded to the
 * nearest code and clamped.
 *
 * Chroma downsampling is a tent filter at the positions yuv2rgb.h's
 * upsampling assumes (chroma co-sited with the even luma columns,
 * vertically half-way between rows 2k and 2k+1):
 *   horizontally (4:2:0, 4:2:2): C[i] = (c[2i-1] + 2 c[2i] + c[2i+1]) / 4
 *   vertically (4:2:0): the mean of rows 2k and 2k+1 (a box, the tent at a
 *   half-sample position)
 * with indices clamped at the picture's edges (odd sizes repeat the last
 * column / row). The filter is applied to R, G, B (it commutes with the
 * linear matrix), so luma keeps every pixel's own value.
 *
 * Arithmetic: integers only. Luma in 32-bit fixed point with >= 20 fraction
 * bits from 8-bit input, 64-bit with 32 fraction bits from RGB48; chroma sums of R, G, B exact in 32 bits, then the matrix in 64 bits
 * with 32 fraction bits, one final rounding. Error against the exact
 * conversion: < 0.51 code (tests/perf/test_rgb2yuv.c measures it).
 *
 * Speed: the kernels are written once (rgb2yuv_kernels.h) and compiled
 * three times, plain, for AVX2 and for AVX-512 (chosen at run time), so all
 * give identical bytes; any number of threads may convert disjoint bands of one picture
 * with one const context.
 */
#ifndef KZV_SRC_CONVERT_RGB2YUV_H
#define KZV_SRC_CONVERT_RGB2YUV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/frame.h"
#include "core/workers.h"

typedef struct kzv_rgb2yuv_params {
    int width, height;      /**< picture size (>= 1 each, <= 65536) */
    kzv_pixfmt in;          /**< KZV_PIXFMT_RGB24, RGBA or RGB48 */
    kzv_pixfmt out;         /**< a kzv YUV format (not YUV_AUTO) */
    int matrix;             /**< H.273 matrix_coefficients (see colorspace.h) */
    int range;              /**< KZV_RANGE_LIMITED or KZV_RANGE_FULL */
    bool no_simd;           /**< force the plain kernels (tests, debugging) */
    bool no_avx512;         /**< at most the AVX2 kernels (tests, benchmarks) */
} kzv_rgb2yuv_params;

/** Precomputed conversion; plain data; const use is thread-safe. */
typedef struct kzv_rgb2yuv {
    kzv_rgb2yuv_params p;
    int bpp;                /**< input bytes per pixel: 3, 4 or 6 */
    int depth;              /**< output bits: 8 or 10 */
    int log2_cw, log2_ch;   /**< chroma subsampling */
    bool semi;              /**< NV12 / P010: U,V interleaved in plane 1 */
    int out_shift;          /**< 6 for P010 (MSB-aligned), else 0 */
    int cw, ch;             /**< chroma plane size */
    int maxcode;            /**< 2^depth - 1 */
    int ys;                 /**< luma fraction bits */
    int32_t ky[3];          /**< luma gains of R, G, B */
    int32_t yadd;           /**< (yoff << ys) + rounding */
    int ys64;               /**< RGB48 input: 32 fraction bits, 64-bit sums */
    int64_t ky64[3], yadd64;
    int64_t ku[3], kv[3];   /**< chroma gains of the filtered R, G, B sums (2^-32 units) */
    int64_t cadd;           /**< (coff << 32) + rounding */
    bool simd;              /**< AVX2 kernels in use */
    bool avx512;            /**< AVX-512 build of the kernels in use */
} kzv_rgb2yuv;

/** Fill *p with: RGB24 → YUV420P, BT.709, limited range, size 0x0. */
void kzv_rgb2yuv_default_params(kzv_rgb2yuv_params *p);

/**
 * Prepare a conversion.
 * @return KZV_OK, KZV_EINVAL (bad size) or KZV_EUNSUPPORTED (formats,
 *         matrix or range this converter does not do).
 */
int kzv_rgb2yuv_init(kzv_rgb2yuv *c, const kzv_rgb2yuv_params *p);

/**
 * Convert chroma rows [c0, c1) (0 <= c0 <= c1 <= c->ch) and the luma rows
 * they cover (rows c0 << log2_ch up to, not including, c1 << log2_ch, or
 * the height).
 * @param src        the WHOLE input picture, row y at src + y * src_stride;
 *                   RGB48 needs 2-byte alignment.
 * @param dst        the WHOLE output picture's planes (Y, U, V; or Y, UV);
 *                   10-bit and P010 planes need 2-byte alignment.
 * @return KZV_OK or KZV_ENOMEM (row scratch, ~12 bytes per pixel of a row).
 */
int kzv_rgb2yuv_band(const kzv_rgb2yuv *c, const uint8_t *src, ptrdiff_t src_stride,
                     uint8_t *const dst[3], const ptrdiff_t dst_stride[3], int c0, int c1);

/** The whole picture, in bands over `pool` (NULL: the calling thread). */
int kzv_rgb2yuv_convert(const kzv_rgb2yuv *c, const uint8_t *src, ptrdiff_t src_stride,
                        uint8_t *const dst[3], const ptrdiff_t dst_stride[3], kzv_workers *pool);

#endif
