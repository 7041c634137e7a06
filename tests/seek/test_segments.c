/* Segment plans and saved indexes. For each fixture named on the command
 * line: plan segments (by count and by seconds) and require that they cover
 * every frame once, in order, with the index's timing, and start on
 * keyframes where the plan says so; decode every segment with a decoder that
 * imported the first decoder's index (no scan), from an exact seek to its
 * first frame, and require exactly the frames sequential decoding gives
 * (index, pts, pixels) — the property a split job stands on. Then what a
 * saved index must refuse: damage, truncation, a touched, grown or
 * different file; and the save/load round trip. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kzv/kzv.h>

#include "ktest.h"

typedef struct ref_frame {
    uint64_t hash;
    int64_t pts_ts;
} ref_frame;

static uint8_t *export_index(kzv_decoder *d, size_t *size)
{
    *size = 0;
    if (kzv_decoder_export_index(d, NULL, 0, size) != KZV_OK)
        return NULL;
    uint8_t *buf = kt_malloc(*size);
    KT_CHECK(kzv_decoder_export_index(d, buf, *size - 1, &(size_t){ 0 }) == KZV_EINVAL,
             "export into a buffer one byte short must be refused");
    if (kzv_decoder_export_index(d, buf, *size, size) != KZV_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void check_plan(const char *name, const kzv_segment *s, int64_t ns, const kzv_index_entry *e, int64_t n)
{
    KT_CHECK(ns >= 1 && s[0].start == 0 && s[ns - 1].end == n, "%s: plan does not cover [0, %lld)", name, (long long)n);
    for (int64_t i = 0; i < ns; i++) {
        KT_CHECK(s[i].start < s[i].end, "%s: segment %lld is empty", name, (long long)i);
        KT_CHECK(i == 0 || s[i].start == s[i - 1].end, "%s: gap or overlap before segment %lld", name, (long long)i);
        if (s[i].start < 0 || s[i].start >= n || s[i].end > n)
            continue;
        KT_CHECK(s[i].start_pts_ts == e[s[i].start].pts_ts && s[i].start_pts == e[s[i].start].pts,
                 "%s: segment %lld start pts differs from the index", name, (long long)i);
        KT_CHECK(s[i].keyframe == e[s[i].start].keyframe, "%s: segment %lld keyframe flag", name, (long long)i);
        if (s[i].end < n)
            KT_CHECK(s[i].end_pts_ts == e[s[i].end].pts_ts, "%s: segment %lld end pts", name, (long long)i);
        else
            KT_CHECK(s[i].end_pts_ts > e[n - 1].pts_ts, "%s: last segment must end after its last frame", name);
    }
}

/* Decode [start, end) from a fresh decoder using the shared index. */
static void check_segment(const char *path, const uint8_t *idx, size_t idx_size, const kzv_segment *s,
                          const ref_frame *ref)
{
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, NULL) != KZV_OK) {
        KT_CHECK(0, "%s: reopen failed", path);
        return;
    }
    int r = kzv_decoder_import_index(d, idx, idx_size);
    KT_CHECK(r == KZV_OK, "%s: import of its own index: %s", path, kzv_decoder_last_error(d));
    r = kzv_decoder_seek_frame(d, s->start);
    KT_CHECK(r == KZV_OK, "%s: seek to segment start %lld: %s", path, (long long)s->start, kzv_decoder_last_error(d));
    for (int64_t i = s->start; r == KZV_OK && i < s->end; i++) {
        kzv_frame *f = NULL;
        r = kzv_decoder_next(d, &f);
        KT_CHECK(r == KZV_OK, "%s: frame %lld of segment [%lld, %lld): %d", path, (long long)i,
                 (long long)s->start, (long long)s->end, r);
        if (r != KZV_OK)
            break;
        KT_CHECK(f->frame_index == i && f->pts_ts == ref[i].pts_ts && kt_rgb24_hash(f) == ref[i].hash,
                 "%s: segment [%lld, %lld) frame %lld differs from sequential decoding (got index %lld)", path,
                 (long long)s->start, (long long)s->end, (long long)i, (long long)f->frame_index);
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&d);
}

