/* kzv_frame: allocation, reference counting (also across threads), frames
 * outliving their decoder, and the PNG writer (round trip through ffmpeg).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_util.h"
#include "ktest.h"

#define THREADS 4
#define ROUNDS 20000

static void *hammer(void *arg)
{
    kzv_frame *f = arg;
    for (int i = 0; i < ROUNDS; i++) {
        kzv_frame *r = kzv_frame_ref(f);
        kzv_frame_unref(&r);
    }
    /* drop the reference main() took for this thread */
    kzv_frame_unref(&f);
    return NULL;
}

/* Files in the test's temporary directory whose name ends in ".partial". */
static int partial_files(void)
{
    int n = 0;
    DIR *d = opendir(kt_tmpdir());
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        n += l > 8 && !strcmp(e->d_name + l - 8, ".partial");
    }
    if (d)
        closedir(d);
    return n;
}

/* Reads a FIFO to its end, counting bytes and keeping the first 8. */
typedef struct fifo_reader {
    const char *path;
    size_t bytes;
    uint8_t head[8];
} fifo_reader;

static void *read_fifo(void *arg)
{
    fifo_reader *r = arg;
    int fd = open(r->path, O_RDONLY);
    uint8_t buf[4096];
    for (ssize_t n; fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0; r->bytes += (size_t)n)
        if (r->bytes < sizeof(r->head))
            memcpy(r->head + r->bytes, buf, sizeof(r->head) - r->bytes < (size_t)n ? sizeof(r->head) - r->bytes
                                                                                  : (size_t)n);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int png_roundtrip(const kzv_frame *f, const char *ffpix, int bpp, const char *label)
{
    char png[4200];
    snprintf(png, sizeof(png), "%s/%s.png", kt_tmpdir(), label);
    int err = kzv_frame_write_png(f, png);
    KT_CHECK(err == KZV_OK, "%s: write_png returned %d (%s)", label, err, kzv_strerror(err));
    if (err)
        return 0;
    size_t len = 0;
    uint8_t *back = cu_ffmpeg_raw(png, NULL, NULL, ffpix, &len);
    size_t row = (size_t)f->width * bpp;
    KT_CHECK(back && len == row * f->height, "%s: ffmpeg read %zu bytes of %s, expected %zu", label, len, ffpix,
             row * f->height);
    int diff = 0;
    if (back && len == row * f->height)
        for (int y = 0; y < f->height; y++)
            diff += memcmp(back + row * y, f->data[0] + (size_t)f->stride[0] * y, row) != 0;
    KT_CHECK(diff == 0, "%s: %d rows differ after the PNG round trip", label, diff);
    free(back);
    return 1;
}

/* kzv_pixfmt_plane_size() for every layout, written out for an odd size
 * (chroma rounded up, U,V pairs for NV12/P010, 2 bytes per 16-bit sample),
 * and its refusals. */
static void test_plane_size(void)
{
    static const struct { kzv_pixfmt fmt; int pw[3]; int ph[3]; size_t row[3]; } g[] = {
        { KZV_PIXFMT_RGB24,     { 15 }, { 7 }, { 45 } },
        { KZV_PIXFMT_RGBA,      { 15 }, { 7 }, { 60 } },
        { KZV_PIXFMT_RGB48,     { 15 }, { 7 }, { 90 } },
        { KZV_PIXFMT_YUV420P,   { 15, 8, 8 }, { 7, 4, 4 }, { 15, 8, 8 } },
        { KZV_PIXFMT_YUV422P,   { 15, 8, 8 }, { 7, 7, 7 }, { 15, 8, 8 } },
        { KZV_PIXFMT_YUV444P,   { 15, 15, 15 }, { 7, 7, 7 }, { 15, 15, 15 } },
        { KZV_PIXFMT_YUV420P10, { 15, 8, 8 }, { 7, 4, 4 }, { 30, 16, 16 } },
        { KZV_PIXFMT_YUV422P10, { 15, 8, 8 }, { 7, 7, 7 }, { 30, 16, 16 } },
        { KZV_PIXFMT_YUV444P10, { 15, 15, 15 }, { 7, 7, 7 }, { 30, 30, 30 } },
        { KZV_PIXFMT_NV12,      { 15, 8 }, { 7, 4 }, { 15, 16 } },
        { KZV_PIXFMT_P010,      { 15, 8 }, { 7, 4 }, { 30, 32 } },
    };
    for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
        const char *name = kzv_pixfmt_name(g[i].fmt);
        int planes = kzv_pixfmt_planes(g[i].fmt);
        for (int p = -1; p < 4; p++) {
            int pw = -1, ph = -1;
            size_t row = 1;
            int err = kzv_pixfmt_plane_size(g[i].fmt, 15, 7, p, &pw, &ph, &row);
            if (p < 0 || p >= planes) {
                KT_CHECK(err == KZV_EINVAL && pw == 0 && ph == 0 && row == 0,
                         "%s plane %d: %d (%d x %d, %zu bytes)", name, p, err, pw, ph, row);
                continue;
            }
            KT_CHECK(err == KZV_OK && pw == g[i].pw[p] && ph == g[i].ph[p] && row == g[i].row[p],
                     "%s plane %d: %d, %d x %d, %zu bytes", name, p, err, pw, ph, row);
        }
        KT_CHECK(kzv_pixfmt_plane_size(g[i].fmt, 15, 7, 0, NULL, NULL, NULL) == KZV_OK,
                 "%s: NULL outputs", name);
        KT_CHECK(kzv_pixfmt_plane_size(g[i].fmt, 0, 7, 0, NULL, NULL, NULL) == KZV_EINVAL &&
                 kzv_pixfmt_plane_size(g[i].fmt, 15, -1, 0, NULL, NULL, NULL) == KZV_EINVAL,
                 "%s: empty picture accepted", name);
    }
    int pw, ph;
    size_t row;
    KT_CHECK(kzv_pixfmt_plane_size(KZV_PIXFMT_YUV420P10, 1920, 1080, 1, &pw, &ph, &row) == KZV_OK &&
             pw == 960 && ph == 540 && row == 1920, "the header's example: %d x %d, %zu", pw, ph, row);
    KT_CHECK(kzv_pixfmt_plane_size(KZV_PIXFMT_YUV_AUTO, 15, 7, 0, &pw, &ph, &row) == KZV_EINVAL,
             "yuv (auto) has no planes");
    KT_CHECK(kzv_pixfmt_plane_size(KZV_PIXFMT_NONE, 15, 7, 0, &pw, &ph, &row) == KZV_EINVAL,
             "none has no planes");
    KT_CHECK(kzv_pixfmt_plane_size((kzv_pixfmt)99, 15, 7, 0, &pw, &ph, &row) == KZV_EINVAL,
             "unknown format has planes");
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_QUIET);
    test_plane_size();

    /* ---- alloc ---- */
    /* Expected layout written out per format (not derived from the helpers
     * under test): planes, bytes per sample, chroma size of a 33x17 picture,
     * components per chroma position (2 = interleaved U,V). */
    static const struct { kzv_pixfmt fmt; int bpp, planes, depth, sbytes, cw, ch, inter; } fmts[] = {
        { KZV_PIXFMT_RGB24,     3, 1,  8, 1,  0, 0, 0 },
        { KZV_PIXFMT_RGBA,      4, 1,  8, 1,  0, 0, 0 },
        { KZV_PIXFMT_RGB48,     6, 1, 16, 2,  0, 0, 0 },
        { KZV_PIXFMT_YUV420P,   0, 3,  8, 1, 17, 9, 1 },
        { KZV_PIXFMT_YUV422P,   0, 3,  8, 1, 17, 17, 1 },
        { KZV_PIXFMT_YUV444P,   0, 3,  8, 1, 33, 17, 1 },
        { KZV_PIXFMT_YUV420P10, 0, 3, 10, 2, 17, 9, 1 },
        { KZV_PIXFMT_YUV422P10, 0, 3, 10, 2, 17, 17, 1 },
        { KZV_PIXFMT_YUV444P10, 0, 3, 10, 2, 33, 17, 1 },
        { KZV_PIXFMT_NV12,      0, 2,  8, 1, 17, 9, 2 },
        { KZV_PIXFMT_P010,      0, 2, 10, 2, 17, 9, 2 },
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        const char *name = kzv_pixfmt_name(fmts[i].fmt);
        KT_CHECK(kzv_pixfmt_from_name(name) == fmts[i].fmt, "name round trip %s", name);
        KT_CHECK(kzv_pixfmt_planes(fmts[i].fmt) == fmts[i].planes, "%s: planes", name);
        KT_CHECK(kzv_pixfmt_depth(fmts[i].fmt) == fmts[i].depth, "%s: depth", name);
        KT_CHECK(kzv_pixfmt_sample_bytes(fmts[i].fmt) == fmts[i].sbytes, "%s: sample bytes", name);
        int lw = -1, lh = -1;
        bool yuv = kzv_pixfmt_chroma_shift(fmts[i].fmt, &lw, &lh);
        KT_CHECK(yuv == (fmts[i].bpp == 0) && (!yuv || (33 + (1 << lw) - 1) >> lw == fmts[i].cw) &&
                 (!yuv || (17 + (1 << lh) - 1) >> lh == fmts[i].ch), "%s: chroma shift", name);
        kzv_frame *f = NULL;
        int err = kzv_frame_alloc(&f, 33, 17, fmts[i].fmt);
        KT_CHECK(err == KZV_OK && f, "alloc %s failed: %d", name, err);
        if (!f)
            continue;
        KT_CHECK(f->width == 33 && f->height == 17 && f->format == fmts[i].fmt, "alloc %s: fields", name);
        KT_CHECK(f->pts_ts == INT64_MIN, "alloc: pts_ts %lld", (long long)f->pts_ts);
        KT_CHECK(f->color.matrix == KZV_MATRIX_BT709 && f->color.range == KZV_RANGE_LIMITED, "alloc: colour");
        int planes = fmts[i].planes;
        for (int p = 0; p < planes; p++) {
            int pw = p == 0 ? 33 : fmts[i].cw * fmts[i].inter;
            int ph = p == 0 ? 17 : fmts[i].ch;
            int rowb = fmts[i].bpp ? 33 * fmts[i].bpp : pw * fmts[i].sbytes;
            KT_CHECK(f->data[p] != NULL, "alloc %s: plane %d NULL", name, p);
            if (!f->data[p])
                continue;
            KT_CHECK(fmts[i].bpp ? f->stride[p] == rowb : f->stride[p] >= rowb, "alloc %s: plane %d stride %d",
                     name, p, f->stride[p]);
            int nz = 0;
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < rowb; x++)
                    nz += f->data[p][(size_t)y * f->stride[p] + x] != 0;
            KT_CHECK(nz == 0, "alloc %s: plane %d not zeroed", name, p);
            memset(f->data[p], 0x5a, (size_t)f->stride[p] * ph);   /* writable, no overflow (ASan) */
        }
        for (int p = planes; p < 4; p++)
            KT_CHECK(f->data[p] == NULL, "alloc %s: unused plane %d set", name, p);
        kzv_frame_unref(&f);
        KT_CHECK(f == NULL, "unref did not clear the pointer");
    }
    kzv_frame *f = (kzv_frame *)(uintptr_t)1;
    KT_CHECK(kzv_frame_alloc(&f, 0, 10, KZV_PIXFMT_RGB24) == KZV_EINVAL && f == NULL, "alloc 0x10 accepted");
    f = NULL;
    KT_CHECK(kzv_frame_alloc(&f, 10, -1, KZV_PIXFMT_RGB24) == KZV_EINVAL, "alloc negative height accepted");
    KT_CHECK(kzv_frame_alloc(&f, 10, 10, (kzv_pixfmt)99) == KZV_EINVAL, "alloc bad format accepted");
    KT_CHECK(kzv_frame_alloc(&f, 10, 10, KZV_PIXFMT_NONE) == KZV_EINVAL, "alloc NONE accepted");
    KT_CHECK(kzv_frame_alloc(&f, 10, 10, KZV_PIXFMT_YUV_AUTO) == KZV_EINVAL && f == NULL,
             "alloc YUV_AUTO accepted (a request, not a layout)");
    KT_CHECK(kzv_frame_alloc(&f, 1 << 30, 1 << 30, KZV_PIXFMT_RGB48) != KZV_OK && f == NULL, "huge alloc accepted");
    KT_CHECK(kzv_frame_alloc(NULL, 10, 10, KZV_PIXFMT_RGB24) == KZV_EINVAL, "alloc(NULL) accepted");

    /* ---- ref / unref ---- */
    KT_REQUIRE(kzv_frame_alloc(&f, 64, 48, KZV_PIXFMT_RGB24) == KZV_OK, "alloc");
    KT_CHECK(kzv_frame_ref(NULL) == NULL, "ref(NULL)");
    kzv_frame_unref(NULL);
    kzv_frame *null = NULL;
    kzv_frame_unref(&null);
    kzv_frame *r = kzv_frame_ref(f);
    KT_CHECK(r == f, "ref returned another pointer");
    kzv_frame_unref(&r);
    KT_CHECK(r == NULL, "unref did not clear");
    f->data[0][0] = 7;   /* still ours: the original reference is alive (ASan would catch a free) */
    /* concurrent ref/unref: each thread gets its own reference */
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        KT_REQUIRE(pthread_create(&th[i], NULL, hammer, kzv_frame_ref(f)) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    KT_CHECK(f->data[0][0] == 7 && f->width == 64, "frame damaged after concurrent ref/unref");
    kzv_frame_unref(&f);   /* last reference: LSan reports a leak if the count went wrong upwards */

    /* ---- decoded frames outlive the decoder ---- */
    kzv_decoder *d = NULL;
    KT_REQUIRE(kzv_decoder_open(&d, kt_fixture("h264.mp4"), NULL) == KZV_OK, "open h264.mp4");
    kzv_frame *keep[3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++)
        KT_CHECK(kzv_decoder_next(d, &keep[i]) == KZV_OK, "next %d", i);
    kzv_frame *extra = kzv_frame_ref(keep[1]);
    kzv_decoder_close(&d);
    unsigned sum = 0;
    for (int i = 0; i < 3; i++)
        if (keep[i])
            for (int y = 0; y < keep[i]->height; y++)
                for (int x = 0; x < keep[i]->width * 3; x++)
                    sum += keep[i]->data[0][(size_t)y * keep[i]->stride[0] + x];
    KT_CHECK(sum > 0, "decoded frames are black");
    KT_CHECK(keep[0] && keep[1] && keep[0]->data[0] != keep[1]->data[0], "two live frames share pixels");
    /* PNG round trip on a real decoded frame (8-bit RGB) */
    if (keep[1])
        png_roundtrip(keep[1], "rgb24", 3, "decoded_rgb24");
    for (int i = 0; i < 3; i++)
        kzv_frame_unref(&keep[i]);
    KT_CHECK(extra && extra->width == 320, "extra reference lost");
    kzv_frame_unref(&extra);

    /* ---- PNG: RGBA and RGB48 patterns, odd size; YUV refused ---- */
    kzv_frame *a = NULL;
    KT_REQUIRE(kzv_frame_alloc(&a, 37, 23, KZV_PIXFMT_RGBA) == KZV_OK, "alloc rgba");
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * 4; x++)
            a->data[0][(size_t)y * a->stride[0] + x] = (uint8_t)(x * 7 + y * 13 + (x % 4 == 3 ? 100 : 0));
    png_roundtrip(a, "rgba", 4, "pattern_rgba");
    kzv_frame_unref(&a);

    KT_REQUIRE(kzv_frame_alloc(&a, 29, 11, KZV_PIXFMT_RGB48) == KZV_OK, "alloc rgb48");
    for (int y = 0; y < a->height; y++) {
        uint16_t *row = (uint16_t *)(void *)(a->data[0] + (size_t)y * a->stride[0]);
        for (int x = 0; x < a->width * 3; x++)
            row[x] = (uint16_t)(x * 2087 + y * 4099 + 1);
    }
    /* host-endian rgb48 == rgb48le on the little-endian machines this runs on */
    png_roundtrip(a, "rgb48le", 6, "pattern_rgb48");
    kzv_frame_unref(&a);

    KT_REQUIRE(kzv_frame_alloc(&a, 16, 16, KZV_PIXFMT_YUV420P) == KZV_OK, "alloc yuv");
    char png[4200];
    snprintf(png, sizeof(png), "%s/yuv.png", kt_tmpdir());
    KT_CHECK(kzv_frame_write_png(a, png) == KZV_EUNSUPPORTED, "YUV frame written as PNG");
    kzv_frame_unref(&a);
    KT_REQUIRE(kzv_frame_alloc(&a, 16, 16, KZV_PIXFMT_RGB24) == KZV_OK, "alloc");
    KT_CHECK(kzv_frame_write_png(a, "/nonexistent-dir/x.png") == KZV_EIO, "write to a missing directory not EIO");
    /* Whole or nothing: a target that cannot take the finished file (here a
     * directory of that name) fails after the bytes were written, and the
     * partial file is gone; successful writes leave none either. */
    snprintf(png, sizeof(png), "%s/taken.png", kt_tmpdir());
    KT_REQUIRE(mkdir(png, 0755) == 0, "mkdir %s", png);
    KT_CHECK(kzv_frame_write_png(a, png) == KZV_EIO, "PNG over a directory not EIO");
    snprintf(png, sizeof(png), "%s/taken.jpg", kt_tmpdir());
    KT_REQUIRE(mkdir(png, 0755) == 0, "mkdir %s", png);
    KT_CHECK(kzv_frame_write_image(a, png) == KZV_EIO, "JPEG over a directory not EIO");
    KT_CHECK(partial_files() == 0, "%d partial files left in %s", partial_files(), kt_tmpdir());
    /* A FIFO (or a device: /dev/null) is written directly, never renamed
     * over: as root that would replace the node with a regular file. */
    snprintf(png, sizeof(png), "%s/pipe.png", kt_tmpdir());
    KT_REQUIRE(mkfifo(png, 0600) == 0, "mkfifo %s", png);
    fifo_reader rd = { .path = png };
    pthread_t reader;
    KT_REQUIRE(pthread_create(&reader, NULL, read_fifo, &rd) == 0, "reader thread");
    int werr = kzv_frame_write_png(a, png);
    /* A writer that never opens the FIFO (renaming something over it
     * instead) leaves the reader blocked in open(): fail, don't hang. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    if (pthread_timedjoin_np(reader, NULL, &until) != 0) {
        pthread_cancel(reader);
        pthread_join(reader, NULL);
        KT_CHECK(0, "nothing was written into the FIFO within 30 s");
    }
    struct stat sb;
    KT_CHECK(werr == KZV_OK && rd.bytes > 8 && !memcmp(rd.head, "\x89PNG", 4),
             "PNG into a FIFO: %s, %zu bytes read", kzv_strerror(werr), rd.bytes);
    KT_CHECK(stat(png, &sb) == 0 && S_ISFIFO(sb.st_mode), "the FIFO was replaced by the PNG");
    KT_CHECK(partial_files() == 0, "a partial file was made for a FIFO");
    kzv_frame_unref(&a);

    return kt_finish();
}
