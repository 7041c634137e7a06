/* How exact accesses are answered, proved with the decoder's counters, and
 * that every answer is the frame sequential decoding gives (index, pts,
 * pixels):
 *   - a target ahead in the same group of pictures (from the start too) is
 *     reached by decoding on
 *     (stats.seeks unchanged, seeks_decoded_on + 1, only the frames in
 *     between decoded);
 *   - a target behind, or past the next keyframe, seeks (stats.seeks + 1);
 *   - once an access went back, recent frames come from the cache: a step
 *     back or a sliding window (get_range) decodes nothing again and never
 *     seeks, and reading on past the cached frames continues from the codec
 *     without a seek;
 *   - going back and forth between groups of pictures, each is answered by
 *     decoding on from the position parked in it (stats.seeks unchanged).
 * Run with one decoding thread and with the default (frame threads). Needs a
 * fixture with a long GOP (seek_longgop.mp4: keyframes at 0 and 240). */
#include <stdlib.h>
#include <string.h>

#include <kzv/kzv.h>

#include "ktest.h"

typedef struct ref_frame { uint64_t hash; double pts; } ref_frame;

static const ref_frame *ref;
static int nref;

static bool same(const kzv_frame *f, int64_t want)
{
    return f && want < nref && f->frame_index == want && f->pts == ref[want].pts && kt_rgb24_hash(f) == ref[want].hash;
}

/* Read `count` frames, wanting want, want + 1, … */
static void expect(kzv_decoder *d, int64_t want, int count, const char *what)
{
    for (int k = 0; k < count; k++) {
        kzv_frame *f = NULL;
        int r = kzv_decoder_next(d, &f);
        KT_CHECK(r == KZV_OK && same(f, want + k), "%s: frame %lld (+%d): got %d, index %lld", what,
                 (long long)want, k, r, f ? (long long)f->frame_index : -1LL);
        kzv_frame_unref(&f);
    }
}

static kzv_decoder_stats stats(kzv_decoder *d)
{
    kzv_decoder_stats s;
    kzv_decoder_get_stats(d, &s);
    return s;
}

