/*
 * Fast, accurate YUV → RGB; see yuv2rgb.h for what it does and promises.
 *
 * Chroma, all outputs: per output row a vertical pass at chroma width
 * (chroma_t) gives T = m (wa C[ka] + wb C[kb] - 4 coff), wa + wb = 4, exact
 * in int16 (4:2:2 and 4:4:4: wa = 4); horizontally the chroma of luma column
 * x is 2 T[x/2] (even x) or T[x/2] + T[x/2+1] (odd x), for 4:4:4 2 T[x].
 *
 * 8-bit outputs (RGB24, RGBA): 16-bit fixed point, the layout of AVX2's
 * 16-bit multiplies, with luma read straight from the source and the
 * horizontal chroma step done in registers (no per-row luma or chroma
 * buffers at luma width). With m = 2^(13-depth) the kernel sees
 *     Yw = Y << (16-depth)                   (unsigned 16-bit)
 *     Cw = 2^(16-depth) (C_interp - coff)    (signed, within int16)
 * and computes, in 1/64 output levels,
 *     yt = mulhi_epu16(Yw, ky) + k           (k: - yoff, + 32 rounding)
 *     R  = yt +sat mulhrs(Vw, rv)
 *     G  = (yt +sat mulhrs(Uw, gu)) +sat mulhrs(Vw, gv)
 *     B  = yt +sat mulhrs(Uw, bu)
 * then >> 6 and clamps to 0..255 (packus). Every gain has 14-16 significant
 * bits; the products round (mulhrs) or truncate (mulhi, compensated in k),
 * each to 1/64 level, so the result stays within ~0.05 level of the exact
 * value before the final rounding (measured max error 0.53 level against the
 * exact conversion, tests/perf/test_yuv2rgb.c). Saturation: yt never wraps
 * and no sum can reach -32768; a sum can reach +32767 only where the exact
 * value is already above 255, so saturating there still clamps to 255. The
 * C kernel (row8_c) computes the same integers (sat16, mulhrs16), so both
 * give identical bytes.
 *
 * RGB48: 32-bit arithmetic. The C kernel makes every output row in two
 * steps over row-sized scratch arrays (a few KiB, in L1); the AVX2 kernel
 * (row48_avx2_t) computes the same Y', U', V' in registers, fused as for
 * the 8-bit outputs, and then the same matrix:
 *  1. "load": luma and the interpolated chroma of that row, as int16 on a
 *     common 12-bit scale with the offsets removed:
 *        Y' = (Y - yoff) * 2^(12-depth)
 *        C' = 8 * (C_interp - coff) * 2^(12-depth)   (exact: the interpolation
 *             weights are multiples of 1/8, so C' is an integer)
 *     from T (m = 1) spread over luma columns as above. Plain loops over
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
#include "convert/colorspace.h"
#include "convert/yuv2rgb.h"

#include "core/cpu.h"
#if KZV_CPU_X86
#  include <immintrin.h>
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

int kzv_yuv2rgb_init(kzv_yuv2rgb *c, const kzv_yuv2rgb_params *p)
{
    if (!c || !p)
        return KZV_EINVAL;
    memset(c, 0, sizeof(*c));
    if (p->width < 1 || p->height < 1 || p->width > (1 << 16) || p->height > (1 << 16))
        return KZV_EINVAL;
    double kr, kb;
    if (p->depth < 8 || p->depth > 12 || !kzv_matrix_kr_kb(p->matrix, &kr, &kb))
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
    kzv_range_codes rc = { 0 };
    kzv_range_codes_of(p->range, d, &rc);  /* checked above */
    c->yoff = (int16_t)rc.yoff;
    c->coff = (int16_t)rc.coff;
    double yr = rc.yspan, cr = rc.cspan;   /* source code span of 0..1 and -0.5..0.5 */
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
    if (p->out != KZV_PIXFMT_RGB48) {
        /* 16-bit pipeline (see the top of the file), results in 1/64 levels.
         * Luma: mulhi_epu16(Y << (16-d), ky) = floor(Y ky / 2^d); the
         * constant removes yoff (with the quantised gain, so that the gain
         * error scales with Y - yoff), adds 32 (round to nearest at >> 6)
         * and 0.5 (the mean of the floor's truncation). Chroma: the kernels
         * see 2^(16-d) (C - coff), so mulhrs_epi16 gains are 2^(d-1) per code. */
        double fy = 64.0 * outmax / yr, fc = 64.0 * outmax * 2.0 / cr;
        double gc[4] = { fc * (1.0 - kr), -fc * kb * (1.0 - kb) / kg, -fc * kr * (1.0 - kr) / kg,
                         fc * (1.0 - kb) };
        long ky = lrint(fy * (double)(1 << d));
        c->ky16 = (uint16_t)ky;
        c->k16 = (int16_t)lrint(32.5 - (double)ky * c->yoff / (double)(1 << d));
        int16_t g16[4];
        for (int i = 0; i < 4; i++) {
            long g = lrint(gc[i] * (double)(1 << (d - 1)));
            /* Never hit for the supported matrices (|g| <= ~17600), but
             * mulhrs needs |g| < 2^15 and ky must fit 16 bits. */
            if (g > 32767 || g < -32767 || ky > 65535) {
                c->bpp = 0;     /* unusable: kzv_yuv2rgb_band() refuses it */
                return KZV_EUNSUPPORTED;
            }
            g16[i] = (int16_t)g;
        }
        c->rv16 = g16[0]; c->gu16 = g16[1]; c->gv16 = g16[2]; c->bu16 = g16[3];
    }
    c->simd = !p->no_simd && kzv_cpu_has(KZV_CPU_AVX2);
    /* The 8-bit AVX-512 kernels: BW for 16-bit lanes, VBMI for the byte permutes. */
    c->avx512 = c->simd && !p->no_avx512 && c->bpp != 6 &&
                kzv_cpu_has(KZV_CPU_AVX512F | KZV_CPU_AVX512BW | KZV_CPU_AVX512VBMI);
    /* A large frame is written once and read later, by another thread, from
     * memory: storing around the cache saves reading every destination line
     * in first (measured on a 2-core EPYC: 4K RGB24 2.08 -> 1.76 ms per
     * frame, 10-bit 1080p 0.82 -> 0.63, 8-bit 1080p unchanged). */
    size_t out_bytes = (size_t)p->width * (size_t)p->height * (size_t)c->bpp;
    c->stream = c->avx512 && (p->stream_stores > 0 || (p->stream_stores == 0 && out_bytes >= KZV_YUV2RGB_STREAM_MIN));
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

/* Plain C RGB48 matrix kernel for pixels [x0, w). Right shifts of negative
 * ints are arithmetic on every compiler kzv supports (GCC, Clang). */
