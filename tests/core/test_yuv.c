/* YUV output: the `yuv` request (KZV_PIXFMT_YUV_AUTO), passthrough of the
 * decoded planes, and explicit YUV conversions, against ffmpeg's own planes.
 *
 * Ground truth is `ffmpeg -f rawvideo -pix_fmt P` of the same file, every
 * frame, compared byte for byte:
 *  - native layouts (8/10-bit 4:2:0, 4:2:2, 4:4:4, yuvj): no conversion on
 *    either side, so the planes must be identical;
 *  - conversions (8 → 10 bit, 10 bit → nv12/p010, 4:2:2 → 4:2:0, 12 → 10 bit,
 *    4:1:1 → 4:2:2, mid-stream layout changes): kzv uses libswscale with
 *    bicubic+accurate_rnd+full_chroma_int+full_chroma_inp (src/convert/convert.c);
 *    ffmpeg is given the same -sws_flags, and the outputs are then identical
 *    (measured on FFmpeg 5.1: every frame equal). Where ffmpeg's scale filter
 *    would change the range (full-range gray and RGB sources: vf_scale makes
 *    limited output unless told) kzv keeps the source's range, as documented,
 *    and the reference is asked for full range or compared plane by plane.
 *
 * Passthrough is zero-copy: no conversion time at all (stats.convert_ns == 0),
 * and every plane points into buffers the frame itself references that are
 * not kzv's own pooled layout. Frames are compared after their decoder is
 * closed (cu_decode_all closes it) while many are held at once with frame
 * threads on: under ASan this shows the codec neither reuses nor frees
 * pictures kzv hands out, and that the last unref returns them (no leaks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "core/frame_internal.h"
#include "ktest.h"

#define SWS_FLAGS "bicubic+accurate_rnd+full_chroma_int+full_chroma_inp"

/* Bytes of one frame of `fmt` packed tightly (ffmpeg's rawvideo) and the
 * geometry of plane p. */
static void plane_geom(kzv_pixfmt fmt, int w, int h, int p, int *row, int *rows)
{
    size_t bytes = 0;
    kzv_pixfmt_plane_size(fmt, w, h, p, NULL, rows, &bytes);
    *row = (int)bytes;
}

static size_t tight_size(kzv_pixfmt fmt, int w, int h)
{
    size_t n = 0;
    for (int p = 0; p < kzv_pixfmt_planes(fmt); p++) {
        int row, rows;
        plane_geom(fmt, w, h, p, &row, &rows);
        n += (size_t)row * (size_t)rows;
    }
    return n;
}

/* Compare every frame's planes with ffmpeg's tight raw output. Returns the
 * number of frames that differ (a missing reference frame counts). */
static int compare_raw(const char *label, const cu_decoded *dec, const uint8_t *ref, size_t len)
{
    int bad = 0;
    size_t off = 0;
    for (int i = 0; i < dec->n; i++) {
        const kzv_frame *f = dec->frames[i];
        size_t fs = tight_size(f->format, f->width, f->height);
        if (off + fs > len) {
            if (bad++ < 3)
                printf("  %s: frame %d: ffmpeg has no such frame (%zu bytes)\n", label, i, len);
            continue;
        }
        const uint8_t *r = ref + off;
        bool same = true;
        for (int p = 0; p < kzv_pixfmt_planes(f->format) && same; p++) {
            int row, rows;
            plane_geom(f->format, f->width, f->height, p, &row, &rows);
            for (int y = 0; y < rows && same; y++) {
                if (memcmp(f->data[p] + (size_t)y * (size_t)f->stride[p], r, (size_t)row) != 0) {
                    same = false;
                    if (bad < 3)
                        printf("  %s: frame %d plane %d row %d differs\n", label, i, p, y);
                }
                r += row;
            }
        }
        bad += !same;
        off += fs;
    }
    if (off != len)
        printf("  %s: ffmpeg gave %zu bytes, kzv frames cover %zu\n", label, len, off);
    return bad + (off != len);
}

