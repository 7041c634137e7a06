/* libFuzzer target: the encoder and muxer (include/kzv/encoder.h,
 * src/encode/encoder_*.c) driven by fuzzed settings and a fuzzed sequence of
 * frames, then closed or aborted. Every call returns a status, never
 * crashes; the encoder's file contract is checked after every run:
 *   - after a failed write, close fails too;
 *   - a failed close or an abort leaves neither the output nor its
 *     temporary "<path>.<pid>.partial" file;
 *   - a successful close leaves the output and no temporary file.
 * A broken contract abort()s (a crash for libFuzzer, a failed replay).
 *
 * Input (header of 8 bytes, then 4 bytes per frame, at most MAX_FRAMES):
 *   0  codec (bits 0-1: ffv1, rawvideo, mpeg4, libx264 ultrafast),
 *      container (bits 2-3: .mkv .mp4 .avi .nut), bit 4: output path is an
 *      existing directory (the final rename fails), bit 5: abort instead of
 *      close, bits 6-7: an extra encoder option (none, bf=2, g=1, a bogus one)
 *   1  bits 0-3: settings.format (0: NONE, else one of the kzv formats, valid
 *      or not), bits 4-6: the frames' layout, bit 7: settings.width/height set
 *   2  width - 1 (mod 64), 3: height - 1 (mod 64) of the first frame
 *   4  settings.time_base.num, 5: .den (0/0: the frame's), signed
 *   6  the frames' time base num, 7: den (0/0: none), signed
 * per frame:
 *   a  bits 0-2: pts step (+1, +b, repeat, -1, INT64_MAX, INT64_MIN,
 *      INT64_MIN + 1, b << 56), bit 3: another size, bit 4: another format
 *      (from byte b), bit 5: its own time base (b/1000), bit 6: a NULL frame,
 *      bit 7: settings-size frame
 *   b  argument, c: pixel seed, d: colour (range, matrix)
 * Output goes to a private directory under /dev/shm (else $TMPDIR or /tmp),
 * made for each run and removed after it. Seeds: tests/fuzz/corpus/encode. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kzv/encoder.h>

#include "fuzz_common.h"

#define HEAD 8
#define PER_FRAME 4
#define MAX_FRAMES 12
#define MAX_SIDE 64

static char dir[256];

static void remove_dir(void)
{
    if (!dir[0])
        return;
    DIR *d = opendir(dir);
    struct dirent *ent;
    while (d && (ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, ent->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (d)
        closedir(d);
}

/* Empty the run's directory and remove it (libFuzzer ends with _Exit, so
 * nothing is left for an atexit handler: each run makes its own). */
static void drop_dir(void)
{
    remove_dir();
    rmdir(dir);
    dir[0] = 0;
}

static int make_dir(void)
{
    const char *bases[3] = { "/dev/shm", getenv("TMPDIR"), "/tmp" };
    for (int i = 0; i < 3; i++) {
        if (!bases[i])
            continue;
        snprintf(dir, sizeof(dir), "%s/kzv-fuzz-encode-XXXXXX", bases[i]);
        if (mkdtemp(dir))
            return 0;
    }
    dir[0] = 0;
    return -1;
}

static int exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static void broken(const char *what, const char *path)
{
    fprintf(stderr, "fuzz_encode: contract broken: %s (%s): %s\n", what, path, kzv_encoder_last_error(NULL));
    abort();
}

static kzv_pixfmt pick_format(uint8_t b)
{
    /* mostly real layouts, sometimes the decoder-only values and garbage */
    static const int fmts[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3, 3, 11, -1, 99 };
    return (kzv_pixfmt)fmts[b & 15];
}

/* the first frame's layout (data[1] bits 4-6) */
static const kzv_pixfmt frame_fmts[8] = { KZV_PIXFMT_RGB24, KZV_PIXFMT_RGBA, KZV_PIXFMT_RGB48, KZV_PIXFMT_YUV420P,
                                          KZV_PIXFMT_YUV444P, KZV_PIXFMT_YUV420P10, KZV_PIXFMT_NV12, KZV_PIXFMT_P010 };