static void matrix_c(const kzv_yuv2rgb *c, const int16_t *restrict yb, const int16_t *restrict ub,
                     const int16_t *restrict vb, uint8_t *restrict out, int x0, int w)
{
    const int cy = c->cy, crv = c->crv, cgu = c->cgu, cgv = c->cgv, cbu = c->cbu;
    const int rnd = c->round, s = c->shift;
    uint16_t *o = (uint16_t *)(void *)out;
    for (int x = x0; x < w; x++) {
        int y = cy * yb[x] + rnd, u = ub[x], v = vb[x];
        o[3 * x + 0] = (uint16_t)clampi((y + crv * v) >> s, 65535);
        o[3 * x + 1] = (uint16_t)clampi((y + cgu * u + cgv * v) >> s, 65535);
        o[3 * x + 2] = (uint16_t)clampi((y + cbu * u) >> s, 65535);
    }
}

#if KZV_CPU_X86
#define TGT_AVX2 __attribute__((target("avx2")))

#define M8(...) _mm_setr_epi8(__VA_ARGS__)

/* Two 16-byte halves into one register (vinserti128 from memory: no shuffle port). */
TGT_AVX2 ALWAYS_INLINE __m256i load2x128(const void *lo, const void *hi)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)lo)),
                                   _mm_loadu_si128((const __m128i *)hi), 1);
}

/* 2 × chroma from T rows (chroma_t) for the 32 pixels at x, in lo/hi order.
 * Subsampled (sub): chroma i = x/2 .. x/2+15 covers pixels x .. x+31, even
 * pixels get 2 T[i], odd ones T[i] + T[i+1]; interleaving them in-lane lands
 * in lo/hi order. Full resolution: 2 T[x] each. */
TGT_AVX2 ALWAYS_INLINE void chroma32_t(const int16_t *tu, const int16_t *tv, int x, int sub,
                                       __m256i *ulo, __m256i *uhi, __m256i *vlo, __m256i *vhi)
{
    if (sub) {
        __m256i t0 = _mm256_loadu_si256((const __m256i *)(tu + (x >> 1)));
        __m256i t1 = _mm256_loadu_si256((const __m256i *)(tu + (x >> 1) + 1));
        __m256i e = _mm256_add_epi16(t0, t0), od = _mm256_add_epi16(t0, t1);
        *ulo = _mm256_unpacklo_epi16(e, od);
        *uhi = _mm256_unpackhi_epi16(e, od);
        t0 = _mm256_loadu_si256((const __m256i *)(tv + (x >> 1)));
        t1 = _mm256_loadu_si256((const __m256i *)(tv + (x >> 1) + 1));
        e = _mm256_add_epi16(t0, t0);
        od = _mm256_add_epi16(t0, t1);
        *vlo = _mm256_unpacklo_epi16(e, od);
        *vhi = _mm256_unpackhi_epi16(e, od);
    } else {
        __m256i a = load2x128(tu + x, tu + x + 16), b = load2x128(tu + x + 8, tu + x + 24);
        __m256i c = load2x128(tv + x, tv + x + 16), d = load2x128(tv + x + 8, tv + x + 24);
        *ulo = _mm256_add_epi16(a, a);
        *uhi = _mm256_add_epi16(b, b);
        *vlo = _mm256_add_epi16(c, c);
        *vhi = _mm256_add_epi16(d, d);
    }
}


/* RGB48 matrix of 16 pixels given as Y', U', V' int16 vectors: the 8 of
 * the low 128-bit lane go to o0, those of the high lane to o1 (48 bytes
 * each). Same integers as matrix_c. */
typedef struct k48v {
    __m256i kconst, ky, kr, kg, kb;
    __m128i sh, w00, w01, w02, w10, w11, w12, w20, w21, w22;
} k48v;

TGT_AVX2 ALWAYS_INLINE void mat48(const k48v *k, __m256i y, __m256i u, __m256i v, uint8_t *o0, uint8_t *o1)
{
    /* y32 = cy Y' + round comes from one pmaddwd of (Y', K) pairs against
     * (cy, round / K); the chroma terms from (U', V') pairs. */
    __m256i yk0 = _mm256_unpacklo_epi16(y, k->kconst), yk1 = _mm256_unpackhi_epi16(y, k->kconst);
    __m256i uv0 = _mm256_unpacklo_epi16(u, v), uv1 = _mm256_unpackhi_epi16(u, v);
    __m256i y0 = _mm256_madd_epi16(yk0, k->ky), y1 = _mm256_madd_epi16(yk1, k->ky);
    __m256i r0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, k->kr)), k->sh);
    __m256i r1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, k->kr)), k->sh);
    __m256i g0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, k->kg)), k->sh);
    __m256i g1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, k->kg)), k->sh);
    __m256i b0 = _mm256_sra_epi32(_mm256_add_epi32(y0, _mm256_madd_epi16(uv0, k->kb)), k->sh);
    __m256i b1 = _mm256_sra_epi32(_mm256_add_epi32(y1, _mm256_madd_epi16(uv1, k->kb)), k->sh);
    __m256i r = _mm256_packus_epi32(r0, r1);   /* input order, clamped 0..65535 */
    __m256i g = _mm256_packus_epi32(g0, g1);
    __m256i b = _mm256_packus_epi32(b0, b1);
    for (int h = 0; h < 2; h++) {
        __m128i R = h ? _mm256_extracti128_si256(r, 1) : _mm256_castsi256_si128(r);
        __m128i G = h ? _mm256_extracti128_si256(g, 1) : _mm256_castsi256_si128(g);
        __m128i B = h ? _mm256_extracti128_si256(b, 1) : _mm256_castsi256_si128(b);
        uint8_t *o = h ? o1 : o0;
        _mm_storeu_si128((__m128i *)o, _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, k->w00),
                                                                  _mm_shuffle_epi8(G, k->w01)),
                                                     _mm_shuffle_epi8(B, k->w02)));
        _mm_storeu_si128((__m128i *)(o + 16), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, k->w10),
                                                                         _mm_shuffle_epi8(G, k->w11)),
                                                            _mm_shuffle_epi8(B, k->w12)));
        _mm_storeu_si128((__m128i *)(o + 32), _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(R, k->w20),
                                                                         _mm_shuffle_epi8(G, k->w21)),
                                                            _mm_shuffle_epi8(B, k->w22)));
    }
}
#endif

/* ------------------------------------------------------------------ rows -- */

typedef struct scratch {
    int16_t *y, *u, *v;     /* luma width */
    int16_t *tu, *tv;       /* chroma width + 1 */
    uint8_t *pl;            /* 3 luma widths of bytes (C kernel of the 8-bit outputs) */
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

#if KZV_CPU_X86
/* vert_u8 in AVX2 (the compiler's version widens before multiplying): one
 * pmaddubsw on the interleaved (a, b) bytes gives wa a + wb b for 16 pairs.
 * Weights must fit a signed byte (chroma_t passes <= 96). Same integers as
 * vert_u8 (no saturation: 255 * 128 < 2^15). */
TGT_AVX2 static void vert_u8_avx2(const uint8_t *restrict a, const uint8_t *restrict b, int16_t *restrict t,
                                  int n, int wa, int wb, int off)
{
    const __m256i wts = _mm256_set1_epi16((int16_t)(wb << 8 | wa));
    const __m256i o = _mm256_set1_epi16((int16_t)off);
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i vb = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i lo = _mm256_sub_epi16(_mm256_maddubs_epi16(_mm256_unpacklo_epi8(va, vb), wts), o); /* 0-7 | 16-23 */
        __m256i hi = _mm256_sub_epi16(_mm256_maddubs_epi16(_mm256_unpackhi_epi8(va, vb), wts), o); /* 8-15 | 24-31 */
        _mm_storeu_si128((__m128i *)(t + i), _mm256_castsi256_si128(lo));
        _mm_storeu_si128((__m128i *)(t + i + 8), _mm256_castsi256_si128(hi));
        _mm_storeu_si128((__m128i *)(t + i + 16), _mm256_extracti128_si256(lo, 1));
        _mm_storeu_si128((__m128i *)(t + i + 24), _mm256_extracti128_si256(hi, 1));
    }
    for (; i < n; i++)
        t[i] = (int16_t)(a[i] * wa + b[i] * wb - off);
}

