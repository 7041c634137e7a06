/*
 * kzv play: drawing a texture with GL (a letterboxed full-viewport quad),
 * an offscreen FBO for --headless --render, and the SDL2 window.
 * Built only when the library has GL (KZV_PLAY_HAVE_GL); the window part
 * only with SDL2 (KZV_HAVE_SDL).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <GLES3/gl3.h>

#ifdef KZV_HAVE_SDL
#include <SDL.h>
#include <SDL_syswm.h>
#endif

#include "play.h"

struct play_renderer {
    GLuint prog, vao;
    GLint u_tex, u_turn;
    GLuint fbo, fbo_tex;
    int fbo_w, fbo_h;
};

/* `turn`: degrees clockwise the texture is turned on screen (0, 90, 180,
 * 270): the shown picture's (u, v) comes from the texture at (v, 1 - u) for
 * 90, (1 - v, u) for 270, (1 - u, 1 - v) for 180, as the decoder's
 * autorotate turns frames. */
static const char vs_body[] =
    "uniform int turn;\n"
    "out vec2 uv;\n"
    "void main() {\n"
    "    vec2 p = vec2(float((gl_VertexID & 1) * 2 - 1), float((gl_VertexID >> 1) * 2 - 1));\n"
    "    vec2 s = vec2((p.x + 1.0) * 0.5, (1.0 - p.y) * 0.5);   /* row 0 = top */\n"
    "    uv = turn == 90 ? vec2(s.y, 1.0 - s.x) : turn == 270 ? vec2(1.0 - s.y, s.x)\n"
    "       : turn == 180 ? vec2(1.0) - s : s;\n"
    "    gl_Position = vec4(p, 0.0, 1.0);\n"
    "}\n";
static const char fs_body[] =
    "uniform sampler2D tex;\n"
    "in vec2 uv;\n"
    "out vec4 color;\n"
    "void main() { color = vec4(texture(tex, uv).rgb, 1.0); }\n";

static GLuint compile(GLenum type, const char *head, const char *body)
{
    GLuint s = glCreateShader(type);
    const char *src[2] = { head, body };
    glShaderSource(s, 2, src, NULL);
    glCompileShader(s);
    GLint ok = 0;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetShaderInfoLog(s, sizeof(log), NULL, log);
        fprintf(stderr, "kzv play: shader compilation failed: %s\n", log);
        glDeleteShader(s);
        return 0;
    }
    return s;
}

int play_renderer_create(play_renderer **out, bool gles)
{
    *out = NULL;
    const char *head = gles ? "#version 300 es\nprecision highp float;\n"
                            : "#version 330 core\n";
    GLuint vs = compile(GL_VERTEX_SHADER, head, vs_body);
    GLuint fs = compile(GL_FRAGMENT_SHADER, head, fs_body);
    if (!vs || !fs) {
        if (vs) glDeleteShader(vs);
        if (fs) glDeleteShader(fs);
        return KZV_EGPU;
    }
    GLuint prog = glCreateProgram();
    glAttachShader(prog, vs);
    glAttachShader(prog, fs);
    glLinkProgram(prog);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint ok = 0;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        fprintf(stderr, "kzv play: shader link failed\n");
        glDeleteProgram(prog);
        return KZV_EGPU;
    }
    play_renderer *r = calloc(1, sizeof(*r));
    if (!r) {
        glDeleteProgram(prog);
        return KZV_ENOMEM;
    }
    r->prog = prog;
    r->u_tex = glGetUniformLocation(prog, "tex");
    r->u_turn = glGetUniformLocation(prog, "turn");
    glGenVertexArrays(1, &r->vao);
    *out = r;
    return KZV_OK;
}