static void plan_and_decode(const char *name)
{
    const char *path = kt_fixture(name);
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, NULL) != KZV_OK) {
        KT_CHECK(0, "%s: open: %s", name, kzv_decoder_last_error(NULL));
        return;
    }
    int64_t n = 0, cap = 0;
    ref_frame *ref = NULL;
    for (kzv_frame *f = NULL; kzv_decoder_next(d, &f) == KZV_OK; kzv_frame_unref(&f)) {
        if (n == cap)
            ref = realloc(ref, sizeof(*ref) * (size_t)(cap = cap ? cap * 2 : 256));
        ref[n++] = (ref_frame){ kt_rgb24_hash(f), f->pts_ts };
    }
    const kzv_index_entry *e = NULL;
    int64_t ne = 0;
    KT_CHECK(kzv_decoder_get_index(d, &e, &ne) == KZV_OK && ne == n, "%s: index has %lld frames, decoding %lld",
             name, (long long)ne, (long long)n);
    size_t idx_size = 0;
    uint8_t *idx = export_index(d, &idx_size);
    KT_CHECK(idx != NULL, "%s: export: %s", name, kzv_decoder_last_error(d));

    kzv_segment_settings by_count, by_time;
    kzv_segment_default_settings(&by_count);
    kzv_segment_default_settings(&by_time);
    by_count.count = 6;
    by_time.seconds = 0.7;
    const kzv_segment_settings *plans[] = { &by_count, &by_time };
    for (int p = 0; p < 2 && idx && ne == n; p++) {
        int64_t ns = 0;
        KT_CHECK(kzv_decoder_plan_segments(d, plans[p], NULL, 0, &ns) == KZV_OK && ns > 0,
                 "%s: plan count: %s", name, kzv_decoder_last_error(d));
        kzv_segment *s = kt_malloc(sizeof(*s) * (size_t)(ns + 1));
        if (ns > 1)
            KT_CHECK(kzv_decoder_plan_segments(d, plans[p], s, ns - 1, &ns) == KZV_EINVAL, "%s: capacity", name);
        KT_CHECK(kzv_decoder_plan_segments(d, plans[p], s, ns, &ns) == KZV_OK, "%s: plan", name);
        check_plan(name, s, ns, e, n);
        if (p == 0) {
            KT_CHECK(ns == (n < 6 ? n : 6), "%s: asked for 6 segments, got %lld", name, (long long)ns);
            for (int64_t i = 0; i < ns; i++)
                check_segment(path, idx, idx_size, &s[i], ref);
        }
        free(s);
    }
    free(idx);
    free(ref);
    kzv_decoder_close(&d);
}

/* Copy `src` to `dst` byte for byte. */
static void copy_file(const char *src, const char *dst)
{
    KT_CHECK(kt_run("cp '%s' '%s'", src, dst) == 0, "cp %s", src);
}

static int import_from(const char *path, const uint8_t *idx, size_t size, char *why, size_t why_size)
{
    kzv_decoder *d = NULL;
    if (kzv_decoder_open(&d, path, NULL) != KZV_OK)
        return -1000;
    int r = kzv_decoder_import_index(d, idx, size);
    snprintf(why, why_size, "%s", kzv_decoder_last_error(d));
    /* Refused: the decoder goes on as if nothing happened (it scans itself). */
    const kzv_index_entry *e;
    int64_t n = 0;
    if (r != KZV_OK)
        KT_CHECK(kzv_decoder_get_index(d, &e, &n) == KZV_OK && n > 0, "%s: scan after a refused import", path);
    kzv_decoder_close(&d);
    return r;
}