static bool in_buf(const AVBufferRef *b, const uint8_t *p, size_t n)
{
    return b && p >= b->data && p + n <= b->data + b->size;
}

/* The frame shows the codec's buffers: each plane (first to last row) lies in
 * a buffer the frame references, and those are not kzv's own pooled layout
 * (one buffer of exactly kzv_frame_layout() bytes). */
static bool is_shared(const kzv_frame *f)
{
    const kzv_frame_internal *fi = (const kzv_frame_internal *)f;
    for (int p = 0; p < kzv_pixfmt_planes(f->format); p++) {
        int row, rows;
        plane_geom(f->format, f->width, f->height, p, &row, &rows);
        size_t span = (size_t)f->stride[p] * (size_t)(rows - 1) + (size_t)row;
        bool found = in_buf(fi->buf, f->data[p], span);
        for (int i = 0; i < KZV_FRAME_EXTRA_BUFS; i++)
            found = found || in_buf(fi->extra[i], f->data[p], span);
        if (!found)
            return false;
    }
    int stride[4];
    size_t offset[4];
    size_t own = kzv_frame_layout(f->width, f->height, f->format, stride, offset);
    return fi->extra[0] || (size_t)fi->buf->size != own;
}

/* Decode `path` as `fmt`, compare with ffmpeg's `pix_fmt` output (`vf` and
 * the sws flags when converting), check format, colour and sharing. */
static void check(const char *label, const char *path, kzv_pixfmt fmt, kzv_pixfmt expect,
                  const char *pix_fmt, const char *vf, bool expect_shared)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = fmt;
    cu_decoded dec, rgb;
    if (cu_decode_all(path, &s, 0, &dec) != KZV_OK) {
        KT_CHECK(false, "%s: open failed: %s", label, kzv_decoder_last_error(NULL));
        return;
    }
    KT_CHECK(dec.n > 0 && dec.end_status == KZV_EOF, "%s: %d frames, end %d", label, dec.n, dec.end_status);
    KT_CHECK(dec.info.format == expect, "%s: info.format %s, expected %s", label,
             kzv_pixfmt_name(dec.info.format), kzv_pixfmt_name(expect));

    /* Colour: a YUV frame describes its source as an RGB frame does. */
    kzv_decoder_default_settings(&s);
    KT_CHECK(cu_decode_all(path, &s, 1, &rgb) == KZV_OK && rgb.n == 1, "%s: rgb decode", label);
    int wrong_fmt = 0, wrong_color = 0, shared = 0;
    for (int i = 0; i < dec.n; i++) {
        const kzv_frame *f = dec.frames[i];
        wrong_fmt += f->format != expect;
        if (rgb.n == 1) {
            const kzv_color *a = &f->color, *b = &rgb.frames[0]->color;
            bool rgb_src = b->matrix == KZV_MATRIX_RGB;   /* then the YUV one says how it was encoded */
            wrong_color += (!rgb_src && (a->matrix != b->matrix || a->matrix_tagged != b->matrix_tagged)) ||
                           a->range != b->range || a->primaries != b->primaries || a->transfer != b->transfer;
        }
        shared += is_shared(f);
    }
    KT_CHECK(wrong_fmt == 0, "%s: %d frames not %s", label, wrong_fmt, kzv_pixfmt_name(expect));
    KT_CHECK(wrong_color == 0, "%s: %d frames with another colour description than RGB output", label, wrong_color);
    if (expect_shared) {
        KT_CHECK(shared == dec.n, "%s: %d of %d frames share the codec's buffers", label, shared, dec.n);
        KT_CHECK(dec.stats.convert_ns == 0, "%s: passthrough spent %lld ns converting", label,
                 (long long)dec.stats.convert_ns);
    } else {
        KT_CHECK(shared == 0, "%s: %d frames shared although converted", label, shared);
        KT_CHECK(dec.stats.convert_ns > 0, "%s: no conversion time", label);
    }

    size_t len = 0;
    uint8_t *ref = cu_ffmpeg_raw(path, vf, expect_shared ? NULL : SWS_FLAGS, pix_fmt, &len);
    KT_CHECK(ref != NULL, "%s: ffmpeg -pix_fmt %s failed", label, pix_fmt);
    if (ref) {
        int bad = compare_raw(label, &dec, ref, len);
        printf("%s: %d frames %s (%s), %d differ from ffmpeg -pix_fmt %s%s\n", label, dec.n,
               kzv_pixfmt_name(expect), expect_shared ? "passthrough" : "converted", bad, pix_fmt,
               expect_shared ? "" : " -sws_flags " SWS_FLAGS);
        KT_CHECK(bad == 0, "%s: %d frames differ from ffmpeg's %s", label, bad, pix_fmt);
    }
    free(ref);
    cu_decoded_free(&rgb);
    cu_decoded_free(&dec);
}

