/* Targeted exact-seek tests for streams on which seeking is hard (open GOP,
 * edit lists, sparse cues, long GOPs, MPEG-TS, negative timestamps, VFR with
 * B-frames, HEVC RASL pictures). For each fixture named on the command line:
 * decode it sequentially (every frame's pts, duration and pixel hash), then
 *   - seek to every keyframe and to the frame right before it, both in
 *     ascending and descending order, and read on across the keyframe;
 *   - seek by time at a frame's exact pts, at pts - 1 µs (the frame before)
 *     and at the middle of its display interval; frame_at must agree;
 *   - seek backwards to a frame already passed after reading forward;
 *   - KEYFRAME mode: the last keyframe at or before the time (or frame 0
 *     when no keyframe is);
 *   - kzv_decoder_get_frames() on every index in reverse order, and
 *     get_frames_at() on every pts in reverse order;
 *   - strict mode: when the file decodes sequentially without error in
 *     strict mode, seeking in strict mode works too;
 * every frame compared with sequential decoding: same frame_index, same pts,
 * same pixels. Prints per fixture: frames, seeks, mismatches. */
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

typedef struct ctx {
    const char *name;
    kzv_decoder *d;
    ref_frame *ref;
    int n;
    const kzv_index_entry *e;   /* the decoder's index (n entries) */
    int seeks, bad;
} ctx;

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static int rnd(int n)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

/* Compare one returned frame with ref[want]; counts and reports a mismatch. */
static bool same(ctx *c, const kzv_frame *f, int want, const char *what)
{
    bool ok = f && f->frame_index == want && f->pts == c->ref[want].pts && kt_rgb24_hash(f) == c->ref[want].hash;
    if (!ok) {
        c->bad++;
        if (c->bad <= 20)
            KT_CHECK(0, "%s: %s: want frame %d (pts %.6f), got %s%lld pts %.6f%s", c->name, what, want,
                     c->ref[want].pts, f ? "" : "no frame ", f ? (long long)f->frame_index : -1LL,
                     f ? f->pts : NAN, f && kt_rgb24_hash(f) != c->ref[want].hash ? " (pixels differ)" : "");
        else
            kt_failures++;
    }
    return ok;
}

/* After a seek that returned `r`, the next `count` frames are want, want+1, … */
static void expect(ctx *c, int r, int want, int count, const char *what)
{
    c->seeks++;
    if (r != KZV_OK) {
        c->bad++;
        KT_CHECK(0, "%s: %s returned %d (%s)", c->name, what, r, kzv_decoder_last_error(c->d));
        return;
    }
    for (int k = 0; k < count && want + k < c->n; k++) {
        kzv_frame *f = NULL;
        r = kzv_decoder_next(c->d, &f);
        if (r != KZV_OK) {
            c->bad++;
            KT_CHECK(0, "%s: %s: next (+%d) returned %d (%s)", c->name, what, k, r, kzv_decoder_last_error(c->d));
            return;
        }
        char w[200];
        snprintf(w, sizeof(w), "%s (+%d)", what, k);
        bool ok = same(c, f, want + k, w);
        kzv_frame_unref(&f);
        if (!ok)
            return;
    }
}

static void seek_frame(ctx *c, int target, int count, const char *why)
{
    char what[160];
    snprintf(what, sizeof(what), "seek_frame(%d) [%s]", target, why);
    expect(c, kzv_decoder_seek_frame(c->d, target), target, count, what);
}

static void seek_time(ctx *c, double t, int want, const char *why)
{
    char what[160];
    snprintf(what, sizeof(what), "seek(%.9f) [%s]", t, why);
    expect(c, kzv_decoder_seek(c->d, t, KZV_SEEK_EXACT), want, 2, what);
    int64_t at = -1;
    int r = kzv_decoder_frame_at(c->d, t, &at);
    KT_CHECK(r == KZV_OK && at == want, "%s: frame_at(%.9f) = %d, %lld; want %d", c->name, t, r, (long long)at, want);
}

static bool is_key(const ctx *c, int i)
{
    return c->e[i].keyframe || c->ref[i].keyframe;
}