#endif

/* Vertical chroma pass of row y into s->tu, s->tv (chroma width, plus the
 * right-edge copy at [cw] when chroma is subsampled horizontally):
 *   T = m * (wa C[ka] + wb C[kb] - 4 coff)     (wa + wb = 4)
 * The scale m is folded into the weights and the offset, so it costs nothing;
 * every value is exact (no rounding). */
ALWAYS_INLINE void chroma_t(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3], int y,
                            int16_t *restrict tu, int16_t *restrict tv, int m, int avx2)
{
    const int w = c->p.width, d = c->p.depth;
    const int cw = (w + (1 << c->p.log2_chroma_w) - 1) >> c->p.log2_chroma_w;
    const int off = 4 * c->coff * m;
    const int sh = c->p.msb_aligned ? 16 - d : 0;
    int ka, kb, wa, wb;
    chroma_rows(c, y, &ka, &kb, &wa, &wb);
    wa *= m;
    wb *= m;
    const uint8_t *ua = src[1] + (ptrdiff_t)ka * stride[1], *ub = src[1] + (ptrdiff_t)kb * stride[1];
    const uint8_t *va = NULL, *vb = NULL;
    if (!c->p.semi_planar) {
        va = src[2] + (ptrdiff_t)ka * stride[2];
        vb = src[2] + (ptrdiff_t)kb * stride[2];
    }
    if (d == 8) {
        if (c->p.semi_planar) {
            vert_nv_u8(ua, ub, tu, tv, cw, wa, wb, off);
#if KZV_CPU_X86
        } else if (avx2 && wa <= 96) {
            /* wa + wb = 4 m: a weight of 4 m (128 for m = 32) only comes
             * with ka == kb (chroma_rows), so split it over both rows. */
            int wa2 = wb ? wa : wa / 2, wb2 = wb ? wb : wa / 2;
            vert_u8_avx2(ua, ub, tu, cw, wa2, wb2, off);
            vert_u8_avx2(va, vb, tv, cw, wa2, wb2, off);
#endif
        } else {
            vert_u8(ua, ub, tu, cw, wa, wb, off);
            vert_u8(va, vb, tv, cw, wa, wb, off);
        }
    } else if (c->p.semi_planar) {
        vert_nv_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub, tu, tv, cw, wa, wb,
                    off, sh);
    } else if (sh) {
        vert_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub, tu, cw, wa, wb, off, sh);
        vert_u16((const uint16_t *)(const void *)va, (const uint16_t *)(const void *)vb, tv, cw, wa, wb, off, sh);
    } else {    /* constant 0: lets the compiler stay in 16-bit lanes */
        vert_u16((const uint16_t *)(const void *)ua, (const uint16_t *)(const void *)ub, tu, cw, wa, wb, off, 0);
        vert_u16((const uint16_t *)(const void *)va, (const uint16_t *)(const void *)vb, tv, cw, wa, wb, off, 0);
    }
    if (c->p.log2_chroma_w) {
        tu[cw] = tu[cw - 1];
        tv[cw] = tv[cw - 1];
    }
}

