/* kzv_join(): encoded segments back into one file, with the source's other
 * streams. Two inputs are read side by side — the parts' video, one part
 * after another, and the source's other streams — and the packet with the
 * earlier decode time goes out first, so the muxer's interleaving queue
 * holds a few packets, not a whole stream. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>

#include "kzv/join.h"
#include "core/abi.h"
#include "decode/input.h"
#include "encode/encoder_internal.h"
#include "core/staging.h"

static _Thread_local char t_err[1024];

const char *kzv_join_last_error(void)
{
    return t_err;
}

__attribute__((format(printf, 2, 3)))
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t_err, sizeof(t_err), fmt, ap);
    va_end(ap);
    return code;
}

static const char *averr(int e, char *buf)
{
    av_strerror(e, buf, AV_ERROR_MAX_STRING_SIZE);
    return buf;
}
#define AVERR(e) averr((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 })

/* The KZV status of a failure to read an input. */
static int read_status(int e)
{
    switch (e) {
    case AVERROR(ENOENT):          return KZV_ENOENT;
    case AVERROR(EACCES):
    case AVERROR(EPERM):
    case AVERROR(EIO):
    case AVERROR(EISDIR):          return KZV_EIO;
    case AVERROR(ENOMEM):          return KZV_ENOMEM;
    case AVERROR_DEMUXER_NOT_FOUND:
    case AVERROR_PROTOCOL_NOT_FOUND:
    case AVERROR(ENOSYS):          return KZV_EUNSUPPORTED;
    default:                       return KZV_EINVALIDDATA;
    }
}

void kzv_join_default_settings(kzv_join_settings *s)
{
    if (s)
        *s = (kzv_join_settings){ .source_video_stream = -1 };
}

typedef struct join {
    const kzv_join_settings *s;
    const char *const *parts;
    size_t nparts, cur;          /* the part being read */
    AVFormatContext *part;       /* parts[cur], open */
    int part_video;              /* its video stream */
    AVCodecParameters *first;    /* part 0's video parameters: every part must match */
    int64_t *dts;                /* the part's decode timestamps, when its container
                                    leaves some out (Matroska): NULL = as demuxed */
    int64_t ndts, next_dts;

    AVFormatContext *src;        /* NULL: video only */
    int src_video;
    int *src_map;                /* source stream -> output stream, -1 = not copied */

    AVFormatContext *out;
    char *tmp;                   /* the output's temporary name */
    int64_t last_dts;            /* the video's, in its output time base */
    int64_t video_packets;
} join;

static int open_input(AVFormatContext **fmt, const char *path, const char *what)
{
    /* kzv's own reader and writer (decode/input.c, encode/output_file.c),
     * not FFmpeg's file protocol, whose open crashes when an allocation in
     * it fails (FFmpeg 5.1; see output_file.c). */
    const kzv_source src = { .path = path };
    const AVIOInterruptCB no_cb = { 0 };
    int ret = kzv_input_open(fmt, &src, &no_cb);
    if (ret < 0)
        return fail(read_status(ret), "%s %s: %s", what, path, AVERR(ret));
    if ((ret = avformat_find_stream_info(*fmt, NULL)) < 0)
        return fail(read_status(ret), "%s %s: %s", what, path, AVERR(ret));
    return KZV_OK;
}