void play_renderer_draw(play_renderer *r, unsigned tex, int tw, int th, int turn, double dar,
                        int w, int h)
{
    glViewport(0, 0, w, h);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!tex || tw <= 0 || th <= 0 || w <= 0 || h <= 0)
        return;
    if (turn == 90 || turn == 270) {   /* the shown picture's size */
        int t = tw;
        tw = th;
        th = t;
    }
    if (!(dar > 0))
        dar = (double)tw / th;
    int vw = w, vh = h;
    if ((double)w / h > dar)
        vw = (int)lround(h * dar);
    else
        vh = (int)lround(w / dar);
    if (vw < 1) vw = 1;
    if (vh < 1) vh = 1;
    glViewport((w - vw) / 2, (h - vh) / 2, vw, vh);
    glUseProgram(r->prog);
    glBindVertexArray(r->vao);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, tex);
    glUniform1i(r->u_tex, 0);
    glUniform1i(r->u_turn, turn);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
    glBindVertexArray(0);
    glUseProgram(0);
}

int play_renderer_bind_fbo(play_renderer *r, int w, int h)
{
    if (!r->fbo || r->fbo_w != w || r->fbo_h != h) {
        if (r->fbo) {
            glDeleteFramebuffers(1, &r->fbo);
            glDeleteTextures(1, &r->fbo_tex);
        }
        glGenTextures(1, &r->fbo_tex);
        glBindTexture(GL_TEXTURE_2D, r->fbo_tex);
        glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, w, h);
        glBindTexture(GL_TEXTURE_2D, 0);
        glGenFramebuffers(1, &r->fbo);
        glBindFramebuffer(GL_FRAMEBUFFER, r->fbo);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, r->fbo_tex, 0);
        r->fbo_w = w;
        r->fbo_h = h;
        if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
            fprintf(stderr, "kzv play: offscreen framebuffer incomplete\n");
            return KZV_EGPU;
        }
    }
    glBindFramebuffer(GL_FRAMEBUFFER, r->fbo);
    return KZV_OK;
}

int play_renderer_snapshot(int w, int h, const char *path)
{
    uint8_t *rgba = malloc((size_t)w * 4 * (size_t)h);
    kzv_frame *f = NULL;
    if (!rgba || kzv_frame_alloc(&f, w, h, KZV_PIXFMT_RGB24) < 0) {
        free(rgba);
        return KZV_ENOMEM;
    }
    glPixelStorei(GL_PACK_ALIGNMENT, 4);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    int err = glGetError() == GL_NO_ERROR ? KZV_OK : KZV_EGPU;
    for (int y = 0; y < h && err == KZV_OK; y++) {
        const uint8_t *s = rgba + (size_t)(h - 1 - y) * w * 4;   /* GL rows are bottom-up */
        uint8_t *d = f->data[0] + (size_t)y * f->stride[0];
        for (int x = 0; x < w; x++) {
            d[3 * x] = s[4 * x];
            d[3 * x + 1] = s[4 * x + 1];
            d[3 * x + 2] = s[4 * x + 2];
        }
    }
    if (err == KZV_OK)
        err = kzv_frame_write_png(f, path);
    kzv_frame_unref(&f);
    free(rgba);
    return err;
}

void play_renderer_destroy(play_renderer **pr)
{
    play_renderer *r = *pr;
    if (!r)
        return;
    if (r->fbo) {
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        glDeleteFramebuffers(1, &r->fbo);
        glDeleteTextures(1, &r->fbo_tex);
    }
    glDeleteVertexArrays(1, &r->vao);
    glDeleteProgram(r->prog);
    free(r);
    *pr = NULL;
}

#ifdef KZV_HAVE_SDL
struct play_window {
    SDL_Window *win;
    SDL_GLContext ctx;
    bool gles;
};

