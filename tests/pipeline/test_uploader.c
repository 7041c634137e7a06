/* kzv_uploader: the checked wrapper (on a counting backend built on the
 * public function table) and the memory backend. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "counting_uploader.h"
#include "core/frame_internal.h"
#include "kzv/uploader.h"
#include "ktest.h"
#include "gpu/texmap.h"
#include "gpu/uploader_internal.h"
#include "pipeline_util.h"

/* Capture log lines so tests can check that a refusal was reported. */
static atomic_int log_errors, log_warnings;
static char last_log[1024];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void capture_log(void *user, kzv_log_level level, const char *msg)
{
    (void)user;
    if (level == KZV_LOG_ERROR)
        atomic_fetch_add(&log_errors, 1);
    else if (level == KZV_LOG_WARNING)
        atomic_fetch_add(&log_warnings, 1);
    pthread_mutex_lock(&log_lock);
    snprintf(last_log, sizeof(last_log), "%s", msg);
    pthread_mutex_unlock(&log_lock);
}

static kzv_frame *make_frame(int w, int h, kzv_pixfmt fmt, int64_t index)
{
    kzv_frame *f = NULL;
    if (kzv_frame_alloc(&f, w, h, fmt) != KZV_OK)
        return NULL;
    f->frame_index = index;
    return f;
}

static void test_create_validation(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader *u = (kzv_uploader *)&cu;
    kzv_uploader_impl impl = counting_uploader_impl;

    KT_CHECK_EQ_INT(kzv_uploader_create(NULL, &impl, &cu), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_create(&u, NULL, &cu), KZV_EINVAL);
    KT_CHECK(u == NULL, "out cleared on failure");

    impl = counting_uploader_impl;
    impl.upload_frame = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &impl, &cu), KZV_EINVAL);
    impl = counting_uploader_impl;
    impl.release_texture = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &impl, &cu), KZV_EINVAL);
    impl = counting_uploader_impl;
    impl.get_texture_size = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &impl, &cu), KZV_EINVAL);
    /* A table of a version this kzv does not know: forgotten (0), or newer. */
    for (int v = -1; v <= KZV_UPLOADER_IMPL_VERSION + 1; v++) {
        if (v >= 1 && v <= KZV_UPLOADER_IMPL_VERSION)
            continue;
        impl = counting_uploader_impl;
        impl.version = v;
        int before = atomic_load(&log_errors);
        KT_CHECK_EQ_INT(kzv_uploader_create(&u, &impl, &cu), KZV_EINVAL);
        KT_CHECK(u == NULL && atomic_load(&log_errors) == before + 1, "version %d refused and logged", v);
    }
    KT_CHECK_EQ_INT(atomic_load(&cu.destroys), 0); /* a refused create owns nothing */

    /* destroy is optional. */
    impl = counting_uploader_impl;
    impl.destroy = NULL;
    impl.name = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &impl, &cu), KZV_OK);
    KT_CHECK(kzv_uploader_name(u) != NULL, "name is never NULL");
    kzv_uploader_destroy(&u);
    KT_CHECK(u == NULL, "destroy clears the pointer");
    KT_CHECK_EQ_INT(atomic_load(&cu.destroys), 0);
    kzv_uploader_destroy(&u);
    kzv_uploader_destroy(NULL);

    /* NULL handles everywhere. */
    kzv_texture t = 77;
    kzv_frame *f = make_frame(4, 4, KZV_PIXFMT_RGB24, 0);
    KT_CHECK_EQ_INT(kzv_uploader_upload(NULL, f, &t), KZV_EINVAL);
    KT_CHECK_EQ_INT(t, KZV_NO_TEXTURE);
    KT_CHECK_EQ_INT(kzv_uploader_release(NULL, 1), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(NULL), 0);
    int w = 5, h = 5;
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(NULL, 1, &w, &h), KZV_EINVAL);
    kzv_frame_unref(&f);
}

