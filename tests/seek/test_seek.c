/* Seek stress: for each fixture named on the command line, decode it
 * sequentially (remembering every frame's pts, index and pixel hash), then do
 * random seeks by frame index and by time, forwards and backwards, reading a
 * few frames after each, and require the same frames as sequential decoding:
 * same frame_index, same pts, same pixels. Also KEYFRAME mode, seeks before
 * the start and past the end, and the index against the sequential decode. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <kzv/kzv.h>

#include "ktest.h"

typedef struct ref_frame {
    uint64_t hash;
    double pts, duration;
    bool keyframe;
} ref_frame;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static int rnd(int n)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

/* Read `count` frames and compare them with ref[first …]. */
static int expect_run(kzv_decoder *d, const ref_frame *ref, int n, int first, int count, const char *what)
{
    int bad = 0;
    for (int k = 0; k < count && first + k < n; k++) {
        kzv_frame *f = NULL;
        int r = kzv_decoder_next(d, &f);
        if (r != KZV_OK) {
            KT_CHECK(0, "%s: next after seek to %d (+%d) returned %d: %s", what, first, k, r,
                     kzv_decoder_last_error(d));
            return 1;
        }
        int want = first + k;
        bool ok = f->frame_index == want && f->pts == ref[want].pts && kt_rgb24_hash(f) == ref[want].hash;
        KT_CHECK(ok, "%s: seek to %d (+%d): got index %lld pts %.6f%s, want pts %.6f",
                 what, first, k, (long long)f->frame_index, f->pts,
                 kt_rgb24_hash(f) == ref[want].hash ? "" : " (pixels differ)", ref[want].pts);
        bad += !ok;
        kzv_frame_unref(&f);
    }
    return bad;
}

