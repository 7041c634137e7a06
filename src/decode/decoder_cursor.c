/* Parked decoding positions: for exact random access that keeps coming back
 * to a few groups of pictures (picks spread over a short file, A/B between
 * scenes, batches over a few regions), the decoder keeps up to a few extra
 * demuxer + codec pairs, each left where its last access ended. An access
 * that lies ahead of one of them in the same group of pictures decodes on
 * from there instead of seeking back to the keyframe; otherwise the pair in
 * that group (or the least recently used one) seeks, exactly as a decoder
 * with a single position does. Which pair answers never changes the frame:
 * each is an ordinary decoding position, and decoding on from one gives what
 * sequential decoding gives (decoder_seek.c).
 *
 * The active position is the one in struct kzv_decoder itself (everything
 * else in the library reads that one); a parked one is swapped in when it is
 * chosen. Pairs are opened on demand, only for software decoding of a
 * seekable container with timestamps and a stream header, and at most
 * KZV_PARK_MAX of them (fewer for large pictures: each holds its codec's
 * reference pictures), and only once accesses return to a group of pictures
 * they left a little earlier (so that picks marching through a file, a
 * contact sheet say, never open one). Any failure to open one just turns
 * the feature off. */
#include "decode/decoder_internal.h"

/* Extra positions for a picture of `pixels`: each one costs its codec's
 * reference pictures and frame-thread contexts (about 25-30 MB at 1080p). */
static int park_limit(int64_t pixels)
{
    return pixels <= 1920 * 1088 ? KZV_PARK_MAX : pixels <= 4096 * 2176 ? 1 : 0;
}

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

static void swap_in(kzv_decoder *d, kzv_dec_cursor *c)
{
    SWAP(d->fmt, c->fmt);
    SWAP(d->st, c->st);
    SWAP(d->dec, c->dec);
    SWAP(d->held, c->held);
    SWAP(d->scratch, c->scratch);
    SWAP(d->have_held, c->have_held);
    SWAP(d->demux_done, c->demux_done);
    SWAP(d->codec_done, c->codec_done);
    SWAP(d->pending_error, c->pending_error);
    SWAP(d->cur_w, c->cur_w);
    SWAP(d->cur_h, c->cur_h);
    SWAP(d->cur_fmt, c->cur_fmt);
    SWAP(d->last_pts_ts, c->last_pts_ts);
    SWAP(d->last_dur_ts, c->last_dur_ts);
    SWAP(d->next_index, c->next_index);
    SWAP(d->drop_before_dts, c->drop_before_dts);
    SWAP(d->active_used, c->used);
}

static void cursor_free(kzv_dec_cursor *c)
{
    av_frame_free(&c->held);
    av_frame_free(&c->scratch);
    avcodec_free_context(&c->dec);
    kzv_input_close(&c->fmt);
}

void kzv_dec_cursors_free(kzv_decoder *d)
{
    for (int i = 0; i < d->nparked; i++)
        cursor_free(&d->park[i]);
    d->nparked = 0;
    avcodec_parameters_free(&d->par0);
}

static bool allowed(const kzv_decoder *d)
{
    /* Packed MPEG-4 B-frames go through the unpack filter, whose state the
     * parked positions do not carry. */
    if (d->cursors_off || d->unpack || !d->have_index || d->index.no_pts || d->index.nkf < 2 || d->hw.device)
        return false;
    if ((d->fmt->ctx_flags & AVFMTCTX_NOHEADER) || !d->fmt->pb || !(d->fmt->pb->seekable & AVIO_SEEKABLE_NORMAL))
        return false;
    return true;
}

/* A new position at the start of the file: a second demuxer on the same
 * source and a codec set up as open_codec() sets up the first one, from the
 * stream parameters the first one was opened with. */
