/* gl uploader, YUV path: planes → shader → RGBA8 for every YUV layout (8-
 * and 10-bit planar 4:2:0/4:2:2/4:4:4, NV12, P010), against the exact
 * double-precision conversion (same interpolation as kzv's CPU converter),
 * against kzv's CPU converter on the same planes, and against the decoder's
 * own RGB24 output on real fixtures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gl_test_util.h"
#include "kzv/decoder.h"
#include "ktest.h"
#include "convert/yuv2rgb.h"

typedef struct err_stats {
    double sum;
    long n;
    int max;
    int mx, my, mc;
} err_stats;

static void err_add(err_stats *e, int x, int y, int c, double ref, uint8_t got)
{
    int d = (int)fabs(ref - (double)got + 0.0);
    /* distance to the nearest representable level of the reference */
    double dd = fabs(ref - (double)got);
    d = (int)floor(dd + 0.5);
    e->sum += dd;
    e->n++;
    if (d > e->max) {
        e->max = d;
        e->mx = x;
        e->my = y;
        e->mc = c;
    }
}

/* Compare a whole readback with the double reference (optionally only the
 * pixels where `mask` is set). */
static err_stats compare_ref(const uint8_t *rgba, const double *ref, int w, int h, const uint8_t *mask)
{
    err_stats e = { 0 };
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * (size_t)w + (size_t)x;
            if (mask && !mask[i])
                continue;
            for (int c = 0; c < 3; c++)
                err_add(&e, x, y, c, ref[3 * i + (size_t)c], rgba[4 * i + (size_t)c]);
            if (rgba[4 * i + 3] != 255)
                e.max = 999;
        }
    return e;
}

static const int matrices[] = { KZV_MATRIX_SMPTE170M, KZV_MATRIX_BT709, KZV_MATRIX_BT2020_NCL };
static const int ranges[] = { KZV_RANGE_LIMITED, KZV_RANGE_FULL };
static const kzv_pixfmt yuv_fmts[] = {
    KZV_PIXFMT_YUV420P, KZV_PIXFMT_YUV422P, KZV_PIXFMT_YUV444P, KZV_PIXFMT_NV12,
    KZV_PIXFMT_YUV420P10, KZV_PIXFMT_YUV422P10, KZV_PIXFMT_YUV444P10, KZV_PIXFMT_P010,
};
#define NFMT (int)(sizeof(yuv_fmts) / sizeof(yuv_fmts[0]))

/* A frame with padding after each row's samples: `pad` bytes (+ 4 per plane
 * index), doubled for 16-bit samples, whose rows must stay 2-byte aligned.
 * An odd pad gives 8-bit planes odd strides and P010's U,V plane a stride
 * that is not a whole number of 4-byte U,V pairs. pad 0 = tight. */
static kzv_frame *new_frame(int w, int h, kzv_pixfmt fmt, int pad)
{
    int stride[3] = { 0, 0, 0 };
    int bps = kzv_pixfmt_sample_bytes(fmt);
    for (int p = 0; pad && p < kzv_pixfmt_planes(fmt); p++) {
        size_t row = 0;
        kzv_pixfmt_plane_size(fmt, w, h, p, NULL, NULL, &row);
        stride[p] = (int)row + (pad + 4 * p) * bps;
    }
    return gt_frame_new(w, h, fmt, stride);
}

/* kzv's CPU converter (src/convert/yuv2rgb.c) on the frame's planes → RGB24 (tight),
 * or NULL when it does not take this input. */