static void scenario(const char *path, int threads)
{
    kzv_decoder_settings ks;
    kzv_decoder_default_settings(&ks);
    ks.threads = threads;
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, &ks) != KZV_OK) {
        KT_CHECK(0, "open: %s", kzv_decoder_last_error(NULL));
        return;
    }
    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    KT_CHECK_EQ_INT(kzv_decoder_get_index(d, &e, &n), KZV_OK);
    KT_CHECK(n == nref && e[0].keyframe && e[240].keyframe, "fixture: %lld frames, keyframes at 0 and 240 wanted",
             (long long)n);
    for (int i = 1; i < 240 && i < n; i++)
        KT_CHECK(!e[i].keyframe, "fixture: frame %d is a keyframe", i);
    char what[64];
    snprintf(what, sizeof(what), "threads %d", threads);

    /* Into the first GOP from the start (open decoded frame 0): decoding on. */
    kzv_decoder_stats a = stats(d);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 10), KZV_OK);
    expect(d, 10, 1, what);
    kzv_decoder_stats b = stats(d);
    KT_CHECK(b.seeks == a.seeks && b.seeks_decoded_on == a.seeks_decoded_on + 1,
             "%s: 0 -> 10: %lld seeks", what, (long long)(b.seeks - a.seeks));

    /* Ahead in the same GOP: decoding on, only the frames in between. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 40), KZV_OK);
    expect(d, 40, 1, what);
    kzv_decoder_stats c = stats(d);
    KT_CHECK(c.seeks == b.seeks && c.seeks_decoded_on == b.seeks_decoded_on + 1,
             "%s: 10 -> 40 should decode on (seeks +%lld, decoded on +%lld)", what,
             (long long)(c.seeks - b.seeks), (long long)(c.seeks_decoded_on - b.seeks_decoded_on));
    KT_CHECK(c.frames_decoded - b.frames_decoded <= 30 + 4, "%s: 10 -> 40 decoded %lld frames", what,
             (long long)(c.frames_decoded - b.frames_decoded));
    KT_CHECK_EQ_INT(c.frames_from_cache, 0);   /* nothing went back yet: no cache */

    /* The very next frame: nothing to decode but the one after it. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 41), KZV_OK);
    expect(d, 41, 1, what);
    kzv_decoder_stats c2 = stats(d);
    KT_CHECK(c2.seeks == c.seeks && c2.frames_decoded - c.frames_decoded <= 2,
             "%s: 40 -> 41 decoded %lld frames, %lld seeks", what,
             (long long)(c2.frames_decoded - c.frames_decoded), (long long)(c2.seeks - c.seeks));

    /* Back: a seek (this turns the cache on), then 8 frames. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 30), KZV_OK);
    expect(d, 30, 8, what);
    kzv_decoder_stats f = stats(d);
    KT_CHECK(f.seeks == c2.seeks + 1, "%s: 41 -> 30 should seek", what);

    /* A step back into what was just returned: from the cache, nothing
     * decoded; reading on past it continues from the codec, no seek. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 32), KZV_OK);
    kzv_decoder_stats g = stats(d);
    KT_CHECK(g.frames_decoded == f.frames_decoded && g.seeks == f.seeks, "%s: 37 -> 32 decoded %lld, seeked %lld",
             what, (long long)(g.frames_decoded - f.frames_decoded), (long long)(g.seeks - f.seeks));
    expect(d, 32, 10, what);   /* 32..37 cached, 38..41 decoded */
    kzv_decoder_stats h = stats(d);
    KT_CHECK(h.frames_from_cache - g.frames_from_cache == 6 && h.seeks == g.seeks,
             "%s: 32..41: %lld from the cache (6 wanted), %lld seeks", what,
             (long long)(h.frames_from_cache - g.frames_from_cache), (long long)(h.seeks - g.seeks));

    /* Sliding windows of 5 (a temporal model's input), ahead in the GOP:
     * each frame decoded once, no seek at all. */
    int64_t dec0 = h.frames_decoded;
    for (int w = 100; w < 120; w++) {
        kzv_frame *win[5] = { 0 };
        size_t got = 0;
        KT_CHECK_EQ_INT(kzv_decoder_get_range(d, w, w + 5, 1, win, &got), KZV_OK);
        KT_CHECK_EQ_INT(got, 5);
        for (size_t i = 0; i < got; i++) {
            KT_CHECK(same(win[i], w + (int64_t)i), "%s: window %d item %zu", what, w, i);
            kzv_frame_unref(&win[i]);
        }
    }
    kzv_decoder_stats k = stats(d);
    KT_CHECK(k.seeks == h.seeks, "%s: sliding windows seeked %lld times", what, (long long)(k.seeks - h.seeks));
    KT_CHECK(k.frames_decoded - dec0 <= (124 - 41) + 4, "%s: sliding windows decoded %lld frames for 83 new",
             what, (long long)(k.frames_decoded - dec0));
    KT_CHECK(k.frames_from_cache - h.frames_from_cache >= 19 * 4, "%s: sliding windows: %lld from the cache",
             what, (long long)(k.frames_from_cache - h.frames_from_cache));

    /* Past the next keyframe: a seek, not 120 frames decoded on. */
    if (n > 250) {
        KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 250), KZV_OK);
        expect(d, 250, 2, what);
        kzv_decoder_stats m = stats(d);
        KT_CHECK(m.seeks == k.seeks + 1 && m.frames_decoded - k.frames_decoded <= 10 + 4,
                 "%s: 124 -> 250: %lld seeks, %lld frames decoded", what, (long long)(m.seeks - k.seeks),
                 (long long)(m.frames_decoded - k.frames_decoded));
        /* And back into the first GOP's cached frames after that. */
        KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 122), KZV_OK);
        expect(d, 122, 1, what);
        kzv_decoder_stats q = stats(d);
        KT_CHECK(q.frames_from_cache == m.frames_from_cache + 1 && q.seeks == m.seeks,
                 "%s: 122 from the cache after 250", what);
    }

    /* Past the end and back. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, n), KZV_EOF);
    kzv_frame *x = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &x), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, n - 2), KZV_OK);
    expect(d, n - 2, 2, what);
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &x), KZV_EOF);
    kzv_decoder_close(&d);
}

/* Parked positions: going back and forth between the two groups of
 * pictures, each access decodes on from the position left in its group. */
