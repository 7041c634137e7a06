/* libFuzzer target: the kzv tool's command-line parsing (tools/args.c
 * cli_next on getopt_long, each command's option table and value parsing,
 * the shared options of tools/open.c) without acting: the commands run with
 * cli_parse_only set (tools/parse_only.h), so each returns once its options
 * are parsed, before it opens FILE. Every command must come back with
 * CLI_EXIT_OK (--help) or CLI_EXIT_USAGE, never crash, read past a string
 * or act (another status aborts). The value parsers are also called on
 * every argument directly, with their results checked: cli_parse_int and
 * cli_parse_number within their bounds, cli_parse_seconds finite and >= 0,
 * cli_parse_size's sides, the -o name's kind (cli_output_init: it only
 * stats the name) and --format names.
 *
 * Input: byte 0 picks the command (probe, frames, decode, validate, sheet,
 * index, bench, transcode, join, play), the rest is its arguments separated
 * by NUL bytes (at most MAX_ARGS, each copied to its own allocation). Every
 * command is covered but the list (kzv --help) in kzv.c.
 * Seeds: tests/fuzz/corpus/args; dictionary: tests/fuzz/dict/args.dict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "kzv.h"          /* tools/ */
#include "parse_only.h"   /* tools/ */

#define MAX_ARGS 24

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    { "probe", cmd_probe }, { "frames", cmd_frames }, { "decode", cmd_decode }, { "validate", cmd_validate },
    { "sheet", cmd_sheet }, { "index", cmd_index }, { "bench", cmd_bench }, { "transcode", cmd_transcode },
    { "join", cmd_join }, { "play", cmd_play },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static FILE *real_stderr;

static void broken(const char *what, const char *arg)
{
    fprintf(real_stderr, "fuzz_args: %s ('%s')\n", what, arg ? arg : "(null)");
    abort();
}

/* The value parsers on one argument, their results checked. */
static void check_values(const char *v, const char *next)
{
    static const long long bounds[][2] = { { 0, INT64_MAX }, { 1, INT64_MAX }, { 1, 4096 }, { 0, 1 << 20 },
                                           { 64, 16384 }, { INT64_MIN, INT64_MAX } };
    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        long long n = 12345;
        if (cli_parse_int(v, bounds[i][0], bounds[i][1], &n) && (n < bounds[i][0] || n > bounds[i][1]))
            broken("cli_parse_int gave a number out of its bounds", v);
    }
    double t = -1;
    if (cli_parse_seconds(v, &t) && !(isfinite(t) && t >= 0))
        broken("cli_parse_seconds gave a time that is not finite and >= 0", v);
    if (cli_parse_number(v, -1e3, 0.5, &t) && !(t >= -1e3 && t <= 0.5))
        broken("cli_parse_number gave a number out of its bounds", v);
    int w = 0, h = 0;
    if (cli_parse_size(v, 4096, &w, &h) && !(w >= 1 && w <= 4096 && h >= 1 && h <= 4096))
        broken("cli_parse_size gave a side out of its bounds", v);
    kzv_pixfmt f = kzv_pixfmt_from_name(v);
    if (f != KZV_PIXFMT_NONE && kzv_pixfmt_from_name(kzv_pixfmt_name(f)) != f)
        broken("a format name does not round-trip", v);
    cli_output o;
    if (cli_output_init(&o, "fuzz", v) == 0) {
        (void)cli_output_default_format(&o);
        (void)cli_output_check_format(&o, next ? kzv_pixfmt_from_name(next) : KZV_PIXFMT_RGB24);
        (void)cli_output_one_size(&o);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_init();
    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w")))
        return 0;
    const command *c = &commands[data[0] % N_COMMANDS];
    char *argv[MAX_ARGS + 2] = { NULL };
    int argc = 0;
    argv[argc++] = strdup(c->name);
    for (size_t i = 1; i < size && argc <= MAX_ARGS;) {
        const uint8_t *end = memchr(data + i, 0, size - i);
        size_t len = end ? (size_t)(end - (data + i)) : size - i;
        char *arg = malloc(len + 1);   /* its own block: ASan sees a read past its end */
        if (!arg)
            break;
        memcpy(arg, data + i, len);
        arg[len] = 0;
        argv[argc++] = arg;
        i += len + 1;
    }
    char *copy[MAX_ARGS + 2];
    memcpy(copy, argv, sizeof(copy));   /* getopt_long permutes argv: free what we made */

    /* Usage messages and --help go to /dev/null (ASan reports still reach
     * file descriptor 2). */
    FILE *out = stdout, *err = stderr;
    real_stderr = err;
    stdout = null;
    stderr = null;
    for (int i = 1; i < argc; i++)
        check_values(argv[i], argv[i + 1]);
    cli_parse_only = true;
    long reached = cli_parse_only_reached;
    int rc = c->run(argc, argv);
    cli_parse_only = false;
    stdout = out;
    stderr = err;
    if (rc != CLI_EXIT_OK && rc != CLI_EXIT_USAGE)
        broken("a command returned a status other than ok (--help) or usage", c->name);
    if (rc == CLI_EXIT_OK && cli_parse_only_reached != reached)
        broken("a command went past its options and still said ok", c->name);

    for (int i = 0; i < argc; i++)
        free(copy[i]);
    return 0;
}