/* Frame displayed at t per the reference: the last with pts <= t, 0 before the first. */
static int ref_at(const ctx *c, double t)
{
    int lo = 0, hi = c->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (c->ref[mid].pts <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? lo - 1 : 0;
}

static void keyframe_seeks(ctx *c)
{
    for (int i = 0; i < c->n; i++) {
        if (!is_key(c, i))
            continue;
        if (i > 0)
            seek_frame(c, i - 1, 3, "before keyframe, ascending");   /* reads across the keyframe */
        seek_frame(c, i, 2, "keyframe, ascending");
    }
    for (int i = c->n - 1; i >= 0; i--) {
        if (!is_key(c, i))
            continue;
        seek_frame(c, i, 2, "keyframe, descending");
        if (i > 0)
            seek_frame(c, i - 1, 2, "before keyframe, descending");
    }
}

static void time_seeks_at(ctx *c, int i)
{
    const ref_frame *r = &c->ref[i];
    seek_time(c, r->pts, i, "exact pts");
    double before = r->pts - 1e-6;
    seek_time(c, before, ref_at(c, before), "pts - 1 us");
    if (r->duration > 2e-6)
        seek_time(c, r->pts + r->duration / 2, i, "midpoint");
}

static void time_seeks(ctx *c)
{
    for (int i = 0; i < c->n; i++)
        if (is_key(c, i) || (i + 1 < c->n && is_key(c, i + 1)) || (i > 0 && is_key(c, i - 1)) ||
            i == c->n - 1)
            time_seeks_at(c, i);
    for (int k = 0; k < 20; k++)
        time_seeks_at(c, rnd(c->n));
}

static void backward_seeks(ctx *c)
{
    for (int k = 0; k < 20; k++) {
        int a = rnd(c->n);
        int len = 1 + rnd(40);
        if (a + len > c->n)
            len = c->n - a;
        seek_frame(c, a, len, "forward read");
        int lo = a - 50 > 0 ? a - 50 : 0, hi = a + len - 1;
        int b = k % 3 == 0 ? hi : lo + rnd(hi - lo + 1);   /* often: the frame just read */
        seek_frame(c, b, 3, "backward after forward read");
    }
}

static void keyframe_mode(ctx *c)
{
    for (int k = 0; k < 30; k++) {
        int target = k < c->n ? (k * 7919) % c->n : rnd(c->n);
        int want = target;
        while (want > 0 && !c->e[want].keyframe)
            want--;
        c->seeks++;
        int r = kzv_decoder_seek(c->d, c->ref[target].pts, KZV_SEEK_KEYFRAME);
        kzv_frame *f = NULL;
        if (r == KZV_OK)
            r = kzv_decoder_next(c->d, &f);
        char what[120];
        snprintf(what, sizeof(what), "KEYFRAME seek(%.6f) (frame %d)", c->ref[target].pts, target);
        KT_CHECK(r == KZV_OK, "%s: %s returned %d (%s)", c->name, what, r, kzv_decoder_last_error(c->d));
        if (r == KZV_OK)
            same(c, f, want, what);
        else
            c->bad++;
        kzv_frame_unref(&f);
    }
}

static void batches(ctx *c)
{
    int64_t *idx = kt_malloc(sizeof(*idx) * (size_t)c->n);
    double *when = kt_malloc(sizeof(*when) * (size_t)c->n);
    kzv_frame **got = kt_malloc(sizeof(*got) * (size_t)c->n);
    for (int i = 0; i < c->n; i++) {
        idx[i] = c->n - 1 - i;
        when[i] = c->ref[c->n - 1 - i].pts;
    }
    for (int pass = 0; pass < 2; pass++) {
        const char *what = pass ? "get_frames_at(all, reversed)" : "get_frames(all, reversed)";
        c->seeks++;
        int r = pass ? kzv_decoder_get_frames_at(c->d, when, (size_t)c->n, got)
                     : kzv_decoder_get_frames(c->d, idx, (size_t)c->n, got);
        KT_CHECK(r == KZV_OK, "%s: %s returned %d (%s)", c->name, what, r, kzv_decoder_last_error(c->d));
        if (r != KZV_OK) {
            c->bad++;
            continue;
        }
        for (int i = 0; i < c->n; i++) {
            char w[80];
            snprintf(w, sizeof(w), "%s slot %d", what, i);
            same(c, got[i], c->n - 1 - i, w);
            kzv_frame_unref(&got[i]);
        }
    }
    free(idx);
    free(when);
    free(got);
}

static int decode_all(kzv_decoder *d, ref_frame **out)
{
    int n = 0, cap = 256, r;
    ref_frame *ref = kt_malloc(sizeof(*ref) * (size_t)cap);
    kzv_frame *f = NULL;
    while ((r = kzv_decoder_next(d, &f)) == KZV_OK) {
        if (n == cap) {
            cap *= 2;
            ref = realloc(ref, sizeof(*ref) * (size_t)cap);
            if (!ref)
                abort();
        }
        KT_CHECK(f->frame_index == n, "sequential frame %d has frame_index %lld", n, (long long)f->frame_index);
        ref[n++] = (ref_frame){ kt_rgb24_hash(f), f->pts, f->duration, f->keyframe };
        kzv_frame_unref(&f);
    }
    *out = ref;
    return r == KZV_EOF ? n : r;
}

/* Strict mode: a file that decodes sequentially without a single error in
 * strict mode must seek without error in strict mode too (the frames a seek
 * decodes and drops are not the caller's business). */
static void strict_seeks(ctx *c)
{
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.strict = true;
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, kt_fixture(c->name), &s);
    KT_CHECK(r == KZV_OK, "%s: strict open: %s", c->name, kzv_decoder_last_error(NULL));
    if (r != KZV_OK)
        return;
    ref_frame *sref = NULL;
    int n = decode_all(d, &sref);
    free(sref);
    if (n != c->n) {
        printf("%-22s strict mode: sequential decode fails (%d), seeks not checked\n", c->name, n);
        kzv_decoder_close(&d);
        return;
    }
    kzv_decoder *saved = c->d;
    c->d = d;
    for (int i = 0; i < c->n; i++)
        if (i > 0 && is_key(c, i))
            seek_frame(c, i - 1, 2, "strict, before keyframe");
    for (int k = 0; k < 20; k++)
        seek_frame(c, rnd(c->n), 2, "strict, random");
    c->d = saved;
    kzv_decoder_close(&d);
}

