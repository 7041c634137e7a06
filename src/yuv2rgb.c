/*
 * Fast, accurate YUV → RGB; see yuv2rgb.h for what it does and promises.
 *
 * How: every output row is made in two steps over row-sized scratch arrays
 * (a few KiB, in L1):
 *  1. "load": luma and the interpolated chroma of that row, as int16 on a
 *     common 12-bit scale with the offsets removed:
 *        Y' = (Y - yoff) * 2^(12-depth)
 *        C' = 8 * (C_interp - coff) * 2^(12-depth)   (exact: the interpolation
 *             weights are multiples of 1/8, so C' is an integer)
 *     For 4:2:0 first a vertical pass gives T = wa*C[ka] + wb*C[kb] - 4 coff
 *     (wa + wb = 4) at chroma width, then a horizontal pass spreads T over
 *     luma columns (even: 2 T[i], odd: T[i] + T[i+1]). Plain loops over
 *     restrict pointers that GCC/Clang vectorise.
 *  2. "matrix": R = (cy Y' + crv V' + round) >> S, G = (cy Y' + cgu U' + cgv V'
 *     + round) >> S, B = (cy Y' + cbu U' + round) >> S, clamped to the output
 *     range and packed. S is the largest shift with every coefficient below
 *     2^15 (it is 14..19 depending on output depth), and every sum fits in
 *     int32, so the AVX2 kernel (pmaddwd on interleaved int16 pairs) and the
 *     C kernel give identical bits.
 */
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "kzv/common.h"
#include "yuv2rgb.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#  define KZV_Y2R_X86 1
#  include <immintrin.h>
#else
#  define KZV_Y2R_X86 0
#endif

/* GCC at -O2 only vectorises loops whose trip count it knows ("very cheap"
 * cost model); the row loops here have run-time widths. Clang vectorises at
 * -O2 already. */
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#define ALWAYS_INLINE static inline __attribute__((always_inline))

void kzv_yuv2rgb_default_params(kzv_yuv2rgb_params *p)
{
    memset(p, 0, sizeof(*p));
    p->depth = 8;
    p->log2_chroma_w = 1;
    p->log2_chroma_h = 1;
    p->matrix = KZV_MATRIX_BT709;
    p->range = KZV_RANGE_LIMITED;
    p->out = KZV_PIXFMT_RGB24;
}

static int matrix_k(int matrix, double *kr, double *kb)
{
    switch (matrix) {
    case KZV_MATRIX_BT709:      *kr = 0.2126; *kb = 0.0722; return 1;
    case KZV_MATRIX_FCC:        *kr = 0.30;   *kb = 0.11;   return 1;
    case KZV_MATRIX_BT470BG:
    case KZV_MATRIX_SMPTE170M:  *kr = 0.299;  *kb = 0.114;  return 1;
    case KZV_MATRIX_SMPTE240M:  *kr = 0.212;  *kb = 0.087;  return 1;
    case KZV_MATRIX_BT2020_NCL:
    case KZV_MATRIX_BT2020_CL:  *kr = 0.2627; *kb = 0.0593; return 1;
    default: return 0;
    }
}

