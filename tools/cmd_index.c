/* kzv index FILE [--json]: the frame index (demux-only scan, no decoding). */
#include <stdlib.h>
#include <string.h>

#include "kzv.h"

static const char usage[] =
    "Usage: kzv index FILE [--json] [--load F.kzvidx] [--save F.kzvidx]\n"
    "Print FILE's frame index: every frame in display order with its pts,\n"
    "duration, keyframe flag, packet position and size. It comes from one\n"
    "demux pass over the file (nothing is decoded); it is what exact seeking\n"
    "and the exact frame count use.\n\n"
    "  --json   one JSON object: {\"file\", \"frames\", \"keyframes\", \"time_base\",\n"
    "           \"entries\": [{\"index\", \"pts\", \"pts_ts\", \"duration\", \"keyframe\",\n"
    "           \"pos\", \"size\"} …]}\n"
    "  --load F use the index saved in F instead of scanning; a stale one (FILE\n"
    "           changed since, another file, an older kzv) is said so and rebuilt\n"
    "  --save F write the index to F (with FILE's fingerprint) for --load and for\n"
    "           kzv_decoder_load_index() / VideoDecoder(index=...)\n"
    "  --help   show this help\n";

int cmd_index(int argc, char **argv)
{
    enum { OPT_JSON = CLI_OPT_FIRST_OWN, OPT_LOAD, OPT_SAVE };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON }, { "load", required_argument, NULL, OPT_LOAD },
        { "save", required_argument, NULL, OPT_SAVE }, CLI_LONGOPT_HELP, CLI_LONGOPT_STREAM, { 0 },
    };
    bool json = false;
    const char *load = NULL, *save = NULL;
    const char *v;
    cli_input in;
    cli_args a;
    cli_args_init(&a, argc, argv, opts);
    cli_input_init(&in, a.cmd);
    for (int r; (r = cli_next(&a, &v)) != CLI_END;) {
        switch (r) {
        case CLI_ERR: return CLI_EXIT_USAGE;
        case OPT_JSON: json = true; break;
        case OPT_LOAD: load = v; break;
        case OPT_SAVE: save = v; break;
        case 'j': json = true; break;
        case 'h': fputs(usage, stdout); return CLI_EXIT_OK;
        default:
            if (cli_input_option(&in, r, v) < 0)
                return CLI_EXIT_USAGE;
        }
    }
    if (cli_one_file(&a, &in.path, true))
        return CLI_EXIT_USAGE;
    const char *path = in.path;

    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    in.threads = 1;   /* only the first frame is decoded (at open) */
    kzv_decoder *d = cli_open_decoder(&in, &s);
    if (!d)
        return CLI_EXIT_INPUT;
    const kzv_index_entry *e = NULL;
    int64_t n = 0;
    double t0 = cli_now();
    if (load && kzv_decoder_load_index(d, load) < 0)
        fprintf(stderr, "kzv index: %s not used, scanning %s: %s\n", load, path, kzv_decoder_last_error(d));
    int err = kzv_decoder_get_index(d, &e, &n);
    double dt = cli_now() - t0;
    if (err >= 0 && save && kzv_decoder_save_index(d, save) < 0) {
        fprintf(stderr, "kzv index: %s\n", kzv_decoder_last_error(d));
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    if (err < 0) {
        cli_report_decode_error(a.cmd, path, d, err);
        kzv_decoder_close(&d);
        return CLI_EXIT_INPUT;
    }
    const kzv_video_info *info = kzv_decoder_info(d);
    int64_t keys = 0;
    for (int64_t i = 0; i < n; i++)
        keys += e[i].keyframe;

    if (json) {
        fputs("{\"file\":", stdout);
        cli_json_str(stdout, path);
        printf(",\"frames\":%lld,\"keyframes\":%lld,\"time_base\":", (long long)n, (long long)keys);
        cli_json_rational(stdout, info->time_base);
        fputs(",\"entries\":[", stdout);
        for (int64_t i = 0; i < n; i++) {
            printf("%s{\"index\":%lld,\"pts\":", i ? "," : "", (long long)i);
            cli_json_num(stdout, "%.6f", e[i].pts);
            printf(",\"pts_ts\":%lld,\"duration\":", (long long)e[i].pts_ts);
            cli_json_num(stdout, "%.6f", e[i].duration);
            printf(",\"keyframe\":%s,\"pos\":%lld,\"size\":%d}", e[i].keyframe ? "true" : "false",
                   (long long)e[i].pos, e[i].size);
        }
        fputs("]}\n", stdout);
    } else {
        printf("# %s: %lld frames, %lld keyframes, indexed in %.3f s\n", path, (long long)n,
               (long long)keys, dt);
        printf("# %8s %14s %10s %s %12s %8s\n", "index", "pts", "duration", "K", "pos", "size");
        for (int64_t i = 0; i < n; i++)
            printf("  %8lld %14.6f %10.6f %s %12lld %8d\n", (long long)i, e[i].pts, e[i].duration,
                   e[i].keyframe ? "K" : "-", (long long)e[i].pos, e[i].size);
    }
    kzv_decoder_close(&d);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}