static uint8_t *cpu_rgb24(const kzv_frame *f)
{
    kzv_yuv2rgb_params prm;
    kzv_yuv2rgb_default_params(&prm);
    prm.width = f->width;
    prm.height = f->height;
    prm.depth = kzv_pixfmt_depth(f->format);
    kzv_pixfmt_chroma_shift(f->format, &prm.log2_chroma_w, &prm.log2_chroma_h);
    prm.semi_planar = kzv_pixfmt_planes(f->format) == 2;
    prm.msb_aligned = f->format == KZV_PIXFMT_P010;
    prm.matrix = f->color.matrix;
    prm.range = f->color.range;
    prm.out = KZV_PIXFMT_RGB24;
    kzv_yuv2rgb c;
    if (kzv_yuv2rgb_init(&c, &prm) != KZV_OK)
        return NULL;
    const uint8_t *src[3] = { f->data[0], f->data[1], prm.semi_planar ? NULL : f->data[2] };
    ptrdiff_t stride[3] = { f->stride[0], f->stride[1], prm.semi_planar ? 0 : f->stride[2] };
    uint8_t *out = kt_malloc((size_t)f->width * 3 * (size_t)f->height);
    if (kzv_yuv2rgb_convert(&c, src, stride, out, (ptrdiff_t)f->width * 3, NULL) != KZV_OK) {
        free(out);
        return NULL;
    }
    return out;
}

/* GL readback against the CPU converter's RGB24. */
static err_stats compare_cpu(const uint8_t *rgba, const uint8_t *rgb, int w, int h)
{
    err_stats e = { 0 };
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        for (int c = 0; c < 3; c++)
            err_add(&e, (int)(i % (size_t)w), (int)(i / (size_t)w), c, rgb[3 * i + (size_t)c],
                    rgba[4 * i + (size_t)c]);
    return e;
}

/* Per-format accuracy totals, printed at the end (the figures the README
 * quotes): exact float reference and CPU converter, over all content. */
static err_stats fmt_exact[NFMT], fmt_cpu[NFMT];

static void err_merge(err_stats *into, const err_stats *e)
{
    into->sum += e->sum;
    into->n += e->n;
    if (e->max > into->max)
        into->max = e->max;
}

/* Patch values (Y, U, V): greys, primaries, extremes, skin, out-of-gamut. */
static const uint8_t patches[][3] = {
    { 16, 128, 128 }, { 235, 128, 128 }, { 126, 128, 128 }, { 0, 0, 0 }, { 255, 255, 255 },
    { 81, 90, 240 }, { 145, 54, 34 }, { 41, 240, 110 }, { 170, 166, 16 }, { 106, 202, 222 },
    { 210, 16, 146 }, { 150, 110, 160 }, { 60, 180, 100 }, { 200, 100, 60 }, { 30, 200, 200 },
    { 240, 60, 60 },
};
#define NPATCH (int)(sizeof(patches) / sizeof(patches[0]))
#define PATCH 16  /* patch size in luma pixels (even, so chroma blocks align) */

/* Flat patches: a 4x4 grid of 16x16 constant patches; the inner 12x12 of
 * each (2 pixels from the edges, beyond the reach of chroma interpolation)
 * must be within 2 of the exact conversion of the patch's (Y, U, V). 10-bit
 * formats get the 8-bit patch values × 4 plus a patch-dependent 0..3, so
 * their two low bits are exercised too. */