static bool cpu_has_avx2(void)
{
#if KZV_Y2R_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

int kzv_yuv2rgb_init(kzv_yuv2rgb *c, const kzv_yuv2rgb_params *p)
{
    if (!c || !p)
        return KZV_EINVAL;
    memset(c, 0, sizeof(*c));
    if (p->width < 1 || p->height < 1 || p->width > (1 << 16) || p->height > (1 << 16))
        return KZV_EINVAL;
    double kr, kb;
    if (p->depth < 8 || p->depth > 12 || !matrix_k(p->matrix, &kr, &kb))
        return KZV_EUNSUPPORTED;
    if (p->log2_chroma_w < 0 || p->log2_chroma_w > 1 || p->log2_chroma_h < 0 ||
        p->log2_chroma_h > p->log2_chroma_w)
        return KZV_EUNSUPPORTED;   /* 4:4:4, 4:2:2, 4:2:0 only (no 4:4:0) */
    if (p->range != KZV_RANGE_LIMITED && p->range != KZV_RANGE_FULL)
        return KZV_EUNSUPPORTED;
    switch (p->out) {
    case KZV_PIXFMT_RGB24: c->bpp = 3; break;
    case KZV_PIXFMT_RGBA:  c->bpp = 4; break;
    case KZV_PIXFMT_RGB48: c->bpp = 6; break;
    default: return KZV_EUNSUPPORTED;
    }
    c->p = *p;
    if (p->depth == 8)
        c->p.msb_aligned = false;

    int d = p->depth;
    double yr, cr;                      /* source code span of 0..1 and -0.5..0.5 */
    if (p->range == KZV_RANGE_FULL) {
        c->yoff = 0;
        c->coff = (int16_t)(1 << (d - 1));
        yr = cr = (double)((1 << d) - 1);
    } else {
        c->yoff = (int16_t)(16 << (d - 8));
        c->coff = (int16_t)(128 << (d - 8));
        yr = 219 << (d - 8);
        cr = 224 << (d - 8);
    }
    double kg = 1.0 - kr - kb;
    double outmax = p->out == KZV_PIXFMT_RGB48 ? 65535.0 : 255.0;
    double ys = (double)(1 << (12 - d));   /* Y' = (Y - yoff) * ys */
    double cs = 8.0 * ys;                  /* C' = (C - coff) * cs */
    double f[5] = {
        outmax / (yr * ys),                           /* cy  */
        outmax * 2.0 * (1.0 - kr) / (cr * cs),        /* crv */
        -outmax * 2.0 * kb * (1.0 - kb) / kg / (cr * cs), /* cgu */
        -outmax * 2.0 * kr * (1.0 - kr) / kg / (cr * cs), /* cgv */
        outmax * 2.0 * (1.0 - kb) / (cr * cs),        /* cbu */
    };
    double fmax = 0;
    for (int i = 0; i < 5; i++)
        fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
    int s = 0;
    while (s < 24 && fmax * (double)(1 << (s + 1)) <= 32767.0)
        s++;
    /* |cy Y'| + |cu U'| + |cv V'| <= 3 * 32767 * 16384 < 2^31: no overflow. */
    c->shift = s;
    c->round = 1 << (s - 1);
    int16_t q[5];
    for (int i = 0; i < 5; i++)
        q[i] = (int16_t)lrint(f[i] * (double)(1 << s));
    c->cy = q[0]; c->crv = q[1]; c->cgu = q[2]; c->cgv = q[3]; c->cbu = q[4];
    c->simd = !p->no_simd && cpu_has_avx2();
    return KZV_OK;
}

/* ---------------------------------------------------------------- step 1 -- */

/* Luma row → Y'. */
ALWAYS_INLINE void luma_u8(const uint8_t *restrict s, int16_t *restrict y, int w, int yoff, int mul)
{
    for (int x = 0; x < w; x++)
        y[x] = (int16_t)((s[x] - yoff) * mul);
}

ALWAYS_INLINE void luma_u16(const uint16_t *restrict s, int16_t *restrict y, int w, int yoff, int mul,
                            int sh)
{
    for (int x = 0; x < w; x++)
        y[x] = (int16_t)(((s[x] >> sh) - yoff) * mul);
}

/* Vertical chroma pass at chroma width n: t = wa*a + wb*b - off.
 * Planar (one channel per call) and semi-planar (both channels at once). */
ALWAYS_INLINE void vert_u8(const uint8_t *restrict a, const uint8_t *restrict b, int16_t *restrict t,
                           int n, int wa, int wb, int off)
{
    for (int i = 0; i < n; i++)
        t[i] = (int16_t)(a[i] * wa + b[i] * wb - off);
}

ALWAYS_INLINE void vert_u16(const uint16_t *restrict a, const uint16_t *restrict b, int16_t *restrict t,
                            int n, int wa, int wb, int off, int sh)
{
    for (int i = 0; i < n; i++)
        t[i] = (int16_t)((a[i] >> sh) * wa + (b[i] >> sh) * wb - off);
}

ALWAYS_INLINE void vert_nv_u8(const uint8_t *restrict a, const uint8_t *restrict b, int16_t *restrict tu,
                              int16_t *restrict tv, int n, int wa, int wb, int off)
{
    for (int i = 0; i < n; i++) {
        tu[i] = (int16_t)(a[2 * i] * wa + b[2 * i] * wb - off);
        tv[i] = (int16_t)(a[2 * i + 1] * wa + b[2 * i + 1] * wb - off);
    }
}

ALWAYS_INLINE void vert_nv_u16(const uint16_t *restrict a, const uint16_t *restrict b, int16_t *restrict tu,
                               int16_t *restrict tv, int n, int wa, int wb, int off, int sh)
{
    for (int i = 0; i < n; i++) {
        tu[i] = (int16_t)((a[2 * i] >> sh) * wa + (b[2 * i] >> sh) * wb - off);
        tv[i] = (int16_t)((a[2 * i + 1] >> sh) * wa + (b[2 * i + 1] >> sh) * wb - off);
    }
}

/* Horizontal chroma pass: t (chroma width, scale 4) → C' (luma width).
 * t[cw] must hold a copy of t[cw - 1] (right-edge replication). */
ALWAYS_INLINE void horiz_2x(const int16_t *restrict t, int16_t *restrict c, int w, int mul)
{
    int half = w >> 1;
    int m2 = 2 * mul;
    for (int i = 0; i < half; i++) {
        c[2 * i] = (int16_t)(t[i] * m2);
        c[2 * i + 1] = (int16_t)((t[i] + t[i + 1]) * mul);
    }
    if (w & 1)
        c[w - 1] = (int16_t)(t[half] * m2);
}

ALWAYS_INLINE void horiz_1x(const int16_t *restrict t, int16_t *restrict c, int w, int mul)
{
    int m2 = 2 * mul;
    for (int i = 0; i < w; i++)
        c[i] = (int16_t)(t[i] * m2);
}

/* ---------------------------------------------------------------- step 2 -- */

ALWAYS_INLINE int clampi(int v, int hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

/* Plain C matrix kernels for pixels [x0, w). Right shifts of negative ints are
 * arithmetic on every compiler kzv supports (GCC, Clang). */
static void matrix_c(const kzv_yuv2rgb *c, const int16_t *restrict yb, const int16_t *restrict ub,
                     const int16_t *restrict vb, uint8_t *restrict out, int x0, int w)
{
    const int cy = c->cy, crv = c->crv, cgu = c->cgu, cgv = c->cgv, cbu = c->cbu;
    const int rnd = c->round, s = c->shift;
    switch (c->p.out) {
    case KZV_PIXFMT_RGB24:
        for (int x = x0; x < w; x++) {
            int y = cy * yb[x] + rnd, u = ub[x], v = vb[x];
            out[3 * x + 0] = (uint8_t)clampi((y + crv * v) >> s, 255);
            out[3 * x + 1] = (uint8_t)clampi((y + cgu * u + cgv * v) >> s, 255);
            out[3 * x + 2] = (uint8_t)clampi((y + cbu * u) >> s, 255);
        }
        break;
    case KZV_PIXFMT_RGBA:
        for (int x = x0; x < w; x++) {
            int y = cy * yb[x] + rnd, u = ub[x], v = vb[x];
            out[4 * x + 0] = (uint8_t)clampi((y + crv * v) >> s, 255);
            out[4 * x + 1] = (uint8_t)clampi((y + cgu * u + cgv * v) >> s, 255);
            out[4 * x + 2] = (uint8_t)clampi((y + cbu * u) >> s, 255);
            out[4 * x + 3] = 255;
        }
        break;
    default: {
        uint16_t *o = (uint16_t *)(void *)out;
        for (int x = x0; x < w; x++) {
            int y = cy * yb[x] + rnd, u = ub[x], v = vb[x];
            o[3 * x + 0] = (uint16_t)clampi((y + crv * v) >> s, 65535);
            o[3 * x + 1] = (uint16_t)clampi((y + cgu * u + cgv * v) >> s, 65535);
            o[3 * x + 2] = (uint16_t)clampi((y + cbu * u) >> s, 65535);
        }
        break;
    }
    }
}

#if KZV_Y2R_X86
#define TGT_AVX2 __attribute__((target("avx2")))

#define M8(...) _mm_setr_epi8(__VA_ARGS__)

TGT_AVX2 static void matrix_avx2(const kzv_yuv2rgb *c, const int16_t *restrict yb,
                                 const int16_t *restrict ub, const int16_t *restrict vb,
                                 uint8_t *restrict out, int w)
{
    /* y32 = cy Y' + round comes from one pmaddwd of (Y', K) pairs against
     * (cy, round / K); the chroma terms from (U', V') pairs. */
    const int kk = c->shift - 1 > 14 ? 1 << (c->shift - 1 - 14) : 1;
    const __m256i kconst = _mm256_set1_epi16((int16_t)kk);
    const __m256i ky = _mm256_set1_epi32((int32_t)(((uint32_t)(c->round / kk) << 16) | (uint16_t)c->cy));
    const __m256i kr = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)c->crv << 16));
    const __m256i kg = _mm256_set1_epi32((int32_t)(((uint32_t)(uint16_t)c->cgv << 16) | (uint16_t)c->cgu));
    const __m256i kb = _mm256_set1_epi32((int32_t)(uint16_t)c->cbu);
    const __m128i sh = _mm_cvtsi32_si128(c->shift);
    const kzv_pixfmt fmt = c->p.out;
    int x = 0;

    /* RGB24: output vector k takes channel ch from these byte positions. */
    const __m128i m00 = M8(0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1, 5);
    const __m128i m01 = M8(-1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1);
    const __m128i m02 = M8(-1, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1);
    const __m128i m10 = M8(-1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10, -1);
    const __m128i m11 = M8(5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10);
    const __m128i m12 = M8(-1, 5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1);
    const __m128i m20 = M8(-1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1, -1);
    const __m128i m21 = M8(-1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1);
    const __m128i m22 = M8(10, -1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15);
    /* RGB48 (8 pixels of 16-bit words per 48 bytes). */
    const __m128i w00 = M8(0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, 4, 5, -1, -1);
    const __m128i w01 = M8(-1, -1, 0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, 4, 5);
    const __m128i w02 = M8(-1, -1, -1, -1, 0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1);
    const __m128i w10 = M8(-1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1, -1, -1, 10, 11);
    const __m128i w11 = M8(-1, -1, -1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1, -1, -1);
    const __m128i w12 = M8(4, 5, -1, -1, -1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1);
    const __m128i w20 = M8(-1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15, -1, -1, -1, -1);
    const __m128i w21 = M8(10, 11, -1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15, -1, -1);
    const __m128i w22 = M8(-1, -1, 10, 11, -1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15);
    const __m256i alpha = _mm256_set1_epi16(255);

    for (; x + 16 <= w; x += 16) {
        __m256i y = _mm256_loadu_si256((const __m256i *)(yb + x));
        __m256i u = _mm256_loadu_si256((const __m256i *)(ub + x));
        __m256i v = _mm256_loadu_si256((const __m256i *)(vb + x));
        __m256i yk0 = _mm256_unpacklo_epi16(y, kconst), yk1 = _mm256_unpackhi_epi16(y, kconst);
        __m256i uv0 = _mm256_unpacklo_epi16(u, v), uv1 = _mm256_unpackhi_epi16(u, v);
        __m256i y0 = _mm256_madd_epi16(yk0, ky), y1 = _mm256_madd_epi16(yk1, ky);
        __m256i r0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, kr)), sh);
        __m256i r1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, kr)), sh);
        __m256i g0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, kg)), sh);
        __m256i g1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, kg)), sh);
        __m256i b0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, kb)), sh);
        __m256i b1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, kb)), sh);
        if (fmt == KZV_PIXFMT_RGB48) {
            __m256i r = _mm256_packus_epi32(r0, r1);   /* pixels 0-7 | 8-15, clamped 0..65535 */
            __m256i g = _mm256_packus_epi32(g0, g1);
            __m256i b = _mm256_packus_epi32(b0, b1);
            uint8_t *o = out + 6 * x;
            for (int h = 0; h < 2; h++) {
                __m128i R = h ? _mm256_extracti128_si256(r, 1) : _mm256_castsi256_si128(r);
                __m128i G = h ? _mm256_extracti128_si256(g, 1) : _mm256_castsi256_si128(g);
                __m128i B = h ? _mm256_extracti128_si256(b, 1) : _mm256_castsi256_si128(b);
                __m128i o0 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, w00), _mm_shuffle_epi8(G, w01)),
                                          _mm_shuffle_epi8(B, w02));
                __m128i o1 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, w10), _mm_shuffle_epi8(G, w11)),
                                          _mm_shuffle_epi8(B, w12));
                __m128i o2 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, w20), _mm_shuffle_epi8(G, w21)),
                                          _mm_shuffle_epi8(B, w22));
                _mm_storeu_si128((__m128i *)(o + 48 * h), o0);
                _mm_storeu_si128((__m128i *)(o + 48 * h + 16), o1);
                _mm_storeu_si128((__m128i *)(o + 48 * h + 32), o2);
            }
            continue;
        }
        __m256i r16 = _mm256_packs_epi32(r0, r1);
        __m256i g16 = _mm256_packs_epi32(g0, g1);
        __m256i b16 = _mm256_packs_epi32(b0, b1);
        /* [R0-7 G0-7 | R8-15 G8-15] → [R0-15 | G0-15] */
        __m256i rg = _mm256_permute4x64_epi64(_mm256_packus_epi16(r16, g16), 0xD8);
        __m256i ba = _mm256_permute4x64_epi64(_mm256_packus_epi16(b16, alpha), 0xD8);
        __m128i R = _mm256_castsi256_si128(rg), G = _mm256_extracti128_si256(rg, 1);
        __m128i B = _mm256_castsi256_si128(ba), A = _mm256_extracti128_si256(ba, 1);
        if (fmt == KZV_PIXFMT_RGBA) {
            __m128i rg0 = _mm_unpacklo_epi8(R, G), rg1 = _mm_unpackhi_epi8(R, G);
            __m128i ba0 = _mm_unpacklo_epi8(B, A), ba1 = _mm_unpackhi_epi8(B, A);
            uint8_t *o = out + 4 * x;
            _mm_storeu_si128((__m128i *)(o + 0), _mm_unpacklo_epi16(rg0, ba0));
            _mm_storeu_si128((__m128i *)(o + 16), _mm_unpackhi_epi16(rg0, ba0));
            _mm_storeu_si128((__m128i *)(o + 32), _mm_unpacklo_epi16(rg1, ba1));
            _mm_storeu_si128((__m128i *)(o + 48), _mm_unpackhi_epi16(rg1, ba1));
        } else {
            __m128i o0 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, m00), _mm_shuffle_epi8(G, m01)),
                                      _mm_shuffle_epi8(B, m02));
            __m128i o1 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, m10), _mm_shuffle_epi8(G, m11)),
                                      _mm_shuffle_epi8(B, m12));
            __m128i o2 = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, m20), _mm_shuffle_epi8(G, m21)),
                                      _mm_shuffle_epi8(B, m22));
            uint8_t *o = out + 3 * x;
            _mm_storeu_si128((__m128i *)(o + 0), o0);
            _mm_storeu_si128((__m128i *)(o + 16), o1);
            _mm_storeu_si128((__m128i *)(o + 32), o2);
        }
    }
    if (x < w)
        matrix_c(c, yb, ub, vb, out, x, w);
}
#endif