static void stale_and_damaged(const char *name)
{
    const char *dir = kt_tmpdir();
    char a[4096], b[4096], saved[4096], why[1024];
    snprintf(a, sizeof(a), "%s/a.bin", dir);
    snprintf(b, sizeof(b), "%s/b.bin", dir);
    snprintf(saved, sizeof(saved), "%s/a.kzvidx", dir);
    copy_file(kt_fixture(name), a);
    kzv_decoder *d = NULL;
    KT_CHECK(kzv_decoder_open(&d, a, NULL) == KZV_OK, "open copy");
    if (!d)
        return;
    size_t size = 0;
    uint8_t *idx = export_index(d, &size);
    KT_CHECK(kzv_decoder_load_index(d, saved) == KZV_ENOENT, "load of a missing index: ENOENT");
    KT_CHECK(kzv_decoder_save_index(d, saved) == KZV_OK, "save: %s", kzv_decoder_last_error(d));
    KT_CHECK(kzv_decoder_save_index(d, "/nonexistent-dir/x.kzvidx") == KZV_EIO, "save into a missing directory");
    kzv_decoder_close(&d);
    if (!idx)
        return;

    KT_CHECK(import_from(a, idx, size, why, sizeof(why)) == KZV_OK, "fresh import: %s", why);
    KT_CHECK(kzv_decoder_open(&d, a, NULL) == KZV_OK && kzv_decoder_load_index(d, saved) == KZV_OK &&
             kzv_decoder_info(d)->total_frames > 0, "load of the saved index: %s", kzv_decoder_last_error(d));
    kzv_decoder_close(&d);

    uint8_t *bad = kt_malloc(size);
    memcpy(bad, idx, size);
    bad[size / 2] ^= 1;
    KT_CHECK(import_from(a, bad, size, why, sizeof(why)) == KZV_EINVALIDDATA && strstr(why, "damaged"),
             "a flipped bit must be refused as damaged: %s", why);
    KT_CHECK(import_from(a, idx, size - 9, why, sizeof(why)) == KZV_EINVALIDDATA, "truncated index accepted");
    KT_CHECK(import_from(a, (const uint8_t *)"garbage", 7, why, sizeof(why)) == KZV_EINVALIDDATA &&
             strstr(why, "not a kzv index"), "garbage: %s", why);
    free(bad);

    /* Same bytes, another modification time. */
    struct timespec t[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
    KT_CHECK(utimensat(AT_FDCWD, a, t, 0) == 0, "utimensat");
    KT_CHECK(import_from(a, idx, size, why, sizeof(why)) == KZV_EINVALIDDATA && strstr(why, "modified"),
             "a touched file must make the index stale: %s", why);
    /* Grown by a byte. */
    KT_CHECK(kt_run("printf x >> '%s'", a) == 0, "append");
    KT_CHECK(import_from(a, idx, size, why, sizeof(why)) == KZV_EINVALIDDATA && strstr(why, "size"),
             "a grown file must make the index stale: %s", why);
    /* Another file of the same size and time: content differs. */
    copy_file(kt_fixture(name), b);
    KT_CHECK(kt_run("printf y >> '%s' && touch -r '%s' '%s'", b, a, b) == 0, "prepare b");
    KT_CHECK(import_from(b, idx, size, why, sizeof(why)) == KZV_EINVALIDDATA,
             "another file must be refused: %s", why);
    free(idx);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        plan_and_decode(argv[i]);
    if (argc > 1)
        stale_and_damaged(argv[1]);
    kzv_segment_settings s;
    kzv_segment_default_settings(&s);
    s.count = 0;
    s.seconds = 0;
    kzv_decoder *d = NULL;
    if (argc > 1 && kzv_decoder_open(&d, kt_fixture(argv[1]), NULL) == KZV_OK) {
        int64_t ns;
        KT_CHECK(kzv_decoder_plan_segments(d, &s, NULL, 0, &ns) == KZV_EINVAL, "count 0 and seconds 0 refused");
        s.count = 3;
        s.reserved[0] = 1;
        KT_CHECK(kzv_decoder_plan_segments(d, &s, NULL, 0, &ns) == KZV_EINVAL, "reserved bytes refused");
        s.reserved[0] = 0;
        s.count = 1 << 30;
        KT_CHECK(kzv_decoder_plan_segments(d, &s, NULL, 0, &ns) == KZV_OK && ns == kzv_decoder_info(d)->total_frames,
                 "more segments than frames: one per frame");
    }
    kzv_decoder_close(&d);
    KT_CHECK(kzv_decoder_plan_segments(NULL, NULL, NULL, 0, &(int64_t){ 0 }) == KZV_EINVAL, "NULL decoder");
    KT_CHECK(kzv_decoder_export_index(NULL, NULL, 0, &(size_t){ 0 }) == KZV_EINVAL, "NULL decoder export");
    return kt_finish();
}
