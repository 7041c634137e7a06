/* Output formats: RGBA (A = 255, RGB equal to the RGB24 output), RGB48
 * (16-bit, agrees with RGB24 to within rounding), YUV420P (planes of the
 * right size; equal to the decoded planes for a yuv420p source) — with the
 * same timing as RGB24 in every format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "ktest.h"

#define MAXF 12
#define KT_REQUIRE_VOID(cond, name) do { kt_checks++; if (!(cond)) { kt_fail_at(__FILE__, __LINE__, "%s: open failed", name); return; } } while (0)

static void check_file(const char *name)
{
    const char *path = kt_fixture(name);
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    KT_CHECK(s.format == KZV_PIXFMT_RGB24 && s.stream_index == -1 && s.threads == 0 && !s.strict,
             "default settings");
    cu_decoded rgb, rgba, rgb48, yuv;
    KT_REQUIRE_VOID(cu_decode_all(path, &s, MAXF, &rgb) == KZV_OK, name);
    s.format = KZV_PIXFMT_RGBA;
    KT_REQUIRE_VOID(cu_decode_all(path, &s, MAXF, &rgba) == KZV_OK, name);
    s.format = KZV_PIXFMT_RGB48;
    KT_REQUIRE_VOID(cu_decode_all(path, &s, MAXF, &rgb48) == KZV_OK, name);
    s.format = KZV_PIXFMT_YUV420P;
    KT_REQUIRE_VOID(cu_decode_all(path, &s, MAXF, &yuv) == KZV_OK, name);
    KT_CHECK(rgb.n == MAXF && rgba.n == MAXF && rgb48.n == MAXF && yuv.n == MAXF, "%s: frame counts %d %d %d %d",
             name, rgb.n, rgba.n, rgb48.n, yuv.n);

    size_t len = 0;
    uint8_t *ref = cu_ffmpeg_raw(path, NULL, NULL, "yuv420p", &len);
    KT_CHECK(ref != NULL, "%s: ffmpeg yuv420p failed", name);

    int alpha_bad = 0, rgba_diff = 0, r48_max = 0, yuv_max = 0;
    double yuv_sum = 0;
    size_t yuv_n = 0;
    for (int i = 0; i < MAXF && i < rgb.n && i < rgba.n && i < rgb48.n && i < yuv.n; i++) {
        const kzv_frame *a = rgb.frames[i], *b = rgba.frames[i], *c = rgb48.frames[i], *y = yuv.frames[i];
        KT_CHECK(b->format == KZV_PIXFMT_RGBA && c->format == KZV_PIXFMT_RGB48 && y->format == KZV_PIXFMT_YUV420P,
                 "%s: formats %d %d %d", name, b->format, c->format, y->format);
        KT_CHECK(a->pts_ts == b->pts_ts && a->pts_ts == c->pts_ts && a->pts_ts == y->pts_ts &&
                 a->frame_index == y->frame_index && a->duration == y->duration,
                 "%s: frame %d timing differs between formats", name, i);
        KT_CHECK(b->stride[0] == a->width * 4 && c->stride[0] == a->width * 6, "%s: packed strides %d %d", name,
                 b->stride[0], c->stride[0]);
        for (int r = 0; r < a->height; r++) {
            const uint8_t *pa = a->data[0] + (size_t)r * a->stride[0];
            const uint8_t *pb = b->data[0] + (size_t)r * b->stride[0];
            const uint16_t *pc = (const uint16_t *)(const void *)(c->data[0] + (size_t)r * c->stride[0]);
            for (int x = 0; x < a->width; x++) {
                alpha_bad += pb[4 * x + 3] != 255;
                for (int k = 0; k < 3; k++) {
                    rgba_diff += pb[4 * x + k] != pa[3 * x + k];
                    int e = abs((pc[3 * x + k] + 128) / 257 - pa[3 * x + k]);
                    if (e > r48_max)
                        r48_max = e;
                }
            }
        }
        /* YUV420P planes vs ffmpeg's yuv420p of the same frame */
        int w = y->width, h = y->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
        size_t fs = (size_t)w * h + 2 * (size_t)cw * ch;
        KT_CHECK(y->stride[0] >= w && y->stride[1] >= cw && y->stride[2] >= cw && y->data[1] && y->data[2],
                 "%s: yuv strides %d %d %d", name, y->stride[0], y->stride[1], y->stride[2]);
        if (ref && (size_t)(i + 1) * fs <= len) {
            const uint8_t *fr = ref + (size_t)i * fs;
            const uint8_t *pl[3] = { fr, fr + (size_t)w * h, fr + (size_t)w * h + (size_t)cw * ch };
            for (int p = 0; p < 3; p++) {
                int pw = p ? cw : w, ph = p ? ch : h;
                for (int r = 0; r < ph; r++)
                    for (int x = 0; x < pw; x++) {
                        int e = abs(y->data[p][(size_t)r * y->stride[p] + x] - pl[p][(size_t)r * pw + x]);
                        yuv_sum += e;
                        yuv_n++;
                        if (e > yuv_max)
                            yuv_max = e;
                    }
            }
        }
    }
    printf("%s: RGBA alpha!=255 %d, RGB(A) vs RGB24 differing samples %d; RGB48/257 vs RGB24 max %d; "
           "YUV420P vs ffmpeg yuv420p mean %.4f max %d\n", name, alpha_bad, rgba_diff, r48_max,
           yuv_n ? yuv_sum / yuv_n : -1.0, yuv_max);
    KT_CHECK(alpha_bad == 0, "%s: %d alpha samples not 255", name, alpha_bad);
    KT_CHECK(rgba_diff == 0, "%s: RGBA's RGB differs from RGB24 in %d samples", name, rgba_diff);
    KT_CHECK(r48_max <= 1, "%s: RGB48 scaled to 8 bits is %d off RGB24", name, r48_max);
    KT_CHECK(yuv_n > 0, "%s: no YUV compared", name);
    if (!strcmp(name, "h264.mp4"))   /* yuv420p source: a plain copy */
        KT_CHECK(yuv_max == 0, "%s: YUV420P output differs from the decoded planes (max %d)", name, yuv_max);
    else                             /* 10-bit source: rounding/dither differences only */
        KT_CHECK(yuv_max <= 2 && yuv_sum / (double)(yuv_n ? yuv_n : 1) <= 0.6,
                 "%s: YUV420P from 10-bit: max %d mean %.4f", name, yuv_max, yuv_sum / (double)(yuv_n ? yuv_n : 1));
    free(ref);
    cu_decoded_free(&rgb);
    cu_decoded_free(&rgba);
    cu_decoded_free(&rgb48);
    cu_decoded_free(&yuv);
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_QUIET);
    check_file("h264.mp4");
    check_file("hevc10.mkv");
    return kt_finish();
}
