#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_util.h"
#include "ktest.h"

const char *cu_fixture(const char *arg)
{
    if (strchr(arg, '/')) {
        if (access(arg, R_OK) != 0) {
            fprintf(stderr, "FAIL: %s is missing\n", arg);
            exit(1);
        }
        return arg;
    }
    return kt_fixture(arg);
}

const char *cu_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Value of `key=` in a "k=v|k=v" line, copied into buf; NULL if absent. */
static const char *field(const char *line, const char *key, char *buf, size_t cap)
{
    size_t kl = strlen(key);
    const char *p = line;
    while (p && *p) {
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            const char *v = p + kl + 1;
            size_t n = strcspn(v, "|\n");
            if (n >= cap)
                n = cap - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
        p = strchr(p, '|');
        if (p)
            p++;
    }
    return NULL;
}

static int64_t to_i64(const char *s)
{
    if (!s || !*s || !strcmp(s, "N/A"))
        return INT64_MIN;
    return strtoll(s, NULL, 10);
}

int cu_probe_file(const char *path, bool count_frames, cu_probe *out)
{
    memset(out, 0, sizeof(*out));
    out->nb_frames = -1;
    out->nb_read_frames = -1;
    out->start_time = NAN;

    char cmd[8192], *txt = NULL;
    /* Section names printed (p=1) so frame lines are told apart from side data. */
    snprintf(cmd, sizeof(cmd),
             "ffprobe -v error -select_streams v:0 %s "
             "-show_entries stream=time_base,nb_frames,nb_read_frames,start_time,pix_fmt,chroma_location"
             ":stream_side_data=rotation"
             ":frame=best_effort_timestamp,width,height,color_space,color_range "
             "-of compact=p=1:nk=0 '%s'",
             count_frames ? "-count_frames" : "", path);
    int st = kt_run_capture(cmd, &txt, NULL);
    if (st != 0) {
        free(txt);
        return -1;
    }
    int cap = 64;
    out->frames = kt_malloc(sizeof(*out->frames) * (size_t)cap);
    char buf[128];
    for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "frame|", 6)) {
            if (out->n == cap) {
                cap *= 2;
                cu_probe_frame *nf = realloc(out->frames, sizeof(*nf) * (size_t)cap);
                if (!nf) { free(txt); return -1; }
                out->frames = nf;
            }
            cu_probe_frame *f = &out->frames[out->n++];
            f->best_effort = to_i64(field(line, "best_effort_timestamp", buf, sizeof(buf)));
            f->width = (int)to_i64(field(line, "width", buf, sizeof(buf)));
            f->height = (int)to_i64(field(line, "height", buf, sizeof(buf)));
            if (out->n == 1) {
                /* Colour tags as the decoder reports them on the first frame
                 * (what kzv converts with); the stream-level fields can be
                 * "unknown" where the codec defines them (VP8 is BT.601). */
                field(line, "color_space", out->color_space, sizeof(out->color_space));
                field(line, "color_range", out->color_range, sizeof(out->color_range));
            }
        } else if (!strncmp(line, "stream|", 7)) {
            if (field(line, "time_base", buf, sizeof(buf)))
                sscanf(buf, "%d/%d", &out->time_base.num, &out->time_base.den);
            int64_t v = to_i64(field(line, "nb_frames", buf, sizeof(buf)));
            out->nb_frames = v == INT64_MIN ? -1 : v;
            v = to_i64(field(line, "nb_read_frames", buf, sizeof(buf)));
            out->nb_read_frames = v == INT64_MIN ? -1 : v;
            if (field(line, "start_time", buf, sizeof(buf)) && strcmp(buf, "N/A"))
                out->start_time = strtod(buf, NULL);
            field(line, "pix_fmt", out->pix_fmt, sizeof(out->pix_fmt));
            field(line, "chroma_location", out->chroma_location, sizeof(out->chroma_location));
            /* stream side data follows on the same line: "…|side_data|rotation=-90";
             * ffprobe's rotation is counter-clockwise */
            if (field(line, "rotation", buf, sizeof(buf))) {
                int ccw = (int)strtol(buf, NULL, 10);
                out->rotation = ((-ccw) % 360 + 360) % 360;
            }
        }
    }
    free(txt);
    return out->time_base.den > 0 ? 0 : -1;
}

void cu_probe_free(cu_probe *p)
{
    free(p->frames);
    p->frames = NULL;
    p->n = 0;
}