/* P010 keeps its 10 bits high: the low 6 bits of every sample are zero. */
static void check_p010_bits(const char *path)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_P010;
    cu_decoded dec;
    KT_CHECK(cu_decode_all(path, &s, 3, &dec) == KZV_OK && dec.n == 3, "p010: decode");
    int low = 0, high = 0;
    for (int i = 0; i < dec.n; i++) {
        const kzv_frame *f = dec.frames[i];
        for (int p = 0; p < 2; p++) {
            int row, rows;
            plane_geom(f->format, f->width, f->height, p, &row, &rows);
            for (int y = 0; y < rows; y++) {
                const uint16_t *r = (const uint16_t *)(const void *)(f->data[p] + (size_t)y * (size_t)f->stride[p]);
                for (int x = 0; x < row / 2; x++) {
                    low += (r[x] & 63) != 0;
                    high += r[x] > 1023;
                }
            }
        }
    }
    KT_CHECK(low == 0 && high > 0, "p010: %d samples with low bits set, %d above 1023", low, high);
    cu_decoded_free(&dec);
}

/* Gray has no chroma: the Y plane is the source's, chroma is neutral. */
static void check_gray(const char *label, const char *path, const char *gray_fmt, kzv_pixfmt expect)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_YUV_AUTO;
    cu_decoded dec;
    if (cu_decode_all(path, &s, 0, &dec) != KZV_OK) {
        KT_CHECK(false, "%s: open failed", label);
        return;
    }
    KT_CHECK(dec.info.format == expect, "%s: info.format %s", label, kzv_pixfmt_name(dec.info.format));
    size_t len = 0;
    uint8_t *ref = cu_ffmpeg_raw(path, NULL, NULL, gray_fmt, &len);
    int bps = kzv_pixfmt_sample_bytes(expect), bad_y = 0, bad_c = 0;
    unsigned neutral = bps == 2 ? 512 : 128;
    for (int i = 0; ref && i < dec.n; i++) {
        const kzv_frame *f = dec.frames[i];
        size_t ys = (size_t)f->width * f->height * bps;
        if (f->format != expect || (size_t)(i + 1) * ys > len) {
            bad_y++;
            continue;
        }
        for (int y = 0; y < f->height; y++)
            bad_y += memcmp(f->data[0] + (size_t)y * f->stride[0], ref + i * ys + (size_t)y * f->width * bps,
                            (size_t)f->width * bps) != 0;
        for (int p = 1; p < 3; p++) {
            int row, rows;
            plane_geom(f->format, f->width, f->height, p, &row, &rows);
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < row / bps; x++) {
                    const uint8_t *c = f->data[p] + (size_t)y * f->stride[p] + (size_t)x * bps;
                    unsigned v = bps == 2 ? *(const uint16_t *)(const void *)c : *c;
                    bad_c += v != neutral;
                }
        }
    }
    printf("%s: %d frames %s, Y rows differing from ffmpeg %s: %d, chroma samples not %u: %d\n", label,
           dec.n, kzv_pixfmt_name(expect), gray_fmt, bad_y, neutral, bad_c);
    KT_CHECK(ref && dec.n > 0 && bad_y == 0 && bad_c == 0, "%s: gray planes wrong", label);
    free(ref);
    cu_decoded_free(&dec);
}