/* RGB48 path, step 1: Y', U', V' at luma width in s->y, s->u, s->v. */
ALWAYS_INLINE void load_row(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                            int y, const scratch *s)
{
    const int w = c->p.width, d = c->p.depth;
    const int mul = 1 << (12 - d);
    const int sh = c->p.msb_aligned ? 16 - d : 0;
    const uint8_t *ly = src[0] + (ptrdiff_t)y * stride[0];
    chroma_t(c, src, stride, y, s->tu, s->tv, 1, 0);
    if (d == 8)
        luma_u8(ly, s->y, w, c->yoff, mul);
    else if (sh)
        luma_u16((const uint16_t *)(const void *)ly, s->y, w, c->yoff, mul, sh);
    else    /* constant 0: lets the compiler stay in 16-bit lanes */
        luma_u16((const uint16_t *)(const void *)ly, s->y, w, c->yoff, mul, 0);
    if (c->p.log2_chroma_w) {
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

#if KZV_CPU_X86
/* RGB48 row in AVX2, fused like the 8-bit outputs: luma straight from the
 * source, chroma spread horizontally from T (chroma_t, m = 1) in registers,
 * 32 pixels per step in lo/hi order (see px32); the values fed to mat48
 * are load_row's Y', U', V' (mod 2^16, as its int16 casts). */
TGT_AVX2 ALWAYS_INLINE void row48_avx2_t(const kzv_yuv2rgb *c, const k48v *k, const uint8_t *restrict ly,
                                         const scratch *s, uint8_t *restrict out, int w, int in16, int sub)
{
    const int d = c->p.depth;
    const __m256i yoff = _mm256_set1_epi16(c->yoff);
    const __m128i lm = _mm_cvtsi32_si128(12 - d);                         /* * 2^(12-d) */
    const __m128i rs = _mm_cvtsi32_si128(c->p.msb_aligned ? 16 - d : 0);  /* P010 → LSB */
    const int16_t *tu = s->tu, *tv = s->tv;
    int x = 0;
    for (; x + 32 <= w; x += 32) {
        __m256i ylo, yhi, ulo, uhi, vlo, vhi;
        if (in16) {
            const uint16_t *s16 = (const uint16_t *)(const void *)ly + x;
            ylo = _mm256_srl_epi16(load2x128(s16, s16 + 16), rs);
            yhi = _mm256_srl_epi16(load2x128(s16 + 8, s16 + 24), rs);
        } else {
            __m256i y8 = _mm256_loadu_si256((const __m256i *)(ly + x));
            ylo = _mm256_unpacklo_epi8(y8, _mm256_setzero_si256());
            yhi = _mm256_unpackhi_epi8(y8, _mm256_setzero_si256());
        }
        ylo = _mm256_sll_epi16(_mm256_sub_epi16(ylo, yoff), lm);
        yhi = _mm256_sll_epi16(_mm256_sub_epi16(yhi, yoff), lm);
        chroma32_t(tu, tv, x, sub, &ulo, &uhi, &vlo, &vhi);
        ulo = _mm256_sll_epi16(ulo, lm);
        uhi = _mm256_sll_epi16(uhi, lm);
        vlo = _mm256_sll_epi16(vlo, lm);
        vhi = _mm256_sll_epi16(vhi, lm);
        uint8_t *o = out + 6 * (ptrdiff_t)x;
        mat48(k, ylo, ulo, vlo, o, o + 6 * 16);
        mat48(k, yhi, uhi, vhi, o + 6 * 8, o + 6 * 24);
    }
    if (x < w) {
        /* The rest through load_row's passes and matrix_c (x is even). */
        const int mul = 1 << (12 - d), n = w - x;
        if (d == 8)
            luma_u8(ly + x, s->y + x, n, c->yoff, mul);
        else
            luma_u16((const uint16_t *)(const void *)ly + x, s->y + x, n, c->yoff, mul,
                     c->p.msb_aligned ? 16 - d : 0);
        if (sub) {
            horiz_2x(tu + (x >> 1), s->u + x, n, mul);
            horiz_2x(tv + (x >> 1), s->v + x, n, mul);
        } else {
            horiz_1x(tu + x, s->u + x, n, mul);
            horiz_1x(tv + x, s->v + x, n, mul);
        }
        matrix_c(c, s->y, s->u, s->v, out, x, w);
    }
}

TGT_AVX2 static void rows_avx2(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                               uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    k48v k;
    const int kk = c->shift - 1 > 14 ? 1 << (c->shift - 1 - 14) : 1;
    k.kconst = _mm256_set1_epi16((int16_t)kk);
    k.ky = _mm256_set1_epi32((int32_t)(((uint32_t)(c->round / kk) << 16) | (uint16_t)c->cy));
    k.kr = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)c->crv << 16));
    k.kg = _mm256_set1_epi32((int32_t)(((uint32_t)(uint16_t)c->cgv << 16) | (uint16_t)c->cgu));
    k.kb = _mm256_set1_epi32((int32_t)(uint16_t)c->cbu);
    k.sh = _mm_cvtsi32_si128(c->shift);
    /* 8 pixels of 16-bit words per 48 bytes: chunk i, channel ch. */
    k.w00 = M8(0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, 4, 5, -1, -1);
    k.w01 = M8(-1, -1, 0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1, 4, 5);
    k.w02 = M8(-1, -1, -1, -1, 0, 1, -1, -1, -1, -1, 2, 3, -1, -1, -1, -1);
    k.w10 = M8(-1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1, -1, -1, 10, 11);
    k.w11 = M8(-1, -1, -1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1, -1, -1);
    k.w12 = M8(4, 5, -1, -1, -1, -1, 6, 7, -1, -1, -1, -1, 8, 9, -1, -1);
    k.w20 = M8(-1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15, -1, -1, -1, -1);
    k.w21 = M8(10, 11, -1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15, -1, -1);
    k.w22 = M8(-1, -1, 10, 11, -1, -1, -1, -1, 12, 13, -1, -1, -1, -1, 14, 15);
    const int in16 = c->p.depth > 8, sub = c->p.log2_chroma_w, w = c->p.width;
    for (int y = y0; y < y1; y++) {
        chroma_t(c, src, stride, y, s->tu, s->tv, 1, 1);
        const uint8_t *ly = src[0] + (ptrdiff_t)y * stride[0];
        uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
        if (in16 && sub)
            row48_avx2_t(c, &k, ly, s, out, w, 1, 1);
        else if (in16)
            row48_avx2_t(c, &k, ly, s, out, w, 1, 0);
        else if (sub)
            row48_avx2_t(c, &k, ly, s, out, w, 0, 1);
        else
            row48_avx2_t(c, &k, ly, s, out, w, 0, 0);
    }
}
#endif

/* ------------------------------------------ 8-bit outputs (RGB24, RGBA) -- */

/* 16-bit arithmetic, 16 pixels per AVX2 register, luma read straight from
 * the source and chroma interpolated horizontally on the fly from the T rows
 * of chroma_t() (scale m = 2^(13-depth)); see the top of the file. These
 * helpers are the exact scalar meaning of the AVX2 instructions used. */
ALWAYS_INLINE int sat16(int v)          /* _mm256_adds_epi16 */
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

ALWAYS_INLINE int mulhrs16(int a, int b)  /* _mm256_mulhrs_epi16 (|b| < 2^15: no overflow) */
{
    return (a * b + 0x4000) >> 15;
}

/* Plain C kernel of the 8-bit outputs for pixels [x0, w), x0 even, in loops
 * the compiler vectorises: chroma spread over luma columns (ub, vb), luma
 * words (yb), the arithmetic into planar bytes (pl: 3 arrays of w), and only
 * then the interleaving into the output format. Wrapping int16 casts mirror
 * the 16-bit lanes (only out-of-range samples can wrap, identically). */
static void row8_c(const kzv_yuv2rgb *c, const uint8_t *restrict ly, const int16_t *restrict tu,
                   const int16_t *restrict tv, int16_t *restrict yb, int16_t *restrict ub,
                   int16_t *restrict vb, uint8_t *restrict pl, uint8_t *restrict out, int x0, int w)
{
    if (c->p.log2_chroma_w) {
        for (int i = x0 >> 1; i < w >> 1; i++) {
            ub[2 * i] = (int16_t)(2 * tu[i]);
            ub[2 * i + 1] = (int16_t)(tu[i] + tu[i + 1]);
            vb[2 * i] = (int16_t)(2 * tv[i]);
            vb[2 * i + 1] = (int16_t)(tv[i] + tv[i + 1]);
        }
        if (w & 1) {
            ub[w - 1] = (int16_t)(2 * tu[w >> 1]);
            vb[w - 1] = (int16_t)(2 * tv[w >> 1]);
        }
    } else {
        for (int x = x0; x < w; x++) {
            ub[x] = (int16_t)(2 * tu[x]);
            vb[x] = (int16_t)(2 * tv[x]);
        }
    }
    const int d = c->p.depth;
    uint16_t *restrict y16 = (uint16_t *)(void *)yb;
    if (d == 8) {
        for (int x = x0; x < w; x++)
            y16[x] = (uint16_t)(ly[x] << 8);
    } else {
        /* Y << (16 - d) with the bits above the depth dropped; for
         * MSB-aligned words the shift is 0 and the mask drops the (zero)
         * low bits. */
        const uint16_t *l16 = (const uint16_t *)(const void *)ly;
        const int lsh = c->p.msb_aligned ? 0 : 16 - d;
        const unsigned mask = 0xFFFFu << (16 - d) & 0xFFFFu;
        for (int x = x0; x < w; x++)
            y16[x] = (uint16_t)(((unsigned)l16[x] << lsh) & mask);
    }
    const unsigned ky = c->ky16;
    const int k = c->k16, rv = c->rv16, gu = c->gu16, gv = c->gv16, bu = c->bu16;
    uint8_t *restrict pr = pl, *restrict pg = pl + w, *restrict pb = pl + 2 * w;
    for (int x = x0; x < w; x++) {
        int yt = (int16_t)(((y16[x] * ky) >> 16) + (unsigned)k);
        int u = ub[x], v = vb[x];
        pr[x] = (uint8_t)clampi(sat16(yt + mulhrs16(v, rv)) >> 6, 255);
        pg[x] = (uint8_t)clampi(sat16(sat16(yt + mulhrs16(u, gu)) + mulhrs16(v, gv)) >> 6, 255);
        pb[x] = (uint8_t)clampi(sat16(yt + mulhrs16(u, bu)) >> 6, 255);
    }
    if (c->bpp == 3) {
        for (int x = x0; x < w; x++) {
            out[3 * x] = pr[x];
            out[3 * x + 1] = pg[x];
            out[3 * x + 2] = pb[x];
        }
    } else {
        /* One 32-bit word per pixel: GCC turns the 4-byte interleave into
         * slow code, the word arithmetic vectorises well. */
        for (int x = x0; x < w; x++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            uint32_t px = pr[x] | (uint32_t)pg[x] << 8 | (uint32_t)pb[x] << 16 | 0xFF000000u;
#else
            uint32_t px = (uint32_t)pr[x] << 24 | (uint32_t)pg[x] << 16 | (uint32_t)pb[x] << 8 | 0xFFu;
#endif
            memcpy(out + 4 * x, &px, 4);
        }
    }
}

