/* libFuzzer target: the random-access API with fuzzed requests on fuzzed
 * media: the index, exact and keyframe seeks by index and by time, frame_at,
 * batches (by index and by time) and ranges, mixed with reading on.
 *
 * Input: byte 0 picks the demuxer (probing or one of a few forced ones),
 * bytes 1..32 are eight requests of 4 bytes (op, 16-bit argument, extra),
 * the rest is the media file. Seeds: tests/fuzz/corpus/access (small real
 * files behind a request header, made by tests/fuzz/make_corpus.sh).
 * Out-of-range requests (negative and huge indices, NaN, infinities, times
 * before the start and past the end) must give KZV_EINVAL / KZV_EOF, never
 * a crash, and every frame returned must be readable to its last byte. */
#include <math.h>

#include "fuzz_common.h"

#define REQ_BYTES 32

static const char *const containers[8] = { NULL, "mov", "matroska", "avi", "mpegts", "mpeg", "flv", "h264" };

/* A time for request argument a / extra c: a frame's pts, a point inside or
 * around it, or a hostile value. */
static double pick_time(const kzv_index_entry *e, int64_t n, unsigned a, unsigned c)
{
    static const double odd[8] = { NAN, INFINITY, -INFINITY, -1e18, 1e18, -0.0, 5e-324, -1.0 };
    if ((c & 7) == 7)
        return odd[a & 7];
    if (n <= 0)
        return (double)a / 100.0;
    const kzv_index_entry *x = &e[a % (uint64_t)n];
    switch (c & 3) {
    case 0: return x->pts;
    case 1: return x->pts + x->duration * ((c >> 2) & 7) / 8.0;
    case 2: return x->pts - 1e-6;
    default: return e[n - 1].pts + e[n - 1].duration + (c >> 2);
    }
}

/* An index for argument a / extra c: usually in range, sometimes just out
 * of it (-1, n) or far out. */
static int64_t pick_index(int64_t n, unsigned a, unsigned c)
{
    if ((c & 15) == 15)
        return (c & 16) ? INT64_MAX - (int64_t)a : INT64_MIN + (int64_t)a;
    return (int64_t)(a % (uint64_t)(n + 2)) - 1;
}

static void take(kzv_frame **f)
{
    if (*f)
        fuzz_touch(*f);
    kzv_frame_unref(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + REQ_BYTES + 16)
        return 0;
    fuzz_init();
    const uint8_t *req = data + 1;
    kzv_decoder_settings s;
    fuzz_settings(&s, containers[data[0] & 7], data[0] >> 3);
    s.count_frames = (data[0] >> 4) & 1;
    kzv_decoder *d = NULL;
    if (kzv_decoder_open_memory(&d, data + 1 + REQ_BYTES, size - 1 - REQ_BYTES, "fuzz", &s) != KZV_OK)
        return 0;

    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    if (kzv_decoder_get_index(d, &e, &n) != KZV_OK)
        n = 0, e = NULL;
    kzv_frame *f = NULL, *got[4] = { 0 };
    for (int r = 0; r < REQ_BYTES / 4; r++) {
        const uint8_t *q = req + 4 * r;
        unsigned op = q[0] % 10, a = (unsigned)q[1] << 8 | q[2], c = q[3];
        int64_t idx[4];
        double when[4];
        size_t k = c % 5, nr = 0;
        switch (op) {
        case 0:
            if (kzv_decoder_seek_frame(d, pick_index(n, a, c)) == KZV_OK && kzv_decoder_next(d, &f) == KZV_OK)
                take(&f);
            break;
        case 1:
        case 2:
            if (kzv_decoder_seek(d, pick_time(e, n, a, c), op == 1 ? KZV_SEEK_EXACT : KZV_SEEK_KEYFRAME) == KZV_OK &&
                kzv_decoder_next(d, &f) == KZV_OK)
                take(&f);
            break;
        case 3: {
            int64_t at = -1;
            (void)kzv_decoder_frame_at(d, pick_time(e, n, a, c), &at);
            break;
        }
        case 4:
            for (size_t i = 0; i < k; i++)
                idx[i] = pick_index(n, a * (unsigned)(i + 1) + (unsigned)i, i ? c >> i : c);
            if (kzv_decoder_get_frames(d, idx, k, got) == KZV_OK)
                for (size_t i = 0; i < k; i++)
                    take(&got[i]);
            break;
        case 5:
            for (size_t i = 0; i < k; i++)
                when[i] = pick_time(e, n, a + (unsigned)i * 7u, c + (unsigned)i);
            if (kzv_decoder_get_frames_at(d, when, k, got) == KZV_OK)
                for (size_t i = 0; i < k; i++)
                    take(&got[i]);
            break;
        case 6: {
            kzv_frame *range[8] = { 0 };
            int64_t start = pick_index(n, a, c), step = (c >> 4) ? (int64_t)(c >> 4) : -1;
            /* at most 8 results: end - start <= 8 * step */
            int64_t span = (int64_t)(c & 7) * (step > 0 ? step : 1);
            int64_t end = start > INT64_MAX - span ? INT64_MAX : start + span;
            if (kzv_decoder_get_range(d, start, end, step, range, &nr) == KZV_OK)
                for (size_t i = 0; i < nr && i < 8; i++)
                    take(&range[i]);
            break;
        }
        case 7:
            for (unsigned i = 0; i <= (c & 3) && kzv_decoder_next(d, &f) == KZV_OK; i++)
                take(&f);
            break;
        case 8:
            if (kzv_decoder_get_index(d, &e, &n) != KZV_OK)
                n = 0, e = NULL;
            break;
        default: {
            kzv_decoder_stats st;
            kzv_decoder_get_stats(d, &st);
            (void)kzv_decoder_info(d)->width;
            break;
        }
        }
    }
    kzv_decoder_close(&d);
    return 0;
}