static void test_flat(kzv_uploader *u, int pbo)
{
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t ri = 0; ri < 2; ri++)
            for (int fi = 0; fi < NFMT; fi++) {
                kzv_pixfmt fmt = yuv_fmts[fi];
                int depth = kzv_pixfmt_depth(fmt);
                int w = 4 * PATCH, h = 4 * PATCH;
                kzv_frame *f = new_frame(w, h, fmt, 16 + 8 * (int)mi);
                f->color.matrix = matrices[mi];
                f->color.range = ranges[ri];
                int sx = 0, sy = 0;
                kzv_pixfmt_chroma_shift(fmt, &sx, &sy);
                int code[NPATCH][3];
                for (int p = 0; p < NPATCH; p++)
                    for (int c = 0; c < 3; c++) {
                        int v = patches[p][c] << (depth - 8);
                        if (depth > 8)
                            v += (p + c) & 3;
                        code[p][c] = v > (1 << depth) - 1 ? (1 << depth) - 1 : v;
                    }
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int p = (y / PATCH) * 4 + x / PATCH;
                        gt_put(f, 0, x, y, code[p][0]);
                        if ((!sx || x % 2 == 0) && (!sy || y % 2 == 0)) {
                            gt_put(f, 1, x >> sx, y >> sy, code[p][1]);
                            gt_put(f, 2, x >> sx, y >> sy, code[p][2]);
                        }
                    }
                kzv_texture t = 0;
                int err = kzv_uploader_upload(u, f, &t);
                KT_CHECK(err == KZV_OK, "upload %s: %s", kzv_pixfmt_name(fmt), kzv_strerror(err));
                uint8_t *rgba = t ? gt_read_rgba(u, t, w, h) : NULL;
                if (rgba) {
                    int worst = 0;
                    for (int p = 0; p < NPATCH; p++) {
                        double ref[3];
                        gt_yuv_to_rgb_depth(matrices[mi], ranges[ri], depth, code[p][0],
                                            code[p][1], code[p][2], ref);
                        int px0 = (p % 4) * PATCH, py0 = (p / 4) * PATCH;
                        for (int y = py0 + 2; y < py0 + PATCH - 2; y++)
                            for (int x = px0 + 2; x < px0 + PATCH - 2; x++)
                                for (int c = 0; c < 3; c++) {
                                    int d = (int)floor(fabs(ref[c] - rgba[4 * (y * w + x) + c]) + 0.5);
                                    if (d > worst)
                                        worst = d;
                                    if (d > 2 && worst == d)
                                        kt_fail_at(__FILE__, __LINE__, "flat %s %s %s pbo %d: patch "
                                                   "(%d,%d,%d) at %d,%d c%d: %d vs %.2f",
                                                   kzv_color_matrix_name(matrices[mi]),
                                                   kzv_color_range_name(ranges[ri]),
                                                   kzv_pixfmt_name(fmt), pbo, code[p][0],
                                                   code[p][1], code[p][2], x, y, c,
                                                   rgba[4 * (y * w + x) + c], ref[c]);
                                }
                    }
                    kt_checks++;
                    printf("flat %-9s %-7s %-9s pbo %d: max error %d\n",
                           kzv_color_matrix_name(matrices[mi]), kzv_color_range_name(ranges[ri]),
                           kzv_pixfmt_name(fmt), pbo, worst);
                }
                free(rgba);
                if (t)
                    kzv_uploader_release(u, t);
                gt_frame_free(f);
            }
}

/* Natural-ish content (smooth gradients + noise + edges) at odd sizes and
 * strides (tight, or padded by an odd number of bytes — even for 16-bit
 * samples, and then not a multiple of P010's 4-byte U,V pairs, which takes
 * the row-by-row upload without the PBO ring): the whole picture against the
 * exact conversion with the same interpolation, and against kzv's CPU
 * converter on the same planes. 10-bit content has noise in its low bits. */
