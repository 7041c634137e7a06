/*
 * Fast, accurate YUV → RGB conversion (kzv internal; no FFmpeg types).
 *
 * Input: planar Y, U, V (or semi-planar Y + interleaved UV: NV12, P010, P016
 * style), 8..12 significant bits per sample (bit depths above 8 live in 16-bit
 * host-endian words, LSB-aligned as in yuv420p10le, or MSB-aligned as in P010
 * when `msb_aligned` is set), chroma 4:2:0, 4:2:2 or 4:4:4.
 * Output: packed RGB24, RGBA (A = 255) or RGB48 (host-endian 16-bit words,
 * full range 0..65535), always full-range RGB.
 *
 * Colour: the H.273 matrix (1 BT.709, 4 FCC, 5/6 BT.601, 7 SMPTE 240M,
 * 9/10 BT.2020 — the constant-luminance code 10 is converted with the
 * non-constant-luminance matrix, as libswscale does) and range (limited:
 * Y 16..235, C 16..240 scaled by 2^(depth-8); full: 0..2^depth-1 with chroma
 * centred on 2^(depth-1), as H.273 defines).
 *
 * Chroma upsampling (4:2:0 and 4:2:2) is linear interpolation at the true
 * sample positions:
 *   horizontally, chroma is co-sited with the even luma columns (MPEG-2 /
 *   H.264 / HEVC / AV1 "left" siting, chroma_sample_loc_type 0 and 2):
 *     x = 2i     → C[i]
 *     x = 2i + 1 → (C[i] + C[i+1]) / 2      (C[i] at the right edge)
 *   vertically (4:2:0), chroma sits half-way between luma rows 2k and 2k+1
 *   ("left"/centre siting, the default), so
 *     y = 2k     → (C[k-1] + 3 C[k]) / 4   (row index clamped at the top)
 *     y = 2k + 1 → (3 C[k] + C[k+1]) / 4   (row index clamped at the bottom)
 *   or, with `chroma_top` set (H.273 chroma_sample_loc_type 2, "topleft",
 *   common in HDR HEVC), co-sited with the even rows:
 *     y = 2k     → C[k]
 *     y = 2k + 1 → (C[k] + C[k+1]) / 2
 * These interpolations are done exactly in integers (chroma is carried with
 * 3 extra fractional bits). The matrix uses coefficients with >= 14
 * significant bits, computed per (matrix, range, depth, output): for 16-bit
 * output in 32-bit sums with a single final rounding, for 8-bit output in
 * 16-bit fixed point with 6 fractional bits (products rounded to 1/64 level,
 * then one final rounding; see yuv2rgb.c). Measured error against the exact
 * double-precision conversion of the same upsampled chroma: < 0.6 level
 * (8-bit out), a few units of 65535 (16-bit out).
 *
 * Speed: an AVX2 kernel (chosen at run time with __builtin_cpu_supports), for
 * the 8-bit outputs an AVX-512 kernel (BW + VBMI; chosen the same way) and a
 * plain C kernel (always built; used on other CPUs, for row tails and when
 * `no_simd` is set) compute bit-identical results.
 *
 * Threading: kzv_yuv2rgb_band() converts rows [y0, y1) and touches nothing
 * else, so any number of threads may convert disjoint bands of one frame at
 * once with the same (const) context; every output row depends only on the
 * source, so stitched bands equal a whole-frame conversion byte for byte.
 * kzv_yuv2rgb_convert() does that split on a kzv_workers pool (workers.h).
 */
#ifndef KZV_SRC_CONVERT_YUV2RGB_H
#define KZV_SRC_CONVERT_YUV2RGB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/frame.h"
#include "core/workers.h"