static void stress(const char *name, int seeks)
{
    const char *path = kt_fixture(name);
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, path, NULL);
    KT_CHECK(r == KZV_OK, "%s: open: %s", name, kzv_decoder_last_error(NULL));
    if (r != KZV_OK)
        return;

    int n = 0, cap = 256;
    ref_frame *ref = kt_malloc(sizeof(*ref) * (size_t)cap);
    kzv_frame *f = NULL;
    while ((r = kzv_decoder_next(d, &f)) == KZV_OK) {
        if (n == cap) {
            cap *= 2;
            ref = realloc(ref, sizeof(*ref) * (size_t)cap);
            if (!ref) abort();
        }
        ref[n++] = (ref_frame){ kt_rgb24_hash(f), f->pts, f->duration, f->keyframe };
        kzv_frame_unref(&f);
    }
    KT_CHECK(r == KZV_EOF && n > 0, "%s: sequential decode ended with %d after %d frames", name, r, n);

    /* The index agrees with what decoding gave. */
    const kzv_index_entry *e = NULL;
    int64_t cnt = 0;
    r = kzv_decoder_get_index(d, &e, &cnt);
    KT_CHECK(r == KZV_OK && cnt == n, "%s: index has %lld entries, decoding gave %d", name, (long long)cnt, n);
    KT_CHECK(kzv_decoder_info(d)->total_frames == n, "%s: total_frames %lld != %d", name,
             (long long)kzv_decoder_info(d)->total_frames, n);
    int pts_mismatch = 0;
    for (int i = 0; r == KZV_OK && i < n && i < cnt; i++)
        pts_mismatch += e[i].pts != ref[i].pts;
    KT_CHECK(pts_mismatch == 0, "%s: %d index pts differ from decoded pts", name, pts_mismatch);

    int bad = 0;
    for (int i = 0; i < seeks && bad < 5; i++) {
        int target = rnd(n);
        char what[160];
        if (rnd(2)) {
            snprintf(what, sizeof(what), "%s seek_frame(%d)", name, target);
            r = kzv_decoder_seek_frame(d, target);
        } else {
            /* A time inside the frame's display interval (pts <= t < pts + duration). */
            double t = ref[target].pts + (target + 1 < n ? (ref[target + 1].pts - ref[target].pts) * (rnd(100) / 100.0) : 0);
            snprintf(what, sizeof(what), "%s seek(%.6f)", name, t);
            r = kzv_decoder_seek(d, t, KZV_SEEK_EXACT);
        }
        KT_CHECK(r == KZV_OK, "%s returned %d: %s", what, r, kzv_decoder_last_error(d));
        if (r != KZV_OK) {
            bad++;
            continue;
        }
        bad += expect_run(d, ref, n, target, 1 + rnd(3), what);
    }

    /* KEYFRAME mode lands on the last keyframe at or before the time, or on
     * the first frame when there is none (an edit list can start the display
     * before the first random-access point). */
    for (int i = 0; i < 20; i++) {
        int target = rnd(n), key = target;
        while (key > 0 && !ref[key].keyframe)
            key--;
        r = kzv_decoder_seek(d, ref[target].pts, KZV_SEEK_KEYFRAME);
        KT_CHECK(r == KZV_OK, "%s: keyframe seek: %d", name, r);
        if (kzv_decoder_next(d, &f) == KZV_OK) {
            KT_CHECK(f->frame_index == key && f->keyframe == ref[key].keyframe &&
                     f->pts == ref[key].pts && kt_rgb24_hash(f) == ref[key].hash,
                     "%s: keyframe seek to %d landed on %lld, want %d", name, target, (long long)f->frame_index, key);
            kzv_frame_unref(&f);
        }
    }

    /* Before the start: the first frame. Past the end: EOF, then a seek back works. */
    KT_CHECK_EQ_INT(kzv_decoder_seek(d, ref[0].pts - 100.0, KZV_SEEK_EXACT), KZV_OK);
    expect_run(d, ref, n, 0, 2, name);
    KT_CHECK_EQ_INT(kzv_decoder_seek(d, ref[n - 1].pts + ref[n - 1].duration + 1.0, KZV_SEEK_EXACT), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &f), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, n), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, -1), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_decoder_seek(d, NAN, KZV_SEEK_EXACT), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, n - 1), KZV_OK);
    expect_run(d, ref, n, n - 1, 1, name);
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &f), KZV_EOF);

    /* Batches: random indices with duplicates, any order; results in the
     * caller's order, identical to sequential decoding. */
    enum { NB = 24 };
    int64_t want[NB];
    double when[NB];
    kzv_frame *got[NB];
    for (int i = 0; i < NB; i++) {
        want[i] = i % 5 == 4 ? want[i - 1] : rnd(n);
        when[i] = ref[want[i]].pts;
    }
    KT_CHECK_EQ_INT(kzv_decoder_get_frames(d, want, NB, got), KZV_OK);
    for (int i = 0; i < NB; i++) {
        KT_CHECK(got[i] && got[i]->frame_index == want[i] && kt_rgb24_hash(got[i]) == ref[want[i]].hash,
                 "%s: batch slot %d wants frame %lld", name, i, (long long)want[i]);
        kzv_frame_unref(&got[i]);
    }
    KT_CHECK_EQ_INT(kzv_decoder_get_frames_at(d, when, NB, got), KZV_OK);
    for (int i = 0; i < NB; i++) {
        KT_CHECK(got[i] && got[i]->frame_index == want[i], "%s: batch-at slot %d", name, i);
        kzv_frame_unref(&got[i]);
    }
    size_t nr = 0;
    int64_t step = n > 6 ? 3 : 1;
    kzv_frame **range = kt_malloc(sizeof(*range) * (size_t)n);
    KT_CHECK_EQ_INT(kzv_decoder_get_range(d, 1, n + 10, step, range, &nr), KZV_OK);   /* end is clamped */
    KT_CHECK_EQ_INT(nr, (size_t)((n - 1 + step - 1) / step));
    for (size_t i = 0; i < nr; i++) {
        KT_CHECK(range[i]->frame_index == 1 + (int64_t)i * step && kt_rgb24_hash(range[i]) == ref[1 + i * step].hash,
                 "%s: range item %zu", name, i);
        kzv_frame_unref(&range[i]);
    }
    free(range);
    want[0] = 0;
    want[1] = n;   /* out of range: the whole call fails, nothing is returned */
    KT_CHECK_EQ_INT(kzv_decoder_get_frames(d, want, 2, got), KZV_EINVAL);
    KT_CHECK(got[0] == NULL && got[1] == NULL, "%s: failed batch leaves NULL slots", name);
    int64_t at = -1;
    KT_CHECK(kzv_decoder_frame_at(d, ref[n / 2].pts, &at) == KZV_OK && at == n / 2, "%s: frame_at", name);

    printf("%-22s %4d frames, %d random seeks, %d mismatches\n", name, n, seeks, bad);
    free(ref);
    kzv_decoder_close(&d);
}

int main(int argc, char **argv)
{
    int seeks = getenv("KZV_SEEKS") ? atoi(getenv("KZV_SEEKS")) : 200;
    for (int i = 1; i < argc; i++)
        stress(argv[i], seeks);
    return kt_finish();
}