static void test_content(kzv_uploader *u, int pbo)
{
    static const int sizes[][2] = { { 1, 1 }, { 3, 3 }, { 33, 17 }, { 320, 240 }, { 641, 361 }, { 1920, 1080 } };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (int fi = 0; fi < NFMT; fi++) {
            kzv_pixfmt fmt = yuv_fmts[fi];
            int depth = kzv_pixfmt_depth(fmt);
            double scale = ldexp(1.0, depth - 8), vmax = ldexp(1.0, depth) - 1;
            int w = sizes[si][0], h = sizes[si][1];
            bool padded = (si + (size_t)fi) % 2;
            kzv_frame *f = new_frame(w, h, fmt, padded ? 3 + 2 * (int)si : 0);
            f->color.matrix = matrices[(si + (size_t)fi) % 3];
            f->color.range = ranges[(si + (size_t)fi) % 2];
            uint32_t r = (uint32_t)(si * NFMT + (size_t)fi + 1) * 747796405u;
            for (int p = 0; p < 3; p++) {
                /* U and V (p 1, 2) have the chroma size, also when they
                 * share NV12/P010's plane 1 */
                int pw = 0, ph = 0;
                kzv_pixfmt_plane_size(fmt, w, h, p ? 1 : 0, &pw, &ph, NULL);
                for (int y = 0; y < ph; y++)
                    for (int x = 0; x < pw; x++) {
                        r = r * 1664525u + 1013904223u;
                        double v = (128 + 100 * sin(x * 0.05 + p) * cos(y * 0.03 - p) +
                                    (((x / 37 + y / 29) & 1) ? 20 : -20)) * scale +
                                   (double)((r >> 20) % (unsigned)(17 * scale)) - 8 * scale;
                        gt_put(f, p, x, y, (int)(v < 0 ? 0 : v > vmax ? vmax : v));
                    }
            }
            kzv_texture t = 0;
            int err = kzv_uploader_upload(u, f, &t);
            KT_CHECK(err == KZV_OK, "upload %dx%d %s: %s", w, h, kzv_pixfmt_name(fmt), kzv_strerror(err));
            uint8_t *rgba = t ? gt_read_rgba(u, t, w, h) : NULL;
            if (rgba) {
                double *ref = gt_yuv_reference(f);
                err_stats e = compare_ref(rgba, ref, w, h, NULL);
                uint8_t *cpu = cpu_rgb24(f);
                KT_CHECK(cpu != NULL, "CPU converter takes %s", kzv_pixfmt_name(fmt));
                err_stats ec = cpu ? compare_cpu(rgba, cpu, w, h) : (err_stats){ .n = 1 };
                printf("content %4dx%-4d %-9s %-9s %-7s stride %-5s pbo %d: vs exact mean %.3f "
                       "max %d; vs CPU mean %.3f max %d\n", w, h, kzv_pixfmt_name(fmt),
                       kzv_color_matrix_name(f->color.matrix), kzv_color_range_name(f->color.range),
                       padded ? "odd" : "tight", pbo, e.sum / (double)e.n, e.max,
                       ec.sum / (double)ec.n, ec.max);
                KT_CHECK(e.max <= 2, "content %dx%d %s: max error %d at %d,%d c%d", w, h,
                         kzv_pixfmt_name(fmt), e.max, e.mx, e.my, e.mc);
                KT_CHECK(e.sum / (double)e.n < 0.6, "content mean error %.3f", e.sum / (double)e.n);
                KT_CHECK(ec.max <= 2, "content %dx%d %s vs CPU: max error %d at %d,%d c%d", w, h,
                         kzv_pixfmt_name(fmt), ec.max, ec.mx, ec.my, ec.mc);
                KT_CHECK(ec.sum / (double)ec.n < 0.6, "content vs CPU mean error %.3f",
                         ec.sum / (double)ec.n);
                if (w > 3) { /* the 1x1 and 3x3 pictures would only dilute the means */
                    err_merge(&fmt_exact[fi], &e);
                    err_merge(&fmt_cpu[fi], &ec);
                }
                free(cpu);
                free(ref);
            }
            free(rgba);
            if (t)
                kzv_uploader_release(u, t);
            gt_frame_free(f);
        }
}

/* 10-bit precision: ramps through every code value (Y, then U, then V, the
 * other components neutral) must come out at the nearest 8-bit level of the
 * exact conversion — not of the conversion of the input cut to 8 bits. A
 * path that dropped the two low bits before the matrix (R8 textures, an
 * 8-bit intermediate) lands on a wrong level for a large share of the
 * pixels; the test measures that share on a simulated truncation to show it
 * can tell the two apart. */