/* ------------------------------------------------------------------ rows -- */

typedef struct scratch {
    int16_t *y, *u, *v;     /* luma width */
    int16_t *tu, *tv;       /* chroma width + 1 */
} scratch;

/* Chroma rows and weights for luma row y (vertical pass of 4:2:0). */
ALWAYS_INLINE void chroma_rows(const kzv_yuv2rgb *c, int y, int *ka, int *kb, int *wa, int *wb)
{
    if (!c->p.log2_chroma_h) {
        *ka = *kb = y; *wa = 4; *wb = 0;
        return;
    }
    int ch = (c->p.height + 1) >> 1, k = y >> 1;
    if (c->p.chroma_top) {
        if (!(y & 1)) { *ka = *kb = k; *wa = 4; *wb = 0; }
        else { *ka = k; *kb = k + 1 < ch ? k + 1 : ch - 1; *wa = 2; *wb = 2; }
    } else if (!(y & 1)) {
        *ka = k > 0 ? k - 1 : 0; *kb = k; *wa = 1; *wb = 3;
    } else {
        *ka = k; *kb = k + 1 < ch ? k + 1 : ch - 1; *wa = 3; *wb = 1;
    }
}

ALWAYS_INLINE void load_row(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                            int y, const scratch *s)
{
    const int w = c->p.width, d = c->p.depth;
    const int cw = (w + (1 << c->p.log2_chroma_w) - 1) >> c->p.log2_chroma_w;
    const int mul = 1 << (12 - d);
    const int off = 4 * c->coff;
    const int sh = c->p.msb_aligned ? 16 - d : 0;
    int ka, kb, wa, wb;
    chroma_rows(c, y, &ka, &kb, &wa, &wb);
    const uint8_t *ly = src[0] + (ptrdiff_t)y * stride[0];
    const uint8_t *ua = src[1] + (ptrdiff_t)ka * stride[1], *ub = src[1] + (ptrdiff_t)kb * stride[1];
    const uint8_t *va = NULL, *vb = NULL;
    if (!c->p.semi_planar) {
        va = src[2] + (ptrdiff_t)ka * stride[2];
        vb = src[2] + (ptrdiff_t)kb * stride[2];
    }
    if (d == 8) {
        luma_u8(ly, s->y, w, c->yoff, mul);
        if (c->p.semi_planar) {
            vert_nv_u8(ua, ub, s->tu, s->tv, cw, wa, wb, off);
        } else {
            vert_u8(ua, ub, s->tu, cw, wa, wb, off);
            vert_u8(va, vb, s->tv, cw, wa, wb, off);
        }
    } else {
        if (sh)
            luma_u16((const uint16_t *)(const void *)ly, s->y, w, c->yoff, mul, sh);
        else    /* constant 0: lets the compiler stay in 16-bit lanes */
            luma_u16((const uint16_t *)(const void *)ly, s->y, w, c->yoff, mul, 0);
        if (c->p.semi_planar) {
            vert_nv_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub,
                        s->tu, s->tv, cw, wa, wb, off, sh);
        } else {
            if (sh) {
                vert_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub, s->tu,
                         cw, wa, wb, off, sh);
                vert_u16((const uint16_t *)(const void *)va, (const uint16_t *)(const void *)vb, s->tv,
                         cw, wa, wb, off, sh);
            } else {
                vert_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub, s->tu,
                         cw, wa, wb, off, 0);
                vert_u16((const uint16_t *)(const void *)va, (const uint16_t *)(const void *)vb, s->tv,
                         cw, wa, wb, off, 0);
            }
        }
    }
    if (c->p.log2_chroma_w) {
        s->tu[cw] = s->tu[cw - 1];
        s->tv[cw] = s->tv[cw - 1];
        horiz_2x(s->tu, s->u, w, mul);
        horiz_2x(s->tv, s->v, w, mul);
    } else {
        horiz_1x(s->tu, s->u, w, mul);
        horiz_1x(s->tv, s->v, w, mul);
    }
}

