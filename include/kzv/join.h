/*
 * kzv — joining encoded segments into one finished file.
 *
 * A video split into segments (kzv_decoder_plan_segments()) and encoded
 * part by part — on several processes or machines — comes back together
 * here: the parts' video packets are copied one after another (no decoding,
 * no re-encoding; every timestamp kept as the parts carry it, so a part
 * encoded with the source's timestamps keeps them), and every other stream
 * of the source — audio, subtitles, attachments (fonts), data —, its
 * chapters and its metadata are copied once, packet for packet, interleaved
 * with the video by time. The result is what one encode of the whole video,
 * remuxed with the source's other streams, would be.
 *
 * Each part must hold one video stream with the same codec, size, pixel
 * format and codec headers (extradata) as the first: parts encoded with the
 * same settings do. Decode timestamps that would go backwards where two
 * parts meet (an encoder's reorder delay estimated from the frames it saw)
 * are moved forward as far as needed and never past the packet's
 * presentation time; where that is impossible the join fails.
 *
 * The output is written under a temporary name beside it and renamed when
 * complete: a failed join never leaves a file that looks finished (an
 * existing device or FIFO, such as /dev/null, is written directly).
 *
 * Thread-safety: kzv_join() may run in several threads at once (on different
 * outputs); kzv_join_last_error() is per thread.
 */
#ifndef KZV_JOIN_H
#define KZV_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Settings of kzv_join(). Fixed size (see "Room to grow" in common.h). */
typedef struct kzv_join_settings {
    const char *source;        /**< the file whose other streams, chapters and metadata are
                                    copied; NULL = video only. Not retained. */
    int source_video_stream;   /**< the source's video stream the parts replace; -1 (default)
                                    = its best video stream. Other video streams (cover art …)
                                    are copied like the rest. */
    const char *container;     /**< muxer name; NULL (default) = from the output's extension */
    uint8_t reserved[64];      /**< zero */
} kzv_join_settings;

/** Fill *s with the defaults documented above. */
KZV_API void kzv_join_default_settings(kzv_join_settings *s);

/**
 * Join `n` parts, in order, into `output`.
 * @param parts    n file names; not retained.
 * @return KZV_OK; KZV_EINVAL (no parts, parts that differ, timestamps that
 *         cannot be kept, non-zero reserved bytes); KZV_ENOENT / KZV_EINVALIDDATA
 *         (a part or the source missing or unreadable); KZV_EUNSUPPORTED (a
 *         container that cannot hold a stream); KZV_EIO (the output cannot be
 *         written: full disk …). kzv_join_last_error() says which file and why.
 */
KZV_API int kzv_join(const char *output, const char *const *parts, size_t n, const kzv_join_settings *settings);

/** The calling thread's last kzv_join() failure ("" when none); owned by kzv. */
KZV_API const char *kzv_join_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* KZV_JOIN_H */
