/*
 * src/convert/rgb2yuv.c against an exact double-precision model of what
 * rgb2yuv.h documents (same tent filter, exact matrix), against itself (C vs
 * AVX2 kernels, bands over a pool vs one call, planar vs semi-planar), and
 * round trips through yuv2rgb.c: flat colours come back within 1 level.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "kzv/common.h"
#include "core/workers.h"
#include "convert/colorspace.h"
#include "convert/rgb2yuv.h"
#include "convert/yuv2rgb.h"

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint32_t rnd32(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static const kzv_pixfmt ins[3] = { KZV_PIXFMT_RGB24, KZV_PIXFMT_RGBA, KZV_PIXFMT_RGB48 };
static const kzv_pixfmt outs[8] = {
    KZV_PIXFMT_YUV420P, KZV_PIXFMT_YUV422P, KZV_PIXFMT_YUV444P, KZV_PIXFMT_YUV420P10,
    KZV_PIXFMT_YUV422P10, KZV_PIXFMT_YUV444P10, KZV_PIXFMT_NV12, KZV_PIXFMT_P010,
};
static const int matrices[5] = { KZV_MATRIX_BT709, KZV_MATRIX_BT470BG, KZV_MATRIX_BT2020_NCL,
                                 KZV_MATRIX_SMPTE240M, KZV_MATRIX_FCC };

typedef struct img {
    int w, h, bpp;
    kzv_pixfmt fmt;
    uint8_t *data;
    ptrdiff_t stride;
} img;

static int in_max(kzv_pixfmt f) { return f == KZV_PIXFMT_RGB48 ? 65535 : 255; }

static int get(const img *im, int x, int y, int ch)
{
    const uint8_t *row = im->data + y * im->stride;
    if (im->fmt == KZV_PIXFMT_RGB48)
        return ((const uint16_t *)(const void *)row)[3 * x + ch];
    return row[im->bpp * x + ch];
}

static void set(img *im, int x, int y, int ch, int v)
{
    uint8_t *row = im->data + y * im->stride;
    if (im->fmt == KZV_PIXFMT_RGB48)
        ((uint16_t *)(void *)row)[3 * x + ch] = (uint16_t)v;
    else
        row[im->bpp * x + ch] = (uint8_t)v;
}

static void img_alloc(img *im, int w, int h, kzv_pixfmt f)
{
    im->w = w; im->h = h; im->fmt = f;
    im->bpp = f == KZV_PIXFMT_RGB24 ? 3 : f == KZV_PIXFMT_RGBA ? 4 : 6;
    im->stride = (ptrdiff_t)w * im->bpp;     /* tight: ASan sees overreads */
    im->data = kt_malloc((size_t)im->stride * (size_t)h);
}

/* kind 0: noise; 1: flat (r, g, b); 2: extremes (0 / max) */
static void img_fill(img *im, int kind, int r, int g, int b)
{
    int mx = in_max(im->fmt);
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            for (int ch = 0; ch < 3; ch++) {
                int v = kind == 0 ? (int)(rnd32() % (uint32_t)(mx + 1))
                      : kind == 1 ? (ch == 0 ? r : ch == 1 ? g : b)
                      : (rnd32() & 1) ? mx : 0;
                set(im, x, y, ch, v);
            }
            if (im->bpp == 4)
                im->data[y * im->stride + 4 * x + 3] = (uint8_t)(rnd32() & 255);
        }
}

typedef struct yuv {
    uint8_t *pl[3];
    ptrdiff_t stride[3];
    size_t size[3];
} yuv;

static void yuv_alloc(yuv *o, int w, int h, kzv_pixfmt f)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < kzv_pixfmt_planes(f); i++) {
        int pw, ph;
        size_t rb;
        kzv_pixfmt_plane_size(f, w, h, i, &pw, &ph, &rb);
        o->stride[i] = (ptrdiff_t)rb;
        o->size[i] = rb * (size_t)ph;
        o->pl[i] = kt_malloc(o->size[i]);
        memset(o->pl[i], 0xA5, o->size[i]);
    }
}

static void yuv_free(yuv *o)
{
    for (int i = 0; i < 3; i++)
        free(o->pl[i]);
}

