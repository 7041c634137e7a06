/*
 * kzv command-line tool: shared declarations. The tool is a thin user of the
 * public API (<kzv/kzv.h>) and nothing else; no FFmpeg headers here.
 */
#ifndef KZV_TOOLS_KZV_H
#define KZV_TOOLS_KZV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <kzv/kzv.h>

/* Exit codes (DESIGN.md, "Command line"). */
enum {
    KZV_EXIT_OK    = 0, /* success */
    KZV_EXIT_CHECK = 1, /* a check failed (validate) */
    KZV_EXIT_USAGE = 2, /* bad command line */
    KZV_EXIT_INPUT = 3, /* input (or output) error: cannot open, read, decode, write */
};

/* Subcommands: argv[0] is the subcommand name; return an exit code. */
int cmd_probe(int argc, char **argv);
int cmd_frames(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_sheet(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_play(int argc, char **argv);
int cmd_join(int argc, char **argv);

/* ---- command-line parsing (util.c) --------------------------------------
 * A tiny getopt_long: options may come before or after operands, "--"
 * ends them, "--opt=value" and "--opt value" are both accepted. */
typedef struct kzv_opt {
    const char *long_name;  /* "json" for --json */
    char short_name;        /* 'o' for -o, 0 for none */
    bool has_arg;
} kzv_opt;

typedef struct kzv_args {
    int argc; char **argv;
    int pos;                /* next argv index to look at */
    bool no_more_opts;
    const char *cmd;        /* subcommand name for messages */
} kzv_args;

void kzv_args_init(kzv_args *a, int argc, char **argv);
/* Next item. Returns the index into `opts` of a recognised option (with
 * *value set when it takes an argument), -1 for an operand (*value = it),
 * -2 at the end, or -3 after printing a usage error to stderr. */
int kzv_args_next(kzv_args *a, const kzv_opt *opts, const char **value);

/* Print "kzv CMD: message" + a hint to run --help on stderr; return KZV_EXIT_USAGE. */
int kzv_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "kzv CMD: message" on stderr. */
void kzv_errorf(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal integer in [min, max]; false on anything else. */
bool kzv_parse_int(const char *s, long long min, long long max, long long *out);

/* Open a decoder; on failure print the library's reason and return NULL. */
kzv_decoder *kzv_open_or_report(const char *cmd, const char *path,
                                const kzv_decoder_settings *s);
/* Report a mid-stream decoder error (err < 0, not KZV_EOF). */
void kzv_report_decode_error(const char *cmd, const char *path,
                             const kzv_decoder *d, int err);

/* Monotonic clock in seconds. */
double kzv_now(void);

/* Write a frame's planes row by row without stride padding. false on error. */
bool kzv_write_frame_raw(FILE *fp, const kzv_frame *f);

/* Names of H.273 colour primaries / transfer code points (the library only
 * names matrices and ranges). */
const char *kzv_primaries_name(int p);
const char *kzv_transfer_name(int t);

/* ---- JSON (json.c) ------------------------------------------------------ */
/* A JSON string literal with everything escaped that must be (and invalid
 * UTF-8 bytes replaced by U+FFFD, so the output is always valid). NULL → null. */
void kzv_json_str(FILE *fp, const char *s);
/* A number with printf format `fmt` (e.g. "%.6f"), or null when not finite. */
void kzv_json_num(FILE *fp, const char *fmt, double v);
/* "num/den" string or null when den or num is 0. */
void kzv_json_rational(FILE *fp, kzv_rational r);

/* ---- progress line (progress.c) ----------------------------------------- */
typedef struct kzv_progress {
    bool enabled;           /* stderr is a terminal */
    bool shown;             /* something is on the line now */
    const char *label;
    int64_t total;          /* -1 = unknown */
    double start, last;
} kzv_progress;

void kzv_progress_init(kzv_progress *p, const char *label, int64_t total);
/* Redraw at most a few times a second. */
void kzv_progress_update(kzv_progress *p, int64_t done);
/* Clear the line (call before any other stderr output and at the end). */
void kzv_progress_clear(kzv_progress *p);

/* ---- YUV4MPEG2 (y4m.c) -------------------------------------------------- */
/* Write the stream header for frames of size w×h in format fmt (YUV only).
 * Returns false for formats y4m cannot carry, or on a write error. */
bool kzv_y4m_write_header(FILE *fp, int w, int h, kzv_pixfmt fmt, kzv_rational rate,
                          kzv_rational sar, int range);
bool kzv_y4m_write_frame(FILE *fp, const kzv_frame *f);

/* ---- bitmap font (sheet_font.c) ----------------------------------------- */
#define KZV_FONT_W 5
#define KZV_FONT_H 7
/* Draw `text` into a packed RGB24 image at (x, y) with each font pixel
 * scaled to scale×scale; clipped to the image. Lowercase letters are drawn
 * as capitals; characters without a glyph as '?'. Returns the pen x after. */
int kzv_font_draw(uint8_t *rgb, int stride, int img_w, int img_h, int x, int y,
                  int scale, const uint8_t color[3], const char *text);
/* Width in pixels of `text` at `scale`. */
int kzv_font_text_width(const char *text, int scale);

#endif