static void test_counting_lifecycle(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, &cu) == KZV_OK, "create");
    KT_CHECK(!strcmp(kzv_uploader_name(u), "counting"), "name");

    kzv_frame *f = make_frame(6, 4, KZV_PIXFMT_RGB24, 0);
    kzv_texture a = 0, b = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &a), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &b), KZV_OK);
    KT_CHECK(a != KZV_NO_TEXTURE && b != KZV_NO_TEXTURE && a != b, "two distinct textures");
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 2);
    KT_CHECK_EQ_INT(pt_refs(f), 1); /* the frame is only borrowed */

    int w = 0, h = 0;
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, a, &w, &h), KZV_OK);
    KT_CHECK(w == 6 && h == 4, "size %dx%d", w, h);
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, a, NULL, &h), KZV_OK);

    /* Bad arguments to upload: nothing reaches the backend. */
    int before = atomic_load(&cu.attempts);
    kzv_texture t = 99;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, NULL, &t), KZV_EINVAL);
    KT_CHECK_EQ_INT(t, KZV_NO_TEXTURE);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, NULL), KZV_EINVAL);
    kzv_frame bad = *f;
    bad.width = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, &bad, &t), KZV_EINVAL);
    bad = *f;
    bad.format = KZV_PIXFMT_NONE;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, &bad, &t), KZV_EINVAL);
    bad = *f;
    bad.data[0] = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, &bad, &t), KZV_EINVAL);
    bad = *f;
    bad.stride[0] = 6 * 3 - 1; /* a row does not fit */
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, &bad, &t), KZV_EINVAL);
    KT_CHECK_EQ_INT(atomic_load(&cu.attempts), before);

    /* Release: once is fine, twice is refused and never reaches the backend. */
    atomic_store(&log_errors, 0);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, a), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 1);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, a), KZV_EINVAL);
    KT_CHECK(atomic_load(&log_errors) >= 1, "double release was not logged");
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, a, &w, &h), KZV_EINVAL);
    KT_CHECK(w == 0 && h == 0, "size zeroed for a dead texture");

    /* Foreign textures: never issued, and the "no texture" value. */
    atomic_store(&log_errors, 0);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, 123456), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, KZV_NO_TEXTURE), KZV_EINVAL);
    KT_CHECK(atomic_load(&log_errors) >= 2, "foreign release was not logged");
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, 123456, &w, &h), KZV_EINVAL);
    KT_CHECK_EQ_INT(atomic_load(&cu.bad_releases), 0);
    KT_CHECK_EQ_INT(atomic_load(&cu.releases), 1);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 1);

    /* A texture of another uploader is foreign here, even when its id exists there. */
    counting_uploader cu2;
    counting_uploader_init(&cu2);
    atomic_store(&cu2.next_id, 1000);
    kzv_uploader *u2 = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create(&u2, &counting_uploader_impl, &cu2), KZV_OK);
    kzv_texture other = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u2, f, &other), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, other), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_release(u2, other), KZV_OK);
    kzv_uploader_destroy(&u2);
    KT_CHECK_EQ_INT(atomic_load(&cu2.destroys), 1);

    KT_CHECK_EQ_INT(kzv_uploader_release(u, b), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    atomic_store(&log_warnings, 0);
    kzv_uploader_destroy(&u);
    KT_CHECK_EQ_INT(atomic_load(&log_warnings), 0); /* nothing leaked, nothing to say */
    KT_CHECK_EQ_INT(atomic_load(&cu.destroys), 1);
    KT_CHECK_EQ_INT(atomic_load(&cu.releases), 2);
    KT_CHECK_EQ_INT(counting_uploader_outstanding(&cu), 0);
    kzv_frame_unref(&f);
}

static void test_backend_failures(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, &cu) == KZV_OK, "create");
    kzv_frame *f = make_frame(2, 2, KZV_PIXFMT_RGB24, 5);

    /* The backend's error comes back unchanged and nothing is tracked. */
    cu.fail_index = 5;
    kzv_texture t = 42;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_EGPU);
    KT_CHECK_EQ_INT(t, KZV_NO_TEXTURE);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    cu.fail_index = -1;

    /* A backend that hands out the same id twice: the second is refused,
     * and the first stays live and releasable. */
    cu.return_fixed = 7;
    kzv_texture a = 0, b = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &a), KZV_OK);
    KT_CHECK_EQ_INT(a, 7);
    atomic_store(&log_errors, 0);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &b), KZV_EGPU);
    KT_CHECK_EQ_INT(b, KZV_NO_TEXTURE);
    KT_CHECK(atomic_load(&log_errors) >= 1, "duplicate id not logged");
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 1);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, a), KZV_OK);
    cu.return_fixed = 0;
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_uploader_destroy(&u);
    kzv_frame_unref(&f);
}