static bool yuv_equal(const yuv *a, const yuv *b)
{
    for (int i = 0; i < 3; i++)
        if (a->size[i] != b->size[i] || (a->size[i] && memcmp(a->pl[i], b->pl[i], a->size[i])))
            return false;
    return true;
}

/* Sample of plane `pl` (1 = U, 2 = V also for semi-planar) at (x, y). */
static int yuv_get(const yuv *o, kzv_pixfmt f, int pl, int x, int y)
{
    bool semi = kzv_pixfmt_planes(f) == 2, hi = kzv_pixfmt_depth(f) > 8;
    int plane = semi && pl == 2 ? 1 : pl;
    int idx = semi && pl ? 2 * x + (pl - 1) : x;
    const uint8_t *row = o->pl[plane] + y * o->stride[plane];
    int v = hi ? ((const uint16_t *)(const void *)row)[idx] : row[idx];
    return f == KZV_PIXFMT_P010 ? v >> 6 : v;
}

/* The exact model: filtered R, G, B in 0..1 then the matrix. */
static double worst_y = 0, worst_c = 0;

static void check_reference(const img *im, const yuv *o, kzv_pixfmt f, int matrix, int range)
{
    double kr = 0, kb = 0;
    kzv_matrix_kr_kb(matrix, &kr, &kb);
    double kg = 1 - kr - kb, mx = in_max(im->fmt);
    int depth = kzv_pixfmt_depth(f), sw, sh;
    kzv_pixfmt_chroma_shift(f, &sw, &sh);
    kzv_range_codes rc = { 0 };
    kzv_range_codes_of(range, depth, &rc);
    double maxc = (1 << depth) - 1;
    double wy = 0, wc = 0;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            double r = get(im, x, y, 0) / mx, g = get(im, x, y, 1) / mx, b = get(im, x, y, 2) / mx;
            double e = rc.yoff + rc.yspan * (kr * r + kg * g + kb * b);
            e = e < 0 ? 0 : e > maxc ? maxc : e;
            double d = fabs(yuv_get(o, f, 0, x, y) - e);
            wy = d > wy ? d : wy;
        }
    int cw = (im->w + (1 << sw) - 1) >> sw, ch = (im->h + (1 << sh) - 1) >> sh;
    for (int j = 0; j < ch; j++)
        for (int i = 0; i < cw; i++) {
            double s[3] = { 0, 0, 0 }, wsum = 0;
            int rows[2] = { j << sh, (j << sh) + sh };
            for (int ry = 0; ry <= sh; ry++) {
                int yy = rows[ry] < im->h ? rows[ry] : im->h - 1;
                int xs[3] = { 2 * i - 1, 2 * i, 2 * i + 1 };
                double ws[3] = { 1, 2, 1 };
                for (int t = 0; t < (sw ? 3 : 1); t++) {
                    int xx = sw ? xs[t] : i;
                    double wt = sw ? ws[t] : 1;
                    xx = xx < 0 ? 0 : xx >= im->w ? im->w - 1 : xx;
                    for (int c = 0; c < 3; c++)
                        s[c] += wt * get(im, xx, yy, c) / mx;
                    wsum += wt;
                }
            }
            double r = s[0] / wsum, g = s[1] / wsum, b = s[2] / wsum;
            double yl = kr * r + kg * g + kb * b;
            double eu = rc.coff + rc.cspan * (b - yl) / (2 * (1 - kb));
            double ev = rc.coff + rc.cspan * (r - yl) / (2 * (1 - kr));
            eu = eu < 0 ? 0 : eu > maxc ? maxc : eu;
            ev = ev < 0 ? 0 : ev > maxc ? maxc : ev;
            double du = fabs(yuv_get(o, f, 1, i, j) - eu), dv = fabs(yuv_get(o, f, 2, i, j) - ev);
            wc = du > wc ? du : wc;
            wc = dv > wc ? dv : wc;
        }
    KT_CHECK(wy <= 0.51 && wc <= 0.51, "%s -> %s matrix %d range %d %dx%d: error Y %.3f C %.3f",
             kzv_pixfmt_name(im->fmt), kzv_pixfmt_name(f), matrix, range, im->w, im->h, wy, wc);
    worst_y = wy > worst_y ? wy : worst_y;
    worst_c = wc > worst_c ? wc : worst_c;
}

/* kernels: K_C the plain ones, K_AVX2 at most AVX2, K_BEST what this CPU
 * gets (AVX-512 where it has it). */
