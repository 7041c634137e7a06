/* kzv_scaler, the built-in upscaler: its pixels equal ffmpeg's scale filter
 * with the same libswscale flags (lanczos+accurate_rnd+full_chroma_int), byte
 * for byte, on 8- and 10-bit 4:2:0 and on 4:4:4; the output keeps the
 * frame's timing and colour; the scaler follows a change of input size;
 * bad arguments are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/scale.h"
#include "core_util.h"
#include "ktest.h"

#define FRAMES 6
#define SWS_FLAGS "lanczos+accurate_rnd+full_chroma_int"

/* Frames of `path` decoded in their own layout, scaled by `n`, against
 * `ffmpeg -vf scale=iw*n:ih*n -sws_flags SWS_FLAGS -pix_fmt pix_fmt`. */
static int check_file(const char *name, int n, const char *pix_fmt)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_YUV_AUTO;
    cu_decoded dec;
    if (cu_decode_all(kt_fixture(name), &s, FRAMES, &dec) != KZV_OK) {
        KT_CHECK(false, "%s: open failed: %s", name, kzv_decoder_last_error(NULL));
        return 1;
    }
    char vf[64];
    snprintf(vf, sizeof(vf), "scale=iw*%d:ih*%d", n, n);
    size_t len = 0;
    uint8_t *ref = cu_ffmpeg_raw(kt_fixture(name), vf, SWS_FLAGS, pix_fmt, &len);
    KT_CHECK(ref != NULL, "%s: ffmpeg -vf %s failed", name, vf);
    kzv_scaler *sc = NULL;
    KT_REQUIRE(kzv_scaler_open(&sc, n) == KZV_OK && kzv_scaler_factor(sc) == n, "open a scaler by %d", n);
    size_t off = 0;
    int bad = 0, timing = 0;
    for (int i = 0; i < dec.n && ref; i++) {
        const kzv_frame *in = dec.frames[i];
        kzv_frame *out = NULL;
        int err = kzv_scaler_run(sc, in, &out);
        KT_CHECK(err == KZV_OK, "%s frame %d: scale: %s", name, i, kzv_strerror(err));
        if (err < 0)
            break;
        KT_CHECK(out->width == in->width * n && out->height == in->height * n && out->format == in->format,
                 "%s frame %d: %dx%d %s from %dx%d", name, i, out->width, out->height,
                 kzv_pixfmt_name(out->format), in->width, in->height);
        timing += out->pts_ts != in->pts_ts || out->pts != in->pts || out->frame_index != in->frame_index ||
                  out->time_base.num != in->time_base.num || out->time_base.den != in->time_base.den ||
                  out->duration != in->duration || out->keyframe != in->keyframe ||
                  memcmp(&out->color, &in->color, sizeof(in->color)) != 0;
        bool same = true;
        for (int p = 0; p < kzv_pixfmt_planes(out->format); p++) {
            int rows = 0;
            size_t row = 0;
            kzv_pixfmt_plane_size(out->format, out->width, out->height, p, NULL, &rows, &row);
            for (int y = 0; y < rows; y++, off += row) {
                if (off + row > len || memcmp(out->data[p] + (size_t)y * out->stride[p], ref + off, row)) {
                    if (same && bad < 3)
                        printf("  %s frame %d: plane %d row %d differs from ffmpeg's\n", name, i, p, y);
                    same = false;
                }
            }
        }
        bad += !same;
        kzv_frame_unref(&out);
    }
    printf("%s ×%d (%s): %d frames, %d differ from ffmpeg -vf %s -sws_flags %s\n", name, n,
           dec.n ? kzv_pixfmt_name(dec.frames[0]->format) : "-", dec.n, bad, vf, SWS_FLAGS);
    KT_CHECK(dec.n == FRAMES && bad == 0, "%s: %d of %d scaled frames differ from ffmpeg's", name, bad, dec.n);
    KT_CHECK(timing == 0, "%s: %d scaled frames lost their timing or colour", name, timing);
    kzv_scaler_close(&sc);
    KT_CHECK(sc == NULL, "close sets NULL");
    free(ref);
    cu_decoded_free(&dec);
    return 0;
}

/* One scaler over frames of two sizes and two formats: each output is the
 * size its input asks for, and frames outlive the scaler. */
static int check_changes(void)
{
    kzv_scaler *sc = NULL;
    KT_REQUIRE(kzv_scaler_open(&sc, 3) == KZV_OK, "open");
    const struct { int w, h; kzv_pixfmt fmt; } in[] = {
        { 32, 16, KZV_PIXFMT_YUV420P }, { 20, 10, KZV_PIXFMT_YUV420P }, { 8, 8, KZV_PIXFMT_RGB24 },
        { 32, 16, KZV_PIXFMT_YUV420P },
    };
    kzv_frame *kept[4] = { NULL };
    for (int i = 0; i < 4; i++) {
        kzv_frame *f = NULL;
        KT_REQUIRE(kzv_frame_alloc(&f, in[i].w, in[i].h, in[i].fmt) == KZV_OK, "alloc");
        f->pts_ts = 100 + i;
        int err = kzv_scaler_run(sc, f, &kept[i]);
        KT_CHECK(err == KZV_OK && kept[i]->width == in[i].w * 3 && kept[i]->height == in[i].h * 3 &&
                 kept[i]->format == in[i].fmt && kept[i]->pts_ts == 100 + i,
                 "input %d (%dx%d %s): %s", i, in[i].w, in[i].h, kzv_pixfmt_name(in[i].fmt), kzv_strerror(err));
        kzv_frame_unref(&f);
    }
    kzv_scaler_close(&sc);
    for (int i = 0; i < 4; i++) {
        if (kept[i])
            memset(kept[i]->data[0], 7, (size_t)kept[i]->stride[0]);   /* still its own memory */
        kzv_frame_unref(&kept[i]);
    }
    return 0;
}

static int check_misuse(void)
{
    kzv_scaler *sc = (kzv_scaler *)1;
    KT_CHECK(kzv_scaler_open(NULL, 2) == KZV_EINVAL, "open(NULL)");
    KT_CHECK(kzv_scaler_open(&sc, 1) == KZV_EINVAL && sc == NULL, "factor 1 accepted");
    KT_CHECK(kzv_scaler_open(&sc, 17) == KZV_EINVAL && sc == NULL, "factor 17 accepted");
    KT_REQUIRE(kzv_scaler_open(&sc, 16) == KZV_OK, "factor 16");
    kzv_frame *f = NULL, *out = (kzv_frame *)1;
    KT_CHECK(kzv_scaler_run(sc, NULL, &out) == KZV_EINVAL && out == NULL, "run(NULL frame)");
    KT_REQUIRE(kzv_frame_alloc(&f, 8, 8, KZV_PIXFMT_RGB24) == KZV_OK, "alloc");
    KT_CHECK(kzv_scaler_run(NULL, f, &out) == KZV_EINVAL, "run(NULL scaler)");
    KT_CHECK(kzv_scaler_run(sc, f, NULL) == KZV_EINVAL, "run(NULL out)");
    kzv_frame_unref(&f);
    KT_CHECK(kzv_scaler_factor(NULL) == 0, "factor(NULL)");
    kzv_scaler_close(&sc);
    kzv_scaler_close(&sc);
    kzv_scaler_close(NULL);
    return 0;
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_QUIET);
    check_file("h264.mp4", 2, "yuv420p");
    check_file("hevc10.mkv", 2, "yuv420p10le");
    check_file("h264_444.mkv", 3, "yuv444p");
    check_changes();
    check_misuse();
    return kt_finish();
}
