/* Hostile inputs: every file of the corpus made by tests/hostile/make_corpus.sh
 * (truncated, bit-flipped, garbage-headed, zero-filled, mislabelled files and
 * headers claiming absurd picture sizes) goes through the public API: open
 * (default settings, and a small max_pixels), decode every frame (at most
 * 2000), build the index, seek, close. Every step must return KZV_OK, KZV_EOF
 * or a negative KZV_E* code with a message; never crash, hang (a per-file
 * watchdog fails the test naming the file) or leak (LSan in `make test`).
 * Then the `kzv` CLI runs probe, validate and decode on a sample of the
 * corpus: exit codes 0, 1 or 3 (with a message), never 2, never a signal.
 *
 *   test_hostile [--script make_corpus.sh] [--kzv path/to/kzv] [CORPUS_DIR]
 *
 * Without CORPUS_DIR (or $KZV_HOSTILE) the corpus is generated from
 * $KZV_FIXTURES into a scratch directory with --script.
 * $KZV_HOSTILE_CLI_SAMPLE: number of files for the CLI part (default 50).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kzv/kzv.h>

#include "ktest.h"

#define MAX_FRAMES 2000
#define SMALL_MAX_PIXELS (320 * 240)   /* the sources' size: reschange.ts goes over it mid-stream */
#define DEFAULT_MAX_PIXELS (8192LL * 8192LL)
#define RSS_LIMIT_KIB (1024L * 1024L)       /* 1 GiB peak after the absurd files */

typedef struct entry {
    char name[256], kind[32], source[64], detail[128];
} entry;

typedef struct result {
    int open_rc;
    int64_t frames;        /* frames delivered by the default-settings decode */
    int end_rc;            /* what ended that decode */
    char open_msg[256];    /* open's message when it failed */
} result;

static const char *corpus;
static int watchdog_s = 20;
static bool verbose;     /* $KZV_HOSTILE_VERBOSE: one line per file */
static char watchdog_msg[1024];

/* tallies */
static int n_tried, n_opened, n_small_opened;
static int64_t n_frames, n_seek_frames;
static int codes[16];      /* by -code, every failing step; [15] = unknown */

static void quiet(void *user, kzv_log_level level, const char *msg)
{
    (void)user; (void)level; (void)msg;
}

static void on_alarm(int sig)
{
    (void)sig;
    ssize_t r = write(2, watchdog_msg, strlen(watchdog_msg));
    (void)r;
    _exit(1);
}

static void watchdog_arm(const char *file, const char *what)
{
    snprintf(watchdog_msg, sizeof(watchdog_msg),
             "FAIL: HANG: %s (%s) did not finish within %d s\n", file, what, watchdog_s);
    alarm((unsigned)watchdog_s);
}

static void tally(int code)
{
    if (code < 0 && code >= -14)
        codes[-code]++;
    else if (code < 0)
        codes[15]++;
}

static bool known_code(int code)
{
    return code <= KZV_EOF && code >= KZV_EGPU;
}

/* A step's status: KZV_OK / KZV_EOF, or a known error with a message. */
static void check_status(const char *file, const char *step, int rc, const char *msg)
{
    if (rc == KZV_OK || rc == KZV_EOF)
        return;
    tally(rc);
    if (verbose)
        printf("    %s: %s: %s: %s\n", file, step, kzv_strerror(rc), msg ? msg : "(null)");
    KT_CHECK(rc < 0 && known_code(rc), "%s: %s returned %d, not a KZV status", file, step, rc);
    KT_CHECK(msg && msg[0], "%s: %s failed (%s) without a message", file, step, kzv_strerror(rc));
}

static void check_frame(const char *file, const kzv_frame *f, int64_t max_pixels)
{
    KT_CHECK(f && f->width > 0 && f->height > 0 && f->data[0], "%s: empty frame", file);
    if (!f || f->width <= 0 || f->height <= 0 || !f->data[0])
        return;
    KT_CHECK((int64_t)f->width * f->height <= max_pixels, "%s: frame %dx%d over the limit %" PRId64,
             file, f->width, f->height, max_pixels);
    KT_CHECK(f->stride[0] >= f->width, "%s: stride %d < width %d", file, f->stride[0], f->width);
    /* touch the first and last byte of plane 0 (ASan checks the bounds) */
    volatile uint8_t a = f->data[0][0];
    volatile uint8_t b = f->data[0][(size_t)(f->height - 1) * (size_t)f->stride[0] + (size_t)f->width - 1];
    (void)a; (void)b;
}

