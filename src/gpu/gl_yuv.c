/*
 * The gl uploader's YUV path: the frame's planes into integer plane
 * textures, drawn by the YUV → RGBA8 shader into the output texture.
 *
 * A full-screen triangle (no vertex buffer: positions come from gl_VertexID)
 * covers a viewport of the frame's size; each fragment (x, y) is pixel (x, y)
 * of the output texture, where row 0 is the top of the picture as in every
 * kzv texture.
 *
 * Planes are unsigned-integer textures (R8UI/R16UI, and RG8UI/RG16UI for the
 * interleaved U,V plane of NV12/P010) read with texelFetch, so the shader
 * sees the stored code values themselves, 8- or 10-bit alike. Why integer
 * textures: OpenGL ES 3.0 has no normalised 16-bit formats (R16 needs
 * EXT_texture_norm16), and a 10-bit sample squeezed into R8 would lose its
 * two low bits before the matrix. P010 keeps its value in the high bits of
 * each word: the shader shifts it down (u_shift = 6) in integers, exactly as
 * kzv's CPU converter does (low bits, zero in valid P010, are dropped). Code
 * values go into the matrix unnormalised: kzv_gl_yuv_coeffs() folds the
 * depth's offsets and scales (limited: Y' = (Y - 16·2^(n-8)) / (219·2^(n-8)),
 * C' = (C - 128·2^(n-8)) / (224·2^(n-8)); full: Y' = Y / (2^n - 1),
 * C' = (C - 2^(n-1)) / (2^n - 1)) into the matrix and offset.
 *
 * Luma is fetched exactly. Chroma is upsampled bilinearly in the shader,
 * from the (up to) four neighbouring chroma samples fetched with texelFetch
 * and mixed in float, at the positions kzv's CPU converter uses
 * (src/convert/yuv2rgb.h):
 *   position in chroma samples  fx = x * sx,  fy = y * sy + oy
 *   subsampled horizontally: sx = 1/2          ("left": C[i] at x = 2i,
 *                                               x = 2i+1 is (C[i] + C[i+1]) / 2)
 *   subsampled vertically:   sy = 1/2, oy = -1/4 (centre: C[k] between rows
 *                                               2k and 2k+1: y = 2k is
 *                                               (C[k-1] + 3 C[k]) / 4, …)
 *   full resolution:         s = 1, o = 0      (the sample itself)
 * with sample indices clamped to the plane (edge samples repeat).
 *
 * Why not GL_LINEAR sampling of the chroma plane: the filter's precision is
 * the driver's. On Mesa's llvmpipe, GL_LINEAR on the R8 chroma planes (with
 * the same positions) was measured up to 3 levels off the exact conversion
 * (mean 0.41 on 4:2:0 content), the interpolated chroma being kept at about
 * 8 bits and the matrix gaining up to 2.1 on it (and integer textures cannot
 * be filtered at all). Four texelFetches and two mix()es per plane are exact
 * in 32-bit float on every driver (code values below 2^10 times weights in
 * quarters): max 2, mean 0.2 on the same content (see tests/gl/test_gl_yuv.c).
 */
#ifdef KZV_HAVE_GL

#include <stdio.h>
#include <stdlib.h>

#include "gpu/gl_internal.h"
#include "core/log.h"

static const char *vs_src =
    "#version 300 es\n"
    "void main() {\n"
    "    // (-1,-1) (3,-1) (-1,3): one triangle covering the viewport\n"
    "    vec2 p = vec2(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1));\n"
    "    gl_Position = vec4(p, 0.0, 1.0);\n"
    "}\n";