/* A layout change mid-stream (4:2:0 then 4:4:4): frames keep the layout
 * settled at open; the first part is shared, the rest converted. */
static void check_layout_change(const char *path)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_YUV_AUTO;
    cu_decoded dec;
    if (cu_decode_all(path, &s, 0, &dec) != KZV_OK) {
        KT_CHECK(false, "layout change: open failed");
        return;
    }
    int shared = 0, wrong = 0;
    for (int i = 0; i < dec.n; i++) {
        shared += is_shared(dec.frames[i]);
        wrong += dec.frames[i]->format != KZV_PIXFMT_YUV420P;
    }
    KT_CHECK(dec.n == 12 && wrong == 0 && shared == 6, "layout change: %d frames, %d not yuv420p, %d shared",
             dec.n, wrong, shared);
    KT_CHECK(dec.stats.size_changes == 1, "layout change: %lld changes counted", (long long)dec.stats.size_changes);
    size_t len = 0;
    uint8_t *ref = cu_ffmpeg_raw(path, NULL, SWS_FLAGS, "yuv420p", &len);
    int bad = ref ? compare_raw("layout change", &dec, ref, len) : -1;
    printf("layout change 4:2:0 -> 4:4:4: %d frames yuv420p (%d shared), %d differ from ffmpeg\n",
           dec.n, shared, bad);
    KT_CHECK(bad == 0, "layout change: %d frames differ from ffmpeg", bad);
    free(ref);
    cu_decoded_free(&dec);
}

/* Size changes: shared at the new size, or scaled (converted) with
 * keep_first_size; the format never changes. */
static void check_size_change(const char *path)
{
    for (int keep = 0; keep < 2; keep++) {
        kzv_decoder_settings s;
        kzv_decoder_default_settings(&s);
        s.format = KZV_PIXFMT_YUV_AUTO;
        s.keep_first_size = keep;
        cu_decoded dec;
        if (cu_decode_all(path, &s, 0, &dec) != KZV_OK) {
            KT_CHECK(false, "reschange: open failed");
            return;
        }
        int shared = 0, wrong = 0, sizes = 0;
        for (int i = 0; i < dec.n; i++) {
            const kzv_frame *f = dec.frames[i];
            shared += is_shared(f);
            wrong += f->format != KZV_PIXFMT_YUV420P;
            sizes += i > 0 && f->width != dec.frames[i - 1]->width;
        }
        printf("reschange keep_first_size=%d: %d frames, %d shared, %d size changes seen\n", keep, dec.n,
               shared, sizes);
        KT_CHECK(dec.n > 0 && wrong == 0, "reschange: %d frames not yuv420p", wrong);
        if (keep)
            KT_CHECK(sizes == 0 && shared > 0 && shared < dec.n && dec.stats.convert_ns > 0,
                     "reschange kept size: %d sizes, %d of %d shared", sizes, shared, dec.n);
        else
            KT_CHECK(sizes > 0 && shared == dec.n && dec.stats.convert_ns == 0,
                     "reschange: %d sizes, %d of %d shared", sizes, shared, dec.n);
        cu_decoded_free(&dec);
    }
}

/* Frames held past kzv_decoder_close() and past the codec's own reuse of
 * its pictures: still the same pixels (a copy made while the decoder was
 * open is the reference). */
