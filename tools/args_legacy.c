/* The option parser tools/cmd_play.c still uses (kzv_args); the other
 * commands use cli_next() (args.c, getopt_long). Goes away when the player
 * moves to cli_next(). */
#include <string.h>

#include "kzv.h"

void kzv_args_init(kzv_args *a, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->pos = 1;
    a->no_more_opts = false;
    a->cmd = argv[0];
}

int kzv_args_next(kzv_args *a, const kzv_opt *opts, const char **value)
{
    *value = NULL;
    if (a->pos >= a->argc)
        return -2;
    const char *arg = a->argv[a->pos++];
    if (a->no_more_opts || arg[0] != '-' || !strcmp(arg, "-")) {
        *value = arg;
        return -1;
    }
    if (!strcmp(arg, "--")) {
        a->no_more_opts = true;
        return kzv_args_next(a, opts, value);
    }
    int found = -1;
    const char *inline_val = NULL;
    if (arg[1] == '-') {                       /* --name or --name=value */
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (int i = 0; opts[i].long_name || opts[i].short_name; i++)
            if (opts[i].long_name && strlen(opts[i].long_name) == len &&
                !strncmp(opts[i].long_name, name, len)) {
                found = i;
                break;
            }
        if (found >= 0 && eq) {
            if (!opts[found].has_arg) {
                kzv_usage_error(a->cmd, "option '--%s' takes no value", opts[found].long_name);
                return -3;
            }
            inline_val = eq + 1;
        }
    } else {                                   /* -x or -xVALUE */
        for (int i = 0; opts[i].long_name || opts[i].short_name; i++)
            if (opts[i].short_name && opts[i].short_name == arg[1]) {
                found = i;
                break;
            }
        if (found >= 0 && arg[2]) {
            if (!opts[found].has_arg) {
                kzv_usage_error(a->cmd, "unknown option '%s'", arg);
                return -3;
            }
            inline_val = arg + 2;
        }
    }
    if (found < 0) {
        kzv_usage_error(a->cmd, "unknown option '%s'", arg);
        return -3;
    }
    if (opts[found].has_arg) {
        if (inline_val) {
            *value = inline_val;
        } else if (a->pos < a->argc) {
            *value = a->argv[a->pos++];
        } else {
            kzv_usage_error(a->cmd, "option '%s' needs a value", arg);
            return -3;
        }
    }
    return found;
}

kzv_decoder *kzv_open_or_report(const char *cmd, const char *path,
                                const kzv_decoder_settings *s)
{
    cli_input in;
    cli_input_init(&in, cmd);
    in.path = path;
    in.threads = s ? s->threads : 0;
    in.hw = s ? s->hwaccel : NULL;
    in.stream = s ? s->stream_index : -1;
    return cli_open_decoder(&in, s);
}
