/* The source's other streams copied packet for packet into a transcode's
 * output (kzv internal): audio, subtitles, attachments (fonts), data;
 * chapters, global and per-stream metadata, dispositions. The packets are
 * read from a second demuxer of the same source and fed to the encoder's
 * muxer in time order (remux_until() before each video packet), so the
 * muxer interleaves them; timestamps are rescaled exactly (av_rescale_q
 * between the streams' time bases) and shifted only by a cut's offset. */
#ifndef KZV_SRC_ENCODE_REMUX_H
#define KZV_SRC_ENCODE_REMUX_H

#include <stdbool.h>
#include <stddef.h>

#include <libavformat/avformat.h>

#include "encode/encoder_internal.h"

typedef struct kzv_remux kzv_remux;

typedef struct kzv_remux_opts {
    int video_index;        /* the source stream being re-encoded (never copied) */
    bool drop_audio, drop_subtitles, drop_data, drop_attachments;
    const char *languages;  /* comma-separated ISO 639 codes: audio and subtitle
                               streams whose "language" tag is not listed are
                               dropped; NULL = keep all */
    bool cut;               /* only with a range: the two below apply */
    double start, end;      /* source seconds: packets with pts in [start, end)
                               are copied; end <= start = to the end */
    double shift;           /* seconds subtracted from every copied timestamp */
} kzv_remux_opts;

/* Open the source for copying. `err` receives the reason on failure. */
int kzv_remux_open(kzv_remux **out, const char *src, const kzv_remux_opts *o, char *err, size_t n);

/* The encoder hooks that drive this remuxer (user = the remuxer). */
void kzv_remux_hooks(kzv_remux *r, kzv_encoder *e, kzv_enc_hooks *h);

/* Set the cut (source seconds; before the first video frame is written),
 * or its end (before close). */
void kzv_remux_set_cut(kzv_remux *r, double start, double shift);
void kzv_remux_set_end(kzv_remux *r, double end);

/* Streams copied (after prepare). */
int kzv_remux_streams(const kzv_remux *r);

void kzv_remux_close(kzv_remux **r);

#endif
