/* Bad inputs: every failure gets the documented status code and a message
 * naming the file; damaged-but-readable files decode as far as they can.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core_util.h"
#include "ktest.h"

typedef struct log_count {
    int warnings, errors;
} log_count;

static void count_log(void *user, kzv_log_level level, const char *msg)
{
    log_count *lc = user;
    (void)msg;
    if (level == KZV_LOG_WARNING)
        lc->warnings++;
    else if (level == KZV_LOG_ERROR)
        lc->errors++;
}

static void expect_open_fails(const char *path, int want)
{
    kzv_decoder *d = (kzv_decoder *)(uintptr_t)1;   /* must be reset to NULL */
    int err = kzv_decoder_open(&d, path, NULL);
    const char *msg = kzv_decoder_last_error(NULL);
    printf("%-20s -> %d (%s): %s\n", cu_base(path), err, kzv_strerror(err), msg ? msg : "(null)");
    KT_CHECK(err == want, "%s: open returned %d (%s), expected %d (%s)", cu_base(path), err, kzv_strerror(err), want,
             kzv_strerror(want));
    KT_CHECK(d == NULL, "%s: *out not NULL after a failed open", cu_base(path));
    KT_CHECK(msg && *msg, "%s: kzv_decoder_last_error(NULL) is empty", cu_base(path));
    KT_CHECK(msg && strstr(msg, cu_base(path)), "%s: last error \"%s\" does not name the file", cu_base(path),
             msg ? msg : "");
    if (err == KZV_OK)
        kzv_decoder_close(&d);
}

/* The unreadable-file check as root, where permissions are not enforced: in
 * a child that has dropped to an unprivileged user (nobody, 65534). Returns
 * 1 when the child ran the check and it held, 0 when it failed, -1 when the
 * child could not switch users (no CAP_SETUID, e.g. a user namespace that
 * maps only root). */
static int unreadable_as_nobody(const char *path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(3);
        if (access(path, R_OK) == 0)
            _exit(3);   /* still readable: permissions not enforced here */
        int code = 0;
        kzv_decoder *d = NULL;
        int err = kzv_decoder_open(&d, path, NULL);
        const char *msg = kzv_decoder_last_error(NULL);
        printf("%-20s -> %d (%s) as uid 65534: %s\n", cu_base(path), err, kzv_strerror(err), msg ? msg : "(null)");
        if (err != KZV_EIO || d != NULL || !msg || !strstr(msg, cu_base(path)))
            code = 1;
        kzv_decoder_close(&d);
        fflush(stdout);
        _exit(code);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return 0;
    return WEXITSTATUS(st) == 3 ? -1 : WEXITSTATUS(st) == 0;
}