enum { K_C, K_AVX2, K_BEST };

static bool have_simd = false, have_avx512 = false;

static int convert(const img *im, kzv_pixfmt f, int matrix, int range, int kernels,
                   kzv_workers *pool, yuv *o)
{
    kzv_rgb2yuv_params p;
    kzv_rgb2yuv_default_params(&p);
    p.width = im->w; p.height = im->h; p.in = im->fmt; p.out = f;
    p.matrix = matrix; p.range = range;
    p.no_simd = kernels == K_C;
    p.no_avx512 = kernels == K_AVX2;
    kzv_rgb2yuv c;
    int err = kzv_rgb2yuv_init(&c, &p);
    if (err < 0)
        return err;
    have_simd |= c.simd;
    have_avx512 |= c.avx512;
    yuv_alloc(o, im->w, im->h, f);
    return kzv_rgb2yuv_convert(&c, im->data, im->stride, o->pl, o->stride, pool);
}

static long long configs = 0;

static void check_one(const img *im, kzv_pixfmt f, int matrix, int range, kzv_workers *pool,
                      bool reference)
{
    yuv a, b, c, d;
    KT_CHECK_EQ_INT(convert(im, f, matrix, range, K_C, NULL, &a), KZV_OK);
    KT_CHECK_EQ_INT(convert(im, f, matrix, range, K_AVX2, NULL, &d), KZV_OK);
    KT_CHECK_EQ_INT(convert(im, f, matrix, range, K_BEST, NULL, &b), KZV_OK);
    KT_CHECK_EQ_INT(convert(im, f, matrix, range, K_BEST, pool, &c), KZV_OK);
    KT_CHECK(yuv_equal(&a, &d), "C and AVX2 kernels differ: %s -> %s %dx%d matrix %d range %d",
             kzv_pixfmt_name(im->fmt), kzv_pixfmt_name(f), im->w, im->h, matrix, range);
    KT_CHECK(yuv_equal(&a, &b), "C and AVX-512 kernels differ: %s -> %s %dx%d matrix %d range %d",
             kzv_pixfmt_name(im->fmt), kzv_pixfmt_name(f), im->w, im->h, matrix, range);
    KT_CHECK(yuv_equal(&b, &c), "bands over a pool differ from one call: %s -> %s %dx%d",
             kzv_pixfmt_name(im->fmt), kzv_pixfmt_name(f), im->w, im->h);
    if (reference)
        check_reference(im, &a, f, matrix, range);
    configs++;
    yuv_free(&a);
    yuv_free(&b);
    yuv_free(&c);
    yuv_free(&d);
}

/* Semi-planar output equals planar output, interleaved. */
static void check_semi(const img *im)
{
    for (int hi = 0; hi < 2; hi++) {
        yuv p, s;
        kzv_pixfmt pf = hi ? KZV_PIXFMT_YUV420P10 : KZV_PIXFMT_YUV420P;
        kzv_pixfmt sf = hi ? KZV_PIXFMT_P010 : KZV_PIXFMT_NV12;
        convert(im, pf, KZV_MATRIX_BT709, KZV_RANGE_LIMITED, K_BEST, NULL, &p);
        convert(im, sf, KZV_MATRIX_BT709, KZV_RANGE_LIMITED, K_BEST, NULL, &s);
        int bad = 0, cw = (im->w + 1) / 2, ch = (im->h + 1) / 2;
        for (int y = 0; y < im->h; y++)
            for (int x = 0; x < im->w; x++)
                bad += yuv_get(&p, pf, 0, x, y) != yuv_get(&s, sf, 0, x, y);
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
                for (int pl = 1; pl < 3; pl++)
                    bad += yuv_get(&p, pf, pl, x, y) != yuv_get(&s, sf, pl, x, y);
        KT_CHECK(bad == 0, "%s differs from %s in %d samples", kzv_pixfmt_name(sf), kzv_pixfmt_name(pf), bad);
        yuv_free(&p);
        yuv_free(&s);
    }
}

