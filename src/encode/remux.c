/* Copying the source's other streams into a transcode's output; see remux.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/avstring.h>
#include <libavutil/mathematics.h>

#include "decode/input.h"
#include "encode/remux.h"

struct kzv_remux {
    kzv_remux_opts o;
    char *languages;
    AVFormatContext *in;
    kzv_encoder *enc;
    int *map;               /* input stream -> output stream index, -1 = not copied */
    int copied;
    AVPacket *pkt;
    bool have_pkt;          /* pkt holds the next packet to write */
    bool eof;
};

static bool lang_kept(const kzv_remux *r, const AVStream *st)
{
    if (!r->languages)
        return true;
    const AVDictionaryEntry *t = av_dict_get(st->metadata, "language", NULL, 0);
    if (!t)
        return false;
    size_t n = strlen(t->value);
    for (const char *p = r->languages; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && !av_strncasecmp(p, t->value, n))
            return true;
        p += len + (c ? 1 : 0);
    }
    return false;
}

static bool wanted(const kzv_remux *r, int i)
{
    const AVStream *st = r->in->streams[i];
    switch (st->codecpar->codec_type) {
    case AVMEDIA_TYPE_AUDIO:      return !r->o.drop_audio && lang_kept(r, st);
    case AVMEDIA_TYPE_SUBTITLE:   return !r->o.drop_subtitles && lang_kept(r, st);
    case AVMEDIA_TYPE_ATTACHMENT: return !r->o.drop_attachments;
    case AVMEDIA_TYPE_DATA:       return !r->o.drop_data;
    default:                      return false;   /* video (the re-encoded one and others) */
    }
}