int main(void)
{
    kzv_set_log_level(KZV_LOG_QUIET);

    /* ---- open failures ---- */
    char missing[4200];
    snprintf(missing, sizeof(missing), "%s/does-not-exist.mp4", kt_tmpdir());
    expect_open_fails(missing, KZV_ENOENT);

    char unreadable[4200];
    snprintf(unreadable, sizeof(unreadable), "%s/unreadable.mp4", kt_tmpdir());
    KT_REQUIRE(kt_run("cp '%s' '%s' && chmod 000 '%s'", kt_fixture("h264.mp4"), unreadable, unreadable) == 0,
               "cannot make the unreadable copy");
    if (access(unreadable, R_OK) != 0) {
        expect_open_fails(unreadable, KZV_EIO);
    } else if (geteuid() == 0) {
        /* root reads anything: check as nobody (who may enter the directory) */
        chmod(kt_tmpdir(), 0711);
        int r = unreadable_as_nobody(unreadable);
        if (r < 0)
            printf("not tested: KZV_EIO for an unreadable file (running as root, and cannot switch to an "
                   "unprivileged user to make the permissions count)\n");
        else
            KT_CHECK(r == 1, "unreadable.mp4 as uid 65534: not KZV_EIO with a message naming the file");
    } else {
        printf("not tested: KZV_EIO for an unreadable file (this file system does not enforce permissions)\n");
    }

    expect_open_fails(kt_fixture("empty.mp4"), KZV_EINVALIDDATA);
    expect_open_fails(kt_fixture("garbage.mp4"), KZV_EINVALIDDATA);
    expect_open_fails(kt_fixture("text.mp4"), KZV_EINVALIDDATA);
    expect_open_fails(kt_fixture("truncated_moov.mp4"), KZV_EINVALIDDATA);
    expect_open_fails(kt_fixture("audio_only.m4a"), KZV_ENOVIDEO);
    const char *dir = getenv("KZV_FIXTURES");
    char cover[4200];
    snprintf(cover, sizeof(cover), "%s/audio_cover.mp3", dir ? dir : ".");
    if (access(cover, R_OK) == 0)
        expect_open_fails(cover, KZV_ENOVIDEO);
    else
        printf("not tested: KZV_ENOVIDEO for audio with cover art (audio_cover.mp3 not generated: this ffmpeg "
               "has no libmp3lame)\n");
    expect_open_fails(kt_fixture("unsupported.avi"), KZV_EUNSUPPORTED);

    /* argument errors */
    KT_CHECK(kzv_decoder_open(NULL, kt_fixture("h264.mp4"), NULL) == KZV_EINVAL, "open(NULL out) not EINVAL");
    kzv_decoder *d = NULL;
    KT_CHECK(kzv_decoder_open(&d, NULL, NULL) == KZV_EINVAL && d == NULL, "open(NULL path) not EINVAL");
    kzv_decoder_close(NULL);
    kzv_decoder_close(&d);

    /* a successful open clears the thread's last error */
    KT_CHECK(kzv_decoder_open(&d, kt_fixture("h264.mp4"), NULL) == KZV_OK, "h264.mp4 does not open");
    KT_CHECK(!strcmp(kzv_decoder_last_error(d), ""), "fresh decoder has error \"%s\"", kzv_decoder_last_error(d));
    kzv_decoder_close(&d);

    /* ---- truncated.mp4: the head decodes, then a clean KZV_EOF ---- */
    cu_probe pr;
    KT_REQUIRE(cu_probe_file(kt_fixture("truncated.mp4"), false, &pr) == 0, "ffprobe truncated.mp4 failed");
    kzv_decoder_settings s;
    kzv_decoder_default_settings(&s);
    log_count lc = { 0, 0 };
    s.log_fn = count_log;
    s.log_user = &lc;
    cu_decoded dd;
    int err = cu_decode_all(kt_fixture("truncated.mp4"), &s, 0, &dd);
    KT_CHECK(err == KZV_OK, "truncated.mp4: open failed: %s", kzv_strerror(err));
    printf("truncated.mp4: %d frames (ffprobe %d), ended with %d (%s); %d warnings logged\n", dd.n, pr.n,
           dd.end_status, kzv_strerror(dd.end_status), lc.warnings);
    KT_CHECK(dd.n > 5 && dd.n < 50, "truncated.mp4: %d frames, expected a partial decode", dd.n);
    KT_CHECK(dd.n == pr.n, "truncated.mp4: %d frames, ffprobe decodes %d", dd.n, pr.n);
    KT_CHECK(dd.end_status == KZV_EOF, "truncated.mp4: ended with %d (%s), expected KZV_EOF", dd.end_status,
             kzv_strerror(dd.end_status));
    for (int i = 0; i < dd.n && i < pr.n; i++)
        KT_CHECK(dd.frames[i]->pts_ts == pr.frames[i].best_effort && dd.frames[i]->frame_index == i,
                 "truncated.mp4: frame %d pts_ts %lld, ffprobe %lld", i, (long long)dd.frames[i]->pts_ts,
                 (long long)pr.frames[i].best_effort);
    cu_decoded_free(&dd);
    cu_probe_free(&pr);

    /* ---- corrupt_mid.mkv: damage is counted, decoding goes on to the end ---- */
    const char *cm = kt_fixture("corrupt_mid.mkv");
    KT_REQUIRE(cu_probe_file(cm, false, &pr) == 0, "ffprobe corrupt_mid.mkv failed");
    char *ffout = NULL;
    char cmd[4400];
    snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -threads 1 -i '%s' -f null - 2>&1 | grep -c 'error while decoding'", cm);
    kt_run_capture(cmd, &ffout, NULL);
    int fferrors = ffout ? atoi(ffout) : -1;
    free(ffout);
    /* One decoding thread: FFmpeg's H.264 frame threads flag concealed
     * pictures only some of the time (measured 0 to 7 of the same damaged
     * frames across runs), so the damage count is checked where the codec
     * reports it deterministically; the default threading is checked for
     * the frames and the end below. */
    kzv_decoder_settings s1 = s;
    s1.threads = 1;
    lc = (log_count){ 0, 0 };
    err = cu_decode_all(cm, &s1, 0, &dd);
    KT_CHECK(err == KZV_OK, "corrupt_mid.mkv: open failed: %s", kzv_strerror(err));
    printf("corrupt_mid.mkv: %d frames (ffprobe %d), end %d (%s); corrupt_packets %lld corrupt_frames %lld; "
           "ffmpeg reports %d damaged macroblock rows ('error while decoding MB'); %d warnings logged\n",
           dd.n, pr.n, dd.end_status, kzv_strerror(dd.end_status), (long long)dd.stats.corrupt_packets,
           (long long)dd.stats.corrupt_frames, fferrors, lc.warnings);
    KT_CHECK(fferrors >= 1, "corrupt_mid.mkv: ffmpeg reports no decoding error: the fixture is not damaged");
    KT_CHECK(dd.end_status == KZV_EOF, "corrupt_mid.mkv: ended with %d (%s), expected KZV_EOF", dd.end_status,
             kzv_strerror(dd.end_status));
    KT_CHECK(dd.n == pr.n, "corrupt_mid.mkv: %d frames, ffprobe decodes %d", dd.n, pr.n);
    KT_CHECK(dd.stats.corrupt_packets + dd.stats.corrupt_frames >= 1,
             "corrupt_mid.mkv: damage not counted (corrupt_packets %lld, corrupt_frames %lld)",
             (long long)dd.stats.corrupt_packets, (long long)dd.stats.corrupt_frames);
    KT_CHECK(lc.warnings >= 1, "corrupt_mid.mkv: skipped damage was not logged (warnings %d)", lc.warnings);
    for (int i = 0; i < dd.n; i++)
        KT_CHECK(dd.frames[i]->frame_index == i, "corrupt_mid.mkv: frame_index %lld at %d",
                 (long long)dd.frames[i]->frame_index, i);
    cu_decoded_free(&dd);
    err = cu_decode_all(cm, &s, 0, &dd);
    KT_CHECK(err == KZV_OK && dd.n == pr.n && dd.end_status == KZV_EOF,
             "corrupt_mid.mkv, default threads: %d frames (ffprobe %d), end %d", dd.n, pr.n, dd.end_status);
    cu_decoded_free(&dd);
    cu_probe_free(&pr);

    /* strict: the first damage is an error (one thread, as above: a
     * concealed picture must be flagged to be noticed) */
    s1.strict = true;
    err = cu_decode_all(cm, &s1, 0, &dd);
    KT_CHECK(err == KZV_OK, "corrupt_mid.mkv strict: open failed: %s", kzv_strerror(err));
    printf("corrupt_mid.mkv strict: %d frames, then %d (%s)\n", dd.n, dd.end_status, kzv_strerror(dd.end_status));
    KT_CHECK(dd.end_status == KZV_EINVALIDDATA, "corrupt_mid.mkv strict: ended with %d (%s), expected "
             "KZV_EINVALIDDATA", dd.end_status, kzv_strerror(dd.end_status));
    KT_CHECK(dd.n > 0, "corrupt_mid.mkv strict: no frame before the damage");
    cu_decoded_free(&dd);

    /* a clean file in strict mode decodes fully (default threads) */
    s.strict = true;
    err = cu_decode_all(kt_fixture("h264.mp4"), &s, 0, &dd);
    KT_CHECK(err == KZV_OK && dd.end_status == KZV_EOF && dd.n == 50, "h264.mp4 strict: %d frames, end %d", dd.n,
             dd.end_status);
    cu_decoded_free(&dd);

    /* EOF is sticky */
    KT_REQUIRE(kzv_decoder_open(&d, kt_fixture("flat_bt601.mp4"), NULL) == KZV_OK, "open flat_bt601.mp4");
    kzv_frame *f = NULL;
    int n = 0;
    while (kzv_decoder_next(d, &f) == KZV_OK) {
        kzv_frame_unref(&f);
        n++;
    }
    KT_CHECK(n == 5, "flat_bt601.mp4: %d frames", n);
    KT_CHECK(kzv_decoder_next(d, &f) == KZV_EOF && f == NULL, "second call after the end is not KZV_EOF");
    KT_CHECK(kzv_decoder_next(d, NULL) == KZV_EINVAL, "next(d, NULL) is not KZV_EINVAL");
    kzv_decoder_close(&d);

    return kt_finish();
}