typedef struct kzv_yuv2rgb_params {
    int width, height;      /**< picture size in luma samples (>= 1 each) */
    int depth;              /**< significant bits per sample: 8..12 */
    int log2_chroma_w;      /**< 1 for 4:2:0 and 4:2:2, 0 for 4:4:4 */
    int log2_chroma_h;      /**< 1 for 4:2:0, 0 otherwise */
    bool semi_planar;       /**< plane 1 holds interleaved U,V (NV12/P010); plane 2 unused */
    bool msb_aligned;       /**< depth > 8: samples sit in the top bits of each 16-bit word (P010) */
    int matrix;             /**< H.273 matrix_coefficients (kzv_color_matrix) */
    int range;              /**< KZV_RANGE_LIMITED or KZV_RANGE_FULL */
    bool chroma_top;        /**< 4:2:0 chroma co-sited with even rows (loc type 2/4) */
    kzv_pixfmt out;         /**< KZV_PIXFMT_RGB24, RGBA or RGB48 */
    bool no_simd;           /**< force the plain C kernels (tests, debugging) */
    bool no_avx512;         /**< at most the AVX2 kernels (tests, benchmarks) */
    /** Non-temporal (streaming) stores of the output rows, AVX-512 kernels:
     *  0 = for outputs of KZV_YUV2RGB_STREAM_MIN bytes or more, 1 = always,
     *  -1 = never. Same bytes either way. */
    int stream_stores;
} kzv_yuv2rgb_params;

/** Output size from which stream_stores == 0 streams: above any core's L2,
 *  where the consumer finds the rows in memory anyway. */
#define KZV_YUV2RGB_STREAM_MIN ((size_t)4 << 20)

/** Precomputed conversion; plain data, may be copied; const use is thread-safe. */
typedef struct kzv_yuv2rgb {
    kzv_yuv2rgb_params p;
    int shift;              /**< fixed-point fraction bits */
    int32_t round;          /**< 1 << (shift - 1) */
    int16_t cy, crv, cgu, cgv, cbu; /**< coefficients (see yuv2rgb.c) */
    int16_t yoff;           /**< luma offset in source units */
    int16_t coff;           /**< chroma offset in source units */
    /* 16-bit pipeline of the 8-bit outputs (RGB24, RGBA; see yuv2rgb.c). */
    uint16_t ky16;          /**< luma gain for mulhi_epu16 */
    int16_t k16;            /**< luma offset + rounding, in 1/64 output levels */
    int16_t rv16, gu16, gv16, bu16; /**< chroma gains for mulhrs_epi16 */
    int bpp;                /**< output bytes per pixel */
    bool simd;              /**< AVX2 kernels in use */
    bool avx512;            /**< AVX-512 (BW, VBMI) kernels in use for the 8-bit outputs */
    bool stream;            /**< their output rows stored around the cache (stream_stores) */
} kzv_yuv2rgb;

/** Fill *p with: BT.709, limited range, 8-bit 4:2:0 planar, RGB24 out, size 0x0. */
void kzv_yuv2rgb_default_params(kzv_yuv2rgb_params *p);

/**
 * Prepare a conversion.
 * @return KZV_OK, KZV_EINVAL (bad size) or KZV_EUNSUPPORTED (depth, subsampling,
 *         matrix, range or output format this converter does not do: use
 *         libswscale for those).
 */
int kzv_yuv2rgb_init(kzv_yuv2rgb *c, const kzv_yuv2rgb_params *p);

/**
 * Convert rows [y0, y1) (0 <= y0 <= y1 <= height).
 * @param src    plane pointers of the WHOLE picture (Y, U, V; or Y, UV), rows
 *               addressed as src[i] + row * stride[i]; 16-bit samples must be
 *               2-byte aligned. Strides may be negative.
 * @param dst    the WHOLE output picture; row y starts at dst + y * dst_stride
 *               and is width * bpp bytes (bpp 3, 4 or 6); 16-bit output needs
 *               2-byte alignment. Only rows [y0, y1) are written.
 * @return KZV_OK or KZV_ENOMEM (row scratch, ~14 bytes per pixel of one row).
 */
int kzv_yuv2rgb_band(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                     uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1);

/**
 * Convert the whole picture, split into bands over `pool` (NULL: on the
 * calling thread only). Bands are a few dozen rows each, at least one per pool
 * thread. Same parameters and result as kzv_yuv2rgb_band(c, …, 0, height).
 */
int kzv_yuv2rgb_convert(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                        uint8_t *dst, ptrdiff_t dst_stride, kzv_workers *pool);

#endif