/* Seek with `how`, then decode one frame. Returns that frame's index, or a
 * negative status when the seek or the decode failed. */
static int64_t seek_and_read(const char *file, kzv_decoder *d, const char *how, int rc, int64_t max_pixels)
{
    check_status(file, how, rc, kzv_decoder_last_error(d));
    if (rc != KZV_OK)
        return rc;
    kzv_frame *f = NULL;
    rc = kzv_decoder_next(d, &f);
    check_status(file, "next after seek", rc, kzv_decoder_last_error(d));
    if (rc == KZV_OK) {
        check_frame(file, f, max_pixels);
        n_seek_frames++;
    }
    KT_CHECK(rc == KZV_OK || f == NULL, "%s: next after seek failed but gave a frame", file);
    int64_t at = rc == KZV_OK && f ? f->frame_index : rc;
    kzv_frame_unref(&f);
    return at;
}

static void run_api(const entry *e, result *res)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", corpus, e->name);
    n_tried++;

    /* 1. default settings: open, decode all, index, seeks, close */
    watchdog_arm(e->name, "open/decode/index/seek");
    kzv_decoder *d = NULL;
    int rc = kzv_decoder_open(&d, path, NULL);
    res->open_rc = rc;
    res->frames = 0;
    res->end_rc = rc;
    check_status(e->name, "open", rc, kzv_decoder_last_error(NULL));
    snprintf(res->open_msg, sizeof(res->open_msg), "%s", rc < 0 ? kzv_decoder_last_error(NULL) : "");
    KT_CHECK(rc != KZV_EOF, "%s: open returned KZV_EOF", e->name);
    KT_CHECK((rc == KZV_OK) == (d != NULL), "%s: open rc %d but decoder %p", e->name, rc, (void *)d);
    if (rc == KZV_OK && d) {
        n_opened++;
        const kzv_video_info *info = kzv_decoder_info(d);
        KT_CHECK(info && info->width > 0 && info->height > 0, "%s: info without a size", e->name);
        if (info)
            KT_CHECK((int64_t)info->width * info->height <= DEFAULT_MAX_PIXELS, "%s: info size %dx%d over the limit",
                     e->name, info->width, info->height);
        kzv_frame *f = NULL;
        int64_t n = 0;
        while (n < MAX_FRAMES && (rc = kzv_decoder_next(d, &f)) == KZV_OK) {
            check_frame(e->name, f, DEFAULT_MAX_PIXELS);
            KT_CHECK(f->frame_index == n, "%s: frame_index %" PRId64 ", expected %" PRId64, e->name, f->frame_index, n);
            kzv_frame_unref(&f);
            n++;
        }
        KT_CHECK(f == NULL, "%s: next returned %d with a frame", e->name, rc);
        res->frames = n;
        res->end_rc = rc;
        n_frames += n;
        if (n < MAX_FRAMES) {
            check_status(e->name, "next", rc, kzv_decoder_last_error(d));
            /* once more after the end or an error: no crash, a status */
            rc = kzv_decoder_next(d, &f);
            check_status(e->name, "next after the end", rc, kzv_decoder_last_error(d));
            kzv_frame_unref(&f);
        }

        const kzv_index_entry *ix = NULL;
        int64_t cnt = -1;
        rc = kzv_decoder_get_index(d, &ix, &cnt);
        check_status(e->name, "get_index", rc, kzv_decoder_last_error(d));
        if (rc == KZV_OK) {
            KT_CHECK(cnt >= 0 && (cnt == 0 || ix), "%s: index of %" PRId64 " entries", e->name, cnt);
            if (cnt > 0) {
                /* on intact files (good, mislabelled) every seek lands exactly */
                bool intact = !strcmp(e->kind, "good") || !strcmp(e->kind, "ext");
                int64_t want[3] = { cnt / 2, 0, cnt - 1 };
                const char *what[3] = { "seek_frame(middle)", "seek_frame(0)", "seek_frame(last)" };
                for (int k = 0; k < 3; k++) {
                    int64_t at = seek_and_read(e->name, d, what[k], kzv_decoder_seek_frame(d, want[k]), DEFAULT_MAX_PIXELS);
                    if (intact)
                        KT_CHECK(at == want[k], "%s: %s gave frame %" PRId64 " (or error)", e->name, what[k], at);
                }
                int64_t at = seek_and_read(e->name, d, "seek(last pts, exact)",
                                           kzv_decoder_seek(d, ix[cnt - 1].pts, KZV_SEEK_EXACT), DEFAULT_MAX_PIXELS);
                if (intact)
                    KT_CHECK(at == cnt - 1, "%s: exact seek to the last pts gave frame %" PRId64, e->name, at);
                at = seek_and_read(e->name, d, "seek(1/3, keyframe)",
                                   kzv_decoder_seek(d, ix[cnt / 3].pts, KZV_SEEK_KEYFRAME), DEFAULT_MAX_PIXELS);
                if (intact)
                    KT_CHECK(at >= 0 && at <= cnt / 3, "%s: keyframe seek to frame %" PRId64 " gave frame %" PRId64,
                             e->name, cnt / 3, at);
                rc = kzv_decoder_seek_frame(d, cnt + 5);
                KT_CHECK(rc == KZV_EOF, "%s: seek_frame past the end gave %d", e->name, rc);
            }
        }
        kzv_decoder_close(&d);
        KT_CHECK(d == NULL, "%s: close left the pointer set", e->name);
    }

    /* 2. max_pixels at the sources' own 320x240: lying headers are refused,
     * reschange.ts stops at its switch to 480x270, everything else decodes
     * within the limit; from memory for every other file */
    watchdog_arm(e->name, "max_pixels open/decode");
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    s.max_pixels = SMALL_MAX_PIXELS;
    s.threads = 1;
    uint8_t *mem = NULL;
    size_t memsize = 0;
    bool from_memory = n_tried % 2 == 0;
    if (from_memory) {
        FILE *fp = fopen(path, "rb");
        KT_CHECK(fp != NULL, "%s: cannot read: %s", path, strerror(errno));
        if (!fp)
            return;
        fseek(fp, 0, SEEK_END);
        long sz = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        mem = kt_malloc(sz > 0 ? (size_t)sz : 1);
        memsize = sz > 0 && fread(mem, 1, (size_t)sz, fp) == (size_t)sz ? (size_t)sz : 0;
        fclose(fp);
        rc = kzv_decoder_open_memory(&d, mem, memsize, e->name, &s);
    } else {
        rc = kzv_decoder_open(&d, path, &s);
    }
    int small_rc = rc, small_frames = 0;
    check_status(e->name, "open (small max_pixels)", rc, kzv_decoder_last_error(NULL));
    KT_CHECK(rc != KZV_EOF, "%s: open returned KZV_EOF", e->name);
    if (rc == KZV_OK) {
        n_small_opened++;
        kzv_frame *f = NULL;
        for (int i = 0; i < 60 && (rc = kzv_decoder_next(d, &f)) == KZV_OK; i++) {
            check_frame(e->name, f, SMALL_MAX_PIXELS);
            kzv_frame_unref(&f);
            small_frames++;
        }
        check_status(e->name, "next (small max_pixels)", rc, kzv_decoder_last_error(d));
        kzv_decoder_close(&d);
    }
    if (verbose)
        printf("%-44s open %-4d frames %-4" PRId64 " end %-4d small-open %-4d frames %-4d %s\n", e->name,
               res->open_rc, res->frames, res->end_rc, small_rc, small_frames, small_rc < 0 ? kzv_decoder_last_error(NULL) : "");
    free(mem);
    alarm(0);
}

