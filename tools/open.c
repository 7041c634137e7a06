/* FILE + the common options -> an opened decoder or processor: the one
 * place every command opens its input (see kzv.h). */
#include <string.h>

#include "kzv.h"

void cli_input_init(cli_input *in, const char *cmd)
{
    memset(in, 0, sizeof(*in));
    in->cmd = cmd;
    in->stream = -1;
}

/* A name --hw accepts: none, auto, or a device type of this FFmpeg build. */
static bool hw_name_known(const char *name)
{
    if (!strcmp(name, "none") || !strcmp(name, "auto"))
        return true;
    for (int i = 0; kzv_hwaccel_type_name(i); i++)
        if (!strcmp(kzv_hwaccel_type_name(i), name))
            return true;
    return false;
}

int cli_input_option(cli_input *in, int id, const char *v)
{
    long long n;
    switch (id) {
    case CLI_OPT_THREADS:
        if (!cli_parse_int(v, 0, 1024, &n)) {
            cli_usage_error(in->cmd, "--threads needs a number from 0 to 1024, not '%s'", v);
            return -CLI_EXIT_USAGE;
        }
        in->threads = (int)n;
        return 1;
    case CLI_OPT_HW:
        if (!hw_name_known(v)) {
            char list[512] = "none, auto";
            size_t len = strlen(list);
            for (int i = 0; kzv_hwaccel_type_name(i) && len < sizeof(list) - 1; i++) {
                int r = snprintf(list + len, sizeof(list) - len, ", %s", kzv_hwaccel_type_name(i));
                len += r > 0 ? (size_t)r : 0;
            }
            cli_usage_error(in->cmd, "--hw: unknown device type '%s' (this build knows: %s)", v,
                            list);
            return -CLI_EXIT_USAGE;
        }
        in->hw = v;
        return 1;
    case CLI_OPT_STREAM:
        if (!cli_parse_int(v, 0, 1 << 20, &n)) {
            cli_usage_error(in->cmd, "--stream needs a stream index >= 0 (kzv probe lists "
                            "them), not '%s'", v);
            return -CLI_EXIT_USAGE;
        }
        in->stream = (int)n;
        return 1;
    case 'q':
        in->quiet = true;
        return 1;
    case CLI_OPT_PROGRESS:
        if (!*v) {
            cli_usage_error(in->cmd, "--progress needs a file name or - (standard output)");
            return -CLI_EXIT_USAGE;
        }
        in->progress = v;
        return 1;
    case CLI_OPT_AUTOROTATE:
        in->autorotate = true;
        return 1;
    case CLI_OPT_NO_AUTOROTATE:
        in->autorotate = false;
        return 1;
    default:
        return 0;
    }
}

void cli_input_apply(const cli_input *in, kzv_decoder_settings *s)
{
    s->threads = in->threads;
    s->hwaccel = in->hw;
    s->stream_index = in->stream;
    s->autorotate = in->autorotate;
}

static void report_open_error(const cli_input *in, int err)
{
    const char *msg = kzv_decoder_last_error(NULL);
    if (msg && *msg)
        cli_errorf(in->cmd, "%s", msg);
    else
        cli_errorf(in->cmd, "%s: %s", in->path, kzv_strerror(err));
}

kzv_decoder *cli_open_decoder(const cli_input *in, const kzv_decoder_settings *s)
{
    kzv_decoder_settings ds;
    if (s)
        ds = *s;
    else
        kzv_decoder_default_settings(&ds);
    cli_input_apply(in, &ds);
    kzv_decoder *d = NULL;
    int err = kzv_decoder_open(&d, in->path, &ds);
    if (err < 0) {
        report_open_error(in, err);
        return NULL;
    }
    return d;
}

int cli_open_processor(const cli_input *in, const kzv_processor_settings *ps,
                       kzv_processor **out)
{
    kzv_processor_settings s = *ps;
    cli_input_apply(in, &s.decoder);
    int err = kzv_processor_open(out, in->path, NULL, &s);
    if (err < 0) {
        report_open_error(in, err);
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}

void cli_report_decode_error(const char *cmd, const char *path,
                             const kzv_decoder *d, int err)
{
    const char *msg = kzv_decoder_last_error(d);
    if (msg && *msg)
        cli_errorf(cmd, "%s", msg);
    else
        cli_errorf(cmd, "%s: decoding failed: %s", path, kzv_strerror(err));
}