/* Backends that break the table's contract in ways the wrapper must catch. */
static int zero_upload(void *p, const kzv_frame *f, kzv_texture *out)
{
    (void)p; (void)f;
    *out = 0;
    return KZV_OK;
}
static int positive_upload(void *p, const kzv_frame *f, kzv_texture *out)
{
    (void)p; (void)f;
    *out = 3;
    return 1;
}
static void noop_release(void *p, kzv_texture t) { (void)p; (void)t; }
static int noop_size(void *p, kzv_texture t, int *w, int *h) { (void)p; (void)t; *w = *h = 1; return KZV_OK; }

static void test_broken_backends(void)
{
    static const kzv_uploader_impl zero = { KZV_UPLOADER_IMPL_VERSION, "zero", zero_upload,
                                            noop_release, noop_size, NULL };
    static const kzv_uploader_impl positive = { KZV_UPLOADER_IMPL_VERSION, "positive", positive_upload,
                                                noop_release, noop_size, NULL };
    kzv_frame *f = make_frame(2, 2, KZV_PIXFMT_RGB24, 0);
    kzv_uploader *u = NULL;
    kzv_texture t = 5;

    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &zero, NULL), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_EGPU);
    KT_CHECK_EQ_INT(t, KZV_NO_TEXTURE);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_uploader_destroy(&u);

    KT_CHECK_EQ_INT(kzv_uploader_create(&u, &positive, NULL), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t), KZV_EGPU);
    KT_CHECK_EQ_INT(t, KZV_NO_TEXTURE);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_uploader_destroy(&u);
    kzv_frame_unref(&f);
}

static void test_destroy_releases_leftovers(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, &cu) == KZV_OK, "create");
    kzv_frame *f = make_frame(2, 2, KZV_PIXFMT_RGB24, 0);
    kzv_texture t[5];
    for (int i = 0; i < 5; i++)
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t[i]), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t[2]), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 4);

    atomic_store(&log_warnings, 0);
    kzv_uploader_destroy(&u);
    KT_CHECK(atomic_load(&log_warnings) >= 1, "leaked textures not logged");
    KT_CHECK(strstr(last_log, "4 texture") != NULL, "leak message names the count: '%s'", last_log);
    KT_CHECK_EQ_INT(atomic_load(&cu.releases), 5);     /* each exactly once */
    KT_CHECK_EQ_INT(atomic_load(&cu.bad_releases), 0);
    KT_CHECK_EQ_INT(counting_uploader_outstanding(&cu), 0);
    KT_CHECK_EQ_INT(atomic_load(&cu.destroys), 1);     /* after the releases */
    kzv_frame_unref(&f);
}

/* Many textures released in a scrambled order: exercises the live set's
 * growth and deletion (the probe runs must survive every removal). */
static void test_many_textures(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, &cu) == KZV_OK, "create");
    kzv_frame *f = make_frame(2, 2, KZV_PIXFMT_RGB24, 0);
    enum { N = 3000 };
    static kzv_texture t[N];
    for (int i = 0; i < N; i++)
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t[i]), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), N);
    /* Release every texture at a position coprime with N: a permutation. */
    int released = 0;
    for (int k = 0; k < N; k++) {
        int i = (int)(((int64_t)k * 1543) % N);
        if (kzv_uploader_release(u, t[i]) != KZV_OK)
            kt_fail_at(__FILE__, __LINE__, "release of texture %d failed", i);
        released++;
        if (k % 97 == 0) {
            /* everything not yet released must still be found */
            int w, h;
            int j = (int)(((int64_t)(k + 1) * 1543) % N);
            if (k + 1 < N && kzv_uploader_texture_size(u, t[j], &w, &h) != KZV_OK)
                kt_fail_at(__FILE__, __LINE__, "live texture %d lost from the set", j);
        }
    }
    KT_CHECK_EQ_INT(released, N);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    KT_CHECK_EQ_INT(atomic_load(&cu.releases), N);
    KT_CHECK_EQ_INT(atomic_load(&cu.bad_releases), 0);
    kzv_uploader_destroy(&u);
    kzv_frame_unref(&f);
}


