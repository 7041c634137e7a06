/* kzv sheet FILE -o sheet.png [--cols C] [--rows R] [--width W]: a contact
 * sheet of evenly spaced frames, each box-filtered down to a thumbnail and
 * labelled "#index  pts s". */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv sheet FILE -o SHEET.png [--cols C] [--rows R] [--width W]\n"
    "Make a contact sheet: C×R evenly spaced frames of FILE in a grid, each\n"
    "labelled with its frame index and pts, under a title line.\n\n"
    "  -o, --output SHEET.png  the image to write (required): .png, or .jpg/.jpeg\n"
    "                          for JPEG\n"
    "  --cols C                thumbnails per row (1..64, default 4)\n"
    "  --rows R                rows (1..64, default 4); fewer when the file has\n"
    "                          fewer frames than C×R\n"
    "  --width W               width of the sheet in pixels (64..16384, default 1280)\n"
    "  --threads N             decoding threads (0 = one per core, the default)\n"
    "  --no-autorotate         keep the coded orientation (default: turned as the\n"
    "                          display matrix says, --autorotate)\n"
    "  --stream N              use container stream N (kzv probe lists them)\n"
    "  --hw NAME               hardware decoding (auto, cuda, vaapi, …)\n"
    "  -q, --quiet             no summary line, no progress line\n"
    "  --progress FILE         progress blocks for scripts (as kzv decode --help says)\n"
    "  --help                  show this help\n";

static const uint8_t BG[3] = { 24, 24, 28 };
static const uint8_t BOX[3] = { 0, 0, 0 };
static const uint8_t TEXT[3] = { 225, 225, 225 };
static const uint8_t DIM[3] = { 150, 150, 160 };

static void fill_rect(kzv_frame *img, int x, int y, int w, int h, const uint8_t c[3])
{
    for (int yy = y; yy < y + h && yy < img->height; yy++) {
        if (yy < 0)
            continue;
        uint8_t *row = img->data[0] + (size_t)yy * (size_t)img->stride[0];
        for (int xx = x; xx < x + w && xx < img->width; xx++) {
            if (xx < 0)
                continue;
            memcpy(row + (size_t)xx * 3, c, 3);
        }
    }
}

/* Area-average (box filter) src → a dw×dh block of img at (ox, oy). Each
 * destination pixel averages the source pixels of its footprint; when
 * enlarging the footprint is one pixel (nearest neighbour). */
static bool box_scale(const kzv_frame *src, kzv_frame *img, int ox, int oy, int dw, int dh)
{
    int sw = src->width, sh = src->height;
    int *x0 = malloc(sizeof(int) * (size_t)dw * 2);
    if (!x0)
        return false;
    int *x1 = x0 + dw;
    for (int dx = 0; dx < dw; dx++) {
        x0[dx] = (int)((int64_t)dx * sw / dw);
        x1[dx] = (int)((int64_t)(dx + 1) * sw / dw);
        if (x1[dx] <= x0[dx])
            x1[dx] = x0[dx] + 1;
    }
    for (int dy = 0; dy < dh; dy++) {
        int y0 = (int)((int64_t)dy * sh / dh);
        int y1 = (int)((int64_t)(dy + 1) * sh / dh);
        if (y1 <= y0)
            y1 = y0 + 1;
        int py = oy + dy;
        if (py < 0 || py >= img->height)
            continue;
        uint8_t *drow = img->data[0] + (size_t)py * (size_t)img->stride[0];
        for (int dx = 0; dx < dw; dx++) {
            int px = ox + dx;
            if (px < 0 || px >= img->width)
                continue;
            uint64_t sum[3] = { 0, 0, 0 };
            for (int y = y0; y < y1; y++) {
                const uint8_t *s = src->data[0] + (size_t)y * (size_t)src->stride[0] +
                                   (size_t)x0[dx] * 3;
                for (int x = x0[dx]; x < x1[dx]; x++, s += 3) {
                    sum[0] += s[0];
                    sum[1] += s[1];
                    sum[2] += s[2];
                }
            }
            uint64_t cnt = (uint64_t)(y1 - y0) * (uint64_t)(x1[dx] - x0[dx]);
            for (int c = 0; c < 3; c++)
                drow[(size_t)px * 3 + c] = (uint8_t)((sum[c] + cnt / 2) / cnt);
        }
    }
    free(x0);
    return true;
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b && b[1] ? b + 1 : path;
}

