/*
 * Colour constants shared by kzv's converters in both directions
 * (yuv2rgb.c on the decode side, rgb2yuv.c on the encode side), so that a
 * round trip uses one definition of each matrix and range (kzv internal).
 *
 * Matrices: the H.273 matrix_coefficients code points kzv converts (1 BT.709,
 * 4 FCC, 5/6 BT.601, 7 SMPTE 240M, 9/10 BT.2020; code 10 (constant
 * luminance) is treated as the non-constant-luminance matrix, as libswscale
 * does). Ranges at `depth` bits: limited Y 16..235, C 16..240 scaled by
 * 2^(depth-8); full 0..2^depth-1 with chroma centred on 2^(depth-1).
 */
#ifndef KZV_SRC_CONVERT_COLORSPACE_H
#define KZV_SRC_CONVERT_COLORSPACE_H

#include <stdbool.h>

#include "kzv/frame.h"

/* Luma weights of `matrix` (kg = 1 - kr - kb). False for a matrix kzv's own
 * converters do not do (RGB, YCgCo, unspecified, unknown codes). */
static inline bool kzv_matrix_kr_kb(int matrix, double *kr, double *kb)
{
    switch (matrix) {
    case KZV_MATRIX_BT709:      *kr = 0.2126; *kb = 0.0722; return true;
    case KZV_MATRIX_FCC:        *kr = 0.30;   *kb = 0.11;   return true;
    case KZV_MATRIX_BT470BG:
    case KZV_MATRIX_SMPTE170M:  *kr = 0.299;  *kb = 0.114;  return true;
    case KZV_MATRIX_SMPTE240M:  *kr = 0.212;  *kb = 0.087;  return true;
    case KZV_MATRIX_BT2020_NCL:
    case KZV_MATRIX_BT2020_CL:  *kr = 0.2627; *kb = 0.0593; return true;
    default: return false;
    }
}

/* Code values of a range at `depth` bits: luma offset and span (the codes
 * of 0.0 and the distance to those of 1.0), chroma offset (the code of 0.0)
 * and span (the distance from -0.5 to +0.5). False for a range that is
 * neither KZV_RANGE_LIMITED nor KZV_RANGE_FULL. */
typedef struct kzv_range_codes {
    int yoff, coff;
    double yspan, cspan;
} kzv_range_codes;

static inline bool kzv_range_codes_of(int range, int depth, kzv_range_codes *r)
{
    if (range == KZV_RANGE_FULL) {
        r->yoff = 0;
        r->coff = 1 << (depth - 1);
        r->yspan = r->cspan = (double)((1 << depth) - 1);
        return true;
    }
    if (range == KZV_RANGE_LIMITED) {
        r->yoff = 16 << (depth - 8);
        r->coff = 128 << (depth - 8);
        r->yspan = (double)(219 << (depth - 8));
        r->cspan = (double)(224 << (depth - 8));
        return true;
    }
    return false;
}

#endif