static void rows_c(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                   uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    for (int y = y0; y < y1; y++) {
        load_row(c, src, stride, y, s);
        matrix_c(c, s->y, s->u, s->v, dst + (ptrdiff_t)y * dst_stride, 0, c->p.width);
    }
}

#if KZV_Y2R_X86
TGT_AVX2 static void rows_avx2(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                               uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    for (int y = y0; y < y1; y++) {
        load_row(c, src, stride, y, s);
        matrix_avx2(c, s->y, s->u, s->v, dst + (ptrdiff_t)y * dst_stride, c->p.width);
    }
}
#endif

int kzv_yuv2rgb_band(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                     uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1)
{
    if (!c || !c->bpp || !src || !stride || !dst || y0 < 0 || y1 > c->p.height)
        return KZV_EINVAL;
    if (y0 >= y1)
        return KZV_OK;
    const int w = c->p.width;
    const size_t wpad = ((size_t)w + 32) & ~(size_t)15;  /* >= w + 1, multiple of 16 */
    int16_t *buf = malloc(5 * wpad * sizeof(int16_t));
    if (!buf)
        return KZV_ENOMEM;
    scratch s = { buf, buf + wpad, buf + 2 * wpad, buf + 3 * wpad, buf + 4 * wpad };
#if KZV_Y2R_X86
    if (c->simd)
        rows_avx2(c, src, stride, dst, dst_stride, y0, y1, &s);
    else
#endif
        rows_c(c, src, stride, dst, dst_stride, y0, y1, &s);
    free(buf);
    return KZV_OK;
}

