/*
 * kzv_encoder: VFR timestamps written as they are (ffprobe reads them back),
 * colour tags in the stream, pixels back through kzv_decoder, the refusals
 * (unknown codec or option, non-increasing pts, size and format changes,
 * unwritable output, no frames) and the temporary-name rule; kzv_frame_wrap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktest.h"
#include "kzv/kzv.h"

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Files in `dir` (a count; for "nothing left behind" checks). */
static int count_files(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
    char *out = NULL;
    kt_run_capture(cmd, &out, NULL);
    int n = out ? atoi(out) : -1;
    free(out);
    return n;
}

static kzv_frame *flat_frame(int w, int h, kzv_pixfmt fmt, int r, int g, int b, int64_t pts)
{
    kzv_frame *f = NULL;
    if (kzv_frame_alloc(&f, w, h, fmt) < 0)
        return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (fmt == KZV_PIXFMT_RGB48) {
                uint16_t *p = (uint16_t *)(void *)(f->data[0] + y * f->stride[0]) + 3 * x;
                p[0] = (uint16_t)r; p[1] = (uint16_t)g; p[2] = (uint16_t)b;
            } else {
                uint8_t *p = f->data[0] + y * f->stride[0] + 3 * x;
                p[0] = (uint8_t)r; p[1] = (uint8_t)g; p[2] = (uint8_t)b;
            }
        }
    f->pts_ts = pts;
    f->time_base = (kzv_rational){ 1, 1000 };
    f->pts = (double)pts / 1000.0;
    f->color.matrix = KZV_MATRIX_BT709;
    f->color.range = KZV_RANGE_LIMITED;
    f->color.primaries = 1;
    f->color.transfer = 1;
    return f;
}

static const int64_t vfr_pts[] = { 23, 63, 96, 180, 200, 240, 290, 291, 333, 1000, 1040, 1100 };
#define N_VFR ((int)(sizeof(vfr_pts) / sizeof(vfr_pts[0])))

static void test_vfr_roundtrip(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/vfr.mkv", dir);
    kzv_encoder_settings s;
    kzv_encoder_default_settings(&s);
    s.codec = "libx264";
    s.preset = "ultrafast";
    s.crf = 10;
    const char *opts[] = { "bf=2", NULL };
    s.options = opts;
    kzv_encoder *e = NULL;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_OK);
    if (!e)
        return;
    int colors[3] = { 180, 40, 90 };
    for (int i = 0; i < N_VFR; i++) {
        kzv_frame *f = flat_frame(64, 48, KZV_PIXFMT_RGB24, colors[0], colors[1], colors[2], vfr_pts[i]);
        KT_CHECK_EQ_INT(kzv_encoder_write(e, f), KZV_OK);
        kzv_frame_unref(&f);
    }
    KT_CHECK(!exists(path), "%s exists before close", path);
    kzv_encoder_stats st;
    kzv_encoder_get_stats(e, &st);
    KT_CHECK_EQ_INT(st.frames_in, N_VFR);
    KT_CHECK_EQ_INT(kzv_encoder_close(&e), KZV_OK);
    KT_CHECK(e == NULL, "close sets NULL");
    KT_CHECK(exists(path), "%s missing after close", path);
    KT_CHECK_EQ_INT(count_files(dir), 1);

    /* Every pts, as ffprobe reads it. */
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof(cmd), "ffprobe -v error -select_streams v:0 -show_entries frame=pts -of csv=p=0 '%s' | grep -o '^[0-9-]*' | grep .", path);
    KT_CHECK_EQ_INT(kt_run_capture(cmd, &out, NULL), 0);
    char want[512] = "";
    for (int i = 0; i < N_VFR; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%lld\n", (long long)vfr_pts[i]);
    KT_CHECK(out && !strcmp(out, want), "pts: got\n%s\nwant\n%s", out ? out : "", want);
    free(out);
    snprintf(cmd, sizeof(cmd), "ffprobe -v error -select_streams v:0 -show_entries "
             "stream=pix_fmt,color_space,color_range,color_primaries,color_transfer -of csv=p=0 '%s'", path);
    out = NULL;
    kt_run_capture(cmd, &out, NULL);
    KT_CHECK(out && strstr(out, "yuv420p,tv,bt709,bt709,bt709"), "colour tags: %s", out ? out : "");
    free(out);

    /* The pixels back. */
    kzv_decoder *d = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, path, NULL), KZV_OK);
    kzv_frame *f = NULL;
    int n = 0, worst = 0;
    while (d && kzv_decoder_next(d, &f) == KZV_OK) {
        for (int c = 0; c < 3; c++) {
            int v = f->data[0][(24 * f->stride[0]) + 3 * 32 + c];
            int dlt = abs(v - colors[c]);
            worst = dlt > worst ? dlt : worst;
        }
        KT_CHECK_EQ_INT(f->pts_ts, vfr_pts[n]);
        n++;
        kzv_frame_unref(&f);
    }
    KT_CHECK_EQ_INT(n, N_VFR);
    KT_CHECK(worst <= 2, "flat colour came back %d levels off", worst);
    kzv_decoder_close(&d);
    unlink(path);
}