#if KZV_CPU_X86
typedef struct k8v {
    __m256i ky, k, rv, gu, gv, bu, ymask, coff, m00, m01, m02, m10, m11, m12, m20, m21, m22;
    __m128i lsh;
} k8v;

/* 32 pixels. Every vector holds 16 of them as int16 in "lo/hi" order: lo has
 * pixels 0-7 | 16-23 (128-bit lanes), hi has 8-15 | 24-31, the order the
 * in-lane unpack instructions produce, so that packus(lo, hi) gives the
 * pixels 0-31 in sequence. */
TGT_AVX2 ALWAYS_INLINE void px32(const k8v *k, __m256i ylo, __m256i yhi, __m256i ulo, __m256i uhi, __m256i vlo,
                                 __m256i vhi, uint8_t *o, int bpp)
{
    __m256i y0 = _mm256_add_epi16(_mm256_mulhi_epu16(ylo, k->ky), k->k);
    __m256i y1 = _mm256_add_epi16(_mm256_mulhi_epu16(yhi, k->ky), k->k);
    __m256i r0 = _mm256_srai_epi16(_mm256_adds_epi16(y0, _mm256_mulhrs_epi16(vlo, k->rv)), 6);
    __m256i r1 = _mm256_srai_epi16(_mm256_adds_epi16(y1, _mm256_mulhrs_epi16(vhi, k->rv)), 6);
    __m256i g0 = _mm256_srai_epi16(_mm256_adds_epi16(_mm256_adds_epi16(y0, _mm256_mulhrs_epi16(ulo, k->gu)),
                                                     _mm256_mulhrs_epi16(vlo, k->gv)), 6);
    __m256i g1 = _mm256_srai_epi16(_mm256_adds_epi16(_mm256_adds_epi16(y1, _mm256_mulhrs_epi16(uhi, k->gu)),
                                                     _mm256_mulhrs_epi16(vhi, k->gv)), 6);
    __m256i b0 = _mm256_srai_epi16(_mm256_adds_epi16(y0, _mm256_mulhrs_epi16(ulo, k->bu)), 6);
    __m256i b1 = _mm256_srai_epi16(_mm256_adds_epi16(y1, _mm256_mulhrs_epi16(uhi, k->bu)), 6);
    __m256i R = _mm256_packus_epi16(r0, r1);    /* pixels 0-15 | 16-31, clamped 0..255 */
    __m256i G = _mm256_packus_epi16(g0, g1);
    __m256i B = _mm256_packus_epi16(b0, b1);
    if (bpp == 4) {
        const __m256i A = _mm256_set1_epi8(-1);
        __m256i rg0 = _mm256_unpacklo_epi8(R, G), rg1 = _mm256_unpackhi_epi8(R, G);
        __m256i ba0 = _mm256_unpacklo_epi8(B, A), ba1 = _mm256_unpackhi_epi8(B, A);
        __m256i p0 = _mm256_unpacklo_epi16(rg0, ba0);   /* pixels 0-3 | 16-19 */
        __m256i p1 = _mm256_unpackhi_epi16(rg0, ba0);   /* 4-7 | 20-23 */
        __m256i p2 = _mm256_unpacklo_epi16(rg1, ba1);   /* 8-11 | 24-27 */
        __m256i p3 = _mm256_unpackhi_epi16(rg1, ba1);   /* 12-15 | 28-31 */
        _mm256_storeu_si256((__m256i *)(o + 0), _mm256_permute2x128_si256(p0, p1, 0x20));
        _mm256_storeu_si256((__m256i *)(o + 32), _mm256_permute2x128_si256(p2, p3, 0x20));
        _mm256_storeu_si256((__m256i *)(o + 64), _mm256_permute2x128_si256(p0, p1, 0x31));
        _mm256_storeu_si256((__m256i *)(o + 96), _mm256_permute2x128_si256(p2, p3, 0x31));
    } else {
        /* Each lane makes 48 output bytes: o0 = bytes 0-15 | 48-63, o1 =
         * 16-31 | 64-79, o2 = 32-47 | 80-95. */
        __m256i o0 = _mm256_or_si256(_mm256_or_si256(_mm256_shuffle_epi8(R, k->m00), _mm256_shuffle_epi8(G, k->m01)),
                                     _mm256_shuffle_epi8(B, k->m02));
        __m256i o1 = _mm256_or_si256(_mm256_or_si256(_mm256_shuffle_epi8(R, k->m10), _mm256_shuffle_epi8(G, k->m11)),
                                     _mm256_shuffle_epi8(B, k->m12));
        __m256i o2 = _mm256_or_si256(_mm256_or_si256(_mm256_shuffle_epi8(R, k->m20), _mm256_shuffle_epi8(G, k->m21)),
                                     _mm256_shuffle_epi8(B, k->m22));
        _mm256_storeu_si256((__m256i *)(o + 0), _mm256_permute2x128_si256(o0, o1, 0x20));
        _mm256_storeu_si256((__m256i *)(o + 32), _mm256_permute2x128_si256(o2, o0, 0x30));
        _mm256_storeu_si256((__m256i *)(o + 64), _mm256_permute2x128_si256(o1, o2, 0x31));
    }
}

/* One row, pixels [x0, x0 + 32 k) in AVX2 and the rest in C. The branches on
 * in16 / sub / bpp are constants in each instantiation below. */
/* 32 samples of a full-resolution plane as 16-bit words S << (16 - depth)
 * (bits above the depth dropped), minus `off` (coff << (16 - depth), for
 * chroma; 0 for luma), in lo/hi order. */
TGT_AVX2 ALWAYS_INLINE void load32(const k8v *k, const uint8_t *p, int x, int in16, __m256i off, __m256i *lo,
                                   __m256i *hi)
{
    if (in16) {
        const uint16_t *s16 = (const uint16_t *)(const void *)p + x;
        *lo = _mm256_and_si256(_mm256_sll_epi16(load2x128(s16, s16 + 16), k->lsh), k->ymask);
        *hi = _mm256_and_si256(_mm256_sll_epi16(load2x128(s16 + 8, s16 + 24), k->lsh), k->ymask);
    } else {
        __m256i s8 = _mm256_loadu_si256((const __m256i *)(p + x));
        *lo = _mm256_unpacklo_epi8(_mm256_setzero_si256(), s8);   /* S << 8 */
        *hi = _mm256_unpackhi_epi8(_mm256_setzero_si256(), s8);
    }
    *lo = _mm256_sub_epi16(*lo, off);
    *hi = _mm256_sub_epi16(*hi, off);
}