static void test_precision10(kzv_uploader *u)
{
    static const kzv_pixfmt fmts[] = { KZV_PIXFMT_YUV444P10, KZV_PIXFMT_YUV420P10, KZV_PIXFMT_P010 };
    const int w = 1024, h = 12;
    for (size_t fi = 0; fi < sizeof(fmts) / sizeof(fmts[0]); fi++)
        for (size_t mi = 0; mi < 3; mi++)
            for (size_t ri = 0; ri < 2; ri++) {
                kzv_pixfmt fmt = fmts[fi];
                int sx = 0, sy = 0;
                kzv_pixfmt_chroma_shift(fmt, &sx, &sy);
                kzv_frame *f = new_frame(w, h, fmt, 0);
                f->color.matrix = matrices[mi];
                f->color.range = ranges[ri];
                /* rows 0-3: Y ramp; 4-7: U ramp; 8-11: V ramp (4 rows each, so
                 * 4:2:0 chroma rows 0-1, 2-3, 4-5 belong to one band each) */
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        gt_put(f, 0, x, y, y < 4 ? x : 512);
                for (int y = 0; y < h >> sy; y++)
                    for (int x = 0; x < w >> sx; x++) {
                        int band = (y << sy) / 4, ramp = x << sx;
                        gt_put(f, 1, x, y, band == 1 ? ramp : 512);
                        gt_put(f, 2, x, y, band == 2 ? ramp : 512);
                    }
                kzv_texture t = 0;
                KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_OK);
                uint8_t *rgba = t ? gt_read_rgba(u, t, w, h) : NULL;
                if (rgba) {
                    double *ref = gt_yuv_reference(f);
                    /* the same frame with each sample cut to 8 bits (what an
                     * 8-bit intermediate would hold), converted exactly */
                    kzv_frame *q = new_frame(w, h, fmt, 0);
                    q->color = f->color;
                    for (int p = 0; p < 3; p++) {
                        int pw = 0, ph = 0;
                        kzv_pixfmt_plane_size(fmt, w, h, p ? 1 : 0, &pw, &ph, NULL);
                        for (int y = 0; y < ph; y++)
                            for (int x = 0; x < pw; x++)
                                gt_put(q, p, x, y, gt_sample(f, p, 0, x, y) & ~3);
                    }
                    double *ref_q = gt_yuv_reference(q);
                    err_stats e = compare_ref(rgba, ref, w, h, NULL);
                    long off_gl = 0, off_q = 0, n = 0;
                    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
                        for (int c = 0; c < 3; c++) {
                            double exact = ref[3 * i + (size_t)c];
                            /* not the nearest level (ties: either neighbour) */
                            off_gl += fabs(exact - rgba[4 * i + (size_t)c]) > 0.5 + 1e-3;
                            off_q += fabs(exact - floor(ref_q[3 * i + (size_t)c] + 0.5)) > 0.5 + 1e-3;
                            n++;
                        }
                    printf("precision10 %-9s %-9s %-7s: max %d mean %.3f; off the nearest level: "
                           "%.2f%% (8-bit-cut input would be %.1f%%)\n", kzv_pixfmt_name(fmt),
                           kzv_color_matrix_name(matrices[mi]), kzv_color_range_name(ranges[ri]),
                           e.max, e.sum / (double)e.n, 100.0 * (double)off_gl / (double)n,
                           100.0 * (double)off_q / (double)n);
                    KT_CHECK(e.max <= 1, "precision10 %s: max error %d at %d,%d c%d",
                             kzv_pixfmt_name(fmt), e.max, e.mx, e.my, e.mc);
                    KT_CHECK(e.sum / (double)e.n < 0.3, "precision10 mean %.3f", e.sum / (double)e.n);
                    KT_CHECK((double)off_gl < 0.01 * (double)n, "precision10 %s: %ld of %ld off the "
                             "nearest level", kzv_pixfmt_name(fmt), off_gl, n);
                    KT_CHECK((double)off_q > 0.1 * (double)n, "the ramp tells 8-bit-cut input apart "
                             "(%ld of %ld)", off_q, n);
                    free(ref_q);
                    gt_frame_free(q);
                    free(ref);
                }
                free(rgba);
                if (t)
                    kzv_uploader_release(u, t);
                gt_frame_free(f);
            }
}

/* A real fixture: decode once as KZV_PIXFMT_YUV_AUTO (the codec's own
 * layout and depth, passed through: → GL) and once as RGB24 (the CPU path),
 * frame by frame. */