static const char *fs_src =
    "#version 300 es\n"
    "precision highp float;\n"
    "precision highp int;\n"
    "precision highp usampler2D;\n"
    "uniform usampler2D u_y;\n"
    "uniform usampler2D u_u;\n"   /* U, or interleaved U,V (.rg) when u_semi */
    "uniform usampler2D u_v;\n"   /* V (unused when u_semi) */
    "uniform bool u_semi;\n"
    "uniform uint u_shift;\n"     /* 6 for P010 (value in the high bits), else 0 */
    "uniform mat3 u_m;\n"
    "uniform vec3 u_off;\n"
    "uniform vec2 u_cscale;\n"   /* (sx, sy) */
    "uniform vec2 u_coff;\n"     /* (0, oy) */
    "uniform ivec2 u_cmax;\n"    /* chroma plane size - 1 */
    "out vec4 o_color;\n"
    "vec2 chroma(ivec2 c) {\n"
    "    uvec2 uv = u_semi ? texelFetch(u_u, c, 0).rg\n"
    "                      : uvec2(texelFetch(u_u, c, 0).r, texelFetch(u_v, c, 0).r);\n"
    "    return vec2(uv >> u_shift);\n"
    "}\n"
    "void main() {\n"
    "    ivec2 p = ivec2(gl_FragCoord.xy);\n"
    "    float y = float(texelFetch(u_y, p, 0).r >> u_shift);\n"
    "    vec2 f = vec2(p) * u_cscale + u_coff;\n"
    "    vec2 f0 = floor(f);\n"
    "    vec2 a = f - f0;\n"
    "    ivec2 c0 = clamp(ivec2(f0), ivec2(0), u_cmax);\n"
    "    ivec2 c1 = clamp(ivec2(f0) + 1, ivec2(0), u_cmax);\n"
    "    vec2 t00 = chroma(c0);\n"
    "    vec2 t10 = chroma(ivec2(c1.x, c0.y));\n"
    "    vec2 t01 = chroma(ivec2(c0.x, c1.y));\n"
    "    vec2 t11 = chroma(c1);\n"
    "    vec2 uv = mix(mix(t00, t10, a.x), mix(t01, t11, a.x), a.y);\n"
    "    vec3 rgb = u_m * vec3(y, uv) + u_off;\n"
    "    o_color = vec4(clamp(rgb, 0.0, 1.0), 1.0);\n"
    "}\n";

static GLuint compile(GLenum type, const char *src)
{
    GLuint sh = glCreateShader(type);
    if (!sh)
        return 0;
    glShaderSource(sh, 1, &src, NULL);
    glCompileShader(sh);
    GLint ok = GL_FALSE;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetShaderInfoLog(sh, sizeof(log), NULL, log);
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: %s shader does not compile: %s",
                type == GL_VERTEX_SHADER ? "vertex" : "fragment", log);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

int kzv_gl_yuv_prog_init(kzv_gl_yuv_prog *p)
{
    *p = (kzv_gl_yuv_prog){ 0 };
    GLuint vs = compile(GL_VERTEX_SHADER, vs_src);
    GLuint fs = vs ? compile(GL_FRAGMENT_SHADER, fs_src) : 0;
    if (!vs || !fs) {
        if (vs)
            glDeleteShader(vs);
        return KZV_EGPU;
    }
    GLuint prog = glCreateProgram();
    glAttachShader(prog, vs);
    glAttachShader(prog, fs);
    glLinkProgram(prog);
    glDeleteShader(vs); /* flagged; freed with the program */
    glDeleteShader(fs);
    GLint ok = GL_FALSE;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[1024] = "";
        glGetProgramInfoLog(prog, sizeof(log), NULL, log);
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: YUV program does not link: %s", log);
        glDeleteProgram(prog);
        return KZV_EGPU;
    }
    p->prog = prog;
    p->loc_m = glGetUniformLocation(prog, "u_m");
    p->loc_off = glGetUniformLocation(prog, "u_off");
    p->loc_cscale = glGetUniformLocation(prog, "u_cscale");
    p->loc_coff = glGetUniformLocation(prog, "u_coff");
    p->loc_cmax = glGetUniformLocation(prog, "u_cmax");
    p->loc_semi = glGetUniformLocation(prog, "u_semi");
    p->loc_shift = glGetUniformLocation(prog, "u_shift");

    /* Sampler units never change: set them once. */
    GLint prev = 0;
    glGetIntegerv(GL_CURRENT_PROGRAM, &prev);
    glUseProgram(prog);
    glUniform1i(glGetUniformLocation(prog, "u_y"), 0);
    glUniform1i(glGetUniformLocation(prog, "u_u"), 1);
    glUniform1i(glGetUniformLocation(prog, "u_v"), 2);
    glUseProgram((GLuint)prev);

    /* ES 3 draws without attributes on the default vertex array, but a
     * caller's context may have its own bound: use one of ours. */
    glGenVertexArrays(1, &p->vao);
    if (glGetError() != GL_NO_ERROR) {
        kzv_gl_yuv_prog_free(p);
        return KZV_EGPU;
    }
    return KZV_OK;
}