/* The live-texture set itself, on random 64-bit keys: consecutive ids (what
 * most backends hand out) barely collide under Fibonacci hashing, so random
 * keys are what exercises long probe runs and backward-shift deletion. */
static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_texmap(void)
{
    enum { N = 20000 };
    static kzv_texture keys[N];
    static int present[N];
    uint64_t seed = 0x9E3779B97F4A7C15u;
    kzv_texmap m = { 0 };
    for (int i = 0; i < N; i++) {
        /* Some keys share their low or their high half: adversarial-ish for
         * a hash that looked at only one of them. A repeat is refused by
         * insert and simply stays absent. */
        uint64_t k = xorshift(&seed);
        if (i % 7 == 0)
            k = (k & ~UINT64_C(0xffffffff)) | 1;
        if (i % 11 == 0)
            k = (k & UINT64_C(0xffffffff)) | (UINT64_C(1) << 40);
        keys[i] = k ? k : 1;
    }
    int inserted = 0;
    for (int i = 0; i < N; i++) {
        int err = kzv_texmap_insert(&m, keys[i], &present[i]);
        if (err == KZV_OK) {
            present[i] = 1;
            inserted++;
        } else if (err != KZV_EINVAL) {
            kt_fail_at(__FILE__, __LINE__, "insert failed: %d", err);
        }
    }
    KT_CHECK_EQ_INT(m.count, inserted);
    /* keys with i % 77 == 0 all collapse to one value: those repeats are refused */
    KT_CHECK(inserted > N * 9 / 10, "most keys distinct (%d)", inserted);
    KT_CHECK_EQ_INT(kzv_texmap_insert(&m, keys[0], NULL), KZV_EINVAL); /* duplicate */
    KT_CHECK_EQ_INT(kzv_texmap_insert(&m, KZV_NO_TEXTURE, NULL), KZV_EINVAL);
    KT_CHECK(!kzv_texmap_find(&m, KZV_NO_TEXTURE, NULL), "0 is never present");

    /* Remove in a scrambled order; after every removal the removed key is
     * gone, and periodically every remaining key is still found with its value. */
    int lost = 0, wrong = 0;
    for (int k = 0; k < N; k++) {
        int i = (int)(((int64_t)k * 7919) % N);
        if (!present[i])
            continue;
        void *val = NULL;
        if (!kzv_texmap_remove(&m, keys[i], &val) || val != &present[i])
            wrong++;
        present[i] = 0;
        if (kzv_texmap_find(&m, keys[i], NULL) || kzv_texmap_remove(&m, keys[i], NULL))
            wrong++;
        if (k % 1000 == 0)
            for (int j = 0; j < N; j++)
                if (present[j] && (!kzv_texmap_find(&m, keys[j], &val) || val != &present[j]))
                    lost++;
    }
    KT_CHECK_EQ_INT(wrong, 0);
    KT_CHECK_EQ_INT(lost, 0);
    KT_CHECK_EQ_INT(m.count, 0);
    kzv_texmap_free(&m);
    KT_CHECK(m.cap == 0 && m.keys == NULL, "freed");
}

/* ---- memory backend ----------------------------------------------------- */

static void fill_pattern(kzv_frame *f, int seed)
{
    for (int p = 0; p < kzv_pixfmt_planes(f->format); p++) {
        size_t row_bytes;
        int rows;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &rows, &row_bytes) < 0)
            continue;
        int row = f->stride[p];
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < row; x++)
                f->data[p][(size_t)y * (size_t)f->stride[p] + (size_t)x] =
                    (uint8_t)(x * 7 + y * 13 + p * 29 + seed);
    }
}