/* RGB48 into 10-bit 4:4:4 ffv1 (lossless): the 10-bit codes are exact. */
static void test_rgb48_ffv1(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/deep.mkv", dir);
    kzv_encoder_settings s;
    kzv_encoder_default_settings(&s);
    s.codec = "ffv1";
    s.format = KZV_PIXFMT_YUV444P10;
    s.range = KZV_RANGE_FULL;
    s.matrix = KZV_MATRIX_BT2020_NCL;
    kzv_encoder *e = NULL;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_OK);
    if (!e)
        return;
    for (int i = 0; i < 3; i++) {
        kzv_frame *f = flat_frame(33, 17, KZV_PIXFMT_RGB48, 40000, 20000, 5000, i * 40);
        KT_CHECK_EQ_INT(kzv_encoder_write(e, f), KZV_OK);
        kzv_frame_unref(&f);
    }
    KT_CHECK_EQ_INT(kzv_encoder_close(&e), KZV_OK);
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof(cmd), "ffprobe -v error -select_streams v:0 -show_entries "
             "stream=pix_fmt,color_space,color_range -of csv=p=0 '%s'", path);
    kt_run_capture(cmd, &out, NULL);
    KT_CHECK(out && strstr(out, "yuv444p10le,pc,bt2020nc"), "ffv1 stream: %s", out ? out : "");
    free(out);
    kzv_decoder_settings ds;
    kzv_decoder_default_settings(&ds);
    ds.format = KZV_PIXFMT_RGB48;
    kzv_decoder *d = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_open(&d, path, &ds), KZV_OK);
    kzv_frame *f = NULL;
    if (d && kzv_decoder_next(d, &f) == KZV_OK) {
        const uint16_t *p = (const uint16_t *)(const void *)(f->data[0] + 8 * f->stride[0]) + 3 * 16;
        int want[3] = { 40000, 20000, 5000 };
        for (int c = 0; c < 3; c++)
            KT_CHECK(abs(p[c] - want[c]) <= 2 * 65535 / 1023, "RGB48 channel %d: %d, sent %d", c, p[c], want[c]);
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
    unlink(path);
}

