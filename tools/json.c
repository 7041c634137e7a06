/* JSON output helpers: strings escaped per RFC 8259, numbers always finite. */
#include <math.h>

#include "kzv.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static int utf8_seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    unsigned cp = c & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void cli_json_str(FILE *fp, const char *str)
{
    if (!str) {
        fputs("null", fp);
        return;
    }
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', fp);
    while (*s) {
        unsigned c = *s;
        switch (c) {
        case '"':  fputs("\\\"", fp); s++; continue;
        case '\\': fputs("\\\\", fp); s++; continue;
        case '\b': fputs("\\b", fp); s++; continue;
        case '\f': fputs("\\f", fp); s++; continue;
        case '\n': fputs("\\n", fp); s++; continue;
        case '\r': fputs("\\r", fp); s++; continue;
        case '\t': fputs("\\t", fp); s++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            fprintf(fp, "\\u%04x", c);
            s++;
            continue;
        }
        int n = utf8_seq_len(s);
        if (n == 0) {                       /* invalid byte: U+FFFD */
            fputs("\\ufffd", fp);
            s++;
            continue;
        }
        fwrite(s, 1, (size_t)n, fp);
        s += n;
    }
    fputc('"', fp);
}

void cli_json_num(FILE *fp, const char *fmt, double v)
{
    if (!isfinite(v)) {
        fputs("null", fp);
        return;
    }
    if (v == 0)
        v = 0;                              /* no "-0.000000" */
    fprintf(fp, fmt, v);
}

void cli_json_rational(FILE *fp, kzv_rational r)
{
    if (r.num == 0 || r.den == 0)
        fputs("null", fp);
    else
        fprintf(fp, "\"%d/%d\"", r.num, r.den);
}