/* Pixels equal over each plane's visible area (padding may differ). */
static int same_pixels(const kzv_frame *a, const kzv_frame *b)
{
    if (a->width != b->width || a->height != b->height || a->format != b->format)
        return 0;
    for (int p = 0; p < kzv_pixfmt_planes(a->format); p++) {
        size_t row;
        int rows;
        if (kzv_pixfmt_plane_size(a->format, a->width, a->height, p, NULL, &rows, &row) < 0)
            return 0;
        for (int y = 0; y < rows; y++)
            if (memcmp(a->data[p] + (size_t)y * (size_t)a->stride[p],
                       b->data[p] + (size_t)y * (size_t)b->stride[p], row))
                return 0;
    }
    return 1;
}

/* kzv_uploader_priv(): a backend gets its priv back only through its own
 * table (how kzv_uploader_memory_read() and kzv_gl_* find their data). */
static void test_priv_accessor(void)
{
    counting_uploader cu;
    counting_uploader_init(&cu);
    kzv_uploader_impl impl = counting_uploader_impl, other = counting_uploader_impl;
    kzv_uploader *u = NULL, *m = NULL;
    PT_REQUIRE(kzv_uploader_create(&u, &impl, &cu) == KZV_OK, "create");
    PT_REQUIRE(kzv_uploader_create_memory(&m) == KZV_OK, "create memory");
    KT_CHECK(kzv_uploader_priv(u, &impl) == &cu, "own table gives the priv");
    KT_CHECK(kzv_uploader_priv(u, &other) == NULL, "an equal table elsewhere is another backend");
    KT_CHECK(kzv_uploader_priv(m, &impl) == NULL, "the memory uploader is not this backend");
    KT_CHECK(kzv_uploader_priv(NULL, &impl) == NULL && kzv_uploader_priv(u, NULL) == NULL, "NULL");
    kzv_uploader_destroy(&m);
    kzv_uploader_destroy(&u);
}