/* A seek reads from the keyframe it needs, not from an earlier one: the
 * packets read to get the last frame are those from the last keyframe on
 * (mp4 once landed a whole GOP early and decoded it for nothing). Counted
 * by byte position, which follows decode order within the stream. */
static void seek_cost(ctx *c)
{
    /* Containers with an index of their own; AVI without pts seeks by
     * counting from the start, MPEG-TS/PS by scanning for timestamps. */
    const char *ext = strrchr(c->name, '.');
    if (!ext || (strcmp(ext, ".mp4") && strcmp(ext, ".mov") && strcmp(ext, ".mkv") && strcmp(ext, ".webm")))
        return;
    int last_key = -1;
    for (int i = 0; i < c->n; i++) {
        if (c->e[i].pos < 0)
            return;   /* positions unknown: nothing to count by */
        if (c->e[i].keyframe && (last_key < 0 || c->e[i].pos > c->e[last_key].pos))
            last_key = i;
    }
    if (last_key <= 0)
        return;
    int64_t from_key = 0;
    for (int i = 0; i < c->n; i++)
        from_key += c->e[i].pos >= c->e[last_key].pos;
    seek_frame(c, 0, 1, "seek cost: start");
    kzv_decoder_stats before, after;
    kzv_decoder_get_stats(c->d, &before);
    seek_frame(c, c->n - 1, 1, "seek cost: last frame");
    kzv_decoder_get_stats(c->d, &after);
    int64_t read = after.packets_read - before.packets_read;
    KT_CHECK(read <= from_key + 2, "%s: seeking to the last frame read %lld packets; %lld from the last "
             "keyframe on", c->name, (long long)read, (long long)from_key);
}

static void run(const char *name)
{
    ctx c = { .name = name };
    int r = kzv_decoder_open(&c.d, kt_fixture(name), NULL);
    KT_CHECK(r == KZV_OK, "%s: open: %s", name, kzv_decoder_last_error(NULL));
    if (r != KZV_OK)
        return;
    c.n = decode_all(c.d, &c.ref);
    KT_CHECK(c.n > 0, "%s: sequential decode ended with %d", name, c.n);
    int64_t cnt = 0;
    r = kzv_decoder_get_index(c.d, &c.e, &cnt);
    KT_CHECK(r == KZV_OK && cnt == c.n, "%s: index has %lld entries, decoding gave %d", name, (long long)cnt, c.n);
    if (c.n <= 0 || r != KZV_OK || cnt != c.n) {
        free(c.ref);
        kzv_decoder_close(&c.d);
        return;
    }
    int pts_diff = 0, key_diff = 0;
    for (int i = 0; i < c.n; i++) {
        pts_diff += c.e[i].pts != c.ref[i].pts;
        key_diff += c.e[i].keyframe != c.ref[i].keyframe;
    }
    KT_CHECK(pts_diff == 0, "%s: %d index pts differ from decoded pts", name, pts_diff);
    int nkey = 0;
    for (int i = 0; i < c.n; i++)
        nkey += is_key(&c, i);

    keyframe_seeks(&c);
    time_seeks(&c);
    backward_seeks(&c);
    keyframe_mode(&c);
    batches(&c);
    strict_seeks(&c);
    seek_cost(&c);

    printf("%-22s %4d frames, %3d keyframes (%d flags differ index/decoder), %5d seeks, %d mismatches\n",
           name, c.n, nkey, key_diff, c.seeks, c.bad);
    fflush(stdout);
    free(c.ref);
    kzv_decoder_close(&c.d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run(argv[i]);
    return kt_finish();
}
