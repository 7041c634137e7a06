/* Where decoded frames go: the writer is chosen from the -o name (see kzv.h,
 * "output"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kzv.h"

/* Validate a file-name pattern: exactly one %d with optional 0 flag and
 * width, plus any number of %%. Never handed to printf as a format. */
static bool pattern_ok(const char *p)
{
    int conversions = 0;
    for (; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p != 'd')
            return false;
        conversions++;
    }
    return conversions == 1;
}

/* Expand a pattern checked by pattern_ok() with index n. */
static bool pattern_format(char *out, size_t size, const char *p, long long n)
{
    size_t len = 0;
    for (; *p; p++) {
        char piece[64];
        size_t plen;
        if (*p != '%') {
            piece[0] = *p;
            plen = 1;
        } else if (p[1] == '%') {
            piece[0] = '%';
            plen = 1;
            p++;
        } else {
            p++;
            bool zero = *p == '0';
            int width = atoi(p);
            while (*p >= '0' && *p <= '9')
                p++;
            if (width > 32)
                width = 32;
            int r = zero ? snprintf(piece, sizeof(piece), "%0*lld", width, n)
                         : snprintf(piece, sizeof(piece), "%*lld", width, n);
            plen = r > 0 ? (size_t)r : 0;
        }
        if (len + plen + 1 > size)
            return false;
        memcpy(out + len, piece, plen);
        len += plen;
    }
    out[len] = '\0';
    return true;
}