uint8_t *cu_ffmpeg_raw(const char *path, const char *vf, const char *sws_flags,
                       const char *pix_fmt, size_t *len)
{
    char cmd[8192], *out = NULL;
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -threads 2 -noautorotate -i '%s' -map 0:v:0 %s%s%s %s%s -fps_mode passthrough "
             "-autoscale 0 -f rawvideo -pix_fmt %s -",
             path, vf ? "-vf '" : "", vf ? vf : "", vf ? "'" : "",
             sws_flags ? "-sws_flags " : "", sws_flags ? sws_flags : "", pix_fmt);
    int st = kt_run_capture(cmd, &out, len);
    if (st != 0) {
        fprintf(stderr, "command failed (%d): %s\n", st, cmd);
        free(out);
        return NULL;
    }
    return (uint8_t *)out;
}

int cu_decode_all(const char *path, const kzv_decoder_settings *settings, int max_frames,
                  cu_decoded *out)
{
    memset(out, 0, sizeof(*out));
    kzv_decoder *d = NULL;
    int err = kzv_decoder_open(&d, path, settings);
    if (err < 0)
        return err;
    out->info = *kzv_decoder_info(d);
    int cap = 64;
    out->frames = kt_malloc(sizeof(*out->frames) * (size_t)cap);
    for (;;) {
        if (max_frames > 0 && out->n >= max_frames) {
            out->end_status = KZV_OK;
            break;
        }
        kzv_frame *f = NULL;
        int r = kzv_decoder_next(d, &f);
        if (r != KZV_OK) {
            if (f)
                fprintf(stderr, "FAIL: kzv_decoder_next returned %d but set a frame\n", r);
            out->end_status = r;
            break;
        }
        if (out->n == cap) {
            cap *= 2;
            kzv_frame **nf = realloc(out->frames, sizeof(*nf) * (size_t)cap);
            if (!nf) {
                kzv_frame_unref(&f);
                out->end_status = KZV_ENOMEM;
                break;
            }
            out->frames = nf;
        }
        out->frames[out->n++] = f;
    }
    kzv_decoder_get_stats(d, &out->stats);
    out->info.codec = out->info.container = out->info.pix_fmt = NULL;
    kzv_decoder_close(&d);
    return KZV_OK;
}

void cu_decoded_free(cu_decoded *d)
{
    for (int i = 0; i < d->n; i++)
        kzv_frame_unref(&d->frames[i]);
    free(d->frames);
    d->frames = NULL;
    d->n = 0;
}

void cu_diff_init(cu_diff *d)
{
    memset(d, 0, sizeof(*d));
}

void cu_diff_add(cu_diff *d, const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int e = abs((int)a[i] - (int)b[i]);
        d->mean += e;
        if (e <= 3)
            d->within3 += 1;
        if (e > d->max)
            d->max = e;
    }
    d->samples += n;
}

void cu_diff_done(cu_diff *d)
{
    if (d->samples) {
        d->mean /= (double)d->samples;
        d->within3 /= (double)d->samples;
    }
}

const char *cu_sws_matrix(const cu_probe *p, int height)
{
    const char *cs = p->color_space;
    if (!strcmp(cs, "bt709"))
        return "bt709";
    if (!strcmp(cs, "smpte170m") || !strcmp(cs, "bt470bg"))
        return "bt601";
    if (!strcmp(cs, "bt2020nc") || !strcmp(cs, "bt2020c"))
        return "bt2020";
    if (!strcmp(cs, "fcc"))
        return "fcc";
    if (!strcmp(cs, "smpte240m"))
        return "smpte240m";
    return height > 576 ? "bt709" : "bt601";
}

const char *cu_sws_range(const cu_probe *p)
{
    return !strcmp(p->color_range, "pc") ? "pc" : "tv";
}

void cu_matrix_k(const char *name, double *kr, double *kb)
{
    if (!strcmp(name, "bt709")) { *kr = 0.2126; *kb = 0.0722; }
    else if (!strcmp(name, "bt2020")) { *kr = 0.2627; *kb = 0.0593; }
    else if (!strcmp(name, "fcc")) { *kr = 0.30; *kb = 0.11; }
    else if (!strcmp(name, "smpte240m")) { *kr = 0.212; *kb = 0.087; }
    else { *kr = 0.299; *kb = 0.114; }   /* bt601 */
}

