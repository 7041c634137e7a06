/* Internal side of kzv_encoder, shared by the files that implement it:
 *   encoder_open.c   settings, option checks, the output under its temporary
 *                    name, close (flush, trailer, rename) and abort
 *   encoder_write.c  the codec started on the first frame, pixel conversion,
 *                    timestamps, encode and mux
 * and by the transcode (remux.c, transcode.c), which adds the source's other
 * streams to the same muxer through the hooks below. */
#ifndef KZV_SRC_ENCODE_ENCODER_INTERNAL_H
#define KZV_SRC_ENCODE_ENCODER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "kzv/encoder.h"
#include "convert/rgb2yuv.h"
#include "core/log.h"
#include "core/workers.h"

/* What a transcode plugs into an encoder (all optional; `user` is theirs). */
typedef struct kzv_enc_hooks {
    void *user;
    /* Before the header: add streams, chapters, metadata to `mux` (the video
     * stream is already there). */
    int (*prepare)(void *user, AVFormatContext *mux, AVStream *video);
    /* Before a video packet whose dts is `dts_seconds` is written: write
     * other streams' packets up to there (kzv_enc_mux_packet()). */
    int (*before_video)(void *user, double dts_seconds);
    /* After the last video packet, before the trailer: write the rest. */
    int (*finish)(void *user);
} kzv_enc_hooks;

struct kzv_encoder {
    kzv_logger log;
    kzv_encoder_settings s;         /* strings below are the copies */
    char *codec_name, *preset, *container;
    char **options;                 /* NULL-terminated copy */
    char *path, *tmp_path;

    const AVCodec *codec;
    const AVOutputFormat *ofmt;
    AVFormatContext *mux;
    AVCodecContext *ctx;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    kzv_rgb2yuv r2y;
    kzv_workers *pool;

    bool started;                   /* codec open, header written */
    bool failed;                    /* an error happened: only abort is left */
    int fail_code;                  /* its status */
    kzv_pixfmt in_fmt, out_fmt;
    int in_w, in_h;
    kzv_rational in_tb;
    int64_t last_pts;               /* in ctx->time_base */
    int matrix, range, primaries, transfer;

    kzv_enc_hooks hooks;
    kzv_encoder_stats stats;
    char err[1024];
};

/* Keep a message as the encoder's last error, mark it failed, return `code`. */
__attribute__((format(printf, 3, 4)))
int kzv_enc_fail(kzv_encoder *e, int code, const char *fmt, ...);

/* The KZV status of an FFmpeg error code on the output side. */
int kzv_enc_status(int averror);

/* FFmpeg's text for an error code. */
const char *kzv_enc_averr(int averror, char *buf, size_t n);
#define ENC_AVERR(e) kzv_enc_averr((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

/* Set the hooks (before the first frame). */
void kzv_enc_set_hooks(kzv_encoder *e, const kzv_enc_hooks *h);

/* Write a packet of another stream (its timestamps in that stream's time
 * base in `mux`), interleaved. Takes the packet's data. */
int kzv_enc_mux_packet(kzv_encoder *e, AVPacket *pkt);

/* output_file.c: create `path` for writing as *pb (an AVERROR on failure,
 * then no file is left), and flush + close it (the first write, flush or
 * close error as an AVERROR, else 0; *pb = NULL). Not avio_open(): see there. */
int kzv_enc_file_open(AVIOContext **pb, const char *path);
int kzv_enc_file_close(AVIOContext **pb);

/* encoder_write.c: send `f` (NULL: flush) and write what comes out. */
int kzv_enc_encode(kzv_encoder *e, const AVFrame *f);

#endif
