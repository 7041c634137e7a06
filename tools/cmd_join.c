/* kzv join OUT PART... [--source SRC]: encoded segments into one file, with
 * the source's audio, subtitles, attachments and chapters (kzv_join()). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    static const struct option longopts[] = {
        { "source", required_argument, NULL, 's' },
        { "source-stream", required_argument, NULL, 'n' },
        { "container", required_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    kzv_join_settings s;
    kzv_join_default_settings(&s);
    const char *cmd = "join";
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
        switch (c) {
        case 's': s.source = optarg; break;
        case 'c': s.container = optarg; break;
        case 'n': {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 65535)
                return cli_usage_error(cmd, "--source-stream needs a stream number, not '%s'", optarg);
            s.source_video_stream = (int)v;
            break;
        }
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(cmd, "give OUT and at least one PART");
    const char *out = argv[optind];
    int err = kzv_join(out, (const char *const *)argv + optind + 1, (size_t)(argc - optind - 1), &s);
    if (err < 0) {
        fprintf(stderr, "kzv join: %s\n", kzv_join_last_error());
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_OK;
}