/* yuv2rgb with the layout of `f` from planes `o` into `back` (w x h). */
static void to_rgb(const yuv *o, kzv_pixfmt f, int matrix, int range, img *back)
{
    kzv_yuv2rgb_params yp;
    kzv_yuv2rgb_default_params(&yp);
    yp.width = back->w; yp.height = back->h; yp.depth = kzv_pixfmt_depth(f);
    kzv_pixfmt_chroma_shift(f, &yp.log2_chroma_w, &yp.log2_chroma_h);
    yp.semi_planar = kzv_pixfmt_planes(f) == 2;
    yp.msb_aligned = f == KZV_PIXFMT_P010;
    yp.matrix = matrix; yp.range = range; yp.out = back->fmt;
    kzv_yuv2rgb y2r;
    KT_CHECK_EQ_INT(kzv_yuv2rgb_init(&y2r, &yp), KZV_OK);
    const uint8_t *src[3] = { o->pl[0], o->pl[1], o->pl[2] };
    KT_CHECK_EQ_INT(kzv_yuv2rgb_convert(&y2r, src, o->stride, back->data, back->stride, NULL), KZV_OK);
}

/* What a transcode does to a flat patch: the source's YUV codes → RGB
 * (decode side) → YUV in the output layout (this converter) → RGB again.
 * The second RGB must equal the first within 1 level (RGB24 through 8-bit
 * layouts) and within half a 10-bit level (RGB48 through 10-bit layouts). */
static void check_round_trip(void)
{
    double worst8 = 0, worst16 = 0;
    const int w = 8, h = 6;
    for (int n = 0; n < 300; n++)
        for (int fi = 0; fi < 8; fi++) {
            kzv_pixfmt f = outs[fi];
            int depth = kzv_pixfmt_depth(f);
            kzv_pixfmt in = depth > 8 ? KZV_PIXFMT_RGB48 : KZV_PIXFMT_RGB24;
            kzv_pixfmt src_fmt = depth > 8 ? KZV_PIXFMT_YUV444P10 : KZV_PIXFMT_YUV444P;
            int range = (n & 1) ? KZV_RANGE_FULL : KZV_RANGE_LIMITED;
            int matrix = matrices[n % 5];
            kzv_range_codes rc = { 0 };
            kzv_range_codes_of(range, depth, &rc);
            /* A flat source patch with codes inside the range, whose RGB is
             * inside the RGB cube (else RGB clips and cannot come back). */
            yuv s;
            yuv_alloc(&s, w, h, src_fmt);
            int code[3];
            for (int pl = 0; pl < 3; pl++) {
                int lo = pl ? rc.coff - (int)(rc.cspan / 2) : rc.yoff, span = pl ? (int)rc.cspan : (int)rc.yspan;
                code[pl] = lo + (int)(rnd32() % (uint32_t)(span + 1));
                for (int i = 0; i < w * h; i++) {
                    if (depth > 8)
                        ((uint16_t *)(void *)s.pl[pl])[i] = (uint16_t)code[pl];
                    else
                        s.pl[pl][i] = (uint8_t)code[pl];
                }
            }
            img rgb1, rgb2;
            img_alloc(&rgb1, w, h, in);
            img_alloc(&rgb2, w, h, in);
            to_rgb(&s, src_fmt, matrix, range, &rgb1);
            double kr = 0, kb = 0;
            kzv_matrix_kr_kb(matrix, &kr, &kb);
            double yy = (code[0] - rc.yoff) / rc.yspan, cu = (code[1] - rc.coff) / rc.cspan,
                   cv = (code[2] - rc.coff) / rc.cspan;
            double R = yy + 2 * (1 - kr) * cv, B = yy + 2 * (1 - kb) * cu;
            double G = (yy - kr * R - kb * B) / (1 - kr - kb);
            bool inside = R > 0.002 && R < 0.998 && G > 0.002 && G < 0.998 && B > 0.002 && B < 0.998;
            yuv o;
            KT_CHECK_EQ_INT(convert(&rgb1, f, matrix, range, K_BEST, NULL, &o), KZV_OK);
            to_rgb(&o, f, matrix, range, &rgb2);
            double worst = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < 3; ch++) {
                        double d = fabs((double)get(&rgb2, x, y, ch) - get(&rgb1, x, y, ch));
                        worst = d > worst ? d : worst;
                    }
            double level = in == KZV_PIXFMT_RGB48 ? worst * 1023.0 / 65535.0 : worst;
            if (inside) {
                double bound = in == KZV_PIXFMT_RGB48 ? 0.5 : 1.0;
                KT_CHECK(level <= bound, "round trip %s matrix %d range %d codes (%d,%d,%d): %.3f levels",
                         kzv_pixfmt_name(f), matrix, range, code[0], code[1], code[2], level);
                if (in == KZV_PIXFMT_RGB48)
                    worst16 = level > worst16 ? level : worst16;
                else
                    worst8 = level > worst8 ? level : worst8;
            }
            free(rgb1.data);
            free(rgb2.data);
            yuv_free(&s);
            yuv_free(&o);
        }
    printf("round trip YUV -> RGB -> YUV -> RGB of flat patches: worst %.3f levels (RGB24, 8-bit layouts), "
           "%.3f 10-bit levels (RGB48, 10-bit layouts)\n", worst8, worst16);
}