void kzv_gl_yuv_prog_free(kzv_gl_yuv_prog *p)
{
    if (p->prog)
        glDeleteProgram(p->prog);
    if (p->vao)
        glDeleteVertexArrays(1, &p->vao);
    *p = (kzv_gl_yuv_prog){ 0 };
}

int kzv_gl_yuv_coeffs(int matrix, int range, int height, int depth, float m[9], float off[3])
{
    if (matrix != KZV_MATRIX_BT709 && matrix != KZV_MATRIX_FCC && matrix != KZV_MATRIX_BT470BG &&
        matrix != KZV_MATRIX_SMPTE170M && matrix != KZV_MATRIX_SMPTE240M &&
        matrix != KZV_MATRIX_BT2020_NCL && matrix != KZV_MATRIX_BT2020_CL)
        matrix = height > 576 ? KZV_MATRIX_BT709 : KZV_MATRIX_SMPTE170M; /* the untagged rule */
    double kr, kb;
    switch (matrix) {
    case KZV_MATRIX_BT709:      kr = 0.2126; kb = 0.0722; break;
    case KZV_MATRIX_FCC:        kr = 0.30;   kb = 0.11;   break;
    case KZV_MATRIX_SMPTE240M:  kr = 0.212;  kb = 0.087;  break;
    case KZV_MATRIX_BT2020_NCL:
    case KZV_MATRIX_BT2020_CL:  kr = 0.2627; kb = 0.0593; break;
    default:                    kr = 0.299;  kb = 0.114;  break;
    }
    double kg = 1.0 - kr - kb;
    /* Samples arrive as code values D of `depth` bits (H.273):
     * Y' = (D - yo) / ys, C' = (D - co) / cs. */
    double scale = (double)(1 << (depth - 8));
    double yo, co, ys, cs;
    if (range == KZV_RANGE_FULL) {
        yo = 0;
        co = (double)(1 << (depth - 1));
        ys = cs = (double)((1 << depth) - 1);
    } else {
        yo = 16 * scale; co = 128 * scale; ys = 219 * scale; cs = 224 * scale;
    }
    double ky = 1.0 / ys, kc = 1.0 / cs;              /* per code value */
    double y0 = -yo / ys, c0 = -co / cs;              /* constant parts */
    double rv = 2.0 * (1.0 - kr), bu = 2.0 * (1.0 - kb);
    double gu = -2.0 * kb * (1.0 - kb) / kg, gv = -2.0 * kr * (1.0 - kr) / kg;
    /* Column-major: column 0 multiplies y, 1 u, 2 v. */
    double md[9] = {
        ky, ky, ky,
        0.0, gu * kc, bu * kc,
        rv * kc, gv * kc, 0.0,
    };
    double od[3] = {
        y0 + rv * c0,
        y0 + (gu + gv) * c0,
        y0 + bu * c0,
    };
    for (int i = 0; i < 9; i++)
        m[i] = (float)md[i];
    for (int i = 0; i < 3; i++)
        off[i] = (float)od[i];
    return matrix;
}

/* ---- the YUV path --------------------------------------------------------- */

static int ensure_planes(kzv_gl_priv *p, int n, const int w[3], const int h[3], const GLenum ifmt[3])
{
    for (int i = 0; i < n; i++) {
        if (p->plane[i] && p->plane_w[i] == w[i] && p->plane_h[i] == h[i] &&
            p->plane_ifmt[i] == ifmt[i])
            continue;
        kzv_gl_delete_texture(p, &p->plane[i]);
        /* Every plane is read with texelFetch (see gl_yuv.c); integer
         * textures must not be filtered (GL_LINEAR would make them incomplete). */
        p->plane[i] = kzv_gl_make_texture(p, w[i], h[i], ifmt[i], GL_NEAREST);
        p->plane_w[i] = w[i];
        p->plane_h[i] = h[i];
        p->plane_ifmt[i] = ifmt[i];
        int err = p->plane[i] ? kzv_gl_check("creating a plane texture") : KZV_EGPU;
        if (err < 0) {
            kzv_gl_delete_texture(p, &p->plane[i]);
            return err;
        }
    }
    return KZV_OK;
}