static void test_memory_backend(void)
{
    kzv_uploader *u = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_create_memory(NULL), KZV_EINVAL);
    PT_REQUIRE(kzv_uploader_create_memory(&u) == KZV_OK, "create memory");
    KT_CHECK(!strcmp(kzv_uploader_name(u), "memory"), "name is memory");

    /* RGB24 with timing and colour fields. */
    kzv_frame *f = make_frame(17, 9, KZV_PIXFMT_RGB24, 41);
    fill_pattern(f, 1);
    f->pts = 1.5;
    f->duration = 0.04;
    f->pts_ts = 1500;
    f->time_base = (kzv_rational){ 1, 1000 };
    f->keyframe = true;
    f->color.matrix = KZV_MATRIX_BT470BG;
    kzv_texture t1 = 0, t2 = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t1), KZV_OK);
    KT_CHECK(t1 != KZV_NO_TEXTURE, "non-zero id");
    int w = 0, h = 0;
    KT_CHECK_EQ_INT(kzv_uploader_texture_size(u, t1, &w, &h), KZV_OK);
    KT_CHECK(w == 17 && h == 9, "size %dx%d", w, h);

    kzv_frame *copy = NULL;
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, t1, &copy), KZV_OK);
    PT_REQUIRE(copy != NULL, "memory_read gave a frame");
    KT_CHECK(copy != f, "a copy, not the source");
    KT_CHECK(same_pixels(copy, f), "pixels copied exactly");
    KT_CHECK(copy->pts == 1.5 && copy->duration == 0.04 && copy->pts_ts == 1500 &&
             copy->time_base.num == 1 && copy->time_base.den == 1000 &&
             copy->frame_index == 41 && copy->keyframe &&
             copy->color.matrix == KZV_MATRIX_BT470BG, "metadata copied");
    /* The copy is independent of the source: change and drop the source. */
    f->data[0][0] ^= 0xff;
    KT_CHECK(!same_pixels(copy, f), "copy must not alias the source");
    f->data[0][0] ^= 0xff;

    /* Ids increase. */
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, f, &t2), KZV_OK);
    KT_CHECK(t2 > t1, "ids increase: %llu then %llu", (unsigned long long)t1, (unsigned long long)t2);
    kzv_frame_unref(&f);

    /* The read reference outlives the texture's release. */
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t1), KZV_OK);
    KT_CHECK(copy->width == 17 && copy->data[0][1] == (uint8_t)(7 + 1), "copy still readable");
    kzv_frame_unref(&copy);
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, t1, &copy), KZV_EINVAL);
    KT_CHECK(copy == NULL, "no frame for a released texture");
    KT_CHECK_EQ_INT(kzv_uploader_release(u, t1), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, 9999, &copy), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, t2, NULL), KZV_EINVAL);

    /* A hand-made source with padded, non-tight stride and odd size. */
    uint8_t *buf = kt_malloc(40 * 5);
    kzv_frame src = { 0 };
    src.data[0] = buf;
    src.stride[0] = 40;
    src.width = 11;
    src.height = 5;
    src.format = KZV_PIXFMT_RGB24;
    for (int i = 0; i < 40 * 5; i++)
        buf[i] = (uint8_t)(i * 31 + 3);
    kzv_texture t3 = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, &src, &t3), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, t3, &copy), KZV_OK);
    if (copy) {
        KT_CHECK_EQ_INT(copy->stride[0], 33);
        KT_CHECK(same_pixels(copy, &src), "padded rows copied row by row");
    }
    kzv_frame_unref(&copy);
    free(buf);

    /* Every YUV layout (8/10-bit planar, NV12, P010) with odd size, and RGBA / RGB48. */
    static const kzv_pixfmt fmts[] = {
        KZV_PIXFMT_YUV420P, KZV_PIXFMT_YUV422P, KZV_PIXFMT_YUV444P, KZV_PIXFMT_YUV420P10,
        KZV_PIXFMT_YUV422P10, KZV_PIXFMT_YUV444P10, KZV_PIXFMT_NV12, KZV_PIXFMT_P010,
        KZV_PIXFMT_RGBA, KZV_PIXFMT_RGB48,
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        kzv_frame *g = make_frame(15, 7, fmts[i], 3);
        fill_pattern(g, (int)i);
        kzv_texture tg = 0;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, g, &tg), KZV_OK);
        KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, tg, &copy), KZV_OK);
        KT_CHECK(copy && same_pixels(copy, g), "%s copied exactly", kzv_pixfmt_name(fmts[i]));
        kzv_frame_unref(&copy);
        KT_CHECK_EQ_INT(kzv_uploader_release(u, tg), KZV_OK);
        kzv_frame_unref(&g);
    }

    /* A hand-made P010 frame with padded strides that are not the copy's:
     * the copy has kzv's own layout and the same samples, last chroma
     * column and row included. */
    {
        enum { W = 13, H = 5, CW = 7, CH = 3, S0 = 2 * W + 6, S1 = 4 * CW + 10 };
        uint16_t *y = kt_malloc(S0 * H), *uv = kt_malloc(S1 * CH);
        for (int i = 0; i < S0 * H / 2; i++)
            y[i] = (uint16_t)((i * 37 % 1024) << 6);
        for (int i = 0; i < S1 * CH / 2; i++)
            uv[i] = (uint16_t)((i * 53 % 1024) << 6);
        kzv_frame pf = { .width = W, .height = H, .format = KZV_PIXFMT_P010 };
        pf.data[0] = (uint8_t *)y;
        pf.data[1] = (uint8_t *)uv;
        pf.stride[0] = S0;
        pf.stride[1] = S1;
        kzv_texture tp = 0;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, &pf, &tp), KZV_OK);
        KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, tp, &copy), KZV_OK);
        if (copy) {
            KT_CHECK(copy->stride[0] % 64 == 0 && copy->stride[1] % 64 == 0, "kzv layout");
            KT_CHECK(same_pixels(copy, &pf), "P010 copied exactly");
            const uint16_t *last = (const uint16_t *)(const void *)(copy->data[1] +
                                   (size_t)copy->stride[1] * (CH - 1));
            KT_CHECK(last[2 * CW - 1] == uv[(S1 / 2) * (CH - 1) + 2 * CW - 1], "last V sample");
        }
        kzv_frame_unref(&copy);
        KT_CHECK_EQ_INT(kzv_uploader_release(u, tp), KZV_OK);
        /* 16-bit samples on an odd stride (rows not 2-byte aligned) are
         * refused, not read as misaligned words. */
        pf.stride[1] = S1 - 1;
        atomic_store(&log_errors, 0);
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, &pf, &tp), KZV_EINVAL);
        KT_CHECK(atomic_load(&log_errors) >= 1, "refusal logged");
        /* A stride shorter than a row of U,V pairs is refused. */
        pf.stride[1] = 4 * CW - 2;
        KT_CHECK_EQ_INT(kzv_uploader_upload(u, &pf, &tp), KZV_EINVAL);
        free(y);
        free(uv);
    }

    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 2); /* t2, t3 */
    atomic_store(&log_warnings, 0);
    kzv_uploader_destroy(&u); /* releases t2 and t3: ASan would see a leaked copy */
    KT_CHECK(atomic_load(&log_warnings) >= 1, "leak of 2 textures logged");

    /* memory_read on an uploader that is not the memory backend. */
    counting_uploader cu;
    counting_uploader_init(&cu);
    PT_REQUIRE(kzv_uploader_create(&u, &counting_uploader_impl, &cu) == KZV_OK, "create");
    kzv_frame *g = make_frame(2, 2, KZV_PIXFMT_RGB24, 0);
    kzv_texture tc = 0;
    KT_CHECK_EQ_INT(kzv_uploader_upload(u, g, &tc), KZV_OK);
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(u, tc, &copy), KZV_EINVAL);
    KT_CHECK(copy == NULL, "no frame from a foreign backend");
    KT_CHECK_EQ_INT(kzv_uploader_memory_read(NULL, tc, &copy), KZV_EINVAL);
    KT_CHECK_EQ_INT(kzv_uploader_release(u, tc), KZV_OK);
    kzv_uploader_destroy(&u);
    kzv_frame_unref(&g);
}