/* Chroma sources of row8_avx2_t. */
enum { CH_T = 0,        /* full-width T rows (semi-planar 4:4:4) */
       CH_T2 = 1,       /* half-width T rows (4:2:0, 4:2:2) */
       CH_DIRECT = 2 }; /* planar 4:4:4: the source rows themselves */

/* T of planar 4:4:4 chroma for columns [x0, w), as chroma_t would make it
 * (wa = 4 m, ka = kb): for row8_c on the pixels CH_DIRECT leaves over. */
ALWAYS_INLINE void t444(const kzv_yuv2rgb *c, const uint8_t *lu, const uint8_t *lv, int16_t *tu, int16_t *tv,
                        int x0, int w, int m)
{
    const int coff = c->coff, sh = c->p.msb_aligned ? 16 - c->p.depth : 0;
    for (int x = x0; x < w; x++) {
        int u, v;
        if (c->p.depth == 8) {
            u = lu[x];
            v = lv[x];
        } else {
            u = ((const uint16_t *)(const void *)lu)[x] >> sh;
            v = ((const uint16_t *)(const void *)lv)[x] >> sh;
        }
        tu[x] = (int16_t)((u - coff) * 4 * m);
        tv[x] = (int16_t)((v - coff) * 4 * m);
    }
}

TGT_AVX2 ALWAYS_INLINE void row8_avx2_t(const kzv_yuv2rgb *c, const k8v *k, const uint8_t *restrict ly,
                                        const uint8_t *restrict lu, const uint8_t *restrict lv,
                                        int16_t *restrict tu, int16_t *restrict tv,
                                        int16_t *restrict yb, int16_t *restrict ub, int16_t *restrict vb,
                                        uint8_t *restrict pl, uint8_t *restrict out, int x0, int w, int in16,
                                        int chroma, int bpp)
{
    int x = x0;
    for (; x + 32 <= w; x += 32) {
        __m256i ylo, yhi, ulo, uhi, vlo, vhi;
        load32(k, ly, x, in16, _mm256_setzero_si256(), &ylo, &yhi);
        if (chroma == CH_DIRECT) {
            /* 2^(16-d) (C - coff) = 2 T of chroma_t, mod 2^16 like T. */
            load32(k, lu, x, in16, k->coff, &ulo, &uhi);
            load32(k, lv, x, in16, k->coff, &vlo, &vhi);
        } else {
            chroma32_t(tu, tv, x, chroma == CH_T2, &ulo, &uhi, &vlo, &vhi);
        }
        px32(k, ylo, yhi, ulo, uhi, vlo, vhi, out + (ptrdiff_t)bpp * x, bpp);
    }
    if (x < w) {
        if (chroma == CH_DIRECT)
            t444(c, lu, lv, tu, tv, x, w, 1 << (13 - c->p.depth));
        row8_c(c, ly, tu, tv, yb, ub, vb, pl, out, x, w);
    }
}

#define M8X2(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

/* The constants of the 8-bit kernels (AVX2 registers). */
TGT_AVX2 ALWAYS_INLINE void k8v_init(const kzv_yuv2rgb *c, k8v *k)
{
    const int d = c->p.depth;
    k->ky = _mm256_set1_epi16((int16_t)c->ky16);
    k->k = _mm256_set1_epi16(c->k16);
    k->rv = _mm256_set1_epi16(c->rv16);
    k->gu = _mm256_set1_epi16(c->gu16);
    k->gv = _mm256_set1_epi16(c->gv16);
    k->bu = _mm256_set1_epi16(c->bu16);
    k->lsh = _mm_cvtsi32_si128(c->p.msb_aligned ? 0 : 16 - d);
    k->ymask = _mm256_set1_epi16((int16_t)(0xFFFFu << (16 - d) & 0xFFFFu));
    k->coff = _mm256_set1_epi16((int16_t)((unsigned)c->coff << (16 - d) & 0xFFFFu));
    /* RGB24: byte j of output chunk i (per 128-bit lane, 16 pixels in, 48
     * bytes out) takes channel j % 3 of pixel (16 i + j) / 3. */
    k->m00 = M8X2(0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1, 5);
    k->m01 = M8X2(-1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1, -1);
    k->m02 = M8X2(-1, -1, 0, -1, -1, 1, -1, -1, 2, -1, -1, 3, -1, -1, 4, -1);
    k->m10 = M8X2(-1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10, -1);
    k->m11 = M8X2(5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1, 10);
    k->m12 = M8X2(-1, 5, -1, -1, 6, -1, -1, 7, -1, -1, 8, -1, -1, 9, -1, -1);
    k->m20 = M8X2(-1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1, -1);
    k->m21 = M8X2(-1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15, -1);
    k->m22 = M8X2(10, -1, -1, 11, -1, -1, 12, -1, -1, 13, -1, -1, 14, -1, -1, 15);
}

/* The row kernels take the input depth, chroma layout and output size as
 * compile-time constants (the *_t functions are inlined per combination):
 * ROW_DISPATCH() calls ROW(in16, chroma, bpp), which the band function
 * defines, with the constants that match the run-time in16, chroma, bpp. */
#define ROW_BPP(in16_, chroma_) \
    do { if (bpp == 3) ROW(in16_, chroma_, 3); else ROW(in16_, chroma_, 4); } while (0)
#define ROW_CH(in16_) \
    do { \
        if (chroma == CH_T2) ROW_BPP(in16_, CH_T2); \
        else if (chroma == CH_DIRECT) ROW_BPP(in16_, CH_DIRECT); \
        else ROW_BPP(in16_, CH_T); \
    } while (0)
#define ROW_DISPATCH() do { if (in16) ROW_CH(1); else ROW_CH(0); } while (0)

TGT_AVX2 static void rows8_avx2(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                                uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    const int d = c->p.depth, w = c->p.width;
    const int in16 = d > 8, sub = c->p.log2_chroma_w, bpp = c->bpp;
    k8v k;
    k8v_init(c, &k);
    const int m = 1 << (13 - d);
    const int chroma = sub ? CH_T2 : c->p.semi_planar ? CH_T : CH_DIRECT;
    for (int y = y0; y < y1; y++) {
        const uint8_t *lu = NULL, *lv = NULL;
        if (chroma == CH_DIRECT) {
            lu = src[1] + (ptrdiff_t)y * stride[1];
            lv = src[2] + (ptrdiff_t)y * stride[2];
        } else {
            chroma_t(c, src, stride, y, s->tu, s->tv, m, 1);
        }
        const uint8_t *ly = src[0] + (ptrdiff_t)y * stride[0];
        uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
#define ROW(in16_, chroma_, bpp_) \
    row8_avx2_t(c, &k, ly, lu, lv, s->tu, s->tv, s->y, s->u, s->v, s->pl, out, 0, w, in16_, chroma_, bpp_)
        ROW_DISPATCH();
#undef ROW
    }
}