static void test_refusals(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/bad.mkv", dir);
    kzv_encoder *e = NULL;
    kzv_encoder_settings s;

    kzv_encoder_default_settings(&s);
    s.codec = "no-such-encoder";
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_EUNSUPPORTED);
    KT_CHECK(strstr(kzv_encoder_last_error(NULL), "no-such-encoder"), "message: %s", kzv_encoder_last_error(NULL));

    kzv_encoder_default_settings(&s);
    const char *opts[] = { "tune=film", "no_such_option=3", NULL };
    s.options = opts;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_EINVAL);
    KT_CHECK(strstr(kzv_encoder_last_error(NULL), "no_such_option"), "message: %s", kzv_encoder_last_error(NULL));

    kzv_encoder_default_settings(&s);
    s.codec = "ffv1";
    s.crf = 20;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_EINVAL);
    KT_CHECK(strstr(kzv_encoder_last_error(NULL), "crf"), "message: %s", kzv_encoder_last_error(NULL));

    kzv_encoder_default_settings(&s);
    s.reserved[3] = 1;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_EINVAL);

    kzv_encoder_default_settings(&s);
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, "/nonexistent-dir/x.mkv", &s), KZV_EIO);
    KT_CHECK(e == NULL, "e stays NULL");
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, "noext", &s), KZV_EUNSUPPORTED);

    /* A format the encoder does not take. */
    s.codec = "libsvtav1";
    s.format = KZV_PIXFMT_YUV444P;
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_OK);
    kzv_frame *f = flat_frame(64, 48, KZV_PIXFMT_RGB24, 1, 2, 3, 0);
    if (e) {
        KT_CHECK_EQ_INT(kzv_encoder_write(e, f), KZV_EUNSUPPORTED);
        KT_CHECK(strstr(kzv_encoder_last_error(e), "yuv444p"), "message: %s", kzv_encoder_last_error(e));
        kzv_encoder_abort(&e);
    }
    KT_CHECK_EQ_INT(count_files(dir), 0);

    /* Timestamps, size and format changes. */
    kzv_encoder_default_settings(&s);
    s.preset = "ultrafast";
    for (int k = 0; k < 4; k++) {
        KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_OK);
        if (!e)
            continue;
        f->pts_ts = 100;
        KT_CHECK_EQ_INT(kzv_encoder_write(e, f), KZV_OK);
        kzv_frame *g = NULL;
        const char *want = NULL;
        if (k == 0) {
            g = kzv_frame_ref(f);     /* same pts again */
            want = "increase";
        } else if (k == 1) {
            g = flat_frame(66, 48, KZV_PIXFMT_RGB24, 1, 2, 3, 200);
            want = "66x48";
        } else if (k == 2) {
            g = flat_frame(64, 48, KZV_PIXFMT_RGB48, 1, 2, 3, 200);
            want = "rgb48";
        } else {
            g = flat_frame(64, 48, KZV_PIXFMT_RGB24, 1, 2, 3, 200);
            g->pts_ts = INT64_MIN;
            want = "timestamp";
        }
        KT_CHECK_EQ_INT(kzv_encoder_write(e, g), KZV_EINVAL);
        KT_CHECK(strstr(kzv_encoder_last_error(e), want), "case %d: %s", k, kzv_encoder_last_error(e));
        /* After an error nothing more is accepted, and close fails, deleting
         * the partial output. */
        g->pts_ts = 1000;
        KT_CHECK(kzv_encoder_write(e, g) < 0, "write after an error");
        KT_CHECK(kzv_encoder_close(&e) < 0, "close after an error fails");
        KT_CHECK(e == NULL, "close sets NULL");
        KT_CHECK_EQ_INT(count_files(dir), 0);
        kzv_frame_unref(&g);
    }

    /* No frame: close fails, nothing is left. */
    KT_CHECK_EQ_INT(kzv_encoder_open(&e, path, &s), KZV_OK);
    KT_CHECK_EQ_INT(count_files(dir), 1);       /* the .partial */
    KT_CHECK_EQ_INT(kzv_encoder_close(&e), KZV_EINVAL);
    KT_CHECK(strstr(kzv_encoder_last_error(NULL), "no frame"), "message: %s", kzv_encoder_last_error(NULL));
    KT_CHECK_EQ_INT(count_files(dir), 0);
    kzv_encoder_abort(&e);
    KT_CHECK_EQ_INT(kzv_encoder_close(&e), KZV_OK);  /* NULL: nothing */
    kzv_frame_unref(&f);
}

static int freed = 0;
static void on_free(void *opaque)
{
    freed += *(int *)opaque;
}

static void test_frame_wrap(void)
{
    static uint8_t pixels[48 * 4 * 3];
    kzv_frame desc = { 0 };
    desc.data[0] = pixels;
    desc.stride[0] = 4 * 3;
    desc.width = 4;
    desc.height = 48;
    desc.format = KZV_PIXFMT_RGB24;
    desc.pts_ts = 7;
    desc.time_base = (kzv_rational){ 1, 25 };
    int one = 1;
    kzv_frame *f = NULL;
    KT_CHECK_EQ_INT(kzv_frame_wrap(&f, &desc, on_free, &one), KZV_OK);
    KT_CHECK(f && f->data[0] == pixels && f->pts_ts == 7 && f->time_base.den == 25, "wrap keeps the fields");
    kzv_frame *g = kzv_frame_ref(f);
    kzv_frame_unref(&f);
    KT_CHECK_EQ_INT(freed, 0);
    kzv_frame_unref(&g);
    KT_CHECK_EQ_INT(freed, 1);
    desc.stride[0] = 5;     /* shorter than a row */
    KT_CHECK_EQ_INT(kzv_frame_wrap(&f, &desc, on_free, &one), KZV_EINVAL);
    KT_CHECK(f == NULL && freed == 1, "refused wrap: nothing freed");
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_ERROR);
    const char *dir = kt_tmpdir();
    test_frame_wrap();
    test_refusals(dir);
    test_vfr_roundtrip(dir);
    test_rgb48_ffv1(dir);
    return kt_finish();
}