/* ---- reference frame counts (ffprobe) ----------------------------------- */

/* ffprobe's decoded-frame count for each listed file (two at a time:
 * ffprobe's start-up dominates). ref[i] = -1 for files not asked for. */
static void ffprobe_counts(const entry *ents, int n, const bool *want, int64_t *ref)
{
    char list[4200];
    snprintf(list, sizeof(list), "%s/ffprobe.list", kt_tmpdir());
    FILE *fp = fopen(list, "w");
    KT_CHECK(fp != NULL, "cannot write %s", list);
    if (!fp)
        return;
    for (int i = 0; i < n; i++) {
        ref[i] = -1;
        if (want[i])
            fprintf(fp, "%s\n", ents[i].name);
    }
    fclose(fp);
    char cmd[9000], *out = NULL;
    snprintf(cmd, sizeof(cmd), "cd '%s' && xargs -P 2 -I @ sh -c 'echo \"@ $(ffprobe -v quiet -select_streams v:0 "
             "-count_frames -show_entries stream=nb_read_frames -of default=nw=1:nk=1 @ | tr \"\\n\" \" \")\"' <'%s'",
             corpus, list);
    kt_run_capture(cmd, &out, NULL);
    for (char *line = out; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *sp = strchr(line, ' ');
        if (sp) {
            *sp = '\0';
            int64_t best = 0;   /* ffprobe may print a stream twice (programs) or N/A */
            for (char *p = sp + 1; *p;) {
                char *end;
                long long v = strtoll(p, &end, 10);
                if (end != p && v > best)
                    best = v;
                p = end != p ? end : p + 1;
            }
            for (int i = 0; i < n; i++)
                if (want[i] && !strcmp(ents[i].name, line))
                    ref[i] = best;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(out);
}

/* ---- CLI ----------------------------------------------------------------- */

/* Run kzv with `args`; return the wait status (-1: could not run, -2: killed
 * after the timeout). stderr goes to errpath. */
static int run_cli(const char *kzv, char *const args[], const char *errpath, int timeout_s)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (null < 0 || err < 0)
            _exit(127);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        execv(kzv, args);
        _exit(127);
    }
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r < 0 && errno != EINTR)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -2;
        }
        usleep(5000);
    }
}