int play_window_open(play_window **out, int w, int h, char *err, size_t errlen)
{
    *out = NULL;
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errlen, "cannot open a window: SDL_Init: %s", SDL_GetError());
        return KZV_EGPU;
    }
    /* OpenGL ES 3.0 first; desktop GL core (4.3 is what the gl uploader
     * needs on desktop GL) when ES is not available. */
    static const struct { int profile, major, minor; bool gles; } tries[] = {
        { SDL_GL_CONTEXT_PROFILE_ES, 3, 0, true },
        { SDL_GL_CONTEXT_PROFILE_CORE, 4, 3, false },
        { SDL_GL_CONTEXT_PROFILE_CORE, 3, 3, false },
    };
    char last[256] = "";
    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        SDL_GL_ResetAttributes();
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, tries[i].profile);
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, tries[i].major);
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, tries[i].minor);
        SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
        SDL_GL_SetAttribute(SDL_GL_RED_SIZE, 8);
        SDL_GL_SetAttribute(SDL_GL_GREEN_SIZE, 8);
        SDL_GL_SetAttribute(SDL_GL_BLUE_SIZE, 8);
        SDL_Window *win = SDL_CreateWindow("kzv play", SDL_WINDOWPOS_CENTERED,
                                           SDL_WINDOWPOS_CENTERED, w, h,
                                           SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE |
                                           SDL_WINDOW_SHOWN);
        if (!win) {
            snprintf(last, sizeof(last), "SDL_CreateWindow: %s", SDL_GetError());
            continue;
        }
        SDL_GLContext ctx = SDL_GL_CreateContext(win);
        if (!ctx) {
            snprintf(last, sizeof(last), "SDL_GL_CreateContext: %s", SDL_GetError());
            SDL_DestroyWindow(win);
            continue;
        }
        SDL_GL_MakeCurrent(win, ctx);
        SDL_GL_SetSwapInterval(0);   /* play paces itself by its clock */
        play_window *pw = calloc(1, sizeof(*pw));
        if (!pw) {
            SDL_GL_DeleteContext(ctx);
            SDL_DestroyWindow(win);
            SDL_Quit();
            return KZV_ENOMEM;
        }
        pw->win = win;
        pw->ctx = ctx;
        pw->gles = tries[i].gles;
        *out = pw;
        return KZV_OK;
    }
    snprintf(err, errlen, "cannot make an OpenGL ES 3 / OpenGL 3.3 window: %s", last);
    SDL_Quit();
    return KZV_EGPU;
}

bool play_window_is_gles(const play_window *win)
{
    return win->gles;
}

unsigned long play_window_x11_id(play_window *win)
{
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(win->win, &info))
        return 0;
#ifdef SDL_VIDEO_DRIVER_X11
    if (info.subsystem == SDL_SYSWM_X11)
        return (unsigned long)info.info.x11.window;
#endif
    return 0;
}

void play_window_size(play_window *win, int *w, int *h)
{
    SDL_GL_GetDrawableSize(win->win, w, h);
}

play_event play_window_event(play_window *win, int timeout_ms)
{
    (void)win;
    SDL_Event e;
    int got = timeout_ms > 0 ? SDL_WaitEventTimeout(&e, timeout_ms) : SDL_PollEvent(&e);
    if (!got)
        return PLAY_EV_NONE;
    switch (e.type) {
    case SDL_QUIT:
        return PLAY_EV_QUIT;
    case SDL_KEYDOWN:
        switch (e.key.keysym.sym) {
        case SDLK_SPACE: return PLAY_EV_PAUSE;
        case SDLK_RETURN:
        case SDLK_KP_ENTER: return PLAY_EV_START;
        case SDLK_LEFT: return PLAY_EV_SEEK_BACK;
        case SDLK_RIGHT: return PLAY_EV_SEEK_FWD;
        case SDLK_q:
        case SDLK_ESCAPE: return PLAY_EV_QUIT;
        default: return PLAY_EV_NONE;
        }
    case SDL_WINDOWEVENT:
        if (e.window.event == SDL_WINDOWEVENT_EXPOSED ||
            e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            return PLAY_EV_EXPOSE;
        return PLAY_EV_NONE;
    default:
        return PLAY_EV_NONE;
    }
}

void play_window_swap(play_window *win)
{
    SDL_GL_SwapWindow(win->win);
}

void play_window_close(play_window **pw)
{
    play_window *w = *pw;
    if (!w)
        return;
    SDL_GL_MakeCurrent(w->win, NULL);
    SDL_GL_DeleteContext(w->ctx);
    SDL_DestroyWindow(w->win);
    SDL_Quit();
    free(w);
    *pw = NULL;
}
#endif
