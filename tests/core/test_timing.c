/* Timing, counting and stream description of one fixture against ffprobe.
 *
 *   test_timing FIXTURE
 *
 * Decodes every frame with kzv and checks, against ffprobe on the same file:
 * the frame count; every frame's raw timestamp (== best_effort_timestamp, in
 * the stream time base) and its value in seconds; frame_index 0, 1, 2 …;
 * strictly increasing pts; durations = next pts − pts; each frame's own size;
 * info (size, start_time, time_base, rotation, bit depth, colour tags); the
 * header frame count; and with settings.count_frames, total_frames ==
 * ffprobe -count_frames nb_read_frames. Fixture-specific checks (VFR,
 * resolution change, start offset, rotation, odd size) follow.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "ktest.h"

static bool is(const char *path, const char *name)
{
    return !strcmp(cu_base(path), name);
}

static int expected_depth(const cu_probe *p)
{
    return strstr(p->pix_fmt, "10") ? 10 : strstr(p->pix_fmt, "12") ? 12 : 8;
}

static int matrix_code(const char *ffname)
{
    static const struct { const char *n; int m; } t[] = {
        { "bt709", KZV_MATRIX_BT709 }, { "fcc", KZV_MATRIX_FCC },
        { "bt470bg", KZV_MATRIX_BT470BG }, { "smpte170m", KZV_MATRIX_SMPTE170M },
        { "smpte240m", KZV_MATRIX_SMPTE240M }, { "bt2020nc", KZV_MATRIX_BT2020_NCL },
        { "bt2020c", KZV_MATRIX_BT2020_CL },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(t[i].n, ffname))
            return t[i].m;
    return -1;
}

static void check_color(const char *name, const cu_probe *p, const kzv_video_info *info)
{
    int m = matrix_code(p->color_space);
    if (m >= 0) {
        KT_CHECK(info->color.matrix_tagged, "%s: matrix tagged %s but matrix_tagged false", name, p->color_space);
        KT_CHECK(info->color.matrix == m, "%s: info.color.matrix %d, stream tagged %s (%d)", name,
                 info->color.matrix, p->color_space, m);
    } else {
        int def = info->height > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M;
        bool bt601 = info->color.matrix == KZV_MATRIX_SMPTE170M || info->color.matrix == KZV_MATRIX_BT470BG;
        KT_CHECK(!info->color.matrix_tagged, "%s: untagged stream reported as matrix_tagged", name);
        KT_CHECK(def == KZV_MATRIX_BT709 ? info->color.matrix == KZV_MATRIX_BT709 : bt601,
                 "%s: untagged %dx%d stream: matrix %d (%s), expected the %s default", name,
                 info->width, info->height, info->color.matrix, kzv_color_matrix_name(info->color.matrix),
                 def == KZV_MATRIX_BT709 ? "BT.709" : "BT.601");
    }
    if (!strcmp(p->color_range, "pc"))
        KT_CHECK(info->color.range == KZV_RANGE_FULL, "%s: full range tagged, info says %d", name, info->color.range);
    else
        KT_CHECK(info->color.range == KZV_RANGE_LIMITED, "%s: range %s, info says %d", name, p->color_range,
                 info->color.range);
    KT_CHECK(info->color.range_tagged == (strcmp(p->color_range, "unknown") != 0),
             "%s: range_tagged %d but ffprobe color_range=%s", name, info->color.range_tagged, p->color_range);
}

int main(int argc, char **argv)
{
    KT_REQUIRE(argc == 2, "usage: test_timing FIXTURE");
    const char *path = cu_fixture(argv[1]);
    const char *name = cu_base(path);

    cu_probe pr;
    KT_REQUIRE(cu_probe_file(path, true, &pr) == 0, "%s: ffprobe failed", name);
    KT_REQUIRE(pr.n > 0, "%s: ffprobe found no frames", name);
    double tb = (double)pr.time_base.num / pr.time_base.den;

    cu_decoded dd;
    int err = cu_decode_all(path, NULL, 0, &dd);
    KT_REQUIRE(err == KZV_OK, "%s: open failed: %s (%s)", name, kzv_strerror(err), kzv_decoder_last_error(NULL));
    const kzv_video_info *info = &dd.info;

    printf("%s: kzv %d frames, ffprobe %d; header %lld (ffprobe %lld); tb %d/%d; start %.6f\n", name, dd.n, pr.n,
           (long long)info->header_frames, (long long)pr.nb_frames, info->time_base.num, info->time_base.den,
           info->start_time);

    /* ---- stream description ---- */
    KT_CHECK(dd.end_status == KZV_EOF, "%s: decoding ended with %d (%s), not KZV_EOF", name, dd.end_status,
             kzv_strerror(dd.end_status));
    KT_CHECK(info->time_base.num == pr.time_base.num && info->time_base.den == pr.time_base.den,
             "%s: info.time_base %d/%d, stream %d/%d", name, info->time_base.num, info->time_base.den,
             pr.time_base.num, pr.time_base.den);
    KT_CHECK(info->width == pr.frames[0].width && info->height == pr.frames[0].height,
             "%s: info size %dx%d, first frame %dx%d", name, info->width, info->height, pr.frames[0].width,
             pr.frames[0].height);
    KT_CHECK(info->rotation == pr.rotation, "%s: info.rotation %d, display matrix says %d clockwise", name,
             info->rotation, pr.rotation);
    KT_CHECK(info->bit_depth == expected_depth(&pr), "%s: bit_depth %d, pix_fmt %s", name, info->bit_depth,
             pr.pix_fmt);
    KT_CHECK(info->header_frames == pr.nb_frames, "%s: header_frames %lld, ffprobe nb_frames %lld", name,
             (long long)info->header_frames, (long long)pr.nb_frames);
    KT_CHECK(info->total_frames == -1 || info->total_frames == pr.n,
             "%s: total_frames %lld claimed exact without count_frames, but there are %d", name,
             (long long)info->total_frames, pr.n);
    check_color(name, &pr, info);

    /* ---- every frame ---- */
    KT_CHECK(dd.n == pr.n, "%s: kzv decoded %d frames, ffprobe %d", name, dd.n, pr.n);
    int n = dd.n < pr.n ? dd.n : pr.n;
    int ts_bad = 0, size_bad = 0, dur_bad = 0;
    for (int i = 0; i < n; i++) {
        const kzv_frame *f = dd.frames[i];
        const cu_probe_frame *p = &pr.frames[i];
        KT_CHECK(f->frame_index == i, "%s: frame %d has frame_index %lld", name, i, (long long)f->frame_index);
        KT_CHECK(f->format == KZV_PIXFMT_RGB24 && f->stride[0] >= f->width * 3 && f->data[0],
                 "%s: frame %d: format %d stride %d", name, i, f->format, f->stride[0]);
        if (f->pts_ts != p->best_effort && ts_bad++ < 10)
            KT_CHECK(0, "%s: frame %d: pts_ts %lld, ffprobe best_effort_timestamp %lld", name, i,
                     (long long)f->pts_ts, (long long)p->best_effort);
        double want = (double)p->best_effort * tb;
        if (fabs(f->pts - want) > 1e-6 && ts_bad++ < 10)
            KT_CHECK(0, "%s: frame %d: pts %.9f s, ffprobe %.9f s", name, i, f->pts, want);
        KT_CHECK(f->time_base.num == pr.time_base.num && f->time_base.den == pr.time_base.den,
                 "%s: frame %d time_base %d/%d", name, i, f->time_base.num, f->time_base.den);
        if ((f->width != p->width || f->height != p->height) && size_bad++ < 5)
            KT_CHECK(0, "%s: frame %d is %dx%d, ffprobe %dx%d", name, i, f->width, f->height, p->width, p->height);
        if (i > 0)
            KT_CHECK(f->pts > dd.frames[i - 1]->pts, "%s: pts not increasing at frame %d: %.6f after %.6f", name,
                     i, f->pts, dd.frames[i - 1]->pts);
        if (i + 1 < n) {
            double gap = (double)(pr.frames[i + 1].best_effort - p->best_effort) * tb;
            if (fabs(f->duration - gap) > 1e-6 && dur_bad++ < 5)
                KT_CHECK(0, "%s: frame %d duration %.6f, next pts − pts = %.6f", name, i, f->duration, gap);
        } else {
            KT_CHECK(f->duration > 0, "%s: last frame has duration %.6f", name, f->duration);
        }
    }
    if (ts_bad > 10)
        KT_CHECK(0, "%s: … %d timestamp mismatches in all", name, ts_bad);
    KT_CHECK(dd.stats.frames_output == dd.n, "%s: stats.frames_output %lld, returned %d", name,
             (long long)dd.stats.frames_output, dd.n);
    KT_CHECK(dd.stats.frames_decoded >= dd.n, "%s: stats.frames_decoded %lld < %d", name,
             (long long)dd.stats.frames_decoded, dd.n);
    KT_CHECK(dd.stats.corrupt_packets == 0 && dd.stats.corrupt_frames == 0, "%s: clean file, but %lld corrupt "
             "packets, %lld corrupt frames", name, (long long)dd.stats.corrupt_packets,
             (long long)dd.stats.corrupt_frames);
    if (dd.n > 0)
        KT_CHECK(fabs(info->start_time - dd.frames[0]->pts) < 1e-6, "%s: info.start_time %.6f, first pts %.6f",
                 name, info->start_time, dd.frames[0]->pts);

    /* ---- fixture specifics ---- */
    if (is(path, "vfr.mkv") && n > 2) {
        /* The fixture must really be VFR for this to mean anything. */
        double dmin = 1e9, dmax = 0;
        for (int i = 0; i + 1 < n; i++) {
            dmin = fmin(dmin, dd.frames[i]->duration);
            dmax = fmax(dmax, dd.frames[i]->duration);
        }
        printf("%s: frame durations from %.3f to %.3f s\n", name, dmin, dmax);
        KT_CHECK(dmax >= 0.4 && dmin <= 0.041, "%s: expected gaps of 40 ms and ~540 ms, got %.3f..%.3f", name, dmin,
                 dmax);
    }
    if (is(path, "startoffset.mp4")) {
        KT_CHECK(fabs(info->start_time - 10.0) < 1e-3, "%s: start_time %.6f, expected 10", name, info->start_time);
        KT_CHECK(n > 0 && fabs(dd.frames[0]->pts - 10.0) < 1e-3, "%s: first pts %.6f, expected 10", name,
                 n > 0 ? dd.frames[0]->pts : -1.0);
    }
    if (is(path, "reschange.ts")) {
        KT_CHECK(dd.stats.size_changes >= 1, "%s: stats.size_changes %lld", name, (long long)dd.stats.size_changes);
        KT_CHECK(n > 0 && dd.frames[0]->width == 320 && dd.frames[n - 1]->width == 480 &&
                 dd.frames[n - 1]->height == 270, "%s: expected 320x240 then 480x270", name);
        /* keep_first_size: every frame scaled to the first size, timing unchanged. */
        kzv_decoder_settings s;
        kzv_decoder_default_settings(&s);
        s.keep_first_size = true;
        cu_decoded kk;
        KT_REQUIRE(cu_decode_all(path, &s, 0, &kk) == KZV_OK, "%s: open (keep_first_size) failed", name);
        KT_CHECK(kk.n == dd.n, "%s: keep_first_size gives %d frames, not %d", name, kk.n, dd.n);
        int bad = 0;
        for (int i = 0; i < kk.n && i < dd.n; i++) {
            if (kk.frames[i]->width != 320 || kk.frames[i]->height != 240 || kk.frames[i]->pts_ts != dd.frames[i]->pts_ts)
                bad++;
            KT_CHECK(kk.frames[i]->stride[0] >= kk.frames[i]->width * 3, "stride");
        }
        KT_CHECK(bad == 0, "%s: keep_first_size: %d frames not 320x240 or with other timestamps", name, bad);
        cu_decoded_free(&kk);
    } else {
        KT_CHECK(dd.stats.size_changes == 0, "%s: size_changes %lld on a constant-size stream", name,
                 (long long)dd.stats.size_changes);
    }
    if (is(path, "rotate90.mp4"))
        KT_CHECK(info->rotation == 90, "%s: rotation %d, expected 90 (clockwise)", name, info->rotation);
    if (is(path, "odd.mp4") || is(path, "odd420.webm"))
        KT_CHECK(info->width == 641 && info->height == 361 && n > 0 && dd.frames[0]->width == 641 &&
                 dd.frames[0]->stride[0] == 641 * 3, "%s: expected 641x361 tight RGB24, got %dx%d", name,
                 info->width, info->height);
    cu_decoded_free(&dd);

    /* ---- exact count with count_frames ---- */
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.count_frames = true;
    kzv_decoder *d = NULL;
    err = kzv_decoder_open(&d, path, &s);
    KT_REQUIRE(err == KZV_OK, "%s: open with count_frames failed: %s", name, kzv_strerror(err));
    printf("%s: count_frames total_frames %lld, ffprobe nb_read_frames %lld\n", name,
           (long long)kzv_decoder_info(d)->total_frames, (long long)pr.nb_read_frames);
    KT_CHECK(kzv_decoder_info(d)->total_frames == pr.nb_read_frames,
             "%s: count_frames total_frames %lld, ffprobe -count_frames nb_read_frames %lld", name,
             (long long)kzv_decoder_info(d)->total_frames, (long long)pr.nb_read_frames);
    /* the first frame after a counting open is still frame 0 at the start */
    kzv_frame *f = NULL;
    KT_CHECK(kzv_decoder_next(d, &f) == KZV_OK && f && f->frame_index == 0 && f->pts_ts == pr.frames[0].best_effort,
             "%s: after count_frames the first frame is not frame 0 at pts %lld", name,
             (long long)pr.frames[0].best_effort);
    kzv_frame_unref(&f);
    kzv_decoder_close(&d);
    KT_CHECK(d == NULL, "close did not clear the pointer");

    cu_probe_free(&pr);
    return kt_finish();
}
