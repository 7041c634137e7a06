/* Inputs: memory buffers, and reads that stall (a FIFO whose writer stops)
 * must come back: with KZV_ETIMEDOUT after the I/O timeout, or with
 * KZV_ECANCELED when another thread calls kzv_decoder_interrupt(). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <kzv/kzv.h>

#include "ktest.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = kt_malloc((size_t)n);
    *size = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static int count_frames(kzv_decoder *d, int *err)
{
    int n = 0;
    kzv_frame *f = NULL;
    while ((*err = kzv_decoder_next(d, &f)) == KZV_OK) {
        n++;
        kzv_frame_unref(&f);
    }
    return n;
}

static void test_memory(const char *name)
{
    const char *path = kt_fixture(name);
    size_t size = 0;
    uint8_t *buf = slurp(path, &size);
    if (!buf) {
        KT_CHECK(0, "cannot read %s", path);
        return;
    }
    kzv_decoder *a = NULL, *b = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_open(&a, path, NULL), KZV_OK);
    KT_CHECK_EQ_INT(kzv_decoder_open_memory(&b, buf, size, name, NULL), KZV_OK);
    if (a && b) {
        int ea, eb;
        int na = count_frames(a, &ea), nb = count_frames(b, &eb);
        KT_CHECK(na == nb && na > 0 && ea == KZV_EOF && eb == KZV_EOF, "%s: file %d frames, memory %d", name, na, nb);
        const kzv_index_entry *e;
        int64_t cnt = 0;
        KT_CHECK(kzv_decoder_get_index(b, &e, &cnt) == KZV_OK && cnt == nb, "%s: memory index %lld", name, (long long)cnt);
        KT_CHECK_EQ_INT(kzv_decoder_seek_frame(b, nb / 2), KZV_OK);
        kzv_frame *f = NULL;
        KT_CHECK(kzv_decoder_next(b, &f) == KZV_OK && f->frame_index == nb / 2, "%s: seek in memory", name);
        kzv_frame_unref(&f);
    }
    kzv_decoder_close(&a);
    kzv_decoder_close(&b);

    /* Timing-only output (KZV_PIXFMT_NONE): the same frames and pts, no pixels. */
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    kzv_decoder *t = NULL, *r = NULL;
    KT_CHECK_EQ_INT(kzv_decoder_open(&r, path, NULL), KZV_OK);
    s.format = KZV_PIXFMT_NONE;
    KT_CHECK_EQ_INT(kzv_decoder_open_memory(&t, buf, size, name, &s), KZV_OK);
    if (t && r) {
        kzv_frame *ft = NULL, *fr = NULL;
        int n = 0, bad = 0, et, er;
        while ((et = kzv_decoder_next(t, &ft)) == KZV_OK && (er = kzv_decoder_next(r, &fr)) == KZV_OK) {
            bad += ft->data[0] != NULL || ft->stride[0] != 0 || ft->format != KZV_PIXFMT_NONE ||
                   ft->pts != fr->pts || ft->duration != fr->duration || ft->frame_index != fr->frame_index ||
                   ft->width != fr->width || ft->keyframe != fr->keyframe;
            n++;
            kzv_frame_unref(&ft);
            kzv_frame_unref(&fr);
        }
        kzv_frame_unref(&ft);
        KT_CHECK(n > 0 && bad == 0 && et == KZV_EOF, "%s: timing-only output: %d frames, %d differ, end %d",
                 name, n, bad, et);
    }
    kzv_decoder_close(&t);
    kzv_decoder_close(&r);

    /* Garbage and empty buffers fail cleanly. */
    KT_CHECK_EQ_INT(kzv_decoder_open_memory(&b, buf, 0, "x", NULL), KZV_EINVALIDDATA);
    memset(buf, 0x5a, size);
    KT_CHECK_EQ_INT(kzv_decoder_open_memory(&b, buf, size, "garbage.bin", NULL), KZV_EINVALIDDATA);
    KT_CHECK(b == NULL, "failed open leaves NULL");
    free(buf);
}

/* A writer that sends `len` bytes of `data` into a FIFO, then holds it open
 * without writing until `release` is set. */
typedef struct writer {
    const char *fifo;
    const uint8_t *data;
    size_t len;
    atomic_int release;   /* set by the test when the writer may finish */
} writer;

