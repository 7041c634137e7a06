/*
 * The gl uploader on a context it may share with the caller: every call saves
 * what it touches and restores it when the context is the caller's
 * (use_current_context), sets the pixel-store state it relies on explicitly,
 * and clears and checks GL errors around its own work.
 */
#ifdef KZV_HAVE_GL

#include "gpu/gl_internal.h"
#include "core/log.h"

static const GLenum unpack_params[5] = {
    GL_UNPACK_ALIGNMENT, GL_UNPACK_ROW_LENGTH, GL_UNPACK_SKIP_ROWS, GL_UNPACK_SKIP_PIXELS,
    GL_UNPACK_IMAGE_HEIGHT,
};
static const GLenum pack_params[4] = {
    GL_PACK_ALIGNMENT, GL_PACK_ROW_LENGTH, GL_PACK_SKIP_ROWS, GL_PACK_SKIP_PIXELS,
};
static const GLenum caps[7] = {
    GL_BLEND, GL_SCISSOR_TEST, GL_DEPTH_TEST, GL_STENCIL_TEST, GL_CULL_FACE,
    GL_RASTERIZER_DISCARD, GL_POLYGON_OFFSET_FILL,
};

void kzv_gl_state_save(const kzv_gl_priv *p, kzv_gl_state *st)
{
    if (p->ctx.own)
        return;
    glGetIntegerv(GL_ACTIVE_TEXTURE, &st->active_tex);
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &st->tex2d[i]);
        glGetIntegerv(GL_SAMPLER_BINDING, &st->sampler[i]);
    }
    glGetIntegerv(GL_PIXEL_UNPACK_BUFFER_BINDING, &st->unpack_buf);
    glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &st->pack_buf);
    for (int i = 0; i < 5; i++)
        glGetIntegerv(unpack_params[i], &st->unpack[i]);
    for (int i = 0; i < 4; i++)
        glGetIntegerv(pack_params[i], &st->pack[i]);
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &st->draw_fbo);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &st->read_fbo);
    glGetIntegerv(GL_CURRENT_PROGRAM, &st->program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &st->vao);
    glGetIntegerv(GL_VIEWPORT, st->viewport);
    for (int i = 0; i < 7; i++)
        st->caps[i] = glIsEnabled(caps[i]);
    glGetBooleanv(GL_COLOR_WRITEMASK, st->color_mask);
}

void kzv_gl_state_restore(const kzv_gl_priv *p, const kzv_gl_state *st)
{
    if (p->ctx.own)
        return;
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glBindTexture(GL_TEXTURE_2D, (GLuint)st->tex2d[i]);
        glBindSampler((GLuint)i, (GLuint)st->sampler[i]);
    }
    glActiveTexture((GLenum)st->active_tex);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, (GLuint)st->unpack_buf);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, (GLuint)st->pack_buf);
    for (int i = 0; i < 5; i++)
        glPixelStorei(unpack_params[i], st->unpack[i]);
    for (int i = 0; i < 4; i++)
        glPixelStorei(pack_params[i], st->pack[i]);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, (GLuint)st->draw_fbo);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, (GLuint)st->read_fbo);
    glUseProgram((GLuint)st->program);
    glBindVertexArray((GLuint)st->vao);
    glViewport(st->viewport[0], st->viewport[1], st->viewport[2], st->viewport[3]);
    for (int i = 0; i < 7; i++) {
        if (st->caps[i])
            glEnable(caps[i]);
        else
            glDisable(caps[i]);
    }
    glColorMask(st->color_mask[0], st->color_mask[1], st->color_mask[2], st->color_mask[3]);
}

void kzv_gl_disable_caps(void)
{
    for (int i = 0; i < 7; i++)
        glDisable(caps[i]);
}

void kzv_gl_pixel_store_defaults(void)
{
    for (int i = 0; i < 5; i++)
        glPixelStorei(unpack_params[i], i == 0 ? 1 : 0);
    for (int i = 0; i < 4; i++)
        glPixelStorei(pack_params[i], i == 0 ? 1 : 0);
}

static const char *gl_err_name(GLenum e)
{
    switch (e) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    default: return "unknown GL error";
    }
}

void kzv_gl_clear_errors(void)
{
    for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; i++)
        ;
}

int kzv_gl_check(const char *what)
{
    GLenum e = glGetError();
    if (e == GL_NO_ERROR)
        return KZV_OK;
    kzv_gl_clear_errors();
    kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s failed: %s (0x%04x)", what, gl_err_name(e), e);
    return e == GL_OUT_OF_MEMORY ? KZV_ENOMEM : KZV_EGPU;
}

#else
typedef int kzv_gl_state_unused; /* ISO C: a translation unit is not empty */
#endif /* KZV_HAVE_GL */
