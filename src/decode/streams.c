/* Every stream of the container (kzv_decoder_stream_count() /
 * kzv_decoder_stream()): what ffprobe -show_streams lists, for the streams
 * kzv does not decode too (audio, subtitles, attachments, data). */
#include <stdlib.h>
#include <string.h>

#include <libavutil/channel_layout.h>

#include "decode/decoder_internal.h"

struct kzv_dec_stream {
    kzv_stream_info info;
    char layout[64];
};

static const char *tag(const AVStream *st, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(st->metadata, key, NULL, 0);
    return e && e->value && *e->value ? e->value : NULL;
}

static kzv_media_type media_type(enum AVMediaType t)
{
    switch (t) {
    case AVMEDIA_TYPE_VIDEO:      return KZV_MEDIA_VIDEO;
    case AVMEDIA_TYPE_AUDIO:      return KZV_MEDIA_AUDIO;
    case AVMEDIA_TYPE_SUBTITLE:   return KZV_MEDIA_SUBTITLE;
    case AVMEDIA_TYPE_ATTACHMENT: return KZV_MEDIA_ATTACHMENT;
    case AVMEDIA_TYPE_DATA:       return KZV_MEDIA_DATA;
    default:                      return KZV_MEDIA_UNKNOWN;
    }
}

int kzv_dec_describe_streams(kzv_decoder *d)
{
    unsigned n = d->fmt->nb_streams;
    d->nb_streams = 0;
    if (!n)
        return KZV_OK;
    d->streams = calloc(n, sizeof(*d->streams));
    if (!d->streams)
        return KZV_ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        const AVStream *st = d->fmt->streams[i];
        const AVCodecParameters *par = st->codecpar;
        struct kzv_dec_stream *ds = &d->streams[i];
        kzv_stream_info *s = &ds->info;
        s->index = st->index;
        s->type = media_type(par->codec_type);
        s->codec = par->codec_id != AV_CODEC_ID_NONE ? avcodec_get_name(par->codec_id) : NULL;
        s->language = tag(st, "language");
        s->title = tag(st, "title");
        s->time_base = (kzv_rational){ st->time_base.num, st->time_base.den };
        s->start_time = kzv_dec_seconds(st->start_time, st->time_base);
        s->duration = st->duration > 0 ? kzv_dec_seconds(st->duration, st->time_base) : 0.0;
        s->bit_rate = par->bit_rate > 0 ? par->bit_rate : 0;
        s->header_frames = st->nb_frames > 0 ? st->nb_frames : -1;
        s->is_default = (st->disposition & AV_DISPOSITION_DEFAULT) != 0;
        s->forced = (st->disposition & AV_DISPOSITION_FORCED) != 0;
        s->attached_pic = (st->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0;
        s->decoded = st == d->st;
        if (s->type == KZV_MEDIA_VIDEO) {
            s->width = par->width;
            s->height = par->height;
        } else if (s->type == KZV_MEDIA_AUDIO) {
            s->sample_rate = par->sample_rate;
            s->channels = par->ch_layout.nb_channels;
            s->sample_fmt = av_get_sample_fmt_name((enum AVSampleFormat)par->format);
            if (par->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC &&
                av_channel_layout_describe(&par->ch_layout, ds->layout, sizeof(ds->layout)) > 0)
                s->channel_layout = ds->layout;
        } else if (s->type == KZV_MEDIA_ATTACHMENT) {
            s->filename = tag(st, "filename");
            s->mimetype = tag(st, "mimetype");
        }
        d->nb_streams++;
    }
    return KZV_OK;
}

void kzv_dec_free_streams(kzv_decoder *d)
{
    free(d->streams);
    d->streams = NULL;
    d->nb_streams = 0;
}

int kzv_decoder_stream_count(const kzv_decoder *d)
{
    return d ? d->nb_streams : 0;
}

const kzv_stream_info *kzv_decoder_stream(const kzv_decoder *d, int i)
{
    if (!d || i < 0 || i >= d->nb_streams)
        return NULL;
    return &d->streams[i].info;
}
