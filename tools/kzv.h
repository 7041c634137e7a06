/*
 * kzv command-line tool: shared declarations. The tool is a thin user of the
 * public API (<kzv/kzv.h>) and nothing else; no FFmpeg headers here.
 */
#ifndef KZV_TOOLS_KZV_H
#define KZV_TOOLS_KZV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <getopt.h>

#include <kzv/kzv.h>

/* Exit codes (DESIGN.md, "Command line"). */
enum {
    CLI_EXIT_OK    = 0, /* success */
    CLI_EXIT_CHECK = 1, /* a check failed (validate) */
    CLI_EXIT_USAGE = 2, /* bad command line, including impossible requests */
    CLI_EXIT_INPUT = 3, /* input (or output) error: cannot open, read, decode, write */
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
int cmd_transcode(int argc, char **argv);

/* ---- command-line parsing (args.c) --------------------------------------
 * getopt_long underneath: each command lists its options as `struct option`
 * entries whose `val` is the id its switch handles (a letter for options
 * with a short form, a CLI_OPT_* or the command's own id >= 256 otherwise).
 * Options may come before or after operands, "--" ends them, "--opt=value"
 * and "--opt value" are both accepted, and long names may be abbreviated
 * when unambiguous (getopt_long's rules). */
enum {
    CLI_END = -1,           /* no more options (cli_next) */
    CLI_ERR = -2,           /* a usage error was printed (cli_next) */
    /* Options every command that opens FILE shares (cli_input_option()). */
    CLI_OPT_THREADS = 256,
    CLI_OPT_HW,
    CLI_OPT_STREAM,
    CLI_OPT_AUTOROTATE,
    CLI_OPT_NO_AUTOROTATE,
    CLI_OPT_PROGRESS,
    CLI_OPT_FIRST_OWN = 300, /* commands number their own long-only options from here */
};

#define CLI_LONGOPT_HELP    { "help", no_argument, NULL, 'h' }
#define CLI_LONGOPT_THREADS { "threads", required_argument, NULL, CLI_OPT_THREADS }
#define CLI_LONGOPT_HW      { "hw", required_argument, NULL, CLI_OPT_HW }
#define CLI_LONGOPT_STREAM  { "stream", required_argument, NULL, CLI_OPT_STREAM }
#define CLI_LONGOPT_REPORT  { "quiet", no_argument, NULL, 'q' }, \
                            { "progress", required_argument, NULL, CLI_OPT_PROGRESS }
#define CLI_LONGOPT_AUTOROTATE { "autorotate", no_argument, NULL, CLI_OPT_AUTOROTATE }, \
                               { "no-autorotate", no_argument, NULL, CLI_OPT_NO_AUTOROTATE }

typedef struct cli_args {
    const char *cmd;        /* subcommand name for messages */
    int argc;
    char **argv;
    const struct option *opts;
    char shortopts[64];     /* built from the entries with a letter as val */
    int first_operand;      /* set when cli_next() returns CLI_END */
} cli_args;

void cli_args_init(cli_args *a, int argc, char **argv, const struct option *opts);
/* Next option: its id (with *value set when it takes an argument), CLI_END,
 * or CLI_ERR after printing the usage error. */
int cli_next(cli_args *a, const char **value);
/* After CLI_END: the single FILE operand (*path), or a usage error
 * (returns CLI_EXIT_USAGE; 0 on success). `required` false allows none. */
int cli_one_file(cli_args *a, const char **path, bool required);
/* After CLI_END, for commands with several operands: their number, from min
 * to max (max < 0: no limit), else a usage error "give WHAT" (returns -1).
 * The operands are a->argv[a->first_operand ...]. */
int cli_operands(cli_args *a, int min, int max, const char *what);

/* Print "kzv CMD: message" + a hint to run --help on stderr; return CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "kzv CMD: message" on stderr. */
void cli_errorf(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "kzv CMD: warning: message" on stderr. */
void cli_warnf(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal integer in [min, max]; false on anything else. */
bool cli_parse_int(const char *s, long long min, long long max, long long *out);
/* Parse a finite decimal number in [min, max]; false on anything else. */
bool cli_parse_number(const char *s, double min, double max, double *out);
/* Parse a finite decimal number of seconds >= 0; false on anything else. */
bool cli_parse_seconds(const char *s, double *out);
/* Parse "WxH" (or "WXH"), each a whole number in [1, max]; false on anything else. */
bool cli_parse_size(const char *s, int max, int *w, int *h);

/* ---- FILE + the common options -> an opened decoder/processor (open.c) -- */
typedef struct cli_input {
    const char *cmd;
    const char *path;       /* FILE */
    int threads;            /* --threads (0 = one per core) */
    const char *hw;         /* --hw NAME, NULL = software */
    int stream;             /* --stream N: container stream index, -1 = best video */
    bool autorotate;        /* --autorotate / --no-autorotate (set the command's default
                               before parsing: on for decode and sheet) */
    bool quiet;             /* -q, --quiet: no summary line, no progress line */
    const char *progress;   /* --progress FILE|-: machine-readable progress */
} cli_input;

void cli_input_init(cli_input *in, const char *cmd);
/* Handle one of the shared options (CLI_OPT_THREADS, CLI_OPT_HW,
 * CLI_OPT_STREAM, CLI_OPT_AUTOROTATE, CLI_OPT_NO_AUTOROTATE, 'q',
 * CLI_OPT_PROGRESS). Returns 1 when handled, 0 when `id` is not one of them,
 * or CLI_EXIT_USAGE negated (-2) after printing a usage error. */
int cli_input_option(cli_input *in, int id, const char *value);
/* Fill the decoder settings the common options decide (on top of `s`). */
void cli_input_apply(const cli_input *in, kzv_decoder_settings *s);
/* Open a decoder on in->path with `s` (cli_input_apply() is called on a
 * copy); on failure print the library's reason and return NULL. (The library
 * warns, through its logger, when --hw names a device it cannot use.) */
kzv_decoder *cli_open_decoder(const cli_input *in, const kzv_decoder_settings *s);
/* The same for a processor; returns the exit code (CLI_EXIT_OK or
 * CLI_EXIT_INPUT after the message). */
int cli_open_processor(const cli_input *in, const kzv_processor_settings *ps,
                       kzv_processor **out);
/* Report a mid-stream decoder error (err < 0, not KZV_EOF). */
void cli_report_decode_error(const char *cmd, const char *path,
                             const kzv_decoder *d, int err);

/* Monotonic clock in seconds. */
double cli_now(void);

/* Write a frame's planes row by row without stride padding. false on error. */
bool cli_write_frame_raw(FILE *fp, const kzv_frame *f);

/* Names of H.273 colour primaries / transfer code points (the library only
 * names matrices and ranges). */
const char *cli_primaries_name(int p);
const char *cli_transfer_name(int t);

/* ---- JSON (json.c) ------------------------------------------------------ */
/* A JSON string literal with everything escaped that must be (and invalid
 * UTF-8 bytes replaced by U+FFFD, so the output is always valid). NULL → null. */
void cli_json_str(FILE *fp, const char *s);
/* A number with printf format `fmt` (e.g. "%.6f"), or null when not finite. */
void cli_json_num(FILE *fp, const char *fmt, double v);
/* "num/den" string or null when den or num is 0. */
void cli_json_rational(FILE *fp, kzv_rational r);

/* ---- progress (progress.c) ---------------------------------------------
 * A line on stderr while it is a terminal (not with -q), and with
 * --progress FILE|- blocks of key=value lines every 0.5 s and at the end,
 * like ffmpeg's -progress: frame, fps, total_frames (N/A unknown),
 * out_time_us, out_time, elapsed, speed, then progress=continue|end. */
typedef struct cli_progress {
    bool enabled;           /* the terminal line */
    bool shown;             /* something is on the line now */
    const char *label;
    int64_t total;          /* -1 = unknown */
    int64_t done;
    double start, last, last_block;
    double first_pts, pts;  /* for out_time */
    FILE *machine;          /* --progress target, NULL = none */
    bool machine_close;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label, int64_t total);
/* Apply -q and --progress from the common options: an exit code. */
int cli_progress_open(cli_progress *p, const cli_input *in);
/* Redraw at most a few times a second; a block every 0.5 s. */
void cli_progress_update(cli_progress *p, int64_t done);
/* The pts of the frame just handled (for out_time). */
void cli_progress_pts(cli_progress *p, double pts);
/* Clear the line (call before any other stderr output). */
void cli_progress_clear(cli_progress *p);
/* Clear the line, write the last block (progress=end), close the file. */
void cli_progress_end(cli_progress *p);

/* ---- YUV4MPEG2 (y4m.c) -------------------------------------------------- */
/* Write the stream header for frames like `first` (NULL: from info->format
 * and the stream's size) the way FFmpeg's yuv4mpegpipe muxer does. Returns
 * false for formats y4m cannot carry, or on a write error. */
bool cli_y4m_write_header(FILE *fp, const kzv_frame *first, const kzv_video_info *info);
bool cli_y4m_write_frame(FILE *fp, const kzv_frame *f);

/* ---- output (output.c): the writer chosen from the -o name ---------------
 *   -                 raw frames on standard output
 *   NAME.rgb / .yuv / .raw   raw frames in one file (.rgb needs an RGB format,
 *                     .yuv a YUV one and defaults to the source's layout)
 *   NAME.y4m          YUV4MPEG2 (defaults to the source's layout)
 *   NAME.png          one image (one frame)
 *   PATTERN with %d   one PNG per frame, named by frame index
 *   DIR, DIR/ or a name without extension: DIR/000000.png …
 * Anything else is a usage error. */
typedef enum cli_out_kind {
    CLI_OUT_NONE, CLI_OUT_RAW, CLI_OUT_Y4M, CLI_OUT_IMAGE, CLI_OUT_PATTERN, CLI_OUT_DIR,
} cli_out_kind;
typedef enum cli_out_sample { CLI_SAMPLE_ANY, CLI_SAMPLE_RGB, CLI_SAMPLE_YUV } cli_out_sample;

typedef struct cli_output {
    const char *cmd, *name;
    cli_out_kind kind;
    cli_out_sample sample;  /* what a raw file's extension promises */
    FILE *fp;
    int64_t frames;         /* written so far */
    char path[4096];        /* scratch for pattern / directory names */
} cli_output;

/* Classify `name` (NULL: no output). 0, or CLI_EXIT_USAGE after the message. */
int cli_output_init(cli_output *o, const char *cmd, const char *name);
/* The format used without --format (rgb24, or yuv: the source's layout). */
kzv_pixfmt cli_output_default_format(const cli_output *o);
/* 0, or CLI_EXIT_USAGE after the message when this output cannot take fmt. */
int cli_output_check_format(const cli_output *o, kzv_pixfmt fmt);
/* True when every frame must have one size (raw and y4m streams). */
bool cli_output_one_size(const cli_output *o);
/* Create the directory / open the file: an exit code (message printed). */
int cli_output_open(cli_output *o);
/* Write one frame: an exit code (message printed). */
int cli_output_frame(cli_output *o, const kzv_frame *f, const kzv_video_info *info);
/* Finish (a y4m header when no frame came, close): rc, or the write error's code. */
int cli_output_close(cli_output *o, const kzv_video_info *info, int rc);
/* Remove the file a refused request created (raw file, y4m; after close). */
void cli_output_remove(const cli_output *o);
/* "standard output" or the name, for messages. */
const char *cli_output_describe(const cli_output *o);

/* ---- bitmap font (sheet_font.c) ----------------------------------------- */
#define CLI_FONT_W 5
#define CLI_FONT_H 7
/* Draw `text` into a packed RGB24 image at (x, y) with each font pixel
 * scaled to scale×scale; clipped to the image. Lowercase letters are drawn
 * as capitals; characters without a glyph as '?'. Returns the pen x after. */
int cli_font_draw(uint8_t *rgb, int stride, int img_w, int img_h, int x, int y,
                  int scale, const uint8_t color[3], const char *text);
/* Width in pixels of `text` at `scale`. */
int cli_font_text_width(const char *text, int scale);

/* ---- sheet text (sheet_text.c): a real font, or the bitmap one -------- */
typedef struct cli_text cli_text;
/* fontconfig's sans-serif fonts through FreeType; NULL when this build has
 * neither or no font is installed (then the bitmap font is used). */
cli_text *cli_text_open(void);
void cli_text_close(cli_text **t);
/* Line height in pixels at scale 1 (labels) or 2 (titles). t may be NULL. */
int cli_text_height(const cli_text *t, int scale);
/* Draw UTF-8 `text` with its top at y; returns the pen x after. */
int cli_text_draw(cli_text *t, uint8_t *rgb, int stride, int img_w, int img_h, int x, int y,
                  int scale, const uint8_t color[3], const char *text);
int cli_text_width(cli_text *t, const char *text, int scale);

#endif
