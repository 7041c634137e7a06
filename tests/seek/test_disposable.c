/* Packets a seek leaves out of the codec (src/decode/disposable.c): which
 * ones, on hand-made packets in both NAL framings; which streams qualify,
 * on the fixtures' own stream headers; and, on each H.264 fixture named on
 * the command line, that random exact seeks leave packets out
 * (packets_skipped > 0) and still give sequential decoding's frames. */
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include <kzv/kzv.h>

#include "decode/disposable.h"
#include "ktest.h"

/* Build a packet from NAL units: `annexb` puts start codes before them,
 * else 4-byte lengths. Units are given as (bytes, size) pairs ending in NULL. */
static int pack(uint8_t *out, bool annexb, const uint8_t *const *units, const int *sizes)
{
    int n = 0;
    for (int i = 0; units[i]; i++) {
        if (annexb) {
            static const uint8_t sc[4] = { 0, 0, 0, 1 };
            memcpy(out + n, sc + (i ? 1 : 0), i ? 3 : 4);   /* 4-byte and 3-byte start codes */
            n += i ? 3 : 4;
        } else {
            out[n++] = (uint8_t)(sizes[i] >> 24);
            out[n++] = (uint8_t)(sizes[i] >> 16);
            out[n++] = (uint8_t)(sizes[i] >> 8);
            out[n++] = (uint8_t)sizes[i];
        }
        memcpy(out + n, units[i], (size_t)sizes[i]);
        n += sizes[i];
    }
    return n;
}

static const uint8_t slice_nonref[] = { 0x01, 0x9a, 0x22, 0x31, 0x80 };   /* nal_ref_idc 0, type 1 */
static const uint8_t slice_ref[] = { 0x21, 0x9a, 0x22, 0x31, 0x80 };      /* nal_ref_idc 1, type 1 */
static const uint8_t slice_idr[] = { 0x65, 0x88, 0x84, 0x00, 0x80 };      /* type 5 */
static const uint8_t aud[] = { 0x09, 0xf0 };
static const uint8_t sps[] = { 0x67, 0x64, 0x00, 0x1f, 0xac };           /* type 7 */
/* SEI: pic timing (1, 2 bytes) + user data unregistered (5, 3 bytes whose
 * raw form carries an emulation prevention byte), then trailing bits. */
static const uint8_t sei_ok[] = { 0x06, 0x01, 0x02, 0xaa, 0xbb, 0x05, 0x03, 0x00, 0x00, 0x03, 0x01, 0x80 };
static const uint8_t sei_recovery[] = { 0x06, 0x06, 0x01, 0x84, 0x80 };   /* recovery point */
static const uint8_t sei_cut[] = { 0x06, 0x05, 0x10, 0x01, 0x02 };        /* size past the end */
static const uint8_t forbidden[] = { 0x81, 0x9a, 0x80 };                  /* forbidden_zero_bit set */

static int check_case(bool annexb, bool want, const char *what, const uint8_t *const *units, const int *sizes)
{
    uint8_t buf[256];
    int n = pack(buf, annexb, units, sizes);
    bool got = kzv_disposable_packet(annexb ? KZV_DISPOSABLE_ANNEXB : 4, buf, n);
    KT_CHECK(got == want, "%s (%s): disposable %d, want %d", what, annexb ? "annex b" : "length-prefixed", got,
             want);
    return got == want;
}

#define UNITS(...) (const uint8_t *const[]){ __VA_ARGS__, NULL }
#define SIZES(...) (const int[]){ __VA_ARGS__ }

static void check_packets(void)
{
    for (int ab = 0; ab < 2; ab++) {
        check_case(ab, true, "non-reference slice", UNITS(slice_nonref), SIZES(sizeof slice_nonref));
        check_case(ab, true, "delimiter + SEI + non-reference slice", UNITS(aud, sei_ok, slice_nonref),
                   SIZES(sizeof aud, sizeof sei_ok, sizeof slice_nonref));
        check_case(ab, false, "reference slice", UNITS(slice_ref), SIZES(sizeof slice_ref));
        check_case(ab, false, "IDR", UNITS(slice_idr), SIZES(sizeof slice_idr));
        check_case(ab, false, "SPS + non-reference slice", UNITS(sps, slice_nonref),
                   SIZES(sizeof sps, sizeof slice_nonref));
        check_case(ab, false, "recovery point SEI", UNITS(sei_recovery, slice_nonref),
                   SIZES(sizeof sei_recovery, sizeof slice_nonref));
        check_case(ab, false, "SEI cut short", UNITS(sei_cut, slice_nonref),
                   SIZES(sizeof sei_cut, sizeof slice_nonref));
        check_case(ab, false, "damaged header", UNITS(forbidden), SIZES(sizeof forbidden));
        check_case(ab, false, "no slice at all", UNITS(aud, sei_ok), SIZES(sizeof aud, sizeof sei_ok));
    }
    /* Length-prefixed framing that does not add up. */
    uint8_t bad[] = { 0, 0, 0, 9, 0x01, 0x9a };
    KT_CHECK(!kzv_disposable_packet(4, bad, sizeof bad), "length past the end accepted");
    uint8_t zero[] = { 0, 0, 0, 0, 0, 0, 0, 2, 0x01, 0x9a };
    KT_CHECK(!kzv_disposable_packet(4, zero, sizeof zero), "zero-length unit accepted");
    KT_CHECK(!kzv_disposable_packet(KZV_DISPOSABLE_OFF, slice_nonref, sizeof slice_nonref), "mode off");
    KT_CHECK(!kzv_disposable_packet(KZV_DISPOSABLE_ANNEXB, slice_nonref, sizeof slice_nonref),
             "annex b without a start code accepted");
}