/* ---- AVX-512 (BW + VBMI) 8-bit outputs: the AVX2 kernel at twice the width.
 * The same instructions on 512-bit registers (in-lane unpacks and packs keep
 * the lo/hi order, now over four 128-bit lanes), so the same integers; the
 * RGB24 and RGBA interleaving, the costly part in AVX2 (pshufb per lane, then
 * lane fix-ups), is two VBMI byte permutes per 64 output bytes. Pixels left
 * over after the 64-pixel blocks go through the AVX2 kernel (32 at a time),
 * then the C kernel. */
#define TGT_AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512vbmi")))

typedef struct k8z {
    __m512i ky, k, rv, gu, gv, bu, ymask, coff;
    __m128i lsh;
    __m512i rg[4], b[4];    /* per 64-byte output chunk: indices into (R, G) and into B */
    __mmask64 mrg[4], mb[4];/* bytes of the chunk taken from R or G, from B */
    __m512i alpha;          /* RGBA: 0xFF in every 4th byte */
} k8z;

TGT_AVX512 static void k8z_init(const kzv_yuv2rgb *c, k8z *k)
{
    const int d = c->p.depth;
    k->ky = _mm512_set1_epi16((int16_t)c->ky16);
    k->k = _mm512_set1_epi16(c->k16);
    k->rv = _mm512_set1_epi16(c->rv16);
    k->gu = _mm512_set1_epi16(c->gu16);
    k->gv = _mm512_set1_epi16(c->gv16);
    k->bu = _mm512_set1_epi16(c->bu16);
    k->lsh = _mm_cvtsi32_si128(c->p.msb_aligned ? 0 : 16 - d);
    k->ymask = _mm512_set1_epi16((int16_t)(0xFFFFu << (16 - d) & 0xFFFFu));
    k->coff = _mm512_set1_epi16((int16_t)((unsigned)c->coff << (16 - d) & 0xFFFFu));
    /* Byte j of output chunk i is channel ch of pixel px (RGB24: byte 64 i + j
     * of the 192; RGBA: of the 256), R and G picked by one permute of the
     * (R, G) pair (G indices + 64), B by a masked permute of B. */
    const int bpp = c->bpp;
    for (int i = 0; i < 4; i++) {
        uint8_t irg[64], ib[64];
        uint64_t mrg = 0, mb = 0;
        for (int j = 0; j < 64; j++) {
            int byte = 64 * i + j, px = byte / bpp, ch = byte % bpp;
            irg[j] = ib[j] = 0;
            if (px >= 64)
                continue;
            if (ch < 2) {
                irg[j] = (uint8_t)(px + 64 * ch);
                mrg |= 1ull << j;
            } else if (ch == 2) {
                ib[j] = (uint8_t)px;
                mb |= 1ull << j;
            }
        }
        k->rg[i] = _mm512_loadu_si512(irg);
        k->b[i] = _mm512_loadu_si512(ib);
        k->mrg[i] = (__mmask64)mrg;
        k->mb[i] = (__mmask64)mb;
    }
    k->alpha = _mm512_set1_epi32((int)0xFF000000u);
}

/* 64 pixels in lo/hi order (lo: pixels 0-7 | 16-23 | 32-39 | 48-55). */
TGT_AVX512 ALWAYS_INLINE void px64(const k8z *k, __m512i ylo, __m512i yhi, __m512i ulo, __m512i uhi, __m512i vlo,
                                   __m512i vhi, uint8_t *o, int bpp, int nt)
{
    __m512i y0 = _mm512_add_epi16(_mm512_mulhi_epu16(ylo, k->ky), k->k);
    __m512i y1 = _mm512_add_epi16(_mm512_mulhi_epu16(yhi, k->ky), k->k);
    __m512i r0 = _mm512_srai_epi16(_mm512_adds_epi16(y0, _mm512_mulhrs_epi16(vlo, k->rv)), 6);
    __m512i r1 = _mm512_srai_epi16(_mm512_adds_epi16(y1, _mm512_mulhrs_epi16(vhi, k->rv)), 6);
    __m512i g0 = _mm512_srai_epi16(_mm512_adds_epi16(_mm512_adds_epi16(y0, _mm512_mulhrs_epi16(ulo, k->gu)),
                                                     _mm512_mulhrs_epi16(vlo, k->gv)), 6);
    __m512i g1 = _mm512_srai_epi16(_mm512_adds_epi16(_mm512_adds_epi16(y1, _mm512_mulhrs_epi16(uhi, k->gu)),
                                                     _mm512_mulhrs_epi16(vhi, k->gv)), 6);
    __m512i b0 = _mm512_srai_epi16(_mm512_adds_epi16(y0, _mm512_mulhrs_epi16(ulo, k->bu)), 6);
    __m512i b1 = _mm512_srai_epi16(_mm512_adds_epi16(y1, _mm512_mulhrs_epi16(uhi, k->bu)), 6);
    __m512i R = _mm512_packus_epi16(r0, r1);    /* pixels 0-63 in order, clamped 0..255 */
    __m512i G = _mm512_packus_epi16(g0, g1);
    __m512i B = _mm512_packus_epi16(b0, b1);
    for (int i = 0; i < bpp; i++) {
        __m512i t = _mm512_maskz_permutex2var_epi8(k->mrg[i], R, k->rg[i], G);
        t = _mm512_mask_permutexvar_epi8(t, k->mb[i], k->b[i], B);
        if (bpp == 4)
            t = _mm512_or_si512(t, k->alpha);
        if (nt)   /* o is 64-byte aligned (see rows8_avx512) */
            _mm512_stream_si512((void *)(o + 64 * i), t);
        else
            _mm512_storeu_si512(o + 64 * i, t);
    }
}

/* 64 samples of a full-resolution plane (see load32), in lo/hi order. */
TGT_AVX512 ALWAYS_INLINE void load64(const k8z *k, const uint8_t *p, int x, int in16, __m512i off, __m512i *lo,
                                     __m512i *hi)
{
    if (in16) {
        const uint16_t *s16 = (const uint16_t *)(const void *)p + x;
        __m512i a = _mm512_loadu_si512(s16), b = _mm512_loadu_si512(s16 + 32);
        *lo = _mm512_and_si512(_mm512_sll_epi16(_mm512_shuffle_i64x2(a, b, 0x88), k->lsh), k->ymask);
        *hi = _mm512_and_si512(_mm512_sll_epi16(_mm512_shuffle_i64x2(a, b, 0xDD), k->lsh), k->ymask);
    } else {
        __m512i s8 = _mm512_loadu_si512(p + x);
        *lo = _mm512_unpacklo_epi8(_mm512_setzero_si512(), s8);   /* S << 8 */
        *hi = _mm512_unpackhi_epi8(_mm512_setzero_si512(), s8);
    }
    *lo = _mm512_sub_epi16(*lo, off);
    *hi = _mm512_sub_epi16(*hi, off);
}

