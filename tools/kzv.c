/* kzv — command-line front end of the KizunaSR video core. */
#include <string.h>

#include "kzv.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "probe",    cmd_probe,    "describe a file and every stream in it (--json: ffprobe's shape)" },
    { "frames",   cmd_frames,   "list every frame: index, pts, duration, keyframe, size" },
    { "decode",   cmd_decode,   "decode frames to an image, image files, raw video or YUV4MPEG2" },
    { "validate", cmd_validate, "check frame order, frame count, size and format" },
    { "sheet",    cmd_sheet,    "make a contact sheet (PNG or JPEG) of evenly spaced frames" },
    { "bench",    cmd_bench,    "time one file stage by stage (index, decode, convert, hand-over)" },
    { "index",    cmd_index,    "print the frame index (pts, keyframes, packet positions)" },
    { "play",     cmd_play,     "play in real time (window, or --headless upload timing)" },
    { "join",     cmd_join,     "join encoded segments into one file with the source's other streams" },
    { "transcode", cmd_transcode, "decode, process (--scale, --filter-cmd), encode; other streams kept" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_version(FILE *fp)
{
    fprintf(fp, "kzv %d.%d.%d (libkzv %s)\n", KZV_VERSION_MAJOR, KZV_VERSION_MINOR,
            KZV_VERSION_PATCH, kzv_version());
}

static void print_help(FILE *fp)
{
    fputs("Usage: kzv COMMAND [OPTIONS] FILE\n"
          "       kzv help [COMMAND] | kzv --help | kzv --version\n\n"
          "Commands:\n", fp);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'kzv COMMAND --help' for a command's options. Options shared by the\n"
          "commands that open FILE: --stream N (the video stream to use; kzv probe lists\n"
          "them), --threads N, --hw NAME; decode, sheet and play also --no-autorotate\n"
          "(they turn frames as the display matrix says unless told not to); decode and\n"
          "sheet -q and --progress FILE|- (frames and validate: -q, --progress).\n"
          "Exit status: 0 ok, 1 a check failed (validate), 2 usage error, including\n"
          "impossible requests (a start past the end, --frames 0, an unknown --hw\n"
          "device type), 3 input or output error (cannot open, read, decode, write).\n", fp);
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "version")) {
        print_version(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "help")) {
        if (argc == 2) {
            print_help(stdout);
            return CLI_EXIT_OK;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "kzv: unknown command '%s'\nTry 'kzv --help'.\n", argv[2]);
            return CLI_EXIT_USAGE;
        }
        char *hargv[] = { (char *)c->name, (char *)"--help", NULL };
        return c->run(2, hargv);
    }
    const command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "kzv: unknown command '%s'\nTry 'kzv --help'.\n", name);
        return CLI_EXIT_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}
