/* DivX-style packed B-frames (MPEG-4 Part 2 in AVI from the DivX 5 and XviD
 * Video for Windows codecs): FFmpeg's mpeg4_unpack_bframes filter turns them
 * back into one VOP per packet before the decoder sees them.
 *
 * FFmpeg decodes packed streams natively by keeping the second VOP of a
 * packet for the next call, but that state does not survive a seek cleanly:
 * after avcodec_flush_buffers() and with skip_frame set while seeking, the
 * stored B-frame and the packets around it get out of step and the frames
 * after an exact seek differ from sequential decoding. Unpacked, the stream
 * is an ordinary B-frame stream; the timing is unchanged (each packet keeps
 * its properties: the frame that decoding it releases carries its dts, as
 * before). Streams that are not packed pass through untouched. */
#include <libavcodec/bsf.h>

#include "decode/decoder_internal.h"

int kzv_unpack_open(AVBSFContext **bsf, const AVStream *st)
{
    *bsf = NULL;
    if (st->codecpar->codec_id != AV_CODEC_ID_MPEG4)
        return 0;
    const AVBitStreamFilter *f = av_bsf_get_by_name("mpeg4_unpack_bframes");
    if (!f)
        return 0;   /* FFmpeg built without it: native decoding */
    int ret = av_bsf_alloc(f, bsf);
    if (ret < 0)
        return ret;
    if ((ret = avcodec_parameters_copy((*bsf)->par_in, st->codecpar)) < 0 ||
        ((*bsf)->time_base_in = st->time_base, (ret = av_bsf_init(*bsf)) < 0)) {
        av_bsf_free(bsf);
        return ret;
    }
    return 0;
}

int kzv_unpack_filter(AVBSFContext *bsf, AVPacket *pkt)
{
    int ret = av_bsf_send_packet(bsf, pkt);
    if (ret < 0) {
        av_packet_unref(pkt);
        return ret;
    }
    return av_bsf_receive_packet(bsf, pkt);
}