/* Live-texture counting is safe from another thread while one thread
 * uploads and releases (TSan checks the locking). */
typedef struct watch { kzv_uploader *u; atomic_bool stop; int64_t max_seen; } watch;

static void *watcher(void *arg)
{
    watch *wa = arg;
    while (!atomic_load(&wa->stop)) {
        int64_t n = kzv_uploader_live_textures(wa->u);
        if (n > wa->max_seen)
            wa->max_seen = n;
    }
    return NULL;
}

static void test_live_count_threads(void)
{
    kzv_uploader *u = NULL;
    PT_REQUIRE(kzv_uploader_create_memory(&u) == KZV_OK, "create");
    watch wa = { .u = u };
    atomic_init(&wa.stop, false);
    pthread_t th;
    PT_REQUIRE(pthread_create(&th, NULL, watcher, &wa) == 0, "thread");
    kzv_frame *f = make_frame(8, 8, KZV_PIXFMT_RGB24, 0);
    for (int i = 0; i < 2000; i++) {
        kzv_texture a, b;
        if (kzv_uploader_upload(u, f, &a) != KZV_OK || kzv_uploader_upload(u, f, &b) != KZV_OK) {
            kt_fail_at(__FILE__, __LINE__, "upload failed");
            break;
        }
        kzv_uploader_release(u, a);
        kzv_uploader_release(u, b);
    }
    atomic_store(&wa.stop, true);
    pthread_join(th, NULL);
    KT_CHECK(wa.max_seen <= 2, "never more than 2 live, saw %lld", (long long)wa.max_seen);
    KT_CHECK_EQ_INT(kzv_uploader_live_textures(u), 0);
    kzv_uploader_destroy(&u);
    kzv_frame_unref(&f);
}

int main(void)
{
    kzv_set_log_callback(capture_log, NULL);
    test_create_validation();
    test_counting_lifecycle();
    test_backend_failures();
    test_broken_backends();
    test_destroy_releases_leftovers();
    test_many_textures();
    test_texmap();
    test_priv_accessor();
    test_memory_backend();
    test_live_count_threads();
    kzv_set_log_callback(NULL, NULL);
    return kt_finish();
}