bool kzv_gl_yuv_layout_of(kzv_pixfmt fmt, kzv_gl_yuv_layout *l)
{
    if (!kzv_pixfmt_chroma_shift(fmt, &l->sub_x, &l->sub_y))
        return false;
    l->depth = kzv_pixfmt_depth(fmt);
    l->bytes = kzv_pixfmt_sample_bytes(fmt);
    l->semi = kzv_pixfmt_planes(fmt) == 2;
    /* P010 stores value << 6 in each 16-bit word; the planar 10-bit formats
     * keep it in the low bits. */
    l->shift = fmt == KZV_PIXFMT_P010 ? 16u - (unsigned)l->depth : 0u;
    return l->depth == 8 || l->depth == 10;
}

static int draw_yuv(kzv_gl_priv *p, const kzv_frame *f, kzv_gl_tex *out, const kzv_gl_yuv_layout *l, int cw, int ch)
{
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, p->fbo_draw);
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, out->name, 0);
    GLenum status = glCheckFramebufferStatus(GL_DRAW_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
        kzv_log(NULL, KZV_LOG_ERROR, "gl uploader: RGBA8 render target incomplete (0x%04x)", status);
        return KZV_EGPU;
    }
    float m[9], off[3];
    kzv_gl_yuv_coeffs(f->color.matrix, f->color.range, f->height, l->depth, m, off);

    glViewport(0, 0, f->width, f->height);
    kzv_gl_disable_caps();
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    glUseProgram(p->yuv.prog);
    glUniformMatrix3fv(p->yuv.loc_m, 1, GL_FALSE, m);
    glUniform3fv(p->yuv.loc_off, 1, off);
    glUniform2f(p->yuv.loc_cscale, l->sub_x ? 0.5f : 1.0f, l->sub_y ? 0.5f : 1.0f);
    glUniform2f(p->yuv.loc_coff, 0.0f, l->sub_y ? -0.25f : 0.0f);
    glUniform2i(p->yuv.loc_cmax, cw - 1, ch - 1);
    glUniform1i(p->yuv.loc_semi, l->semi ? 1 : 0);
    glUniform1ui(p->yuv.loc_shift, l->shift);
    for (int i = 0; i < 3; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        /* Semi-planar: u_v is never read, but give it the (integer) U,V
         * plane so no unit holds a texture of the wrong sampler type. */
        glBindTexture(GL_TEXTURE_2D, p->plane[l->semi && i == 2 ? 1 : i]);
        glBindSampler((GLuint)i, 0);
    }
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(p->yuv.vao);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
    glUseProgram(0);
    /* Detach: a texture deleted while attached to an unbound FBO would live on. */
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    return kzv_gl_check("drawing the YUV conversion");
}

int kzv_gl_yuv_upload(kzv_gl_priv *p, const kzv_frame *f, kzv_gl_tex *out, const kzv_gl_yuv_layout *l)
{
    int cw = 0, ch = 0;
    kzv_pixfmt_plane_size(f->format, f->width, f->height, 1, &cw, &ch, NULL);
    int n = l->semi ? 2 : 3;
    int pw[3] = { f->width, cw, cw }, ph[3] = { f->height, ch, ch };
    bool wide = l->bytes == 2;
    GLenum one = wide ? GL_R16UI : GL_R8UI, two = wide ? GL_RG16UI : GL_RG8UI;
    GLenum pifmt[3] = { one, l->semi ? two : one, one };
    int err = ensure_planes(p, n, pw, ph, pifmt);
    if (err < 0)
        return err;
    kzv_gl_plane_src pl[3];
    for (int i = 0; i < n; i++) {
        int comps = l->semi && i == 1 ? 2 : 1;
        pl[i] = (kzv_gl_plane_src){ .tex = p->plane[i], .w = pw[i], .h = ph[i],
                                    .bpp = comps * l->bytes,
                                    .fmt = comps == 2 ? GL_RG_INTEGER : GL_RED_INTEGER,
                                    .type = wide ? GL_UNSIGNED_SHORT : GL_UNSIGNED_BYTE,
                                    .data = f->data[i], .stride = f->stride[i] };
    }
    err = kzv_gl_upload_planes(p, pl, n);
    return err < 0 ? err : draw_yuv(p, f, out, l, cw, ch);
}

#else
typedef int kzv_gl_yuv_unused; /* ISO C: a translation unit is not empty */
#endif /* KZV_HAVE_GL */