static void test_fixture(kzv_uploader *u, const char *name, kzv_pixfmt expect)
{
    const char *path = kt_fixture(name);
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    kzv_decoder *dy = NULL, *dr = NULL;
    s.format = KZV_PIXFMT_YUV_AUTO;
    int err = kzv_decoder_open(&dy, path, &s);
    KT_CHECK(err == KZV_OK, "open %s yuv: %s", name, kzv_strerror(err));
    if (dy)
        s.format = kzv_decoder_info(dy)->format;
    KT_CHECK(!dy || s.format == expect, "%s decodes to %s, expected %s", name,
             kzv_pixfmt_name(s.format), kzv_pixfmt_name(expect));
    kzv_pixfmt yuv_fmt = s.format;
    s.format = KZV_PIXFMT_RGB24;
    err = kzv_decoder_open(&dr, path, &s);
    KT_CHECK(err == KZV_OK, "open %s rgb: %s", name, kzv_strerror(err));
    if (!dy || !dr)
        goto out;
    err_stats cpu = { 0 }, exact = { 0 }, dec_exact = { 0 };
    int frames = 0;
    kzv_frame *fy = NULL, *fr = NULL;
    while (kzv_decoder_next(dy, &fy) == KZV_OK && kzv_decoder_next(dr, &fr) == KZV_OK) {
        KT_CHECK(fy->format == yuv_fmt && fr->format == KZV_PIXFMT_RGB24, "formats");
        KT_CHECK(fy->width == fr->width && fy->height == fr->height, "sizes");
        kzv_texture t = 0;
        err = kzv_uploader_upload(u, fy, &t);
        KT_CHECK(err == KZV_OK, "upload frame %d: %s", frames, kzv_strerror(err));
        uint8_t *rgba = t ? gt_read_rgba(u, t, fy->width, fy->height) : NULL;
        if (rgba) {
            int w = fy->width, h = fy->height;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++)
                        err_add(&cpu, x, y, c, fr->data[0][(size_t)y * (size_t)fr->stride[0] + (size_t)(3 * x + c)],
                                rgba[4 * ((size_t)y * (size_t)w + (size_t)x) + (size_t)c]);
            double *ref = gt_yuv_reference(fy);
            err_stats e = compare_ref(rgba, ref, w, h, NULL);
            exact.sum += e.sum;
            exact.n += e.n;
            if (e.max > exact.max)
                exact.max = e.max;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++)
                        err_add(&dec_exact, x, y, c, ref[3 * ((size_t)y * (size_t)w + (size_t)x) + (size_t)c],
                                fr->data[0][(size_t)y * (size_t)fr->stride[0] + (size_t)(3 * x + c)]);
            free(ref);
        }
        free(rgba);
        if (t)
            kzv_uploader_release(u, t);
        kzv_frame_unref(&fy);
        kzv_frame_unref(&fr);
        frames++;
    }
    kzv_frame_unref(&fy);
    kzv_frame_unref(&fr);
    KT_CHECK(frames > 0, "decoded frames");
    if (cpu.n && exact.n) {
        printf("fixture %s: %d frames %s %s %s; GL vs exact float: mean %.3f max %d; GL vs "
               "decoder RGB24: mean %.3f max %d (at %d,%d c%d); decoder RGB24 vs exact float: "
               "mean %.3f max %d\n", name, frames, kzv_pixfmt_name(yuv_fmt),
               kzv_color_matrix_name(kzv_decoder_info(dy)->color.matrix),
               kzv_color_range_name(kzv_decoder_info(dy)->color.range),
               exact.sum / (double)exact.n, exact.max, cpu.sum / (double)cpu.n, cpu.max, cpu.mx,
               cpu.my, cpu.mc, dec_exact.sum / (double)dec_exact.n, dec_exact.max);
        KT_CHECK(exact.max <= 2, "%s: GL vs exact max %d", name, exact.max);
        KT_CHECK(exact.sum / (double)exact.n < 0.5, "%s: GL vs exact mean %.3f", name,
                 exact.sum / (double)exact.n);
        /* The decoder's RGB24 (kzv's CPU converter) does the same
         * interpolation with integer arithmetic: both are within 1 of the
         * exact conversion, so within 2 of each other. */
        KT_CHECK(cpu.max <= 2, "%s: GL vs decoder max %d", name, cpu.max);
        KT_CHECK(cpu.sum / (double)cpu.n < 0.5, "%s: GL vs decoder mean %.3f", name,
                 cpu.sum / (double)cpu.n);
    }
out:
    kzv_decoder_close(&dy);
    kzv_decoder_close(&dr);
}

/* The untagged rule and unknown codes: matrix 2 at 1080 lines is BT.709,
 * at 480 BT.601. */
