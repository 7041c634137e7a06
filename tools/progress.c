/* Progress: a line on stderr when it is a terminal, and --progress FILE|-
 * blocks of key=value lines for scripts, like ffmpeg's -progress. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "kzv.h"

void cli_progress_init(cli_progress *p, const char *label, int64_t total)
{
    memset(p, 0, sizeof(*p));
    p->enabled = isatty(STDERR_FILENO) == 1;
    p->label = label;
    p->total = total;
    p->start = p->last = p->last_block = cli_now();
    p->pts = p->first_pts = NAN;
}

int cli_progress_open(cli_progress *p, const cli_input *in)
{
    if (in->quiet)
        p->enabled = false;
    if (!in->progress)
        return CLI_EXIT_OK;
    if (!strcmp(in->progress, "-")) {
        p->machine = stdout;
        return CLI_EXIT_OK;
    }
    p->machine = fopen(in->progress, "w");
    if (!p->machine) {
        cli_errorf(in->cmd, "cannot write '%s': %s", in->progress, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    p->machine_close = true;
    return CLI_EXIT_OK;
}

void cli_progress_pts(cli_progress *p, double pts)
{
    if (!isfinite(pts))
        return;
    if (isnan(p->first_pts))
        p->first_pts = pts;
    p->pts = pts;
}

static void block(cli_progress *p, const char *state)
{
    double el = cli_now() - p->start;
    double out = isfinite(p->pts) && isfinite(p->first_pts) ? p->pts - p->first_pts : 0.0;
    if (out < 0)
        out = 0;
    long long us = (long long)llround(out * 1e6);
    FILE *m = p->machine;
    fprintf(m, "frame=%lld\nfps=%.2f\n", (long long)p->done, el > 0 ? (double)p->done / el : 0.0);
    if (p->total >= 0)
        fprintf(m, "total_frames=%lld\n", (long long)p->total);
    else
        fputs("total_frames=N/A\n", m);
    fprintf(m, "out_time_us=%lld\nout_time=%02lld:%02lld:%02lld.%06lld\nelapsed=%.3f\n", us,
            us / 3600000000LL, us / 60000000LL % 60, us / 1000000LL % 60, us % 1000000LL, el);
    if (el > 0 && out > 0)
        fprintf(m, "speed=%.3gx\n", out / el);
    else
        fputs("speed=N/A\n", m);
    fprintf(m, "progress=%s\n", state);
    fflush(m);
}

void cli_progress_update(cli_progress *p, int64_t done)
{
    p->done = done;
    if (!p->enabled && !p->machine)
        return;
    double now = cli_now();
    if (p->machine && now - p->last_block >= 0.5) {
        p->last_block = now;
        block(p, "continue");
    }
    if (!p->enabled || now - p->last < 0.2)
        return;
    p->last = now;
    double el = now - p->start;
    double fps = el > 0 ? (double)done / el : 0;
    if (p->total > 0)
        fprintf(stderr, "\r\033[K%s: frame %lld/%lld (%3d%%)  %.1f fps", p->label,
                (long long)done, (long long)p->total,
                (int)(done * 100 / (p->total > 0 ? p->total : 1)), fps);
    else
        fprintf(stderr, "\r\033[K%s: frame %lld  %.1f fps", p->label, (long long)done, fps);
    fflush(stderr);
    p->shown = true;
}

void cli_progress_clear(cli_progress *p)
{
    if (p->enabled && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = false;
}

void cli_progress_end(cli_progress *p)
{
    cli_progress_clear(p);
    if (!p->machine)
        return;
    block(p, "end");
    if (p->machine_close)
        fclose(p->machine);
    p->machine = NULL;
}
