/* The frame index: a demux-only scan (no decoding) of one stream that lists
 * every frame in display order with its timing and where its packet is. It
 * makes total_frames exact and exact seeking possible. */
#ifndef KZV_SRC_DECODE_INDEX_H
#define KZV_SRC_DECODE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/decoder.h"

/* The scanner's version: raise it whenever kzv_index_scan() would describe
 * some file differently than before (a fix in how timestamps are found), so
 * that indexes saved by an earlier kzv are rebuilt instead of trusted. */
#define KZV_INDEX_SCAN_VERSION 1

typedef struct kzv_index {
    kzv_index_entry *e;       /* display order (sorted by pts) */
    int64_t n;
    /* Keyframes in decode order: for entry i of e[], the keyframe to start
     * decoding from is found by pts; kf[] holds its pts, the timestamp to
     * hand to av_seek_frame() (in the demuxer's own convention: dts where
     * known, a pts for AVFMT_SEEK_TO_PTS formats such as mov/mp4; see
     * kzv_index_scan()) and its dts (AV_NOPTS_VALUE when unknown), which
     * tells the packets before it. */
    struct kzv_index_kf { int64_t pts, seek_ts, dts; } *kf;
    int64_t nkf;
    bool no_pts;              /* the container's pts are missing for some or
                                 all packets (AVI, raw streams): entries carry
                                 decode timestamps, frames are found by counting */
} kzv_index;

/* Scan stream `stream_index` of `fmt`, a demuxer context of its own (not the
 * decoder's) positioned at the start; reads it to the end. Returns KZV_OK or a
 * KZV error with a message in err. */
struct AVFormatContext;
int kzv_index_scan(kzv_index *idx, struct AVFormatContext *fmt, int stream_index, char *err, size_t errlen);

/* Display-order position of the last frame with pts <= t (raw units), or -1
 * when t is before the first frame. */
int64_t kzv_index_find_pts(const kzv_index *idx, int64_t t);

/* Shift every timestamp of the index by `delta` (raw units): for streams
 * without pts, where the decoder's best-effort timestamps run `delta` ticks
 * behind the packets' decode timestamps (its reorder delay). */
void kzv_index_shift(kzv_index *idx, int64_t delta, int tb_num, int tb_den);

void kzv_index_free(kzv_index *idx);

#endif