int main(void)
{
    kzv_workers *pool = NULL;
    KT_REQUIRE(kzv_workers_create(&pool, 3) == KZV_OK, "workers");

    /* Refusals. */
    kzv_rgb2yuv c;
    kzv_rgb2yuv_params p;
    kzv_rgb2yuv_default_params(&p);
    KT_CHECK_EQ_INT(kzv_rgb2yuv_init(&c, &p), KZV_EINVAL);          /* 0x0 */
    p.width = p.height = 4;
    p.out = KZV_PIXFMT_RGB24;
    KT_CHECK_EQ_INT(kzv_rgb2yuv_init(&c, &p), KZV_EUNSUPPORTED);
    p.out = KZV_PIXFMT_YUV420P;
    p.in = KZV_PIXFMT_YUV420P;
    KT_CHECK_EQ_INT(kzv_rgb2yuv_init(&c, &p), KZV_EUNSUPPORTED);
    p.in = KZV_PIXFMT_RGB24;
    p.matrix = KZV_MATRIX_YCGCO;
    KT_CHECK_EQ_INT(kzv_rgb2yuv_init(&c, &p), KZV_EUNSUPPORTED);
    p.matrix = KZV_MATRIX_BT709;
    p.range = KZV_RANGE_UNSPECIFIED;
    KT_CHECK_EQ_INT(kzv_rgb2yuv_init(&c, &p), KZV_EUNSUPPORTED);

    /* Every input × output × matrix × range, odd and even sizes, noise and
     * extremes, against the model; C vs AVX2 vs AVX-512 and bands on each. */
    static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 17, 9 }, { 64, 33 }, { 97, 70 }, { 1283, 4 } };
    for (int ii = 0; ii < 3; ii++)
        for (int fi = 0; fi < 8; fi++)
            for (int mi = 0; mi < 5; mi++)
                for (int range = 1; range <= 2; range++)
                    for (int si = 0; si < 7; si++) {
                        img im;
                        img_alloc(&im, sizes[si][0], sizes[si][1], ins[ii]);
                        img_fill(&im, (si + mi) % 3 == 2 ? 2 : 0, 0, 0, 0);
                        check_one(&im, outs[fi], matrices[mi], range, pool, true);
                        free(im.data);
                    }
    /* A larger odd picture (many bands, vector bodies and tails) without the
     * slow model. */
    for (int ii = 0; ii < 3; ii++)
        for (int fi = 0; fi < 8; fi++) {
            img im;
            img_alloc(&im, 641, 361, ins[ii]);
            img_fill(&im, 0, 0, 0, 0);
            check_one(&im, outs[fi], KZV_MATRIX_BT709, KZV_RANGE_LIMITED, pool, fi == 0);
            if (fi == 0 && ii != 1)
                check_semi(&im);
            free(im.data);
        }
    check_round_trip();
    printf("checked %lld conversions (%s); worst error against the exact model: Y %.3f, C %.3f codes\n",
           configs, have_avx512 ? "C, AVX2 and AVX-512 kernels" : have_simd ? "C and AVX2 kernels (no AVX-512 here)"
           : "C kernels only (no AVX2 here)", worst_y, worst_c);
    if (!have_avx512)
        printf("not tested: the AVX-512 build of the kernels (this CPU lacks AVX-512 F/BW/DQ/VL%s)\n",
               getenv("KZV_NO_AVX512") ? ", or KZV_NO_AVX512 is set" : "");
    kzv_workers_destroy(&pool);
    return kt_finish();
}