static void test_untagged(kzv_uploader *u)
{
    static const int hs[2] = { 480, 1080 };
    for (int k = 0; k < 2; k++) {
        kzv_frame *f = gt_frame_new(8, hs[k], KZV_PIXFMT_YUV444P, NULL);
        f->color.matrix = KZV_MATRIX_UNSPECIFIED;
        f->color.range = KZV_RANGE_UNSPECIFIED;
        for (int p = 0; p < 3; p++)
            memset(f->data[p], p == 0 ? 100 : p == 1 ? 70 : 200, (size_t)f->stride[p] * (size_t)hs[k]);
        kzv_texture t = 0;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_OK);
        uint8_t *px = t ? gt_read_rgba(u, t, 8, hs[k]) : NULL;
        if (px) {
            double ref[3];
            gt_yuv_to_rgb(k ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M, KZV_RANGE_LIMITED, 100, 70, 200, ref);
            for (int c = 0; c < 3; c++)
                KT_CHECK(fabs(ref[c] - px[c]) <= 1.0, "untagged h=%d c%d: %d vs %.2f", hs[k], c, px[c], ref[c]);
        }
        free(px);
        if (t)
            kzv_uploader_release(u, t);
        gt_frame_free(f);
    }
}

int main(void)
{
    for (int pbo = 0; pbo <= 3; pbo += 3) {
        kzv_uploader *u = gt_gl_create(pbo, 8, KZV_GL_PATH_YUV);
        if (!u)
            return kt_finish();
        test_flat(u, pbo);
        test_content(u, pbo);
        if (pbo) {
            test_precision10(u);
            test_untagged(u);
            test_fixture(u, "h264.mp4", KZV_PIXFMT_YUV420P);
            test_fixture(u, "h264_422.mkv", KZV_PIXFMT_YUV422P);
            test_fixture(u, "h264_444.mkv", KZV_PIXFMT_YUV444P);
            test_fixture(u, "flat_bt601.mp4", KZV_PIXFMT_YUV420P);
            test_fixture(u, "flat_bt709.mp4", KZV_PIXFMT_YUV420P);
            test_fixture(u, "flat_full.mp4", KZV_PIXFMT_YUV420P);
            test_fixture(u, "odd.mp4", KZV_PIXFMT_YUV444P);
            test_fixture(u, "odd420.webm", KZV_PIXFMT_YUV420P);
            /* 10-bit sources, uploaded at 10 bits */
            test_fixture(u, "hevc10.mkv", KZV_PIXFMT_YUV420P10);
            test_fixture(u, "hevc10_422.mkv", KZV_PIXFMT_YUV422P10);
            test_fixture(u, "flat_bt2020_10.mkv", KZV_PIXFMT_YUV420P10);
        }
        /* RGB frames still go as they are on the YUV path. */
        kzv_frame *f = gt_frame_new(5, 3, KZV_PIXFMT_RGB24, NULL);
        gt_fill_pattern(f, 5);
        kzv_texture t = 0;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_OK);
        uint8_t *px = t ? gt_read_rgba(u, t, 5, 3) : NULL;
        if (px)
            KT_CHECK(px[4 * 7] == f->data[0][3 * 7] && px[4 * 7 + 2] == f->data[0][3 * 7 + 2], "RGB on YUV path");
        free(px);
        if (t)
            kzv_uploader_release(u, t);
        gt_frame_free(f);
        KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
        kzv_uploader_destroy(&u);
    }
    for (int fi = 0; fi < NFMT; fi++)
        printf("summary %-9s (content, both PBO modes): vs exact float mean %.3f max %d; "
               "vs CPU converter mean %.3f max %d\n", kzv_pixfmt_name(yuv_fmts[fi]),
               fmt_exact[fi].sum / (double)(fmt_exact[fi].n ? fmt_exact[fi].n : 1), fmt_exact[fi].max,
               fmt_cpu[fi].sum / (double)(fmt_cpu[fi].n ? fmt_cpu[fi].n : 1), fmt_cpu[fi].max);
    return kt_finish();
}