static bool same_stream(const AVCodecParameters *a, const AVCodecParameters *b)
{
    return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height &&
           a->format == b->format && a->extradata_size == b->extradata_size &&
           (!a->extradata_size || memcmp(a->extradata, b->extradata, (size_t)a->extradata_size) == 0);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Matroska stores presentation times only, so its demuxer leaves most decode
 * times unset, and a muxer that needs them (and the check that they grow)
 * would be guessing. Give the part the decode times its encoder had: the
 * presentation times in display order, moved back by the smallest delay that
 * keeps every packet's decode time at or before its presentation time.
 * Reads the part once (demux only); the part is then reopened. */
static int plan_dts(join *j)
{
    AVPacket *pkt = av_packet_alloc();
    int64_t *pts = NULL, n = 0, cap = 0;
    bool missing = false;
    int err = KZV_OK, ret;
    if (!pkt)
        return fail(KZV_ENOMEM, "out of memory");
    while ((ret = av_read_frame(j->part, pkt)) >= 0) {
        if (pkt->stream_index == j->part_video) {
            if (pkt->pts == AV_NOPTS_VALUE) {
                err = fail(KZV_EINVALIDDATA, "part %s: a video packet without a presentation time",
                           j->parts[j->cur]);
                break;
            }
            if (n == cap) {
                int64_t *np = av_realloc_array(pts, (size_t)(cap = cap ? cap * 2 : 1024), sizeof(*pts));
                if (!np) {
                    err = fail(KZV_ENOMEM, "out of memory");
                    break;
                }
                pts = np;
            }
            pts[n++] = pkt->pts;
            missing |= pkt->dts == AV_NOPTS_VALUE;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (err == KZV_OK && ret != AVERROR_EOF)
        err = fail(read_status(ret), "part %s: %s", j->parts[j->cur], AVERR(ret));
    av_freep(&j->dts);
    if (err == KZV_OK && missing) {
        int64_t *sorted = av_malloc_array((size_t)(n ? n : 1), sizeof(*sorted));
        if (!sorted) {
            err = fail(KZV_ENOMEM, "out of memory");
        } else {
            memcpy(sorted, pts, sizeof(*pts) * (size_t)n);
            qsort(sorted, (size_t)n, sizeof(*sorted), cmp_i64);
            int64_t delay = 0;
            for (int64_t i = 0; i < n; i++)
                if (sorted[i] - pts[i] > delay)
                    delay = sorted[i] - pts[i];
            for (int64_t i = 0; i < n; i++)
                sorted[i] -= delay;
            j->dts = sorted;
            j->ndts = n;
            j->next_dts = 0;
        }
    }
    av_free(pts);
    return err;
}

/* Open parts[j->cur] and find its video stream, checking it against part 0. */
static int open_part(join *j)
{
    kzv_input_close(&j->part);
    const char *path = j->parts[j->cur];
    int err = open_input(&j->part, path, "part");
    if (err < 0)
        return err;
    int v = av_find_best_stream(j->part, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (v < 0)
        return fail(KZV_EINVALIDDATA, "part %s: no video stream", path);
    j->part_video = v;
    for (unsigned i = 0; i < j->part->nb_streams; i++)
        j->part->streams[i]->discard = (int)i == v ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if ((err = plan_dts(j)) < 0)
        return err;
    {                          /* read again from the start */
        kzv_input_close(&j->part);
        if ((err = open_input(&j->part, path, "part")) < 0)
            return err;
        for (unsigned i = 0; i < j->part->nb_streams; i++)
            j->part->streams[i]->discard = (int)i == v ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    }
    AVCodecParameters *par = j->part->streams[v]->codecpar;
    if (j->first && !same_stream(j->first, par))
        return fail(KZV_EINVAL, "part %s: its video (%s %dx%d, %d bytes of codec headers) differs from "
                    "the first part's (%s %dx%d, %d bytes): parts must be encoded with the same settings",
                    path, avcodec_get_name(par->codec_id), par->width, par->height, par->extradata_size,
                    avcodec_get_name(j->first->codec_id), j->first->width, j->first->height,
                    j->first->extradata_size);
    return KZV_OK;
}

static int add_stream(join *j, const AVStream *in, AVStream **out_st)
{
    AVStream *st = avformat_new_stream(j->out, NULL);
    if (!st)
        return fail(KZV_ENOMEM, "out of memory");
    int ret = avcodec_parameters_copy(st->codecpar, in->codecpar);
    if (ret < 0)
        return fail(KZV_ENOMEM, "out of memory");
    st->codecpar->codec_tag = 0;
    /* 0: the muxer knows it cannot (attachments are checked by the muxer itself). */
    if (in->codecpar->codec_type != AVMEDIA_TYPE_ATTACHMENT &&
        avformat_query_codec(j->out->oformat, in->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0)
        return fail(KZV_EUNSUPPORTED, "the %s container cannot hold a %s stream (%s)", j->out->oformat->name,
                    av_get_media_type_string(in->codecpar->codec_type) ? av_get_media_type_string(in->codecpar->codec_type) : "data",
                    avcodec_get_name(in->codecpar->codec_id));
    st->time_base = in->time_base;
    st->disposition = in->disposition;
    st->avg_frame_rate = in->avg_frame_rate;
    st->sample_aspect_ratio = in->sample_aspect_ratio;
    if (av_dict_copy(&st->metadata, in->metadata, 0) < 0)
        return fail(KZV_ENOMEM, "out of memory");
    *out_st = st;
    return KZV_OK;
}

static int copy_chapters(join *j)
{
    for (unsigned i = 0; i < j->src->nb_chapters; i++) {
        const AVChapter *c = j->src->chapters[i];
        AVChapter *o = av_mallocz(sizeof(*o));
        if (!o || av_dynarray_add_nofree(&j->out->chapters, (int *)&j->out->nb_chapters, o) < 0) {
            av_free(o);
            return fail(KZV_ENOMEM, "out of memory");
        }
        o->id = c->id;
        o->time_base = c->time_base;
        o->start = c->start;
        o->end = c->end;
        if (av_dict_copy(&o->metadata, c->metadata, 0) < 0)
            return fail(KZV_ENOMEM, "out of memory");
    }
    return KZV_OK;
}

static int setup_output(join *j, const char *output)
{
    const char *container = j->s->container;
    int ret = avformat_alloc_output_context2(&j->out, NULL, container, output);
    if (ret < 0 || !j->out)
        return fail(KZV_EUNSUPPORTED, "%s: %s", output,
                    container ? "unknown container" : "no container for this file name (give one)");
    AVStream *vst = NULL;
    int err = add_stream(j, j->part->streams[j->part_video], &vst);
    if (err < 0)
        return err;
    if (j->src) {
        const AVStream *sv = j->src->streams[j->src_video];
        av_dict_free(&vst->metadata);      /* the source's language/title, not the part's encoder tag */
        if (av_dict_copy(&vst->metadata, sv->metadata, 0) < 0)
            return fail(KZV_ENOMEM, "out of memory");
        av_dict_set(&vst->metadata, "DURATION", NULL, 0);
        av_dict_set(&vst->metadata, "ENCODER", NULL, 0);
        vst->disposition = sv->disposition;
        j->src_map = av_malloc_array(j->src->nb_streams, sizeof(*j->src_map));
        if (!j->src_map)
            return fail(KZV_ENOMEM, "out of memory");
        for (unsigned i = 0; i < j->src->nb_streams; i++) {
            AVStream *in = j->src->streams[i];
            j->src_map[i] = -1;
            in->discard = AVDISCARD_ALL;
            if ((int)i == j->src_video)
                continue;
            AVStream *o = NULL;
            if ((err = add_stream(j, in, &o)) < 0)
                return err;
            av_dict_set(&o->metadata, "DURATION", NULL, 0);
            j->src_map[i] = o->index;
            in->discard = AVDISCARD_DEFAULT;
        }
        if (av_dict_copy(&j->out->metadata, j->src->metadata, 0) < 0 || copy_chapters(j) < 0)
            return fail(KZV_ENOMEM, "out of memory");
        av_dict_set(&j->out->metadata, "encoder", NULL, 0);
    }
    j->tmp = kzv_staging_name(output);
    if (!j->tmp)
        return fail(KZV_ENOMEM, "out of memory");
    if (!(j->out->oformat->flags & AVFMT_NOFILE) && (ret = kzv_enc_file_open(&j->out->pb, j->tmp)) < 0)
        return fail(KZV_EIO, "%s: cannot create: %s", j->tmp, AVERR(ret));
    if ((ret = avformat_write_header(j->out, NULL)) < 0)
        return fail(ret == AVERROR(EINVAL) ? KZV_EUNSUPPORTED : KZV_EIO, "%s: cannot write the header: %s",
                    output, AVERR(ret));
    return KZV_OK;
}

/* The next video packet, moving on to the next part at the end of one.
 * 0, AVERROR_EOF after the last part, or a KZV error. */
static int next_video(join *j, AVPacket *pkt)
{
    for (;;) {
        int ret = av_read_frame(j->part, pkt);
        if (ret >= 0) {
            if (pkt->stream_index == j->part_video) {
                if (j->dts) {
                    if (j->next_dts >= j->ndts)
                        return fail(KZV_EINVALIDDATA, "part %s changed while it was read", j->parts[j->cur]);
                    pkt->dts = j->dts[j->next_dts++];
                }
                return 0;
            }
            av_packet_unref(pkt);
            continue;
        }
        if (ret != AVERROR_EOF)
            return fail(read_status(ret), "part %s: %s", j->parts[j->cur], AVERR(ret));
        if (++j->cur == j->nparts)
            return AVERROR_EOF;
        int err = open_part(j);
        if (err < 0)
            return err;
    }
}

/* The next packet of a copied source stream: 0, AVERROR_EOF, or a KZV error. */
static int next_source(join *j, AVPacket *pkt)
{
    for (;;) {
        int ret = av_read_frame(j->src, pkt);
        if (ret == AVERROR_EOF)
            return ret;
        if (ret < 0)
            return fail(read_status(ret), "source %s: %s", j->s->source, AVERR(ret));
        if (j->src_map[pkt->stream_index] >= 0)
            return 0;
        av_packet_unref(pkt);
    }
}

static int64_t order_ts(const AVPacket *p)
{
    return p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
}

static int write_video(join *j, AVPacket *pkt)
{
    AVStream *in = j->part->streams[j->part_video], *out = j->out->streams[0];
    av_packet_rescale_ts(pkt, in->time_base, out->time_base);
    pkt->stream_index = 0;
    pkt->pos = -1;
    /* Where two parts meet, each encoder guessed its first decode times from
     * its own frames only: move them forward past the previous part's. */
    if (pkt->dts != AV_NOPTS_VALUE && j->last_dts != AV_NOPTS_VALUE && pkt->dts <= j->last_dts) {
        pkt->dts = j->last_dts + 1;
        if (pkt->pts != AV_NOPTS_VALUE && pkt->dts > pkt->pts)
            return fail(KZV_EINVAL, "part %s: its decode timestamps overlap the previous part's and cannot be "
                        "moved without passing a presentation time (%" PRId64 " > %" PRId64 " in %d/%d)",
                        j->parts[j->cur], pkt->dts, pkt->pts, out->time_base.num, out->time_base.den);
    }
    if (pkt->dts != AV_NOPTS_VALUE)
        j->last_dts = pkt->dts;
    j->video_packets++;
    int ret = av_interleaved_write_frame(j->out, pkt);
    return ret < 0 ? fail(KZV_EIO, "%s: write failed: %s", j->tmp, AVERR(ret)) : KZV_OK;
}

static int write_source(join *j, AVPacket *pkt)
{
    AVStream *in = j->src->streams[pkt->stream_index];
    int o = j->src_map[pkt->stream_index];
    av_packet_rescale_ts(pkt, in->time_base, j->out->streams[o]->time_base);
    pkt->stream_index = o;
    pkt->pos = -1;
    int ret = av_interleaved_write_frame(j->out, pkt);
    return ret < 0 ? fail(KZV_EIO, "%s: write failed: %s", j->tmp, AVERR(ret)) : KZV_OK;
}

static int copy_packets(join *j)
{
    AVPacket *v = av_packet_alloc(), *a = av_packet_alloc();
    int err = KZV_ENOMEM;
    if (!v || !a) {
        fail(err, "out of memory");
        goto end;
    }
    int rv = next_video(j, v), ra = j->src ? next_source(j, a) : AVERROR_EOF;
    while (rv == 0 || ra == 0) {
        if (rv < 0 && rv != AVERROR_EOF) { err = rv; goto end; }
        if (ra < 0 && ra != AVERROR_EOF) { err = ra; goto end; }
        bool video_first = ra != 0 ||
            (rv == 0 && av_compare_ts(order_ts(v), j->part->streams[j->part_video]->time_base,
                                      order_ts(a), j->src->streams[a->stream_index]->time_base) <= 0);
        if (video_first) {
            if ((err = write_video(j, v)) < 0)
                goto end;
            rv = next_video(j, v);
        } else {
            if ((err = write_source(j, a)) < 0)
                goto end;
            ra = next_source(j, a);
        }
    }
    err = rv != AVERROR_EOF ? rv : ra != AVERROR_EOF ? ra : KZV_OK;
end:
    av_packet_free(&v);
    av_packet_free(&a);
    return err;
}

static int finish(join *j, const char *output)
{
    int ret = av_write_trailer(j->out);
    if (ret < 0)
        return fail(KZV_EIO, "%s: cannot finish the file: %s", j->tmp, AVERR(ret));
    if (j->out->pb) {
        avio_flush(j->out->pb);
        bool bad = j->out->pb->error < 0;
        if ((ret = kzv_enc_file_close(&j->out->pb)) < 0 || bad)
            return fail(KZV_EIO, "%s: write failed: %s", j->tmp, AVERR(bad ? AVERROR(EIO) : ret));
    }
    if (kzv_staging_commit(j->tmp, output) < 0)
        return fail(KZV_EIO, "%s: cannot rename to %s: %s", j->tmp, output, strerror(errno));
    return KZV_OK;
}

int kzv_join(const char *output, const char *const *parts, size_t n, const kzv_join_settings *settings)
{
    t_err[0] = 0;
    kzv_join_settings s;
    kzv_join_default_settings(&s);
    if (settings)
        s = *settings;
    if (!output || !parts || n == 0)
        return fail(KZV_EINVAL, "kzv_join: an output and at least one part are needed");
    if (!KZV_RESERVED_OK(&s))
        return fail(KZV_EINVAL, "kzv_join: reserved bytes must be zero");
    for (size_t i = 0; i < n; i++)
        if (!parts[i])
            return fail(KZV_EINVAL, "kzv_join: part %zu is NULL", i);
    join j = { .s = &s, .parts = parts, .nparts = n, .last_dts = AV_NOPTS_VALUE };
    int err = open_part(&j);
    if (err < 0)
        goto end;
    j.first = avcodec_parameters_alloc();
    if (!j.first || avcodec_parameters_copy(j.first, j.part->streams[j.part_video]->codecpar) < 0) {
        err = fail(KZV_ENOMEM, "out of memory");
        goto end;
    }
    if (s.source) {
        if ((err = open_input(&j.src, s.source, "source")) < 0)
            goto end;
        int v = s.source_video_stream;
        if (v < 0)
            v = av_find_best_stream(j.src, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (v < 0 || (unsigned)v >= j.src->nb_streams ||
            j.src->streams[v]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) {
            err = fail(KZV_EINVAL, "source %s: no video stream %d to replace", s.source, s.source_video_stream);
            goto end;
        }
        j.src_video = v;
    }
    if ((err = setup_output(&j, output)) < 0 || (err = copy_packets(&j)) < 0)
        goto end;
    if (j.video_packets == 0) {
        err = fail(KZV_EINVAL, "the parts hold no video packets");
        goto end;
    }
    err = finish(&j, output);
end:
    if (j.out) {
        if (j.out->pb)
            kzv_enc_file_close(&j.out->pb);
        avformat_free_context(j.out);
    }
    if (err < 0)
        kzv_staging_discard(j.tmp, output);
    free(j.tmp);
    av_free(j.src_map);
    avcodec_parameters_free(&j.first);
    av_free(j.dts);
    kzv_input_close(&j.part);
    kzv_input_close(&j.src);
    return err;
}
