/* Which H.264 packets a seek may leave out entirely (see disposable.h). */
#include <string.h>

#include <libavcodec/avcodec.h>

#include "decode/disposable.h"

/* Reads an RBSP: the NAL payload with its emulation prevention bytes
 * (00 00 03 → 00 00) taken out. */
typedef struct rbsp {
    const uint8_t *p;
    int n, at, zeros;
} rbsp;

static int rbsp_byte(rbsp *r)
{
    if (r->at >= r->n)
        return -1;
    int b = r->p[r->at++];
    if (r->zeros >= 2 && b == 3) {
        r->zeros = 0;
        if (r->at >= r->n)
            return -1;
        b = r->p[r->at++];
    }
    r->zeros = b == 0 ? r->zeros + 1 : 0;
    return b;
}

/* Exp-Golomb and fixed-width reads over an rbsp; -1 once it runs out. */
typedef struct bits {
    rbsp r;
    int cur, left;
} bits;

static int bit1(bits *b)
{
    if (b->left == 0) {
        if ((b->cur = rbsp_byte(&b->r)) < 0)
            return -1;
        b->left = 8;
    }
    return (b->cur >> --b->left) & 1;
}

static int64_t ue(bits *b)
{
    int zeros = 0, v;
    while ((v = bit1(b)) == 0)
        if (++zeros > 31)
            return -1;
    if (v < 0)
        return -1;
    int64_t x = 1;
    for (int i = 0; i < zeros; i++) {
        if ((v = bit1(b)) < 0)
            return -1;
        x = x << 1 | v;
    }
    return x - 1;
}

static bool skip_scaling_list(bits *b, int n)
{
    int last = 8, next = 8;
    for (int j = 0; j < n; j++) {
        if (next != 0) {
            int64_t d = ue(b);   /* se(v), only its range matters here */
            if (d < 0)
                return false;
            int64_t delta = d & 1 ? (d + 1) / 2 : -(d / 2);
            next = (int)((last + delta + 256) % 256);
        }
        last = next == 0 ? last : next;
    }
    return true;
}

/* An SPS (after its header byte): 1 when frame_mbs_only_flag is set (no
 * field pictures, no MBAFF), 0 when it is not, -1 when it cannot be read. */
static int sps_frames_only(const uint8_t *p, int n)
{
    bits b = { { p, n, 0, 0 }, 0, 0 };
    int profile = rbsp_byte(&b.r);
    if (profile < 0 || rbsp_byte(&b.r) < 0 || rbsp_byte(&b.r) < 0 || ue(&b) < 0)
        return -1;
    if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 ||
        profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138 ||
        profile == 139 || profile == 134 || profile == 135) {
        int64_t chroma = ue(&b);
        if (chroma < 0 || (chroma == 3 && bit1(&b) < 0) || ue(&b) < 0 || ue(&b) < 0 || bit1(&b) < 0)
            return -1;
        int scaling = bit1(&b);
        if (scaling < 0)
            return -1;
        for (int i = 0; scaling && i < (chroma == 3 ? 12 : 8); i++) {
            int present = bit1(&b);
            if (present < 0 || (present && !skip_scaling_list(&b, i < 6 ? 16 : 64)))
                return -1;
        }
    }
    if (ue(&b) < 0)                     /* log2_max_frame_num_minus4 */
        return -1;
    int64_t poc_type = ue(&b);
    if (poc_type == 0) {
        if (ue(&b) < 0)
            return -1;
    } else if (poc_type == 1) {
        if (bit1(&b) < 0 || ue(&b) < 0 || ue(&b) < 0)
            return -1;
        int64_t cycle = ue(&b);
        if (cycle < 0 || cycle > 255)
            return -1;
        for (int64_t i = 0; i < cycle; i++)
            if (ue(&b) < 0)
                return -1;
    } else if (poc_type != 2) {
        return -1;
    }
    if (ue(&b) < 0 || bit1(&b) < 0 || ue(&b) < 0 || ue(&b) < 0)   /* refs, gaps, width, height */
        return -1;
    return bit1(&b);
}

/* An SEI unit made only of messages that describe their own picture and
 * leave nothing behind for later ones: buffering period (0), picture timing
 * (1), registered (4) and unregistered (5) user data. A recovery point or
 * anything else keeps the packet. */
static bool sei_harmless(const uint8_t *p, int n)
{
    rbsp r = { p, n, 0, 0 };
    for (;;) {
        if (r.at >= r.n)
            return false;           /* no trailing bits: malformed */
        if (r.p[r.at] == 0x80 && r.at + 1 >= r.n)
            return true;            /* rbsp_trailing_bits: the end */
        int v, type = 0, size = 0;
        while ((v = rbsp_byte(&r)) == 0xFF)
            type += 255;
        if (v < 0)
            return false;
        type += v;
        while ((v = rbsp_byte(&r)) == 0xFF)
            size += 255;
        if (v < 0)
            return false;
        size += v;
        if (type != 0 && type != 1 && type != 4 && type != 5)
            return false;
        for (int i = 0; i < size; i++)
            if (rbsp_byte(&r) < 0)
                return false;
    }
}

/* Calls fn(ctx, nal, n) for every NAL unit of a packet (or of Annex B
 * extradata) until it returns false. False when fn stopped it or the
 * packet does not parse (a length past the end, no start code). */
typedef bool (*nal_fn)(void *ctx, const uint8_t *nal, int n);