int cmd_sheet(int argc, char **argv)
{
    enum { OPT_COLS = CLI_OPT_FIRST_OWN, OPT_ROWS };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' }, { "cols", required_argument, NULL, OPT_COLS },
        { "rows", required_argument, NULL, OPT_ROWS }, { "width", required_argument, NULL, 'w' },
        CLI_LONGOPT_THREADS, CLI_LONGOPT_HELP, CLI_LONGOPT_HW, CLI_LONGOPT_STREAM,
        CLI_LONGOPT_AUTOROTATE, CLI_LONGOPT_REPORT, { 0 },
    };
    const char *out = NULL, *v;
    long long cols = 4, rows = 4, width = 1280;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    in.autorotate = true;   /* as ffmpeg: frames as they are meant to be shown */
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case 'o': out = v; break;
        case OPT_COLS:
            if (!cli_parse_int(v, 1, 64, &cols))
                return cli_usage_error(a.cmd, "--cols needs a number from 1 to 64, not '%s'", v);
            break;
        case OPT_ROWS:
            if (!cli_parse_int(v, 1, 64, &rows))
                return cli_usage_error(a.cmd, "--rows needs a number from 1 to 64, not '%s'", v);
            break;
        case 'w':
            if (!cli_parse_int(v, 64, 16384, &width))
                return cli_usage_error(a.cmd, "--width needs a number from 64 to 16384, not '%s'", v);
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, true))
        return CLI_EXIT_USAGE;
    const char *path = in.path;
    if (!out || !*out)
        return cli_usage_error(a.cmd, "no output given (-o SHEET.png)");
    if (kzv_image_format_from_name(out) < 0)
        return cli_usage_error(a.cmd, "'%s': the sheet is written as .png, .jpg or .jpeg", out);
    const int W = (int)width, C = (int)cols;
    const int gap = W / 160 > 4 ? W / 160 : 4;
    const int thumb_w = (W - gap * (C + 1)) / C;
    if (thumb_w < 16)
        return cli_usage_error(a.cmd, "--width %d is too small for %d columns", W, C);

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.format = KZV_PIXFMT_RGB24;
    s.count_frames = true;
    kzv_decoder *d = cli_open_decoder(&in, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_video_info *info = kzv_decoder_info(d);

    /* How many frames there are, to space the picks evenly. */
    int64_t total = info->total_frames;
    if (total < 0)
        total = info->header_frames;
    if (total < 0 && info->duration > 0 && info->fps > 0)
        total = (int64_t)llround(info->duration * info->fps);
    int64_t want_n = cols * rows;
    if (total <= 0)
        total = want_n;             /* unknown: the first C×R frames */
    if (total < want_n)
        want_n = total;
    int64_t *wanted = malloc(sizeof(int64_t) * (size_t)want_n);
    if (!wanted) {
        cli_errorf(a.cmd, "out of memory");
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    for (int64_t i = 0; i < want_n; i++)    /* the middle frame of each of n equal parts */
        wanted[i] = (2 * i + 1) * total / (2 * want_n);

    /* Layout: title line, then rows of thumbnail + label. */
    double sar = info->sample_aspect_ratio.num > 0 && info->sample_aspect_ratio.den > 0
                 ? (double)info->sample_aspect_ratio.num / info->sample_aspect_ratio.den : 1.0;
    double aspect = info->width > 0 && info->height > 0
                    ? (double)info->width * sar / info->height : 16.0 / 9.0;
    int thumb_h = (int)lround(thumb_w / aspect);
    if (thumb_h < 1)
        thumb_h = 1;
    int tscale = W >= 800 ? 2 : 1;
    int lscale = thumb_w >= 240 ? 2 : 1;
    cli_text *font = cli_text_open();
    int label_h = cli_text_height(font, lscale) + gap;
    int title_h = cli_text_height(font, tscale) + 2 * gap;
    int used_rows = (int)((want_n + C - 1) / C);
    int pitch_y = thumb_h + label_h + gap;
    int64_t H = title_h + (int64_t)used_rows * pitch_y;
    int left = (W - (C * thumb_w + (C - 1) * gap)) / 2;

    kzv_frame *img = NULL;
    int err = H <= 32768 ? kzv_frame_alloc(&img, W, (int)H, KZV_PIXFMT_RGB24) : KZV_EINVAL;
    if (err < 0) {
        free(wanted);
        kzv_decoder_close(&d);
        if (err == KZV_EINVAL)
            return cli_usage_error(a.cmd, "the sheet would be %dx%lld pixels: too large", W,
                                   (long long)H);
        cli_errorf(a.cmd, "cannot allocate the sheet: %s", kzv_strerror(err));
        return CLI_EXIT_INPUT;
    }
    fill_rect(img, 0, 0, W, (int)H, BG);

    /* Title: name, size, codec, rate, duration, frames. */
    char title[512];
    snprintf(title, sizeof(title), "%s  %dx%d  %s", base_name(path), info->width, info->height,
             info->codec ? info->codec : "");
    int tx = cli_text_draw(font, img->data[0], img->stride[0], W, (int)H, gap, gap, tscale, TEXT,
                           title);
    char meta[256];
    int ml = 0;
    if (info->fps > 0)
        ml += snprintf(meta + ml, sizeof(meta) - (size_t)ml, "  %.3f fps", info->fps);
    if (info->duration > 0 && ml < (int)sizeof(meta))
        ml += snprintf(meta + ml, sizeof(meta) - (size_t)ml, "  %.2f s", info->duration);
    if (info->total_frames >= 0 && ml < (int)sizeof(meta))
        snprintf(meta + ml, sizeof(meta) - (size_t)ml, "  %lld frames",
                 (long long)info->total_frames);
    cli_text_draw(font, img->data[0], img->stride[0], W, (int)H, tx, gap, tscale, DIM, meta);

    cli_progress prog;
    cli_progress_init(&prog, "sheet", wanted[want_n - 1] + 1);
    if (cli_progress_open(&prog, &in) != CLI_EXIT_OK) {
        kzv_frame_unref(&img);
        free(wanted);
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    double t0 = cli_now();
    int rc = CLI_EXIT_OK;
    int64_t k = 0, n = 0;
    kzv_frame *f = NULL;
    /* With an exact count (the index) each pick is an exact seek, which goes
     * forward within a GOP and jumps over the rest; else decode in order. */
    bool exact = info->total_frames >= 0;
    while (k < want_n && (err = exact ? kzv_decoder_seek_frame(d, wanted[k]) : KZV_OK) == KZV_OK &&
           (err = kzv_decoder_next(d, &f)) == KZV_OK) {
        n++;
        if (f->frame_index >= wanted[k]) {
            int cx = left + (int)(k % C) * (thumb_w + gap);
            int cy = title_h + (int)(k / C) * pitch_y;
            fill_rect(img, cx, cy, thumb_w, thumb_h, BOX);
            /* Fit this frame (its own size: it may change mid-stream). */
            double fw = f->width * sar, fh = f->height;
            double sc = fmin(thumb_w / fw, thumb_h / fh);
            int dw = (int)lround(fw * sc), dh = (int)lround(fh * sc);
            dw = dw < 1 ? 1 : dw > thumb_w ? thumb_w : dw;
            dh = dh < 1 ? 1 : dh > thumb_h ? thumb_h : dh;
            if (!box_scale(f, img, cx + (thumb_w - dw) / 2, cy + (thumb_h - dh) / 2, dw, dh)) {
                kzv_frame_unref(&f);
                cli_progress_clear(&prog);
                cli_errorf(a.cmd, "out of memory");
                rc = CLI_EXIT_INPUT;
                break;
            }
            char label[96];
            if (f->pts_ts != INT64_MIN && isfinite(f->pts))
                snprintf(label, sizeof(label), "#%lld  %.3f s", (long long)f->frame_index, f->pts);
            else
                snprintf(label, sizeof(label), "#%lld", (long long)f->frame_index);
            int ls = lscale;
            if (ls > 1 && cli_text_width(font, label, ls) > thumb_w)
                ls = 1;
            cli_text_draw(font, img->data[0], img->stride[0], W, (int)H, cx,
                          cy + thumb_h + (label_h - cli_text_height(font, ls)) / 2, ls, TEXT,
                          label);
            k++;
        }
        if (f->pts_ts != INT64_MIN)
            cli_progress_pts(&prog, f->pts);
        kzv_frame_unref(&f);
        cli_progress_update(&prog, n);
    }
    cli_progress_end(&prog);
    if (rc == CLI_EXIT_OK && err != KZV_OK && err != KZV_EOF) {
        cli_report_decode_error(a.cmd, path, d, err);
        rc = CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK && k == 0) {
        cli_errorf(a.cmd, "%s: no frames decoded", path);
        rc = CLI_EXIT_INPUT;
    }
    if (rc == CLI_EXIT_OK) {
        err = kzv_frame_write_image(img, out);
        if (err < 0) {
            cli_errorf(a.cmd, "cannot write '%s': %s", out, kzv_strerror(err));
            rc = CLI_EXIT_INPUT;
        } else if (!in.quiet) {
            fprintf(stderr, "wrote %s: %dx%lld, %lld frames in %.3f s\n", out, W, (long long)H,
                    (long long)k, cli_now() - t0);
        }
    }
    kzv_frame_unref(&img);
    cli_text_close(&font);
    free(wanted);
    kzv_decoder_close(&d);
    return rc;
}