static void check_outlive(const char *path)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_YUV_AUTO;
    s.threads = 4;   /* frame threads: several pictures in flight */
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, &s) != KZV_OK) {
        KT_CHECK(false, "outlive: open failed");
        return;
    }
    kzv_frame *f = NULL;
    KT_CHECK(kzv_decoder_next(d, &f) == KZV_OK && f && is_shared(f), "outlive: first frame shared");
    if (!f) {
        kzv_decoder_close(&d);
        return;
    }
    size_t n = (size_t)f->stride[0] * (size_t)f->height;
    uint8_t *copy = kt_malloc(n);
    memcpy(copy, f->data[0], n);
    kzv_frame *g = NULL;
    int more = 0;
    while (kzv_decoder_next(d, &g) == KZV_OK) {   /* the codec goes on decoding */
        more++;
        kzv_frame_unref(&g);
    }
    kzv_decoder_close(&d);
    KT_CHECK(more > 10 && memcmp(copy, f->data[0], n) == 0, "outlive: first frame changed after %d more "
             "frames and close", more);
    kzv_frame *r = kzv_frame_ref(f);
    kzv_frame_unref(&f);
    KT_CHECK(r && memcmp(copy, r->data[0], n) == 0, "outlive: second reference");
    kzv_frame_unref(&r);
    free(copy);
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_QUIET);

    /* `yuv` on native layouts: the codec's planes, untouched. */
    check("h264.mp4 yuv", kt_fixture("h264.mp4"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P, "yuv420p", NULL, true);
    check("flat_full.mp4 yuv", kt_fixture("flat_full.mp4"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P, "yuvj420p",
          NULL, true);
    check("hevc10.mkv yuv", kt_fixture("hevc10.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P10, "yuv420p10le",
          NULL, true);
    check("flat_bt2020_10.mkv yuv", kt_fixture("flat_bt2020_10.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P10,
          "yuv420p10le", NULL, true);
    check("hevc10_422.mkv yuv", kt_fixture("hevc10_422.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV422P10,
          "yuv422p10le", NULL, true);
    check("h264_422.mkv yuv", kt_fixture("h264_422.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV422P, "yuv422p",
          NULL, true);
    check("h264_444.mkv yuv", kt_fixture("h264_444.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV444P, "yuv444p",
          NULL, true);
    check("odd.mp4 yuv", kt_fixture("odd.mp4"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV444P, "yuv444p", NULL, true);
    check("odd420.webm yuv", kt_fixture("odd420.webm"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P, "yuv420p",
          NULL, true);
    check("av1.mkv yuv", kt_fixture("av1.mkv"), KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P, "yuv420p", NULL, true);
    /* An explicit format equal to the decoded one is passed through too. */
    check("hevc10.mkv yuv420p10", kt_fixture("hevc10.mkv"), KZV_PIXFMT_YUV420P10, KZV_PIXFMT_YUV420P10,
          "yuv420p10le", NULL, true);
    check("h264.mp4 yuv420p", kt_fixture("h264.mp4"), KZV_PIXFMT_YUV420P, KZV_PIXFMT_YUV420P, "yuv420p", NULL, true);

    /* Explicit conversions: libswscale with ffmpeg's -sws_flags set the same. */
    check("h264.mp4 yuv420p10", kt_fixture("h264.mp4"), KZV_PIXFMT_YUV420P10, KZV_PIXFMT_YUV420P10,
          "yuv420p10le", NULL, false);
    check("h264.mp4 nv12", kt_fixture("h264.mp4"), KZV_PIXFMT_NV12, KZV_PIXFMT_NV12, "nv12", NULL, false);
    check("hevc10.mkv nv12", kt_fixture("hevc10.mkv"), KZV_PIXFMT_NV12, KZV_PIXFMT_NV12, "nv12", NULL, false);
    check("hevc10.mkv p010", kt_fixture("hevc10.mkv"), KZV_PIXFMT_P010, KZV_PIXFMT_P010, "p010le", NULL, false);
    check("hevc10.mkv yuv444p10", kt_fixture("hevc10.mkv"), KZV_PIXFMT_YUV444P10, KZV_PIXFMT_YUV444P10,
          "yuv444p10le", NULL, false);
    check("flat_bt2020_10.mkv p010", kt_fixture("flat_bt2020_10.mkv"), KZV_PIXFMT_P010, KZV_PIXFMT_P010,
          "p010le", NULL, false);
    check("h264_422.mkv yuv420p10", kt_fixture("h264_422.mkv"), KZV_PIXFMT_YUV420P10, KZV_PIXFMT_YUV420P10,
          "yuv420p10le", NULL, false);
    check_p010_bits(kt_fixture("hevc10.mkv"));

    /* Layouts kzv has no exact match for, made here (ffv1 is lossless and
     * takes them all; the mid-stream layout change is two H.264 streams in
     * MPEG-TS back to back). */
    const char *tmp = kt_tmpdir();
    static const struct { const char *name, *pix_fmt, *codec; } gen[] = {
        { "p12.mkv", "yuv420p12le", "ffv1" }, { "y411.mkv", "yuv411p", "ffv1" },
        { "y440.mkv", "yuv440p", "ffv1" },    { "g8.mkv", "gray", "ffv1" },
        { "g10.mkv", "gray10le", "ffv1" },    { "rgb.mkv", "gbrp", "ffv1" },
        { "l1.ts", "yuv420p", "libx264" },    { "l2.ts", "yuv444p", "libx264" },
    };
    char p[sizeof(gen) / sizeof(gen[0])][4200];
    for (size_t i = 0; i < sizeof(gen) / sizeof(gen[0]); i++) {
        snprintf(p[i], sizeof(p[i]), "%s/%s", tmp, gen[i].name);
        int st = kt_run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 6 "
                        "-pix_fmt %s -c:v %s '%s'", gen[i].pix_fmt, gen[i].codec, p[i]);
        KT_REQUIRE(st == 0, "ffmpeg could not make %s", gen[i].name);
    }
    check("yuv420p12 yuv", p[0], KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV420P10, "yuv420p10le", NULL, false);
    check("yuv411p yuv", p[1], KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV422P, "yuv422p", NULL, false);
    check("yuv440p yuv", p[2], KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV444P, "yuv444p", NULL, false);
    check_gray("gray yuv", p[3], "gray", KZV_PIXFMT_YUV420P);
    check_gray("gray10 yuv", p[4], "gray10le", KZV_PIXFMT_YUV420P10);
    /* RGB: BT.601 (untagged rule at 120 lines) in full range, which is what
     * swscale's default matrix gives when asked for full-range output. */
    check("rgb yuv", p[5], KZV_PIXFMT_YUV_AUTO, KZV_PIXFMT_YUV444P, "yuv444p", "scale=out_range=full", false);
    {
        kzv_decoder *d = NULL;
        kzv_decoder_settings s;
        kzv_decoder_default_settings(&s);
        s.format = KZV_PIXFMT_YUV_AUTO;
        kzv_frame *f = NULL;
        KT_CHECK(kzv_decoder_open(&d, p[5], &s) == KZV_OK && kzv_decoder_next(d, &f) == KZV_OK &&
                 f->color.matrix == KZV_MATRIX_SMPTE170M && !f->color.matrix_tagged &&
                 f->color.range == KZV_RANGE_FULL, "rgb source: YUV frame colour says BT.601 full range");
        kzv_frame_unref(&f);
        kzv_decoder_close(&d);
    }
    char lc[4200];
    snprintf(lc, sizeof(lc), "%s/change.ts", tmp);
    KT_REQUIRE(kt_run("cat '%s' '%s' > '%s'", p[6], p[7], lc) == 0, "cat");
    check_layout_change(lc);
    check_size_change(kt_fixture("reschange.ts"));
    check_outlive(kt_fixture("hevc10.mkv"));

    /* Settings: the request value is accepted, nonsense still is not. */
    {
        kzv_decoder *d = NULL;
        kzv_decoder_settings s;
        kzv_decoder_default_settings(&s);
        s.format = (kzv_pixfmt)99;
        KT_CHECK(kzv_decoder_open(&d, kt_fixture("h264.mp4"), &s) == KZV_EINVAL && !d, "format 99 refused");
        kzv_frame *f = NULL;
        KT_CHECK(kzv_frame_alloc(&f, 16, 16, KZV_PIXFMT_YUV_AUTO) == KZV_EINVAL && !f,
                 "kzv_frame_alloc refuses the request value");
        s.format = KZV_PIXFMT_NONE;
        KT_CHECK(kzv_decoder_open(&d, kt_fixture("h264.mp4"), &s) == KZV_OK &&
                 kzv_decoder_info(d)->format == KZV_PIXFMT_NONE, "timing-only info.format is none");
        kzv_decoder_close(&d);
    }
    return kt_finish();
}