/* 2 × chroma from T rows for the 64 pixels at x (see chroma32_t). */
TGT_AVX512 ALWAYS_INLINE void chroma64_t(const int16_t *tu, const int16_t *tv, int x, int sub,
                                         __m512i *ulo, __m512i *uhi, __m512i *vlo, __m512i *vhi)
{
    if (sub) {
        __m512i t0 = _mm512_loadu_si512(tu + (x >> 1)), t1 = _mm512_loadu_si512(tu + (x >> 1) + 1);
        __m512i e = _mm512_add_epi16(t0, t0), od = _mm512_add_epi16(t0, t1);
        *ulo = _mm512_unpacklo_epi16(e, od);
        *uhi = _mm512_unpackhi_epi16(e, od);
        t0 = _mm512_loadu_si512(tv + (x >> 1));
        t1 = _mm512_loadu_si512(tv + (x >> 1) + 1);
        e = _mm512_add_epi16(t0, t0);
        od = _mm512_add_epi16(t0, t1);
        *vlo = _mm512_unpacklo_epi16(e, od);
        *vhi = _mm512_unpackhi_epi16(e, od);
    } else {
        __m512i a = _mm512_loadu_si512(tu + x), b = _mm512_loadu_si512(tu + x + 32);
        __m512i c = _mm512_loadu_si512(tv + x), d = _mm512_loadu_si512(tv + x + 32);
        __m512i al = _mm512_shuffle_i64x2(a, b, 0x88), ah = _mm512_shuffle_i64x2(a, b, 0xDD);
        __m512i cl = _mm512_shuffle_i64x2(c, d, 0x88), ch = _mm512_shuffle_i64x2(c, d, 0xDD);
        *ulo = _mm512_add_epi16(al, al);
        *uhi = _mm512_add_epi16(ah, ah);
        *vlo = _mm512_add_epi16(cl, cl);
        *vhi = _mm512_add_epi16(ch, ch);
    }
}

TGT_AVX512 ALWAYS_INLINE void row8_avx512_t(const kzv_yuv2rgb *c, const k8z *kz, const k8v *k,
                                            const uint8_t *restrict ly, const uint8_t *restrict lu,
                                            const uint8_t *restrict lv, int16_t *restrict tu, int16_t *restrict tv,
                                            int16_t *restrict yb, int16_t *restrict ub, int16_t *restrict vb,
                                            uint8_t *restrict pl, uint8_t *restrict out, int w, int in16,
                                            int chroma, int bpp, int nt)
{
    int x = 0;
    for (; x + 64 <= w; x += 64) {
        __m512i ylo, yhi, ulo, uhi, vlo, vhi;
        load64(kz, ly, x, in16, _mm512_setzero_si512(), &ylo, &yhi);
        if (chroma == CH_DIRECT) {
            load64(kz, lu, x, in16, kz->coff, &ulo, &uhi);
            load64(kz, lv, x, in16, kz->coff, &vlo, &vhi);
        } else {
            chroma64_t(tu, tv, x, chroma == CH_T2, &ulo, &uhi, &vlo, &vhi);
        }
        px64(kz, ylo, yhi, ulo, uhi, vlo, vhi, out + (ptrdiff_t)bpp * x, bpp, nt);
    }
    if (x < w)
        row8_avx2_t(c, k, ly, lu, lv, tu, tv, yb, ub, vb, pl, out, x, w, in16, chroma, bpp);
}

TGT_AVX512 static void rows8_avx512(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                                    uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    const int d = c->p.depth, w = c->p.width;
    const int in16 = d > 8, sub = c->p.log2_chroma_w, bpp = c->bpp;
    k8v k;
    k8v_init(c, &k);
    k8z kz;
    k8z_init(c, &kz);
    const int m = 1 << (13 - d);
    const int chroma = sub ? CH_T2 : c->p.semi_planar ? CH_T : CH_DIRECT;
    for (int y = y0; y < y1; y++) {
        const uint8_t *lu = NULL, *lv = NULL;
        if (chroma == CH_DIRECT) {
            lu = src[1] + (ptrdiff_t)y * stride[1];
            lv = src[2] + (ptrdiff_t)y * stride[2];
        } else {
            chroma_t(c, src, stride, y, s->tu, s->tv, m, 1);
        }
        const uint8_t *ly = src[0] + (ptrdiff_t)y * stride[0];
        uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
        /* Streaming needs 64-byte aligned stores; rows elsewhere store as usual. */
        const int nt = c->stream && !((uintptr_t)out & 63);
#define ROW_NT(in16_, chroma_, bpp_, nt_) \
    row8_avx512_t(c, &kz, &k, ly, lu, lv, s->tu, s->tv, s->y, s->u, s->v, s->pl, out, w, in16_, chroma_, bpp_, nt_)
#define ROW(in16_, chroma_, bpp_) \
    do { if (nt) ROW_NT(in16_, chroma_, bpp_, 1); else ROW_NT(in16_, chroma_, bpp_, 0); } while (0)
        ROW_DISPATCH();
#undef ROW
#undef ROW_NT
    }
    if (c->stream)
        _mm_sfence();   /* streamed rows are visible before the band counts as done */
}
#endif

static void rows8_c(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                    uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1, const scratch *s)
{
    const int m = 1 << (13 - c->p.depth);
    for (int y = y0; y < y1; y++) {
        chroma_t(c, src, stride, y, s->tu, s->tv, m, 0);
        row8_c(c, src[0] + (ptrdiff_t)y * stride[0], s->tu, s->tv, s->y, s->u, s->v, s->pl,
               dst + (ptrdiff_t)y * dst_stride, 0, c->p.width);
    }
}

int kzv_yuv2rgb_band(const kzv_yuv2rgb *c, const uint8_t *const src[3], const ptrdiff_t stride[3],
                     uint8_t *dst, ptrdiff_t dst_stride, int y0, int y1)
{
    if (!c || !c->bpp || !src || !stride || !dst || y0 < 0 || y1 > c->p.height)
        return KZV_EINVAL;
    if (y0 >= y1)
        return KZV_OK;
    const int w = c->p.width;
    const size_t wpad = ((size_t)w + 32) & ~(size_t)15;  /* >= w + 1, multiple of 16 */
    int16_t *buf = malloc(7 * wpad * sizeof(int16_t));
    if (!buf)
        return KZV_ENOMEM;
    scratch s = { buf, buf + wpad, buf + 2 * wpad, buf + 3 * wpad, buf + 4 * wpad, (uint8_t *)(buf + 5 * wpad) };
    if (c->bpp == 6) {
#if KZV_CPU_X86
        if (c->simd)
            rows_avx2(c, src, stride, dst, dst_stride, y0, y1, &s);
        else
#endif
            rows_c(c, src, stride, dst, dst_stride, y0, y1, &s);
    } else {
#if KZV_CPU_X86
        if (c->avx512)
            rows8_avx512(c, src, stride, dst, dst_stride, y0, y1, &s);
        else if (c->simd)
            rows8_avx2(c, src, stride, dst, dst_stride, y0, y1, &s);
        else
#endif
            rows8_c(c, src, stride, dst, dst_stride, y0, y1, &s);
    }
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