static void cli_check(const char *kzv, const entry *e, int *rc_hist)
{
    char path[4096], errpath[4200];
    snprintf(path, sizeof(path), "%s/%s", corpus, e->name);
    snprintf(errpath, sizeof(errpath), "%s/cli.err", kt_tmpdir());
    const char *cmds[3][8] = {
        { kzv, "probe", path, NULL },
        { kzv, "validate", path, "--threads", "1", NULL },
        { kzv, "decode", path, "--threads", "1", "--frames", "300", NULL },
    };
    for (int c = 0; c < 3; c++) {
        int st = run_cli(kzv, (char *const *)cmds[c], errpath, watchdog_s * 3);
        KT_CHECK(st != -2, "HANG: kzv %s %s did not finish within %d s", cmds[c][1], e->name, watchdog_s * 3);
        KT_CHECK(st != -1, "kzv %s %s: could not run %s", cmds[c][1], e->name, kzv);
        if (st < 0)
            continue;
        KT_CHECK(!WIFSIGNALED(st), "kzv %s %s: killed by signal %d", cmds[c][1], e->name,
                 WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        if (!WIFEXITED(st))
            continue;
        int code = WEXITSTATUS(st);
        if (code >= 0 && code < 8)
            rc_hist[code]++;
        KT_CHECK(code == 0 || code == 1 || code == 3, "kzv %s %s: exit code %d (want 0, 1 or 3)",
                 cmds[c][1], e->name, code);
        if (code == 3) {
            struct stat sb;
            KT_CHECK(stat(errpath, &sb) == 0 && sb.st_size > 0, "kzv %s %s: exit code 3 without a message",
                     cmds[c][1], e->name);
        }
    }
}

/* ---- main ---------------------------------------------------------------- */

static entry *read_manifest(int *count)
{
    char mpath[4096], line[1024];
    snprintf(mpath, sizeof(mpath), "%s/MANIFEST.tsv", corpus);
    FILE *fp = fopen(mpath, "r");
    if (!fp)
        return NULL;
    int cap = 512, n = 0;
    entry *v = kt_malloc(sizeof(*v) * (size_t)cap);
    while (fgets(line, sizeof(line), fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!strncmp(line, "name\t", 5) || !line[0])
            continue;
        if (n == cap) {
            cap *= 2;
            entry *nv = realloc(v, sizeof(*v) * (size_t)cap);
            if (!nv)
                break;
            v = nv;
        }
        entry *e = &v[n];
        memset(e, 0, sizeof(*e));
        char *f[4] = { 0 };
        char *save = NULL, *tok = strtok_r(line, "\t", &save);
        for (int i = 0; i < 4 && tok; i++, tok = strtok_r(NULL, "\t", &save))
            f[i] = tok;
        if (!f[0] || !f[1])
            continue;
        snprintf(e->name, sizeof(e->name), "%s", f[0]);
        snprintf(e->kind, sizeof(e->kind), "%s", f[1]);
        snprintf(e->source, sizeof(e->source), "%s", f[2] ? f[2] : "");
        snprintf(e->detail, sizeof(e->detail), "%s", f[3] ? f[3] : "");
        n++;
    }
    fclose(fp);
    *count = n;
    return v;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *script = NULL, *kzv = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--script") && i + 1 < argc)
            script = argv[++i];
        else if (!strcmp(argv[i], "--kzv") && i + 1 < argc)
            kzv = argv[++i];
        else
            corpus = argv[i];
    }
    if (!corpus && getenv("KZV_HOSTILE") && *getenv("KZV_HOSTILE"))
        corpus = getenv("KZV_HOSTILE");
    /* Sanitizers slow decoding down (TSan about 50x on FFmpeg's frame
     * threads): a longer watchdog, and under TSan every 4th damaged file
     * (good, mislabelled and absurd-size files always run). valgrind
     * (tests/valgrind/run.sh) is slower still, and more so on a shared
     * machine: 60 s for one file was outlasted at load average 14 on 2
     * cores, so it gets 200 s (a hang is still caught). */
    const char *san = getenv("KZV_SANITIZER");
    int stride = 1;
    if (san && *san) {
        watchdog_s *= !strcmp(san, "valgrind") ? 10 : strcmp(san, "tsan") ? 3 : 6;
        stride = strcmp(san, "tsan") ? 1 : 4;
    }
    if (getenv("KZV_HOSTILE_STRIDE") && atoi(getenv("KZV_HOSTILE_STRIDE")) > 0)
        stride = atoi(getenv("KZV_HOSTILE_STRIDE"));
    verbose = getenv("KZV_HOSTILE_VERBOSE") && *getenv("KZV_HOSTILE_VERBOSE");
    double t0 = now_s();

    static char gen_dir[4200];
    if (!corpus) {
        KT_REQUIRE(script != NULL, "no corpus: pass CORPUS_DIR, set KZV_HOSTILE or pass --script");
        const char *fix = kt_fixture("h264.mp4");   /* exits when KZV_FIXTURES is unusable */
        (void)fix;
        snprintf(gen_dir, sizeof(gen_dir), "%s/corpus", kt_tmpdir());
        int rc = kt_run("'%s' '%s' '%s'", script, getenv("KZV_FIXTURES"), gen_dir);
        KT_REQUIRE(rc == 0, "corpus generation failed (%s, exit %d)", script, rc);
        corpus = gen_dir;
    }
    int n = 0;
    entry *ents = read_manifest(&n);
    KT_REQUIRE(ents && n > 0, "%s/MANIFEST.tsv is missing or empty", corpus);
    printf("corpus: %d files in %s (%.1f s)%s\n", n, corpus, now_s() - t0,
           stride > 1 ? " (damaged files: one in every few, KZV_HOSTILE_STRIDE)" : "");

    kzv_set_log_callback(quiet, NULL);
    kzv_set_log_level(KZV_LOG_QUIET);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);

    result *res = calloc((size_t)n, sizeof(*res));
    KT_REQUIRE(res != NULL, "out of memory");

    /* Absurd sizes first, then the peak RSS: nothing may have allocated
     * anywhere near the claimed picture sizes. */
    int absurd_refused = 0, absurd_opened = 0, absurd_other = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i].kind, "absurd"))
            continue;
        run_api(&ents[i], &res[i]);
        if (res[i].open_rc == KZV_OK) {
            absurd_opened++;    /* then every frame was within max_pixels (checked per frame) */
        } else {
            absurd_refused++;
            /* a size refusal says which size and which limit */
            if (res[i].open_rc == KZV_EUNSUPPORTED)
                KT_CHECK(strstr(res[i].open_msg, "over the limit") != NULL,
                         "%s: refused as unsupported without naming the size limit: %s", ents[i].name, res[i].open_msg);
            else
                absurd_other++;
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("absurd sizes: %d refused at open (%d for the size limit, %d as undecodable), %d opened "
           "(frames within the limit); peak RSS %ld MiB\n", absurd_refused, absurd_refused - absurd_other,
           absurd_other, absurd_opened, ru.ru_maxrss / 1024);
    KT_CHECK(ru.ru_maxrss < RSS_LIMIT_KIB, "peak RSS %ld MiB after the absurd-size files (limit 1024 MiB)",
             ru.ru_maxrss / 1024);

    bool *ran = calloc((size_t)n, sizeof(*ran));
    KT_REQUIRE(ran != NULL, "out of memory");
    for (int i = 0, k = 0; i < n; i++) {
        bool always = !strcmp(ents[i].kind, "good") || !strcmp(ents[i].kind, "ext");
        if (!strcmp(ents[i].kind, "absurd")) {
            ran[i] = true;
            continue;
        }
        if (!always && k++ % stride)
            continue;
        run_api(&ents[i], &res[i]);
        ran[i] = true;
    }
    double t_api = now_s();

    /* Frame counts against ffprobe: truncations deliver every frame their
     * good prefix allows (ffprobe's count minus at most 1); good and
     * mislabelled files deliver exactly ffprobe's count. */
    int trunc_checked = 0, short_by[4] = { 0 };
    bool *want = calloc((size_t)n, sizeof(*want));
    int64_t *ref = calloc((size_t)n, sizeof(*ref));
    KT_REQUIRE(want && ref, "out of memory");
    for (int i = 0; i < n; i++)
        want[i] = ran[i] && (!strcmp(ents[i].kind, "trunc") || !strcmp(ents[i].kind, "good") ||
                             !strcmp(ents[i].kind, "ext"));
    ffprobe_counts(ents, n, want, ref);
    for (int i = 0; i < n; i++) {
        if (!want[i])
            continue;
        int64_t got = res[i].frames;
        KT_CHECK(ref[i] >= 0, "%s: no frame count from ffprobe", ents[i].name);
        if (strcmp(ents[i].kind, "trunc")) {
            KT_CHECK(got == ref[i] && got > 0, "%s: %" PRId64 " frames, ffprobe counts %" PRId64 " (open %s)",
                     ents[i].name, got, ref[i], kzv_strerror(res[i].open_rc));
            continue;
        }
        trunc_checked++;
        int64_t missing = ref[i] - got;
        short_by[missing <= 0 ? 0 : missing == 1 ? 1 : missing == 2 ? 2 : 3]++;
        KT_CHECK(got >= ref[i] - 1, "%s: %" PRId64 " frames, ffprobe decodes %" PRId64 " (open: %s, end: %s)",
                 ents[i].name, got, ref[i], kzv_strerror(res[i].open_rc), kzv_strerror(res[i].end_rc));
    }
    free(want);
    free(ref);
    free(ran);
    printf("truncations: %d checked against ffprobe: %d complete, %d one short, %d two short, %d more\n",
           trunc_checked, short_by[0], short_by[1], short_by[2], short_by[3]);

    printf("api: %d files tried, %d opened (%d with max_pixels %d), %" PRId64 " frames delivered, "
           "%" PRId64 " frames after seeks (%.1f s)\n", n_tried, n_opened, n_small_opened, SMALL_MAX_PIXELS,
           n_frames, n_seek_frames, t_api - t0);
    printf("errors by code:");
    for (int c = 2; c < 16; c++)
        if (codes[c])
            printf(" %s=%d", c == 15 ? "unknown" : kzv_strerror(-c), codes[c]);
    printf("\n");

    /* CLI on a sample */
    if (kzv) {
        /* under a sanitizer every CLI run costs several times more */
        int sample = getenv("KZV_SANITIZER") && *getenv("KZV_SANITIZER") ? 20 : 50;
        if (getenv("KZV_HOSTILE_CLI_SAMPLE"))
            sample = atoi(getenv("KZV_HOSTILE_CLI_SAMPLE"));
        if (sample > n)
            sample = n;
        int rc_hist[8] = { 0 }, done = 0;
        alarm(0);
        for (int k = 0; k < sample; k++) {
            int i = (int)((int64_t)k * n / sample);
            cli_check(kzv, &ents[i], rc_hist);
            done++;
        }
        printf("cli: %d files x (probe, validate, decode): exit 0: %d, 1: %d, 3: %d, other: %d (%.1f s)\n",
               done, rc_hist[0], rc_hist[1], rc_hist[3], 3 * done - rc_hist[0] - rc_hist[1] - rc_hist[3],
               now_s() - t_api);
    } else {
        printf("cli: skipped (no --kzv)\n");
    }
    free(res);
    free(ents);
    return kt_finish();
}
