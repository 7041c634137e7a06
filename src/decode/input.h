/* Where a decoder's bytes come from: a local file through kzv's own
 * interruptible reader, a memory buffer, or any other URL through FFmpeg's
 * protocols. Every open installs the decoder's interrupt callback, so a
 * stalled read (a FIFO whose writer stopped, a dead network peer) returns
 * when the decoder is interrupted or its I/O deadline passes. */
#ifndef KZV_SRC_DECODE_INPUT_H
#define KZV_SRC_DECODE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libavformat/avformat.h>

typedef struct kzv_source {
    const char *path;          /* file name or URL (also used as a format hint) */
    const uint8_t *mem;        /* non-NULL: read from this buffer instead */
    size_t mem_size;
    const AVInputFormat *format; /* the demuxer to use; NULL: probe the content */
} kzv_source;

/* Open `src` into a new demuxer context. Returns 0 or an AVERROR code
 * (AVERROR_EXIT when interrupted). `cb` is copied. */
int kzv_input_open(AVFormatContext **fmt, const kzv_source *src, const AVIOInterruptCB *cb);

/* True for a plain file name (no URL scheme): read by kzv's own reader. */
bool kzv_input_is_local(const char *path);

/* Close what kzv_input_open() made (also its custom I/O). NULL-safe. */
void kzv_input_close(AVFormatContext **fmt);

#endif
