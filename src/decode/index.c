/* Demux-only frame index: one pass over the packets of a stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "decode/index.h"
#include "core/satmath.h"

typedef struct scan_pkt {
    int64_t pts, dts, pos, dur, order;
    int size;
    bool key, has_pts;
} scan_pkt;

static int by_pts(const void *a, const void *b)
{
    const scan_pkt *x = a, *y = b;
    if (x->pts != y->pts)
        return x->pts < y->pts ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;   /* stable */
}

static int grow(void **p, int64_t *cap, size_t elem)
{
    int64_t ncap = *cap ? *cap * 2 : 4096;
    void *np = realloc(*p, (size_t)ncap * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Some packets carry a pts and some do not: MPEG-PS and MPEG-TS write a pts
 * only now and then (anchors of a B-frame stream then lack it), and for
 * MPEG-4 Part 2 in AVI (DivX, XviD) libavformat gives B-frames pts = dts and
 * leaves the pts of the anchors (I/P, whose display is delayed) unset. With
 * coherent timestamps the display times are the decode times shifted by the
 * reorder delay: {pts} = {dts + c}. The packets without pts are anchors,
 * shown in decode order, so each c for which every known pts is in that set
 * gives an assignment: the unclaimed values in increasing order.
 *
 * Several c can fit (the AVI case: c = 0, 1 and 2 all do; only one is
 * right). The one wanted is what sequential decoding shows: the decoder
 * releases an anchor when it decodes the next anchor, a packet whose
 * presentation is delayed too (no pts, or pts > dts), and the frame carries
 * the dts of that packet. So: among the fitting c, the one for which every
 * packet without pts but the last gets the dts of the next delayed packet;
 * failing that (streams that do not reorder like this), a c that fits
 * alone; otherwise nothing is guessed and -1 is returned (nothing changed:
 * frames are then found by counting, slow but exact). c is at most
 * min(known pts) - min(dts) (the smallest pts may be an anchor's), and is
 * that minus the dts spacing of the few anchors shown before the first
 * known pts: the candidates are min(known pts) minus each of the first
 * dts values. */
#define MAX_CANDIDATES 16

/* The values of {sdts[] + c} not claimed by a known pts, in increasing
 * order, into fill[] (`missing` of them); false if some known pts is not in
 * the set or the counts differ. sdts[] and known[] are sorted. */
static bool free_slots(const int64_t *sdts, int64_t n, const int64_t *known, int64_t nk, int64_t c,
                       int64_t *fill, int64_t missing)
{
    int64_t g = 0, nfree = 0;
    for (int64_t k = 0; k <= nk; k++) {
        while (g < n && (k == nk || kzv_sat_add(sdts[g], c) < known[k])) {
            if (nfree == missing)
                return false;
            fill[nfree++] = kzv_sat_add(sdts[g++], c);
        }
        if (k == nk)
            break;
        if (g == n || kzv_sat_add(sdts[g], c) != known[k])
            return false;
        g++;
    }
    return nfree == missing;
}

/* Whether fill[] (pts for the packets without one, in decode order) gives
 * each of them but the last the dts of the next packet whose presentation
 * is delayed (see above). */
static bool released_by_next_anchor(const scan_pkt *p, int64_t n, const int64_t *fill, int64_t missing)
{
    int64_t next_dts = AV_NOPTS_VALUE, j = missing;
    for (int64_t i = n - 1; i >= 0; i--) {
        bool delayed = !p[i].has_pts || p[i].pts > p[i].dts;
        if (!p[i].has_pts && next_dts != AV_NOPTS_VALUE && fill[j - 1] != next_dts)
            return false;
        j -= !p[i].has_pts;
        if (delayed)
            next_dts = p[i].dts;
    }
    return true;
}

static int fill_missing_pts(scan_pkt *p, int64_t n)
{
    int64_t min_pts = INT64_MAX, missing = 0;
    for (int64_t i = 0; i < n; i++) {
        if (p[i].dts == AV_NOPTS_VALUE)
            return -1;
        if (p[i].has_pts && p[i].pts < min_pts)
            min_pts = p[i].pts;
        missing += !p[i].has_pts;
    }
    int64_t *sdts = malloc(sizeof(*sdts) * (size_t)n), *known = malloc(sizeof(*known) * (size_t)n);
    int64_t *fill = malloc(sizeof(*fill) * (size_t)missing), *pick = malloc(sizeof(*pick) * (size_t)missing);
    int64_t nk = 0, fits = 0;
    bool released = false;
    int code = -1;
    if (!sdts || !known || !fill || !pick)
        goto end;
    for (int64_t i = 0; i < n; i++) {
        sdts[i] = p[i].dts;
        if (p[i].has_pts)
            known[nk++] = p[i].pts;
    }
    qsort(sdts, (size_t)n, sizeof(*sdts), cmp_i64);
    qsort(known, (size_t)nk, sizeof(*known), cmp_i64);
    for (int64_t j = 0; j < n && j <= missing && j < MAX_CANDIDATES && !released; j++) {
        if (j > 0 && sdts[j] == sdts[j - 1])
            continue;
        int64_t c = kzv_sat_sub(min_pts, sdts[j]);
        if (!free_slots(sdts, n, known, nk, c, fill, missing))
            continue;
        released = released_by_next_anchor(p, n, fill, missing);
        if (++fits == 1 || released)
            memcpy(pick, fill, sizeof(*fill) * (size_t)missing);
    }
    if (!released && fits != 1)
        goto end;
    for (int64_t i = 0, j = 0; i < n; i++)
        if (!p[i].has_pts)
            p[i].pts = pick[j++];
    code = 0;
end:
    free(sdts);
    free(known);
    free(fill);
    free(pick);
    return code;
}

/* DivX-style packed B-frames (MPEG-4 Part 2 in AVI, DivX 5 and XviD): an
 * anchor shares its chunk with the first B-frame after it, and a not-coded
 * VOP placeholder chunk (N-VOP) follows the group so that there is one chunk
 * per frame. libavformat leaves the placeholder without pts like an anchor,
 * but decoding it releases the stored B-frame at once, as decoding a B-frame
 * does: its display time is its dts. FFmpeg's decoder and its
 * mpeg4_unpack_bframes filter know a placeholder by its size, at most
 * MAX_NVOP_SIZE (19) bytes; so does this. */
static bool is_packed_placeholder(const AVStream *st, const AVPacket *pkt)
{
    return st->codecpar->codec_id == AV_CODEC_ID_MPEG4 && pkt->size > 0 && pkt->size <= 19 &&
           pkt->dts != AV_NOPTS_VALUE;
}

int kzv_index_scan(kzv_index *idx, AVFormatContext *fmt, int stream_index, char *err, size_t errlen)
{
    memset(idx, 0, sizeof(*idx));
    AVPacket *pkt = av_packet_alloc();
    scan_pkt *p = NULL;
    int64_t n = 0, cap = 0, nkf = 0, kfcap = 0, with_pts = 0;
    int code = KZV_ENOMEM;
    const char *path = fmt->url ? fmt->url : "input";
    int ret;
    if (!pkt) {
        snprintf(err, errlen, "%s: out of memory while indexing", path);
        goto end;
    }
    /* Formats without a header (FLV, MPEG-PS: AVFMTCTX_NOHEADER) create their
     * streams as their packets turn up, so stream_index may not exist yet:
     * streams seen now are discarded unless wanted, later ones are skipped
     * packet by packet, and the stream must exist by the end of the scan. */
    for (unsigned i = 0; i < fmt->nb_streams; i++)
        fmt->streams[i]->discard = (int)i == stream_index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;

    while ((ret = av_read_frame(fmt, pkt)) >= 0 || ret == AVERROR(EAGAIN)) {
        if (ret < 0)
            continue;
        if (pkt->stream_index == stream_index && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
            if (n == cap && grow((void **)&p, &cap, sizeof(*p)) < 0) {
                snprintf(err, errlen, "%s: out of memory while indexing", path);
                goto end;
            }
            if (pkt->pts == AV_NOPTS_VALUE && is_packed_placeholder(fmt->streams[stream_index], pkt))
                pkt->pts = pkt->dts;
            int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            with_pts += pkt->pts != AV_NOPTS_VALUE;
            if (ts == AV_NOPTS_VALUE)   /* no timestamp at all: continue the previous one */
                ts = n ? kzv_sat_add(p[n - 1].pts, p[n - 1].dur > 0 ? p[n - 1].dur : 1) : 0;
            p[n] = (scan_pkt){ .pts = ts, .dts = pkt->dts, .pos = pkt->pos, .dur = pkt->duration,
                               .order = n, .size = pkt->size, .key = pkt->flags & AV_PKT_FLAG_KEY,
                               .has_pts = pkt->pts != AV_NOPTS_VALUE };
            n++;
        }
        av_packet_unref(pkt);
    }
    if (ret == AVERROR_EXIT) {
        code = KZV_ECANCELED;
        snprintf(err, errlen, "%s: indexing interrupted", path);
        goto end;
    }
    /* Otherwise a damaged tail ends the scan like the end of the file does. */
    if (stream_index >= (int)fmt->nb_streams) {
        code = KZV_EINVALIDDATA;
        snprintf(err, errlen, "%s: index scan does not find stream %d", path, stream_index);
        goto end;
    }
    AVRational tb = fmt->streams[stream_index]->time_base;

    if (with_pts > 0 && with_pts < n && fill_missing_pts(p, n) == 0)
        with_pts = n;

    /* Keyframes in decode order: where decoding may start, with the
     * timestamp to hand to av_seek_frame (dts where known; see below for
     * mov/mp4). */
    bool seek_by_pts = fmt->iformat->flags & AVFMT_SEEK_TO_PTS;
    int64_t max_pts = INT64_MIN;
    for (int64_t i = 0; i < n; i++) {
        if (p[i].pts > max_pts)
            max_pts = p[i].pts;
        if (!p[i].key || p[i].pts == AV_NOPTS_VALUE)
            continue;
        if (nkf == kfcap && grow((void **)&idx->kf, &kfcap, sizeof(*idx->kf)) < 0) {
            snprintf(err, errlen, "%s: out of memory while indexing", path);
            goto end;
        }
        idx->kf[nkf++] = (struct kzv_index_kf){
            .pts = p[i].pts,
            .seek_ts = p[i].dts != AV_NOPTS_VALUE ? p[i].dts : p[i].pts,
            .dts = p[i].dts,
        };
    }
    idx->nkf = nkf;
    /* mov/mp4 (AVFMT_SEEK_TO_PTS) takes a pts and maps it onto its sample
     * (dts) timeline by subtracting an offset of its own (composition shift
     * plus edit list, not exposed): given the keyframe's dts, or even its
     * pts when an edit list is present, it lands a whole GOP early, which
     * doubled the cost of every random access on B-frame streams. Every
     * timestamp from this keyframe's dts up to the next one's maps back to
     * this keyframe, so aim just below the next keyframe's pts: that lands
     * here for any offset between the next keyframe's pts - dts and about a
     * GOP. Landing early still works (the decoder drops the packets before
     * the keyframe's dts), landing late is detected and retried. */
    for (int64_t k = 0; seek_by_pts && k < nkf; k++) {
        int64_t upper = k + 1 < nkf ? idx->kf[k + 1].pts : kzv_sat_add(max_pts, 1);
        idx->kf[k].seek_ts = upper - 1 > idx->kf[k].pts ? upper - 1 : idx->kf[k].pts;
    }

    /* Display order. Packets with no timestamp at all keep decode order at the end. */
    qsort(p, (size_t)n, sizeof(*p), by_pts);
    idx->e = calloc((size_t)(n ? n : 1), sizeof(*idx->e));
    if (!idx->e) {
        snprintf(err, errlen, "%s: out of memory while indexing", path);
        goto end;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t d = i + 1 < n && p[i + 1].pts > p[i].pts ? kzv_sat_sub(p[i + 1].pts, p[i].pts)
                  : p[i].dur > 0 ? p[i].dur : (i > 0 ? kzv_sat_sub(p[i].pts, p[i - 1].pts) : 0);
        idx->e[i] = (kzv_index_entry){
            .pts_ts = p[i].pts,
            .pts = (double)p[i].pts * tb.num / tb.den,
            .duration = (double)d * tb.num / tb.den,
            .pos = p[i].pos,
            .size = p[i].size,
            .keyframe = p[i].key,
        };
    }
    idx->n = n;
    idx->no_pts = n > 0 && with_pts < n;
    code = KZV_OK;
end:
    free(p);
    av_packet_free(&pkt);
    if (code != KZV_OK)
        kzv_index_free(idx);
    return code;
}

int64_t kzv_index_find_pts(const kzv_index *idx, int64_t t)
{
    int64_t lo = 0, hi = idx->n;   /* first entry with pts > t */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (idx->e[mid].pts_ts <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

void kzv_index_shift(kzv_index *idx, int64_t delta, int tb_num, int tb_den)
{
    for (int64_t i = 0; i < idx->n; i++) {
        idx->e[i].pts_ts = kzv_sat_add(idx->e[i].pts_ts, delta);
        idx->e[i].pts = (double)idx->e[i].pts_ts * tb_num / tb_den;   /* as frames compute it */
    }
    for (int64_t i = 0; i < idx->nkf; i++)
        idx->kf[i].pts = kzv_sat_add(idx->kf[i].pts, delta);   /* seek_ts, dts stay: they are what the demuxer knows */
}

void kzv_index_free(kzv_index *idx)
{
    free(idx->e);
    free(idx->kf);
    memset(idx, 0, sizeof(*idx));
}
