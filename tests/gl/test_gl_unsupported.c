/* Built without EGL/GLES: every gl entry point answers KZV_EUNSUPPORTED
 * (with a log line), and the settings helper still works. */
#include <stdint.h>

#include "kzv/gl.h"
#include "ktest.h"

int main(void)
{
    kzv_gl_settings s;
    kzv_gl_default_settings(&s);
    KT_CHECK_EQ_INT(s.pbo_ring, 3);
    KT_CHECK_EQ_INT(s.pool_size, 8);
    kzv_uploader *u = (kzv_uploader *)&s;
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u, &s), KZV_EUNSUPPORTED);
    KT_CHECK(u == NULL, "out cleared");
    KT_CHECK_EQ_INT(kzv_uploader_create_gl(&u, NULL), KZV_EUNSUPPORTED);
    uint8_t px[4];
    KT_CHECK_EQ_INT(kzv_gl_read_texture(NULL, 1, px, 4), KZV_EUNSUPPORTED);
    KT_CHECK_EQ_INT(kzv_gl_texture_name(NULL, 1), 0);
    KT_CHECK_EQ_INT(kzv_gl_make_current(NULL), KZV_EUNSUPPORTED);
    KT_CHECK_EQ_INT(kzv_gl_release_current(NULL), KZV_EUNSUPPORTED);
    KT_CHECK_EQ_INT(kzv_gl_finish(NULL), KZV_EUNSUPPORTED);
    kzv_gl_stats st;
    KT_CHECK_EQ_INT(kzv_gl_get_stats(NULL, &st), KZV_EUNSUPPORTED);
    return kt_finish();
}
