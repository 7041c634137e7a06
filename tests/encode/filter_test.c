/* A stand-in for an external SR tool, for `kzv transcode --filter-cmd`:
 *   filter_test MODE W H BPP [N]
 * reads W×H frames of BPP bytes per pixel on stdin and per frame writes:
 *   copy     the frame unchanged
 *   scale2   the frame doubled (nearest neighbour: 2W×2H)
 *   exit N   like copy for N frames, then exits with status 3
 *   short N  like copy for N frames, then half a frame and exits 0
 *   stall N  like copy for N frames, then sleeps forever (its pid written
 *            first to the file $FT_PIDFILE names, when set)
 *   slow N   like copy, sleeping N ms per frame
 *   extra    like copy, plus one more frame at the end */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_full(unsigned char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t r = fread(b + got, 1, n - got, stdin);
        if (r == 0)
            return 0;
        got += r;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    const char *mode = argv[1];
    int w = atoi(argv[2]), h = atoi(argv[3]), bpp = atoi(argv[4]);
    long n = argc > 5 ? atol(argv[5]) : 0;
    size_t fs = (size_t)w * h * bpp;
    unsigned char *in = malloc(fs), *out = malloc(fs * 4);
    if (!in || !out)
        return 2;
    long i = 0;
    int rc = 0;
    while (read_full(in, fs)) {
        if (!strcmp(mode, "exit") && i == n) {
            rc = 3;
            goto out;
        }
        if (!strcmp(mode, "stall") && i == n) {
            const char *pidfile = getenv("FT_PIDFILE");
            FILE *fp = pidfile ? fopen(pidfile, "w") : NULL;
            if (fp) {
                fprintf(fp, "%ld\n", (long)getpid());
                fclose(fp);
            }
            for (;;)
                pause();
        }
        if (!strcmp(mode, "short") && i == n) {
            fwrite(in, 1, fs / 2, stdout);
            goto out;
        }
        if (!strcmp(mode, "slow"))
            usleep((useconds_t)n * 1000);
        if (!strcmp(mode, "scale2")) {
            size_t orow = (size_t)2 * w * bpp;
            for (int y = 0; y < 2 * h; y++)
                for (int x = 0; x < 2 * w; x++)
                    memcpy(out + y * orow + (size_t)x * bpp, in + ((size_t)(y / 2) * w + x / 2) * bpp, (size_t)bpp);
            fwrite(out, 1, fs * 4, stdout);
        } else {
            fwrite(in, 1, fs, stdout);
        }
        fflush(stdout);
        i++;
    }
    if (!strcmp(mode, "extra"))
        fwrite(in, 1, fs, stdout);
out:
    free(in);
    free(out);
    return rc;
}