bool cu_yuv_layout(const char *f, int *depth, int *log2_cw, int *log2_ch)
{
    int sub;
    if (!strncmp(f, "yuvj", 4))
        f += 4;
    else if (!strncmp(f, "yuv", 3))
        f += 3;
    else
        return false;
    if (sscanf(f, "%dp", &sub) != 1)
        return false;
    switch (sub) {
    case 420: *log2_cw = 1; *log2_ch = 1; break;
    case 422: *log2_cw = 1; *log2_ch = 0; break;
    case 444: *log2_cw = 0; *log2_ch = 0; break;
    default: return false;
    }
    const char *p = strchr(f, 'p');
    *depth = p && p[1] ? atoi(p + 1) : 8;
    return *depth >= 8 && *depth <= 16;
}

size_t cu_yuv_frame_size(int w, int h, int depth, int log2_cw, int log2_ch)
{
    size_t bps = depth > 8 ? 2 : 1;
    size_t cw = (size_t)((w + (1 << log2_cw) - 1) >> log2_cw), ch = (size_t)((h + (1 << log2_ch) - 1) >> log2_ch);
    return bps * ((size_t)w * h + 2 * cw * ch);
}

static double sample(const uint8_t *plane, int stride_samples, int bps, int x, int y)
{
    if (bps == 1)
        return plane[(size_t)y * stride_samples + x];
    const uint8_t *p = plane + 2 * ((size_t)y * stride_samples + x);
    return p[0] | p[1] << 8;   /* little-endian (…le formats) */
}

void cu_exact_rgb24(const uint8_t *yuv, int w, int h, int depth, int log2_cw, int log2_ch, bool chroma_top,
                    double kr, double kb, bool full, uint8_t *out)
{
    int bps = depth > 8 ? 2 : 1;
    int cw = (w + (1 << log2_cw) - 1) >> log2_cw, ch = (h + (1 << log2_ch) - 1) >> log2_ch;
    const uint8_t *py = yuv, *pu = yuv + (size_t)bps * w * h, *pv = pu + (size_t)bps * cw * ch;
    double s = (double)(1 << (depth - 8)), maxv = (double)((1 << depth) - 1);
    double kg = 1.0 - kr - kb;
    for (int y = 0; y < h; y++) {
        /* vertical chroma rows/weights */
        int ka, kb2;
        double wa, wb;
        if (!log2_ch) { ka = kb2 = y; wa = 1; wb = 0; }
        else if (chroma_top) {
            int k = y >> 1;
            if (!(y & 1)) { ka = kb2 = k; wa = 1; wb = 0; }
            else { ka = k; kb2 = k + 1 < ch ? k + 1 : ch - 1; wa = wb = 0.5; }
        } else {
            int k = y >> 1;
            if (!(y & 1)) { ka = k > 0 ? k - 1 : 0; kb2 = k; wa = 0.25; wb = 0.75; }
            else { ka = k; kb2 = k + 1 < ch ? k + 1 : ch - 1; wa = 0.75; wb = 0.25; }
        }
        for (int x = 0; x < w; x++) {
            double c[2];
            const uint8_t *planes[2] = { pu, pv };
            for (int i = 0; i < 2; i++) {
                double va, vb;
                if (!log2_cw) {
                    va = sample(planes[i], cw, bps, x, ka);
                    vb = sample(planes[i], cw, bps, x, kb2);
                } else {
                    int cx = x >> 1, cx1 = (x & 1) ? (cx + 1 < cw ? cx + 1 : cw - 1) : cx;
                    va = 0.5 * (sample(planes[i], cw, bps, cx, ka) + sample(planes[i], cw, bps, cx1, ka));
                    vb = 0.5 * (sample(planes[i], cw, bps, cx, kb2) + sample(planes[i], cw, bps, cx1, kb2));
                }
                c[i] = wa * va + wb * vb;
            }
            double Y = sample(py, w, bps, x, y), yy, pb, pr;
            if (full) {
                yy = Y / maxv;
                pb = (c[0] - (double)(1 << (depth - 1))) / maxv;
                pr = (c[1] - (double)(1 << (depth - 1))) / maxv;
            } else {
                yy = (Y - 16 * s) / (219 * s);
                pb = (c[0] - 128 * s) / (224 * s);
                pr = (c[1] - 128 * s) / (224 * s);
            }
            double r = yy + 2 * (1 - kr) * pr, b = yy + 2 * (1 - kb) * pb, g = (yy - kr * r - kb * b) / kg;
            double rgb[3] = { r, g, b };
            for (int i = 0; i < 3; i++) {
                double v = floor(rgb[i] * 255.0 + 0.5);
                out[((size_t)y * w + x) * 3 + i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    }
}