static void *write_then_stall(void *arg)
{
    writer *w = arg;
    int fd = open(w->fifo, O_WRONLY);
    if (fd < 0)
        return NULL;
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = write(fd, w->data + off, w->len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    while (!atomic_load(&w->release))
        usleep(10000);
    close(fd);
    return NULL;
}

typedef struct interrupter { kzv_decoder *d; int delay_ms; } interrupter;
static void *interrupt_later(void *arg)
{
    interrupter *it = arg;
    usleep((useconds_t)it->delay_ms * 1000);
    kzv_decoder_interrupt(it->d);
    return NULL;
}

static void test_stall(const char *name, bool use_interrupt)
{
    size_t size = 0;
    uint8_t *buf = slurp(kt_fixture(name), &size);
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/stall-%d.%s", kt_tmpdir(), use_interrupt, strrchr(name, '.') + 1);
    KT_CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    writer w = { fifo, buf, size / 2 };
    atomic_init(&w.release, 0);
    pthread_t wt;
    pthread_create(&wt, NULL, write_then_stall, &w);

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.io_timeout_ns = use_interrupt ? 0 : 300 * 1000000LL;
    kzv_decoder *d = NULL;
    double t0 = now();
    int r = kzv_decoder_open(&d, fifo, &s);
    KT_CHECK(r == KZV_OK, "%s: open fifo: %d %s", name, r, kzv_decoder_last_error(NULL));
    if (d) {
        pthread_t it;
        interrupter ia = { d, 300 };
        if (use_interrupt)
            pthread_create(&it, NULL, interrupt_later, &ia);
        int err;
        int n = count_frames(d, &err);
        double dt = now() - t0;
        int want = use_interrupt ? KZV_ECANCELED : KZV_ETIMEDOUT;
        KT_CHECK(err == want, "%s: stalled read ended with %d (%s), want %d", name, err, kzv_decoder_last_error(d), want);
        KT_CHECK(n > 0, "%s: frames before the stall are delivered (%d)", name, n);
        /* It came back (no hang); not before the timeout; and well before the
         * test's own limit. The upper bound only separates "returned" from "hung". */
        KT_CHECK(dt >= 0.29 && dt < 20.0, "%s: returned after %.3f s", name, dt);
        printf("%s stalled after %d frames; %s after %.3f s\n", name, n,
               use_interrupt ? "interrupted" : "timed out", dt);
        if (use_interrupt)
            pthread_join(it, NULL);
    }
    kzv_decoder_close(&d);
    atomic_store(&w.release, 1);
    pthread_join(wt, NULL);
    free(buf);
}

/* A FIFO nobody ever writes to: open itself must time out. */
static void test_no_writer(void)
{
    char fifo[4200];
    snprintf(fifo, sizeof(fifo), "%s/silent.ts", kt_tmpdir());
    KT_CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.io_timeout_ns = 200 * 1000000LL;
    kzv_decoder *d = NULL;
    double t0 = now();
    int r = kzv_decoder_open(&d, fifo, &s);
    KT_CHECK(r == KZV_ETIMEDOUT && d == NULL, "silent fifo: open returned %d (%s)", r, kzv_decoder_last_error(NULL));
    KT_CHECK(now() - t0 < 20.0, "silent fifo: open came back");
}

/* A playlist read through kzv's own I/O may not open what it references
 * (a hostile upload must not read other local files); as a file: URL it may. */
static void test_nested(void)
{
    char pl[4200], url[4300];
    snprintf(pl, sizeof(pl), "%s/list.m3u8", kt_tmpdir());
    FILE *f = fopen(pl, "w");
    KT_CHECK(f != NULL, "write playlist");
    if (!f)
        return;
    fprintf(f, "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n%s\n#EXT-X-ENDLIST\n",
            kt_fixture("reschange.ts"));
    fclose(f);
    kzv_decoder *d = NULL;
    int r = kzv_decoder_open(&d, pl, NULL);
    KT_CHECK(r < 0 && d == NULL, "playlist by file name: nested open refused (got %d)", r);
    snprintf(url, sizeof(url), "file:%s", pl);
    r = kzv_decoder_open(&d, url, NULL);
    KT_CHECK(r == KZV_OK, "playlist as a file: URL opens (%d: %s)", r, kzv_decoder_last_error(NULL));
    kzv_decoder_close(&d);
}

/* Hardware decoding: unknown names are refused; a missing device falls back
 * to software; whatever decodes, the frames are the same (H.264 decoding is
 * bit-exact in hardware too). */
static void test_hwaccel(void)
{
    KT_CHECK(kzv_hwaccel_type_name(0) != NULL, "FFmpeg lists hardware device types");
    KT_CHECK(kzv_hwaccel_type_name(1000) == NULL, "past the last type: NULL");
    KT_CHECK_EQ_INT(kzv_hwaccel_probe("no-such-device", NULL, 0), KZV_EINVAL);
    const char *path = kt_fixture("h264.mp4");
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    kzv_decoder *d = NULL;
    s.hwaccel = "no-such-device";
    KT_CHECK(kzv_decoder_open(&d, path, &s) == KZV_EINVAL && strstr(kzv_decoder_last_error(NULL), "hwaccel"),
             "unknown hwaccel: KZV_EINVAL naming it");
    const char *modes[] = { "none", "auto", "cuda", "vaapi" };
    uint64_t ref_sum = 0;
    for (int m = 0; m < 4; m++) {
        s.hwaccel = modes[m];
        int r = kzv_decoder_open(&d, path, &s);
        KT_CHECK(r == KZV_OK, "hwaccel %s: opens (%d: %s)", modes[m], r, kzv_decoder_last_error(NULL));
        if (r != KZV_OK)
            continue;
        const char *used = kzv_decoder_info(d)->hwaccel;
        KT_CHECK(used && (!strcmp(used, "none") || kzv_hwaccel_probe(used, NULL, 0) == KZV_OK),
                 "hwaccel %s: in use '%s' is none or a working device", modes[m], used ? used : "(null)");
        uint64_t sum = 0;
        int n = 0;
        kzv_frame *f = NULL;
        while (kzv_decoder_next(d, &f) == KZV_OK) {
            for (int y = 0; y < f->height; y += 7)
                for (int x = 0; x < f->width * 3; x += 5)
                    sum = sum * 31 + f->data[0][(size_t)y * f->stride[0] + x];
            n++;
            kzv_frame_unref(&f);
        }
        if (m == 0)
            ref_sum = sum;
        KT_CHECK(n == 50 && sum == ref_sum, "hwaccel %s (%s): %d frames, same pixels as software: %s",
                 modes[m], used, n, sum == ref_sum ? "yes" : "no");
        printf("hwaccel %-6s -> %s\n", modes[m], used);
        kzv_decoder_close(&d);
    }
}

static void quiet(void *u, kzv_log_level l, const char *m) { (void)u; (void)l; (void)m; }

int main(void)
{
    kzv_set_log_callback(quiet, NULL);
    test_nested();
    test_hwaccel();
    test_memory("h264.mp4");
    test_memory("vp9.webm");
    test_stall("reschange.ts", false);
    test_stall("vp9.webm", true);
    test_no_writer();
    return kt_finish();
}
