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

/* Some packets carry a pts and some only a dts (MPEG-PS and MPEG-TS write a
 * pts only now and then; anchors of a B-frame stream then lack it). With
 * coherent timestamps, the display times are the decode times shifted by the
 * reorder delay: {pts} = {dts + c} with c = min(pts) - min(dts). Check that
 * every known pts is in that set, give the unclaimed values to the packets
 * without pts in decode order (their display order: they are anchors), and
 * return 0; return -1 (nothing changed) when the stream does not fit. This is
 * also what the decoder shows for such frames: the dts of the packet whose
 * decoding releases them, which is their display time. */
static int fill_missing_pts(scan_pkt *p, int64_t n)
{
    int64_t min_pts = INT64_MAX, min_dts = INT64_MAX, missing = 0;
    for (int64_t i = 0; i < n; i++) {
        if (p[i].dts == AV_NOPTS_VALUE)
            return -1;
        if (p[i].has_pts && p[i].pts < min_pts)
            min_pts = p[i].pts;
        if (p[i].dts < min_dts)
            min_dts = p[i].dts;
        missing += !p[i].has_pts;
    }
    int64_t c = kzv_sat_sub(min_pts, min_dts);
    int64_t *grid = malloc(sizeof(*grid) * (size_t)n), *known = malloc(sizeof(*known) * (size_t)n);
    int64_t nk = 0, nfree = 0, code = -1;
    if (!grid || !known)
        goto end;
    for (int64_t i = 0; i < n; i++) {
        grid[i] = kzv_sat_add(p[i].dts, c);
        if (p[i].has_pts)
            known[nk++] = p[i].pts;
    }
    qsort(grid, (size_t)n, sizeof(*grid), cmp_i64);
    qsort(known, (size_t)nk, sizeof(*known), cmp_i64);
    /* Multiset difference grid - known; every known pts must be matched. */
    int64_t g = 0;
    for (int64_t k = 0; k < nk; k++) {
        while (g < n && grid[g] < known[k])
            grid[nfree++] = grid[g++];
        if (g == n || grid[g] != known[k])
            goto end;
        g++;
    }
    while (g < n)
        grid[nfree++] = grid[g++];
    if (nfree != missing)
        goto end;
    for (int64_t i = 0, j = 0; i < n; i++)
        if (!p[i].has_pts)
            p[i].pts = grid[j++];
    code = 0;
end:
    free(grid);
    free(known);
    return (int)code;
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
