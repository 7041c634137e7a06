/* A single progress line on stderr, only when stderr is a terminal. */
#include <unistd.h>

#include "kzv.h"

void cli_progress_init(cli_progress *p, const char *label, int64_t total)
{
    p->enabled = isatty(STDERR_FILENO) == 1;
    p->shown = false;
    p->label = label;
    p->total = total;
    p->start = p->last = cli_now();
}

void cli_progress_update(cli_progress *p, int64_t done)
{
    if (!p->enabled)
        return;
    double now = cli_now();
    if (now - p->last < 0.2)
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