int kzv_remux_open(kzv_remux **out, const char *src, const kzv_remux_opts *o, char *err, size_t n)
{
    *out = NULL;
    kzv_remux *r = calloc(1, sizeof(*r));
    if (!r)
        return snprintf(err, n, "out of memory"), KZV_ENOMEM;
    r->o = *o;
    if (o->languages && !(r->languages = strdup(o->languages))) {
        free(r);
        return snprintf(err, n, "out of memory"), KZV_ENOMEM;
    }
    r->o.languages = r->languages;
    /* kzv's own reader for local files (decode/input.c), not avio_open():
     * FFmpeg 5.1's file protocol open crashes when an allocation in it fails
     * (see encode/output_file.c; found by tests/faults, "transcode"). */
    const kzv_source in = { .path = src };
    const AVIOInterruptCB no_cb = { 0 };
    int e = kzv_input_open(&r->in, &in, &no_cb);
    if (e >= 0)
        e = avformat_find_stream_info(r->in, NULL);
    if (e < 0) {
        char msg[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(e, msg, sizeof(msg));
        snprintf(err, n, "cannot open %s to copy its other streams: %s", src, msg);
        kzv_remux_close(&r);
        return KZV_EIO;
    }
    r->map = malloc(sizeof(int) * r->in->nb_streams);
    r->pkt = av_packet_alloc();
    if (!r->map || !r->pkt) {
        kzv_remux_close(&r);
        return snprintf(err, n, "out of memory"), KZV_ENOMEM;
    }
    for (unsigned i = 0; i < r->in->nb_streams; i++) {
        r->map[i] = -1;
        if ((int)i != o->video_index && wanted(r, (int)i))
            r->map[i] = -2;      /* to be created by prepare */
        else
            r->in->streams[i]->discard = AVDISCARD_ALL;
    }
    *out = r;
    return KZV_OK;
}

static int copy_chapters(kzv_remux *r, AVFormatContext *mux)
{
    for (unsigned i = 0; i < r->in->nb_chapters; i++) {
        const AVChapter *ic = r->in->chapters[i];
        int64_t shift = av_rescale_q(llrint(r->o.shift * 1e6), AV_TIME_BASE_Q, ic->time_base);
        int64_t s0 = av_rescale_q(llrint(r->o.start * 1e6), AV_TIME_BASE_Q, ic->time_base);
        int64_t s1 = r->o.end > r->o.start ? av_rescale_q(llrint(r->o.end * 1e6), AV_TIME_BASE_Q, ic->time_base)
                                           : INT64_MAX;
        if (!r->o.cut) {
            s0 = INT64_MIN;
            s1 = INT64_MAX;
        }
        if (ic->end <= s0 || ic->start >= s1)
            continue;   /* outside a cut */
        AVChapter *c = av_mallocz(sizeof(*c));
        if (!c)
            return KZV_ENOMEM;
        c->id = ic->id;
        c->time_base = ic->time_base;
        c->start = FFMAX(ic->start, s0) - shift;
        c->end = FFMIN(ic->end, s1) - shift;
        if (av_dict_copy(&c->metadata, ic->metadata, 0) < 0) {
            av_free(c);
            return KZV_ENOMEM;
        }
        AVChapter **list = av_realloc_array(mux->chapters, mux->nb_chapters + 1, sizeof(*list));
        if (!list) {
            av_dict_free(&c->metadata);
            av_free(c);
            return KZV_ENOMEM;
        }
        mux->chapters = list;
        mux->chapters[mux->nb_chapters++] = c;
    }
    return KZV_OK;
}

static int prepare(void *user, AVFormatContext *mux, AVStream *video)
{
    kzv_remux *r = user;
    if (av_dict_copy(&mux->metadata, r->in->metadata, 0) < 0)
        return KZV_ENOMEM;
    /* The source video stream's own tags and dispositions (language, title,
     * default) on the re-encoded stream; not its old encoder's settings. */
    if (r->o.video_index >= 0 && r->o.video_index < (int)r->in->nb_streams) {
        const AVStream *iv = r->in->streams[r->o.video_index];
        av_dict_copy(&video->metadata, iv->metadata, 0);
        av_dict_set(&video->metadata, "encoder", NULL, 0);
        av_dict_set(&video->metadata, "BPS", NULL, 0);
        av_dict_set(&video->metadata, "DURATION", NULL, 0);
        av_dict_set(&video->metadata, "NUMBER_OF_FRAMES", NULL, 0);
        av_dict_set(&video->metadata, "NUMBER_OF_BYTES", NULL, 0);
        av_dict_set(&video->metadata, "_STATISTICS_TAGS", NULL, 0);
        av_dict_set(&video->metadata, "_STATISTICS_WRITING_APP", NULL, 0);
        av_dict_set(&video->metadata, "_STATISTICS_WRITING_DATE_UTC", NULL, 0);
        video->disposition = iv->disposition;
    }
    for (unsigned i = 0; i < r->in->nb_streams; i++) {
        if (r->map[i] != -2)
            continue;
        const AVStream *is = r->in->streams[i];
        bool attachment = is->codecpar->codec_type == AVMEDIA_TYPE_ATTACHMENT;
        /* Matroska is the container that holds attachments (fonts). */
        if (attachment ? !strstr(mux->oformat->name, "matroska")
                       : avformat_query_codec(mux->oformat, is->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0) {
            r->map[i] = -1;
            av_log(NULL, AV_LOG_WARNING, "kzv: the %s container cannot hold stream %u (%s %s): not copied\n",
                   mux->oformat->name, i, av_get_media_type_string(is->codecpar->codec_type),
                   avcodec_get_name(is->codecpar->codec_id));
            continue;
        }
        AVStream *os = avformat_new_stream(mux, NULL);
        if (!os)
            return KZV_ENOMEM;
        if (avcodec_parameters_copy(os->codecpar, is->codecpar) < 0)
            return KZV_ENOMEM;
        os->codecpar->codec_tag = 0;
        os->time_base = is->time_base;
        os->disposition = is->disposition;
        os->avg_frame_rate = is->avg_frame_rate;
        if (av_dict_copy(&os->metadata, is->metadata, 0) < 0)
            return KZV_ENOMEM;
        r->map[i] = os->index;
        r->copied++;
    }
    for (unsigned i = 0; i < r->in->nb_streams; i++)
        if (r->map[i] < 0)
            r->in->streams[i]->discard = AVDISCARD_ALL;
    return copy_chapters(r, mux);
}

/* Read the next packet of a copied stream into r->pkt. */
static int next_packet(kzv_remux *r)
{
    while (!r->have_pkt && !r->eof) {
        int e = av_read_frame(r->in, r->pkt);
        if (e == AVERROR_EOF) {
            r->eof = true;
            break;
        }
        if (e < 0) {
            if (e == AVERROR(EAGAIN))
                continue;
            r->eof = true;   /* a damaged tail: what was read is kept */
            break;
        }
        if (r->map[r->pkt->stream_index] < 0) {
            av_packet_unref(r->pkt);
            continue;
        }
        r->have_pkt = true;
    }
    return KZV_OK;
}

static double pkt_time(const kzv_remux *r, const AVPacket *p)
{
    int64_t ts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
    if (ts == AV_NOPTS_VALUE)
        return -INFINITY;
    return (double)ts * av_q2d(r->in->streams[p->stream_index]->time_base);
}

static int write_one(kzv_remux *r)
{
    AVPacket *p = r->pkt;
    AVStream *is = r->in->streams[p->stream_index];
    r->have_pkt = false;
    /* A cut: packets whose presentation starts outside [start, end) are left
     * out (attachments have no timing and are in the header). */
    int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
    double t = ts == AV_NOPTS_VALUE ? 0 : (double)ts * av_q2d(is->time_base);
    if (r->o.cut && ts != AV_NOPTS_VALUE && (t < r->o.start - 1e-9 || (r->o.end > r->o.start && t >= r->o.end - 1e-9))) {
        av_packet_unref(p);
        return KZV_OK;
    }
    AVStream *os = r->enc->mux->streams[r->map[p->stream_index]];
    if (r->o.shift != 0) {
        int64_t sh = av_rescale_q(llrint(r->o.shift * 1e6), AV_TIME_BASE_Q, is->time_base);
        if (p->pts != AV_NOPTS_VALUE)
            p->pts -= sh;
        if (p->dts != AV_NOPTS_VALUE)
            p->dts -= sh;
    }
    av_packet_rescale_ts(p, is->time_base, os->time_base);
    p->stream_index = os->index;
    p->pos = -1;
    return kzv_enc_mux_packet(r->enc, p);
}

static int before_video(void *user, double t)
{
    kzv_remux *r = user;
    /* t is in the output's time; the source's packets are shifted by o.shift. */
    for (;;) {
        next_packet(r);
        if (!r->have_pkt || pkt_time(r, r->pkt) - r->o.shift > t)
            return KZV_OK;
        int e = write_one(r);
        if (e < 0)
            return e;
    }
}

static int finish(void *user)
{
    kzv_remux *r = user;
    for (;;) {
        next_packet(r);
        if (!r->have_pkt)
            return KZV_OK;
        int e = write_one(r);
        if (e < 0)
            return e;
    }
}

void kzv_remux_hooks(kzv_remux *r, kzv_encoder *e, kzv_enc_hooks *h)
{
    r->enc = e;
    h->user = r;
    h->prepare = prepare;
    h->before_video = before_video;
    h->finish = finish;
}

void kzv_remux_set_cut(kzv_remux *r, double start, double shift)
{
    r->o.cut = true;
    r->o.start = start;
    r->o.shift = shift;
}

void kzv_remux_set_end(kzv_remux *r, double end)
{
    r->o.cut = true;
    r->o.end = end;
}

int kzv_remux_streams(const kzv_remux *r)
{
    return r ? r->copied : 0;
}

void kzv_remux_close(kzv_remux **pr)
{
    if (!pr || !*pr)
        return;
    kzv_remux *r = *pr;
    *pr = NULL;
    kzv_input_close(&r->in);
    av_packet_free(&r->pkt);
    free(r->map);
    free(r->languages);
    free(r);
}