typedef struct band_job {
    const kzv_yuv2rgb *c;
    const uint8_t *const *src;
    const ptrdiff_t *stride;
    uint8_t *dst;
    ptrdiff_t dst_stride;
    int rows_per_job;
    int err[256];
} band_job;

static void band_job_run(void *arg, int job, int njobs)
{
    band_job *j = arg;
    (void)njobs;
    int y0 = job * j->rows_per_job;
    int y1 = y0 + j->rows_per_job;
    if (y1 > j->c->p.height)
        y1 = j->c->p.height;
    j->err[job] = kzv_yuv2rgb_band(j->c, j->src, j->stride, j->dst, j->dst_stride, y0, y1);
}

int kzv_yuv2rgb_convert(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                        uint8_t *dst, ptrdiff_t dst_stride, kzv_workers *pool)
{
    if (!c || !c->bpp)
        return KZV_EINVAL;
    const int h = c->p.height;
    int threads = kzv_workers_threads(pool);
    if (threads <= 1 || h < 16)
        return kzv_yuv2rgb_band(c, src, stride, dst, dst_stride, 0, h);
    /* Several bands per thread so that one thread being descheduled costs
     * little; ~32+ rows per band keeps the per-band overhead negligible. */
    int njobs = threads * 4;
    if (njobs > h / 16)
        njobs = h / 16;
    if (njobs > 256)
        njobs = 256;
    if (njobs < threads)
        njobs = threads;
    band_job j = { .c = c, .src = src, .stride = stride, .dst = dst, .dst_stride = dst_stride };
    j.rows_per_job = (h + njobs - 1) / njobs;
    njobs = (h + j.rows_per_job - 1) / j.rows_per_job;
    kzv_workers_run(pool, band_job_run, &j, njobs);
    for (int i = 0; i < njobs; i++)
        if (j.err[i] < 0)
            return j.err[i];
    return KZV_OK;
}