static void fill_pixels(kzv_frame *f, uint8_t seed, uint32_t n)
{
    for (int p = 0; p < 4 && f->data[p]; p++) {
        int ph = 0;
        size_t row = 0;
        if (kzv_pixfmt_plane_size(f->format, f->width, f->height, p, NULL, &ph, &row) < 0)
            break;
        for (int y = 0; y < ph; y++)
            for (size_t x = 0; x < row; x++)
                f->data[p][(size_t)y * (size_t)f->stride[p] + x] =
                    (uint8_t)(seed + x * 7 + (size_t)y * 3 + n * 5 + (unsigned)p * 50);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEAD)
        return 0;
    fuzz_init();
    if (make_dir() < 0)
        return 0;
    static int debug = -1;      /* FUZZ_ENCODE_DEBUG=1: say why calls failed */
    if (debug < 0)
        debug = getenv("FUZZ_ENCODE_DEBUG") != NULL;

    static const char *const codecs[4] = { "ffv1", "rawvideo", "mpeg4", "libx264" };
    static const char *const exts[4] = { "mkv", "mp4", "avi", "nut" };
    static const char *const extra[4] = { NULL, "bf=2", "g=1", "no_such_option=1" };
    const char *opts[2] = { extra[data[0] >> 6], NULL };
    kzv_encoder_settings s;
    kzv_encoder_default_settings(&s);
    s.codec = codecs[data[0] & 3];
    if (!strcmp(s.codec, "libx264"))
        s.preset = "ultrafast";
    s.options = opts;
    s.format = data[1] & 15 ? pick_format((data[1] & 15) - 1) : KZV_PIXFMT_NONE;
    s.threads = 1;      /* deterministic */
    kzv_pixfmt base_fmt = frame_fmts[(data[1] >> 4) & 7];
    int w0 = data[2] % MAX_SIDE + 1, h0 = data[3] % MAX_SIDE + 1;
    s.time_base = (kzv_rational){ (int8_t)data[4], (int8_t)data[5] };
    if (data[1] & 0x80) {   /* a declared size, which frames may not match */
        s.width = (data[2] >> 6) ? w0 : data[2] % 17;
        s.height = (data[3] >> 6) ? h0 : data[3] % 17;
    }
    int even = !strcmp(s.codec, "libx264");
    if (even) {
        /* Even sizes only: when x264_encoder_open() refuses an odd 4:2:0
         * size, FFmpeg 5.1's libx264 wrapper leaks x264's parameter strings
         * (LeakSanitizer: 166 bytes from libx264.so), which is not ours. */
        w0 += w0 & 1;
        h0 += h0 & 1;
        s.width += s.width & 1;
        s.height += s.height & 1;
    }
    kzv_rational ftb = { (int8_t)data[6], (int8_t)data[7] };

    char path[512], tmp[600];
    snprintf(path, sizeof(path), "%s/out.%s", dir, exts[(data[0] >> 2) & 3]);
    snprintf(tmp, sizeof(tmp), "%s.%ld.partial", path, (long)getpid());
    if (data[0] & 16)
        mkdir(path, 0700);
    int do_abort = data[0] & 32;

    kzv_encoder *e = NULL;
    int r = kzv_encoder_open(&e, path, &s);
    if (r != KZV_OK) {
        if (debug)
            fprintf(stderr, "fuzz_encode: open: %s\n", kzv_encoder_last_error(NULL));
        if (e || r >= 0)
            broken("open failed but returned an encoder", path);
        if (exists(tmp))
            broken("failed open left its temporary file", tmp);
        drop_dir();
        return 0;
    }
    (void)kzv_encoder_last_error(e);

    const uint8_t *fr = data + HEAD;
    size_t nframes = (size - HEAD) / PER_FRAME;
    if (nframes > MAX_FRAMES)
        nframes = MAX_FRAMES;
    int write_failed = 0, wrote = 0;
    int64_t pts = 0;
    for (size_t i = 0; i < nframes; i++, fr += PER_FRAME) {
        uint8_t a = fr[0], b = fr[1];
        if (a & 64) {
            r = kzv_encoder_write(e, NULL);
            if (r >= 0)
                broken("write(NULL) succeeded", path);
            continue;   /* refused, not a failure of the stream */
        }
        int w = w0, h = h0;
        if (a & 8) {
            w = b % MAX_SIDE + 1;
            h = (b >> 2) % MAX_SIDE + 1;
        }
        if ((a & 128) && s.width > 0 && s.height > 0) {
            w = s.width;
            h = s.height;
        }
        if (even) {
            w += w & 1;
            h += h & 1;
        }
        kzv_pixfmt fmt = a & 16 ? pick_format(b >> 4) : base_fmt;
        kzv_frame *f = NULL;
        if (kzv_frame_alloc(&f, w, h, fmt) != KZV_OK) {
            /* a format kzv_frame_alloc refuses: hand the encoder a frame that
             * claims it (a caller's own struct), with no pixels behind it */
            kzv_frame fake = { 0 };
            fake.width = w;
            fake.height = h;
            fake.format = fmt;
            fake.pts_ts = pts;
            fake.time_base = ftb;
            r = kzv_encoder_write(e, &fake);
            if (r == KZV_OK)
                broken("a frame of an invalid format was accepted", path);
            write_failed = 1;
            continue;
        }
        switch (a & 7) {
        /* wrapping steps: INT64_MAX + 1 goes to INT64_MIN, as a caller's might */
        case 0: pts = (int64_t)((uint64_t)pts + 1); break;
        case 1: pts = (int64_t)((uint64_t)pts + b); break;
        case 2: break;
        case 3: pts = (int64_t)((uint64_t)pts - 1); break;
        case 4: pts = INT64_MAX; break;
        case 5: pts = INT64_MIN; break;
        case 6: pts = INT64_MIN + 1; break;
        default: pts = (int64_t)((uint64_t)b << 56); break;
        }
        f->pts_ts = pts;
        f->time_base = (a & 32) ? (kzv_rational){ 1, 1000 + b } : ftb;
        f->color.range = fr[3] & 3;
        f->color.matrix = (fr[3] >> 2) & 15;
        fill_pixels(f, fr[2], (uint32_t)i);
        r = kzv_encoder_write(e, f);
        kzv_frame_unref(&f);
        if (r > 0)
            broken("write returned a positive status", path);
        if (r < 0) {
            write_failed = 1;
            if (debug)
                fprintf(stderr, "fuzz_encode: frame %zu: %s\n", i, kzv_encoder_last_error(e));
        } else {
            wrote++;
        }
        kzv_encoder_stats st;
        kzv_encoder_get_stats(e, &st);
        if (st.frames_in != wrote)
            broken("frames_in does not count the accepted frames", path);
    }

    if (do_abort) {
        kzv_encoder_abort(&e);
        if (e)
            broken("abort left the handle set", path);
        if (is_file(path) || exists(tmp))
            broken("abort left a file", path);
    } else {
        r = kzv_encoder_close(&e);
        if (debug)
            fprintf(stderr, "fuzz_encode: close: %d %s\n", r, r ? kzv_encoder_last_error(NULL) : "");
        if (e)
            broken("close left the handle set", path);
        if (r > 0)
            broken("close returned a positive status", path);
        if (r == KZV_OK && (write_failed || !wrote))
            broken("close succeeded after a failed write or with no frame", path);
        if (r == KZV_OK && (!is_file(path) || exists(tmp)))
            broken("successful close left no output or its temporary file", path);
        if (r < 0 && (is_file(path) || exists(tmp)))
            broken("failed close left a finished-looking file", path);
    }
    drop_dir();
    return 0;
}