static void parked(const char *path, int threads)
{
    kzv_decoder_settings ks;
    kzv_decoder_default_settings(&ks);
    ks.threads = threads;
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, &ks) != KZV_OK) {
        KT_CHECK(0, "open: %s", kzv_decoder_last_error(NULL));
        return;
    }
    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    KT_CHECK_EQ_INT(kzv_decoder_get_index(d, &e, &n), KZV_OK);
    if (n < 280) {
        KT_CHECK(0, "fixture too short: %lld frames", (long long)n);
        kzv_decoder_close(&d);
        return;
    }
    char what[64];
    snprintf(what, sizeof(what), "parked, threads %d", threads);
    /* 10: decoding on from the start; 250: a seek (first visit of the second
     * GOP); 20: back to the first GOP, left at 11: a second position seeks. */
    const int64_t first[] = { 10, 250, 20 };
    for (int i = 0; i < 3; i++) {
        KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, first[i]), KZV_OK);
        expect(d, first[i], 1, what);
    }
    kzv_decoder_stats a = stats(d);
    KT_CHECK_EQ_INT(a.seeks, 2);
    /* Now each GOP has a position: every access below decodes on. */
    const int64_t next[] = { 260, 30, 270, 31, 280, 60, 281, 61 };
    for (int i = 0; i < 8; i++) {
        kzv_decoder_stats b = stats(d);
        KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, next[i]), KZV_OK);
        expect(d, next[i], 2, what);
        kzv_decoder_stats c = stats(d);
        KT_CHECK(c.seeks == b.seeks && c.seeks_decoded_on == b.seeks_decoded_on + 1,
                 "%s: access %lld should decode on from a parked position (seeks +%lld)", what,
                 (long long)next[i], (long long)(c.seeks - b.seeks));
        KT_CHECK(c.frames_decoded - b.frames_decoded <= 30 + 6, "%s: access %lld decoded %lld frames", what,
                 (long long)next[i], (long long)(c.frames_decoded - b.frames_decoded));
    }
    /* Sequential reading across the GOP boundary from a parked position. */
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 230), KZV_OK);
    expect(d, 230, 20, what);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, n - 1), KZV_OK);
    expect(d, n - 1, 1, what);
    kzv_frame *x = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_next(d, &x), KZV_EOF);
    KT_CHECK_EQ_INT(kzv_decoder_seek_frame(d, 5), KZV_OK);
    expect(d, 5, 3, what);
    kzv_decoder_close(&d);
}

int main(int argc, char **argv)
{
    const char *path = kt_fixture(argc > 1 ? argv[1] : "seek_longgop.mp4");
    kzv_decoder *d = NULL;
    KT_REQUIRE(kzv_decoder_open(&d, path, NULL) == KZV_OK, "open: %s", kzv_decoder_last_error(NULL));
    int cap = 512;
    ref_frame *r = kt_malloc(sizeof(*r) * (size_t)cap);
    kzv_frame *f = NULL;
    while (kzv_decoder_next(d, &f) == KZV_OK) {
        if (nref == cap) {
            cap *= 2;
            r = realloc(r, sizeof(*r) * (size_t)cap);
            if (!r) abort();
        }
        r[nref++] = (ref_frame){ kt_rgb24_hash(f), f->pts };
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
    ref = r;
    scenario(path, 1);
    scenario(path, 0);
    parked(path, 1);
    parked(path, 0);
    free(r);
    return kt_finish();
}