static bool each_nal(int mode, const uint8_t *data, int size, nal_fn fn, void *ctx)
{
    if (mode == KZV_DISPOSABLE_ANNEXB) {
        /* Units start after 00 00 01 and end where the next start code (or
         * the zero bytes before it) begins. */
        int start = -1;
        for (int i = 0; i + 2 < size; i++) {
            /* memchr for the 01 of a start code: every packet of the stream
             * passes here (kzv_disposable_watch), so the scan must be cheap. */
            const uint8_t *one = memchr(data + i + 2, 1, (size_t)(size - i - 2));
            if (!one)
                break;
            i = (int)(one - data) - 2;
            if (data[i] || data[i + 1])
                continue;
            if (start >= 0) {
                int end = i;
                while (end > start && data[end - 1] == 0)
                    end--;
                if (!fn(ctx, data + start, end - start))
                    return false;
            }
            start = i + 3;
            i += 2;
        }
        return start >= 0 && fn(ctx, data + start, size - start);
    }
    const int len_size = mode;   /* 1..4 bytes of big-endian length before each unit */
    for (int pos = 0; pos < size;) {
        if (size - pos < len_size + 1)
            return false;
        uint32_t len = 0;
        for (int k = 0; k < len_size; k++)
            len = len << 8 | data[pos + k];
        pos += len_size;
        if (len == 0 || len > (uint32_t)(size - pos))
            return false;
        if (!fn(ctx, data + pos, (int)len))
            return false;
        pos += (int)len;
    }
    return true;
}

static int nal_type(const uint8_t *nal, int n)
{
    return n >= 1 ? nal[0] & 0x1f : -1;
}

/* Every SPS seen says frame pictures only (and there is at least one). */
typedef struct sps_scan {
    int seen;
    bool frames_only;
} sps_scan;

static bool scan_sps(void *ctx, const uint8_t *nal, int n)
{
    sps_scan *s = ctx;
    int t = nal_type(nal, n);
    if (t == 7 || t == 15) {        /* SPS, subset SPS */
        s->seen++;
        if (t == 15 || sps_frames_only(nal + 1, n - 1) != 1)
            s->frames_only = false;
    }
    return true;
}

int kzv_disposable_setup(const AVCodecParameters *par)
{
    if (par->codec_id != AV_CODEC_ID_H264 || !par->extradata || par->extradata_size < 4)
        return KZV_DISPOSABLE_OFF;
    sps_scan scan = { 0, true };
    int mode;
    const uint8_t *x = par->extradata;
    const int n = par->extradata_size;
    if (x[0] == 1) {
        /* avcC (mp4, mkv): version 1, the NAL length size in the low bits of
         * byte 4, then the SPS count and 16-bit-length SPS units. */
        if (n < 7)
            return KZV_DISPOSABLE_OFF;
        mode = (x[4] & 3) + 1;
        int count = x[5] & 0x1f, pos = 6;
        for (int i = 0; i < count; i++) {
            if (pos + 2 > n)
                return KZV_DISPOSABLE_OFF;
            int len = x[pos] << 8 | x[pos + 1];
            pos += 2;
            if (len < 1 || pos + len > n)
                return KZV_DISPOSABLE_OFF;
            scan_sps(&scan, x + pos, len);
            pos += len;
        }
    } else {
        mode = KZV_DISPOSABLE_ANNEXB;
        if (!each_nal(mode, x, n, scan_sps, &scan))
            return KZV_DISPOSABLE_OFF;
    }
    /* Frame pictures only: FFmpeg never skips the second field of a pair,
     * and telling fields apart would take every slice header. */
    return scan.seen && scan.frames_only ? mode : KZV_DISPOSABLE_OFF;
}

int kzv_disposable_watch(int mode, const uint8_t *data, int size)
{
    if (mode == KZV_DISPOSABLE_OFF || !data || size <= 0)
        return mode;
    sps_scan scan = { 0, true };
    each_nal(mode, data, size, scan_sps, &scan);
    return scan.frames_only ? mode : KZV_DISPOSABLE_OFF;
}

/* Judge one NAL unit: 1 a slice no picture refers to, 0 nothing that
 * outlives the packet (harmless SEI, a delimiter, filler), -1 anything else
 * (a reference slice, a parameter set, an end of sequence, an extension,
 * other SEI, a damaged header: the packet must reach the decoder). */
static int judge(const uint8_t *nal, int n)
{
    if (n < 1 || nal[0] & 0x80)     /* forbidden_zero_bit set: let the codec see it */
        return -1;
    int ref_idc = (nal[0] >> 5) & 3;
    switch (nal_type(nal, n)) {
    case 1:                         /* a non-IDR slice */
        return ref_idc == 0 ? 1 : -1;
    case 6:
        return sei_harmless(nal + 1, n - 1) ? 0 : -1;
    case 9: case 12:                /* access unit delimiter, filler */
        return 0;
    default:                        /* IDR, partitions, SPS/PPS, end of sequence, SVC/MVC … */
        return -1;
    }
}

typedef struct judged {
    int slices;
} judged;

static bool judge_one(void *ctx, const uint8_t *nal, int n)
{
    int v = judge(nal, n);
    if (v < 0)
        return false;
    ((judged *)ctx)->slices += v;
    return true;
}

bool kzv_disposable_packet(int mode, const uint8_t *data, int size)
{
    if (mode == KZV_DISPOSABLE_OFF || !data || size <= 0)
        return false;
    judged j = { 0 };
    return each_nal(mode, data, size, judge_one, &j) && j.slices > 0;
}
