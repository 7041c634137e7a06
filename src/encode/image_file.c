/* kzv_image_file_encode: the encode-and-write step the image writers share. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kzv/common.h"
#include "image_file.h"
#include "core/staging.h"

static int encode(enum AVCodecID id, AVFrame *in, int qscale, AVPacket *pkt)
{
    const AVCodec *codec = avcodec_find_encoder(id);
    if (!codec)
        return KZV_EUNSUPPORTED;
    AVCodecContext *enc = avcodec_alloc_context3(codec);
    if (!enc)
        return KZV_ENOMEM;
    enc->width = in->width;
    enc->height = in->height;
    enc->pix_fmt = in->format;
    enc->color_range = in->color_range;
    enc->time_base = (AVRational){ 1, 1 };
    if (qscale > 0) {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * qscale;
        in->quality = enc->global_quality;
    }
    in->pict_type = AV_PICTURE_TYPE_I;
    int err = KZV_OK;
    if (avcodec_open2(enc, codec, NULL) < 0 || avcodec_send_frame(enc, in) < 0 ||
        avcodec_send_frame(enc, NULL) < 0 || avcodec_receive_packet(enc, pkt) < 0)
        err = KZV_EUNSUPPORTED;
    avcodec_free_context(&enc);
    return err;
}

static int write_whole(const char *path, const AVPacket *pkt)
{
    char *tmp = kzv_staging_name(path);
    if (!tmp)
        return KZV_ENOMEM;
    int err = KZV_EIO;
    FILE *fp = fopen(tmp, "wb");
    if (fp) {
        bool ok = fwrite(pkt->data, 1, (size_t)pkt->size, fp) == (size_t)pkt->size;
        if (fclose(fp) == 0 && ok && kzv_staging_commit(tmp, path) == 0)
            err = KZV_OK;
        else
            kzv_staging_discard(tmp, path);
    }
    free(tmp);
    return err;
}

int kzv_image_file_encode(enum AVCodecID id, AVFrame *in, int qscale, const char *path)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return KZV_ENOMEM;
    int err = encode(id, in, qscale, pkt);
    if (err == KZV_OK)
        err = write_whole(path, pkt);
    av_packet_free(&pkt);
    return err;
}