/* kzv_disposable_setup() on a fixture's stream header. */
static int setup_of(const char *name)
{
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, kt_fixture(name), NULL, NULL) < 0)
        return -100;
    int mode = -100;
    if (avformat_find_stream_info(fmt, NULL) >= 0) {
        int s = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (s >= 0)
            mode = kzv_disposable_setup(fmt->streams[s]->codecpar);
    }
    avformat_close_input(&fmt);
    return mode;
}

static void check_setup(void)
{
    int m = setup_of("h264.mp4");
    KT_CHECK(m >= 1 && m <= 4, "h264.mp4 (avcC, frames only): mode %d", m);
    m = setup_of("seek_ts_bframes.ts");
    KT_CHECK(m == KZV_DISPOSABLE_ANNEXB, "seek_ts_bframes.ts (annex b): mode %d", m);
    m = setup_of("seek_interlaced.mkv");
    KT_CHECK(m == KZV_DISPOSABLE_OFF, "seek_interlaced.mkv (field coding allowed): mode %d", m);
    m = setup_of("hevc10.mkv");
    KT_CHECK(m == KZV_DISPOSABLE_OFF, "hevc10.mkv: mode %d", m);
    /* An SPS that allows fields, arriving in a packet, turns it off:
     * baseline profile 66, sps id 0, log2_max_frame_num 4, poc type 2,
     * 1 ref, no gaps, 20x15 MBs, frame_mbs_only_flag 0. */
    static const uint8_t field_sps[] = { 0, 0, 0, 1, 0x67, 0x42, 0x00, 0x1e, 0xda, 0x05, 0x07, 0xa0 };
    static const uint8_t frame_sps[] = { 0, 0, 0, 1, 0x67, 0x42, 0x00, 0x1e, 0xda, 0x05, 0x07, 0xe0 };
    KT_CHECK(kzv_disposable_watch(KZV_DISPOSABLE_ANNEXB, field_sps, sizeof field_sps) == KZV_DISPOSABLE_OFF,
             "an in-band SPS allowing fields left it on");
    KT_CHECK(kzv_disposable_watch(KZV_DISPOSABLE_ANNEXB, frame_sps, sizeof frame_sps) == KZV_DISPOSABLE_ANNEXB,
             "an in-band frames-only SPS turned it off");
}

/* Random exact seeks on `name` leave packets out and match sequential decoding. */
static void check_file(const char *name)
{
    kzv_decoder *d = NULL;
    KT_CHECK(kzv_decoder_open(&d, kt_fixture(name), NULL) == KZV_OK, "%s: open", name);
    if (!d)
        return;
    uint64_t *ref = NULL;
    int n = 0;
    kzv_frame *f = NULL;
    while (kzv_decoder_next(d, &f) == KZV_OK) {
        uint64_t *grown = realloc(ref, sizeof(*ref) * (size_t)(n + 1));
        KT_CHECK(grown != NULL, "out of memory");
        if (!grown)
            break;
        ref = grown;
        ref[n++] = kt_rgb24_hash(f);
        kzv_frame_unref(&f);
    }
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    int bad = 0;
    for (int i = 0; i < 40 && n > 0; i++) {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        int t = (int)(rng % (uint64_t)n);
        if (kzv_decoder_seek_frame(d, t) != KZV_OK || kzv_decoder_next(d, &f) != KZV_OK) {
            KT_CHECK(0, "%s: seek to %d: %s", name, t, kzv_decoder_last_error(d));
            break;
        }
        bad += f->frame_index != t || kt_rgb24_hash(f) != ref[t];
        kzv_frame_unref(&f);
    }
    kzv_decoder_stats st;
    kzv_decoder_get_stats(d, &st);
    KT_CHECK(bad == 0, "%s: %d of 40 seeks differ from sequential decoding", name, bad);
    KT_CHECK(st.packets_skipped > 0, "%s: no packet left out in 40 seeks (%lld seeks)", name,
             (long long)st.seeks);
    printf("%s: %d frames, 40 seeks, %lld packets left out of the codec\n", name, n,
           (long long)st.packets_skipped);
    free(ref);
    kzv_decoder_close(&d);
}

int main(int argc, char **argv)
{
    check_packets();
    check_setup();
    for (int i = 1; i < argc; i++)
        check_file(argv[i]);
    return kt_finish();
}