static int cursor_open(kzv_decoder *d, kzv_dec_cursor *c)
{
    *c = (kzv_dec_cursor){ .last_pts_ts = AV_NOPTS_VALUE, .drop_before_dts = AV_NOPTS_VALUE,
                           .cur_w = d->cur_w, .cur_h = d->cur_h, .cur_fmt = d->cur_fmt };
    if (!d->par0) {
        /* Only ever called while the first position is the active one. */
        if (!(d->par0 = avcodec_parameters_alloc()) || avcodec_parameters_copy(d->par0, d->st->codecpar) < 0)
            return -1;
    }
    if (kzv_dec_open_input(d, &c->fmt) < 0 || (c->fmt->ctx_flags & AVFMTCTX_NOHEADER) ||
        (unsigned)d->st->index >= c->fmt->nb_streams)
        goto fail;
    c->st = c->fmt->streams[d->st->index];
    if (c->st->codecpar->codec_id != d->par0->codec_id || av_cmp_q(c->st->time_base, d->st->time_base))
        goto fail;
    const AVCodec *codec = avcodec_find_decoder(d->par0->codec_id);
    if (!codec || !(c->dec = avcodec_alloc_context3(codec)) || avcodec_parameters_to_context(c->dec, d->par0) < 0)
        goto fail;
    c->dec->max_pixels = d->s.max_pixels;
    c->dec->pkt_timebase = c->st->time_base;
    c->dec->thread_count = d->s.threads > 0 ? d->s.threads : 0;
    c->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if (avcodec_open2(c->dec, codec, NULL) < 0 || !(c->held = av_frame_alloc()) || !(c->scratch = av_frame_alloc()))
        goto fail;
    return 0;
fail:
    cursor_free(c);
    return -1;
}

/* Where a position stands: the pts of the frame it holds, or none. */
static bool holds(AVFrame *held, bool have_held, int64_t *pts)
{
    *pts = have_held ? held->best_effort_timestamp : AV_NOPTS_VALUE;
    return *pts != AV_NOPTS_VALUE;
}

/* Whether an access to the group of pictures starting at gop_start returns
 * to one of the last few groups visited (other than the latest), and
 * remember it. */
static bool returning(kzv_decoder *d, int64_t gop_start)
{
    const unsigned n = sizeof(d->recent_gops) / sizeof(d->recent_gops[0]);
    unsigned have = d->nrecent < n ? d->nrecent : n;
    if (have && d->recent_gops[(d->nrecent - 1) % n] == gop_start)
        return false;
    bool back = false;
    for (unsigned i = 0; i < have; i++)
        back |= d->recent_gops[i] == gop_start;
    d->recent_gops[d->nrecent++ % n] = gop_start;
    return back;
}

void kzv_dec_pick_cursor(kzv_decoder *d, int64_t t, int64_t gop_start, int64_t gop_end)
{
    d->access_clock++;
    bool back = returning(d, gop_start);
    if (!allowed(d)) {
        d->active_used = d->access_clock;
        return;
    }
    /* Decoding on: the position holding the latest frame at or before t in
     * t's group of pictures. */
    int64_t p, best_pts = AV_NOPTS_VALUE;
    int best = -2;   /* -1 = the active position */
    if (holds(d->held, d->have_held, &p) && p <= t && gop_start <= p) {
        best = -1;
        best_pts = p;
    }
    for (int i = 0; i < d->nparked; i++) {
        kzv_dec_cursor *c = &d->park[i];
        if (holds(c->held, c->have_held, &p) && p <= t && gop_start <= p && (best == -2 || p > best_pts)) {
            best = i;
            best_pts = p;
        }
    }
    if (best == -2) {
        /* A seek: by the position already in t's group of pictures (its frame
         * is past t), else by a new one while there is room, else by the
         * least recently used. */
        if (holds(d->held, d->have_held, &p) && p >= gop_start && p < gop_end) {
            best = -1;
        } else {
            for (int i = 0; i < d->nparked && best == -2; i++)
                if (holds(d->park[i].held, d->park[i].have_held, &p) && p >= gop_start && p < gop_end)
                    best = i;
        }
        if (best == -2 && !back)
            best = -1;   /* as with one position: the active one seeks */
        if (best == -2 && d->nparked < park_limit((int64_t)d->first_w * d->first_h)) {
            kzv_dec_cursor c;
            if (cursor_open(d, &c) < 0) {
                kzv_log(&d->log, KZV_LOG_DEBUG, "%s: no second decoding position; seeks use one", d->path);
                d->cursors_off = true;
                best = -1;
            } else {
                d->park[d->nparked] = c;
                best = d->nparked++;
            }
        }
        if (best == -2) {
            best = 0;
            for (int i = 1; i < d->nparked; i++)
                if (d->park[i].used < d->park[best].used)
                    best = i;
        }
    }
    if (best >= 0)
        swap_in(d, &d->park[best]);
    d->active_used = d->access_clock;
}
