/* No usable EGL driver (meson runs this with glvnd pointed at a vendor file
 * that does not exist): creation fails cleanly with KZV_EGPU and a log line
 * saying why, and leaves nothing behind. */
#include <pthread.h>
#include <string.h>

#include "kzv/gl.h"
#include "ktest.h"

static char last[2048];
static int errors;

static void capture(void *user, kzv_log_level level, const char *msg)
{
    (void)user;
    if (level == KZV_LOG_ERROR) {
        errors++;
        snprintf(last, sizeof(last), "%s", msg);
    }
}

int main(void)
{
    kzv_set_log_callback(capture, NULL);
    kzv_uploader *u = NULL;
    for (int i = 0; i < 2; i++) {
        int err = kzv_uploader_create_gl(&u, NULL);
        KT_CHECK_EQ_INT(err, KZV_EGPU);
        KT_CHECK(u == NULL, "nothing made");
    }
    KT_CHECK(errors == 2, "one error line per attempt (%d)", errors);
    KT_CHECK(strstr(last, "no EGL display could be initialised") != NULL, "reason: %s", last);
    printf("logged: %s\n", last);
    kzv_set_log_callback(NULL, NULL);
    return kt_finish();
}
