/* kzv join OUT PART... [--source SRC]: encoded segments into one file, with
 * the source's audio, subtitles, attachments and chapters (kzv_join()). */
#include <stdio.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv join OUT PART... [--source SRC] [--source-stream N] [--container NAME]\n"
    "Join video segments encoded part by part (a split job) into OUT: the parts'\n"
    "video packets one after another, copied (no re-encoding, timestamps as the\n"
    "parts carry them), and every other stream of SRC (audio, subtitles, fonts,\n"
    "data), its chapters and metadata copied once, interleaved by time. Parts\n"
    "must share codec, size and codec headers (encoded with the same settings).\n"
    "OUT is written under a temporary name and renamed when complete.\n\n"
    "  --source SRC         copy SRC's other streams, chapters and metadata\n"
    "  --source-stream N    SRC's video stream the parts replace (default: its best)\n"
    "  --container NAME     output container (default: from OUT's extension)\n"
    "  --help               show this help\n\n"
    "Exit status: 0 ok, 2 usage error, 3 a part, the source or OUT failed.\n";

int cmd_join(int argc, char **argv)
{
    enum { OPT_SOURCE = CLI_OPT_FIRST_OWN, OPT_SOURCE_STREAM, OPT_CONTAINER };
    static const struct option opts[] = {
        { "source", required_argument, NULL, OPT_SOURCE },
        { "source-stream", required_argument, NULL, OPT_SOURCE_STREAM },
        { "container", required_argument, NULL, OPT_CONTAINER },
        CLI_LONGOPT_HELP, { 0 },
    };
    kzv_join_settings s;
    kzv_join_default_settings(&s);
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    const char *v;
    long long n;
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_SOURCE: s.source = v; break;
        case OPT_CONTAINER: s.container = v; break;
        case OPT_SOURCE_STREAM:
            if (!cli_parse_int(v, 0, 65535, &n))
                return cli_usage_error(a.cmd, "--source-stream needs a stream number, not '%s'", v);
            s.source_video_stream = (int)n;
            break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        }
    }
    int nparts = cli_operands(&a, 2, -1, "OUT and at least one PART") - 1;
    if (nparts < 1)
        return CLI_EXIT_USAGE;
    const char *out = argv[a.first_operand];
    int err = kzv_join(out, (const char *const *)argv + a.first_operand + 1, (size_t)nparts, &s);
    if (err < 0) {
        cli_errorf(a.cmd, "%s", kzv_join_last_error());
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}
