/* Text for kzv sheet: a real font through fontconfig + FreeType when the
 * build has them (any script the installed fonts cover: each character
 * comes from the first font fontconfig ranks that has it), else the
 * built-in 5x7 bitmap font (ASCII capitals). */
#include <stdlib.h>
#include <string.h>

#include "kzv.h"

#ifdef CLI_HAVE_FREETYPE
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#define MAX_FACES 16

struct cli_text {
    FT_Library lib;
    FcFontSet *set;         /* fontconfig's ranking for "sans-serif" */
    FT_Face faces[MAX_FACES];
    bool tried[MAX_FACES];
    int nfaces;
    int px;                 /* current pixel size */
};

cli_text *cli_text_open(void)
{
    cli_text *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    if (FT_Init_FreeType(&t->lib) != 0) {
        free(t);
        return NULL;
    }
    FcPattern *pat = FcNameParse((const FcChar8 *)"sans-serif");
    FcResult res;
    if (pat && FcConfigSubstitute(NULL, pat, FcMatchPattern)) {
        FcDefaultSubstitute(pat);
        t->set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    }
    if (pat)
        FcPatternDestroy(pat);
    t->nfaces = t->set ? (t->set->nfont < MAX_FACES ? t->set->nfont : MAX_FACES) : 0;
    if (!t->nfaces) {
        cli_text_close(&t);
        return NULL;
    }
    return t;
}

void cli_text_close(cli_text **pt)
{
    cli_text *t = *pt;
    if (!t)
        return;
    for (int i = 0; i < MAX_FACES; i++)
        if (t->faces[i])
            FT_Done_Face(t->faces[i]);
    if (t->set)
        FcFontSetDestroy(t->set);
    FT_Done_FreeType(t->lib);
    free(t);
    *pt = NULL;
    FcFini();   /* fontconfig's process-wide configuration: only kzv sheet uses it */
}

static FT_Face face_at(cli_text *t, int i)
{
    if (!t->tried[i]) {
        t->tried[i] = true;
        FcChar8 *file = NULL;
        int index = 0;
        if (FcPatternGetString(t->set->fonts[i], FC_FILE, 0, &file) == FcResultMatch) {
            FcPatternGetInteger(t->set->fonts[i], FC_INDEX, 0, &index);
            if (FT_New_Face(t->lib, (const char *)file, index, &t->faces[i]) != 0)
                t->faces[i] = NULL;
        }
    }
    if (t->faces[i])
        FT_Set_Pixel_Sizes(t->faces[i], 0, (FT_UInt)t->px);
    return t->faces[i];
}

/* The first face that has `cp` (else the first face, for its notdef box). */
static FT_Face face_for(cli_text *t, unsigned cp, FT_UInt *glyph)
{
    FT_Face first = NULL;
    for (int i = 0; i < t->nfaces; i++) {
        FT_Face f = face_at(t, i);
        if (!f)
            continue;
        if (!first)
            first = f;
        if ((*glyph = FT_Get_Char_Index(f, cp)) != 0)
            return f;
    }
    *glyph = 0;
    return first;
}

/* Next code point of UTF-8 text (invalid bytes as U+FFFD, one each). */
static unsigned next_cp(const unsigned char **ps)
{
    const unsigned char *s = *ps;
    unsigned c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *ps = s + 1;
        return 0xFFFD;
    }
    unsigned cp = n ? c & (0x3F >> n) : c;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps = s + 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *ps = s + n + 1;
    return cp;
}

static int ft_draw(cli_text *t, uint8_t *rgb, int stride, int img_w, int img_h, int x, int y,
                   int px, const uint8_t color[3], const char *text, bool draw)
{
    t->px = px;
    FT_Face base = face_at(t, 0);
    int ascender = base ? (int)(base->size->metrics.ascender >> 6) : px;
    int pen = x;
    for (const unsigned char *s = (const unsigned char *)text; *s;) {
        unsigned cp = next_cp(&s);
        FT_UInt g;
        FT_Face f = face_for(t, cp, &g);
        if (!f || FT_Load_Glyph(f, g, FT_LOAD_RENDER) != 0)
            continue;
        FT_GlyphSlot slot = f->glyph;
        if (draw && slot->bitmap.pixel_mode == FT_PIXEL_MODE_GRAY) {
            int bx = pen + slot->bitmap_left, by = y + ascender - slot->bitmap_top;
            for (unsigned r = 0; r < slot->bitmap.rows; r++) {
                int yy = by + (int)r;
                if (yy < 0 || yy >= img_h)
                    continue;
                const uint8_t *src = slot->bitmap.buffer + (ptrdiff_t)r * slot->bitmap.pitch;
                uint8_t *dst = rgb + (size_t)yy * (size_t)stride;
                for (unsigned c = 0; c < slot->bitmap.width; c++) {
                    int xx = bx + (int)c;
                    if (xx < 0 || xx >= img_w || !src[c])
                        continue;
                    for (int k = 0; k < 3; k++) {
                        uint8_t *d = &dst[(size_t)xx * 3 + (size_t)k];
                        *d = (uint8_t)((*d * (255 - src[c]) + color[k] * src[c] + 127) / 255);
                    }
                }
            }
        }
        pen += (int)(slot->advance.x >> 6);
    }
    return pen;
}
#else
struct cli_text { int unused; };
cli_text *cli_text_open(void) { return NULL; }
void cli_text_close(cli_text **t) { *t = NULL; }
#endif

/* Pixel height of a line at `scale` (1 small, 2 large). */
int cli_text_height(const cli_text *t, int scale)
{
    return t ? (scale > 1 ? 20 : 12) : CLI_FONT_H * scale;
}

int cli_text_draw(cli_text *t, uint8_t *rgb, int stride, int img_w, int img_h, int x, int y,
                  int scale, const uint8_t color[3], const char *text)
{
#ifdef CLI_HAVE_FREETYPE
    if (t)   /* glyphs of cli_text_height(): the pixel size that fits it */
        return ft_draw(t, rgb, stride, img_w, img_h, x, y, cli_text_height(t, scale) * 4 / 5,
                       color, text, true);
#else
    (void)t;   /* always NULL without FreeType */
#endif
    return cli_font_draw(rgb, stride, img_w, img_h, x, y, scale, color, text);
}

int cli_text_width(cli_text *t, const char *text, int scale)
{
#ifdef CLI_HAVE_FREETYPE
    if (t)
        return ft_draw(t, NULL, 0, 0, 0, 0, 0, cli_text_height(t, scale) * 4 / 5, NULL, text, false);
#else
    (void)t;
#endif
    return cli_font_text_width(text, scale);
}
