/* gl uploader, YUV path: planes → shader → RGBA8, against the exact
 * double-precision conversion (same interpolation as kzv's CPU converter)
 * and against the decoder's own RGB24 output on a real fixture. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gl_test_util.h"
#include "kzv/decoder.h"
#include "ktest.h"

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
static const kzv_pixfmt yuv_fmts[] = { KZV_PIXFMT_YUV420P, KZV_PIXFMT_YUV422P, KZV_PIXFMT_YUV444P };

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
 * must be within 2 of the exact conversion of the patch's (Y, U, V). */
static void test_flat(kzv_uploader *u, int pbo)
{
    for (size_t mi = 0; mi < 3; mi++)
        for (size_t ri = 0; ri < 2; ri++)
            for (size_t fi = 0; fi < 3; fi++) {
                int w = 4 * PATCH, h = 4 * PATCH;
                kzv_frame *f = gt_frame_new(w, h, yuv_fmts[fi], (int[3]){ w + 32, w / 2 + 16, w / 2 + 16 });
                if (yuv_fmts[fi] == KZV_PIXFMT_YUV444P)
                    f = (gt_frame_free(f), gt_frame_new(w, h, yuv_fmts[fi], (int[3]){ w + 32, w + 8, w + 8 }));
                f->color.matrix = matrices[mi];
                f->color.range = ranges[ri];
                int sx = yuv_fmts[fi] != KZV_PIXFMT_YUV444P, sy = yuv_fmts[fi] == KZV_PIXFMT_YUV420P;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int p = (y / PATCH) * 4 + x / PATCH;
                        f->data[0][y * f->stride[0] + x] = patches[p][0];
                        if ((!sx || x % 2 == 0) && (!sy || y % 2 == 0)) {
                            int cx = x >> sx, cy = y >> sy;
                            f->data[1][cy * f->stride[1] + cx] = patches[p][1];
                            f->data[2][cy * f->stride[2] + cx] = patches[p][2];
                        }
                    }
                kzv_texture t = 0;
                int err = kzv_uploader_upload(u, f, &t);
                KT_CHECK(err == KZV_OK, "upload: %s", kzv_strerror(err));
                uint8_t *rgba = t ? gt_read_rgba(u, t, w, h) : NULL;
                if (rgba) {
                    int worst = 0;
                    for (int p = 0; p < NPATCH; p++) {
                        double ref[3];
                        gt_yuv_to_rgb(matrices[mi], ranges[ri], patches[p][0], patches[p][1],
                                      patches[p][2], ref);
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
                                                   kzv_pixfmt_name(yuv_fmts[fi]), pbo, patches[p][0],
                                                   patches[p][1], patches[p][2], x, y, c,
                                                   rgba[4 * (y * w + x) + c], ref[c]);
                                }
                    }
                    kt_checks++;
                    printf("flat %-9s %-7s %-7s pbo %d: max error %d\n",
                           kzv_color_matrix_name(matrices[mi]), kzv_color_range_name(ranges[ri]),
                           kzv_pixfmt_name(yuv_fmts[fi]), pbo, worst);
                }
                free(rgba);
                if (t)
                    kzv_uploader_release(u, t);
                gt_frame_free(f);
            }
}

/* Natural-ish content (smooth gradients + noise + edges) at odd sizes: the
 * whole picture against the exact conversion with the same interpolation. */
static void test_content(kzv_uploader *u, int pbo)
{
    static const int sizes[][2] = { { 1, 1 }, { 3, 3 }, { 33, 17 }, { 320, 240 }, { 641, 361 }, { 1920, 1080 } };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (size_t fi = 0; fi < 3; fi++) {
            int w = sizes[si][0], h = sizes[si][1];
            kzv_frame *f = gt_frame_new(w, h, yuv_fmts[fi], NULL);
            f->color.matrix = matrices[(si + fi) % 3];
            f->color.range = ranges[(si + fi) % 2];
            uint32_t r = (uint32_t)(si * 3 + fi + 1) * 747796405u;
            for (int p = 0; p < 3; p++) {
                int pw = p && yuv_fmts[fi] != KZV_PIXFMT_YUV444P ? (w + 1) / 2 : w;
                int ph = p && yuv_fmts[fi] == KZV_PIXFMT_YUV420P ? (h + 1) / 2 : h;
                for (int y = 0; y < ph; y++)
                    for (int x = 0; x < pw; x++) {
                        r = r * 1664525u + 1013904223u;
                        double v = 128 + 100 * sin(x * 0.05 + p) * cos(y * 0.03 - p) +
                                   (double)((r >> 24) % 17) - 8 + (((x / 37 + y / 29) & 1) ? 20 : -20);
                        f->data[p][y * f->stride[p] + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
                    }
            }
            kzv_texture t = 0;
            int err = kzv_uploader_upload(u, f, &t);
            KT_CHECK(err == KZV_OK, "upload %dx%d: %s", w, h, kzv_strerror(err));
            uint8_t *rgba = t ? gt_read_rgba(u, t, w, h) : NULL;
            if (rgba) {
                double *ref = gt_yuv_reference(f);
                err_stats e = compare_ref(rgba, ref, w, h, NULL);
                printf("content %4dx%-4d %-7s %-9s %-7s pbo %d: mean %.3f max %d\n", w, h,
                       kzv_pixfmt_name(yuv_fmts[fi]), kzv_color_matrix_name(f->color.matrix),
                       kzv_color_range_name(f->color.range), pbo, e.sum / (double)e.n, e.max);
                KT_CHECK(e.max <= 2, "content %dx%d %s: max error %d at %d,%d c%d", w, h,
                         kzv_pixfmt_name(yuv_fmts[fi]), e.max, e.mx, e.my, e.mc);
                KT_CHECK(e.sum / (double)e.n < 0.6, "content mean error %.3f", e.sum / (double)e.n);
                free(ref);
            }
            free(rgba);
            if (t)
                kzv_uploader_release(u, t);
            gt_frame_free(f);
        }
}

/* The real fixture: decode once as YUV420P (→ GL) and once as RGB24 (the
 * CPU path), frame by frame. */
static void test_fixture(kzv_uploader *u, const char *name)
{
    const char *path = kt_fixture(name);
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    kzv_decoder *dy = NULL, *dr = NULL;
    /* The source's own chroma layout, so the decoder does not resample it. */
    int err = kzv_decoder_open(&dy, path, &s);
    if (err == KZV_OK) {
        kzv_pixfmt native = kzv_pixfmt_from_name(kzv_decoder_info(dy)->pix_fmt);
        s.format = native == KZV_PIXFMT_YUV422P || native == KZV_PIXFMT_YUV444P ? native
                                                                                  : KZV_PIXFMT_YUV420P;
        kzv_decoder_close(&dy);
        err = kzv_decoder_open(&dy, path, &s);
    }
    KT_CHECK(err == KZV_OK, "open %s yuv: %s", name, kzv_strerror(err));
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
            test_untagged(u);
            test_fixture(u, "h264.mp4");
            test_fixture(u, "h264_422.mkv");
            test_fixture(u, "h264_444.mkv");
            test_fixture(u, "flat_bt601.mp4");
            test_fixture(u, "flat_bt709.mp4");
            test_fixture(u, "flat_full.mp4");
            test_fixture(u, "odd.mp4");
            test_fixture(u, "odd420.webm");
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
    return kt_finish();
}