/* The extension of the last path component ("png" for "a/b.png"), or "". */
static const char *extension(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

/* mkdir -p */
static bool make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return false;
        buf[i] = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_image_ext(const char *ext)
{
    return !strcasecmp(ext, "png") || !strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg");
}

int cli_output_init(cli_output *o, const char *cmd, const char *name)
{
    memset(o, 0, sizeof(*o));
    o->cmd = cmd;
    o->name = name;
    if (!name) {
        o->kind = CLI_OUT_NONE;
        return 0;
    }
    if (!*name)
        return cli_usage_error(cmd, "empty output name");
    const char *ext = extension(name);
    size_t len = strlen(name);
    if (!strcmp(name, "-")) {
        o->kind = CLI_OUT_RAW;
        o->sample = CLI_SAMPLE_ANY;
    } else if (strchr(name, '%')) {
        if (!pattern_ok(name))
            return cli_usage_error(cmd, "output pattern '%s' needs exactly one %%d (like %%06d); "
                                        "write %%%% for a literal %%", name);
        if (!is_image_ext(ext))
            return cli_usage_error(cmd, "output pattern '%s': image sequences are .png or .jpg",
                                   name);
        o->kind = CLI_OUT_PATTERN;
    } else if (name[len - 1] == '/' || is_dir(name) || !*ext) {
        o->kind = CLI_OUT_DIR;
    } else if (!strcasecmp(ext, "y4m")) {
        o->kind = CLI_OUT_Y4M;
    } else if (is_image_ext(ext)) {
        o->kind = CLI_OUT_IMAGE;
    } else if (!strcasecmp(ext, "rgb")) {
        o->kind = CLI_OUT_RAW;
        o->sample = CLI_SAMPLE_RGB;
    } else if (!strcasecmp(ext, "yuv")) {
        o->kind = CLI_OUT_RAW;
        o->sample = CLI_SAMPLE_YUV;
    } else if (!strcasecmp(ext, "raw")) {
        o->kind = CLI_OUT_RAW;
        o->sample = CLI_SAMPLE_ANY;
    } else {
        return cli_usage_error(cmd, "cannot tell what to write from the name '%s': use .png "
                                    "(one frame), a %%d pattern or a directory (PNG files), "
                                    ".y4m, .rgb, .yuv, .raw or - (raw frames)", name);
    }
    return 0;
}

kzv_pixfmt cli_output_default_format(const cli_output *o)
{
    if (o->kind == CLI_OUT_Y4M || (o->kind == CLI_OUT_RAW && o->sample == CLI_SAMPLE_YUV))
        return KZV_PIXFMT_YUV_AUTO;   /* the source's own layout and depth */
    return KZV_PIXFMT_RGB24;
}

int cli_output_check_format(const cli_output *o, kzv_pixfmt fmt)
{
    bool is_yuv = fmt == KZV_PIXFMT_YUV_AUTO || kzv_pixfmt_chroma_shift(fmt, NULL, NULL);
    const char *fname = fmt == KZV_PIXFMT_YUV_AUTO ? "yuv" : kzv_pixfmt_name(fmt);
    switch (o->kind) {
    case CLI_OUT_DIR:
    case CLI_OUT_PATTERN:
    case CLI_OUT_IMAGE:
        if (is_yuv)
            return cli_usage_error(o->cmd, "image output needs rgb24, rgba or rgb48, not %s "
                                   "(write YUV as .yuv, .y4m or -)", fname);
        break;
    case CLI_OUT_Y4M:
        if (!is_yuv || fmt == KZV_PIXFMT_NV12 || fmt == KZV_PIXFMT_P010)
            return cli_usage_error(o->cmd, "y4m output needs a planar YUV format (yuv420p, "
                                   "yuv422p, yuv444p, their 10-bit forms, or yuv), not %s%s",
                                   fname, is_yuv ? " (y4m has no semi-planar layout; write "
                                                   "raw with .yuv or -)" : "");
        break;
    case CLI_OUT_RAW:
        if (o->sample == CLI_SAMPLE_YUV && !is_yuv)
            return cli_usage_error(o->cmd, "'%s' is named .yuv but --format %s is RGB (name it "
                                   ".rgb or .raw)", o->name, fname);
        if (o->sample == CLI_SAMPLE_RGB && is_yuv)
            return cli_usage_error(o->cmd, "'%s' is named .rgb but --format %s is YUV (name it "
                                   ".yuv or .raw)", o->name, fname);
        break;
    case CLI_OUT_NONE:
        break;
    }
    return 0;
}

bool cli_output_one_size(const cli_output *o)
{
    return o->kind == CLI_OUT_RAW || o->kind == CLI_OUT_Y4M;
}

int cli_output_open(cli_output *o)
{
    switch (o->kind) {
    case CLI_OUT_RAW:
        if (!strcmp(o->name, "-")) {
            if (isatty(STDOUT_FILENO))
                return cli_usage_error(o->cmd, "refusing to write raw video to a terminal; "
                                               "redirect standard output");
            o->fp = stdout;
            return CLI_EXIT_OK;
        }
        /* fall through */
    case CLI_OUT_Y4M:
        o->fp = fopen(o->name, "wb");
        if (!o->fp) {
            cli_errorf(o->cmd, "cannot write '%s': %s", o->name, strerror(errno));
            return CLI_EXIT_INPUT;
        }
        return CLI_EXIT_OK;
    case CLI_OUT_DIR:
        if (!make_dirs(o->name)) {
            cli_errorf(o->cmd, "cannot create directory '%s': %s", o->name, strerror(errno));
            return CLI_EXIT_INPUT;
        }
        return CLI_EXIT_OK;
    default:
        return CLI_EXIT_OK;
    }
}

void cli_output_remove(const cli_output *o)
{
    struct stat sb;   /* a regular file only: never /dev/null or a FIFO (we may be root) */
    if (((o->kind == CLI_OUT_RAW && strcmp(o->name, "-")) || o->kind == CLI_OUT_Y4M) &&
        stat(o->name, &sb) == 0 && S_ISREG(sb.st_mode))
        unlink(o->name);
}

const char *cli_output_describe(const cli_output *o)
{
    return o->kind == CLI_OUT_RAW && !strcmp(o->name, "-") ? "standard output" : o->name;
}

int cli_output_frame(cli_output *o, const kzv_frame *f, const kzv_video_info *info)
{
    bool ok = true;
    switch (o->kind) {
    case CLI_OUT_NONE:
        break;
    case CLI_OUT_RAW:
        ok = cli_write_frame_raw(o->fp, f);
        if (!ok)
            cli_errorf(o->cmd, "cannot write to %s", cli_output_describe(o));
        break;
    case CLI_OUT_Y4M:
        if (o->frames == 0 && !cli_y4m_write_header(o->fp, f, info))
            ok = false;
        ok = ok && cli_y4m_write_frame(o->fp, f);
        if (!ok)
            cli_errorf(o->cmd, "cannot write '%s'", o->name);
        break;
    case CLI_OUT_IMAGE:
    case CLI_OUT_DIR:
    case CLI_OUT_PATTERN: {
        const char *file = o->path;
        bool named = true;
        if (o->kind == CLI_OUT_IMAGE)
            file = o->name;
        else if (o->kind == CLI_OUT_DIR)
            named = snprintf(o->path, sizeof(o->path), "%s%s%06lld.png", o->name,
                             o->name[strlen(o->name) - 1] == '/' ? "" : "/",
                             (long long)f->frame_index) < (int)sizeof(o->path);
        else
            named = pattern_format(o->path, sizeof(o->path), o->name, (long long)f->frame_index);
        int werr = named ? kzv_frame_write_image(f, file) : KZV_EINVAL;
        if (werr < 0) {
            cli_errorf(o->cmd, "cannot write '%s': %s", named ? file : o->name, kzv_strerror(werr));
            ok = false;
        }
        break;
    }
    }
    if (!ok)
        return CLI_EXIT_INPUT;
    o->frames++;
    return CLI_EXIT_OK;
}

int cli_output_close(cli_output *o, const kzv_video_info *info, int rc)
{
    if (o->kind == CLI_OUT_Y4M && o->fp && info && o->frames == 0 && rc == CLI_EXIT_OK &&
        !cli_y4m_write_header(o->fp, NULL, info)) {
        cli_errorf(o->cmd, "cannot write '%s'", o->name);
        rc = CLI_EXIT_INPUT;
    }
    if (o->fp && o->fp != stdout) {
        if (fclose(o->fp) != 0 && rc == CLI_EXIT_OK) {
            cli_errorf(o->cmd, "cannot write '%s'", o->name);
            rc = CLI_EXIT_INPUT;
        }
    } else if (o->fp && (fflush(o->fp) != 0 || ferror(o->fp)) && rc == CLI_EXIT_OK) {
        cli_errorf(o->cmd, "cannot write to standard output");
        rc = CLI_EXIT_INPUT;
    }
    o->fp = NULL;
    return rc;
}
