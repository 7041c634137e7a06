/* Segment planning: frames shared evenly (work per frame is what a worker
 * spends: decode, process, encode), boundaries moved onto nearby keyframes
 * so each worker starts decoding where its frames start. */
#include <math.h>
#include <string.h>

#include "decode/segments.h"

/* Display index of the keyframe nearest to `b`, or -1 when there is none. */
static int64_t nearest_keyframe(const kzv_index *idx, int64_t b)
{
    for (int64_t d = 0; b - d >= 0 || b + d < idx->n; d++) {
        if (b - d >= 0 && b - d < idx->n && idx->e[b - d].keyframe)
            return b - d;
        if (b + d < idx->n && idx->e[b + d].keyframe)
            return b + d;
    }
    return -1;
}

/* Same, looking no further than `tol` frames either way. */
static int64_t keyframe_within(const kzv_index *idx, int64_t b, int64_t tol)
{
    int64_t lo = b - tol > 0 ? b - tol : 0, hi = b + tol < idx->n - 1 ? b + tol : idx->n - 1;
    kzv_index window = { .e = idx->e + lo, .n = hi - lo + 1 };
    int64_t k = nearest_keyframe(&window, b - lo);
    return k < 0 ? -1 : lo + k;
}

static int64_t end_ts(const kzv_index *idx, int64_t end, kzv_rational tb)
{
    if (end < idx->n)
        return idx->e[end].pts_ts;
    const kzv_index_entry *last = &idx->e[idx->n - 1];
    return last->pts_ts + (int64_t)llround(last->duration * tb.den / tb.num);
}

int kzv_segments_plan(const kzv_index *idx, kzv_rational tb, const kzv_segment_settings *s,
                      kzv_segment *out, int64_t capacity, int64_t *count)
{
    int64_t n = idx->n;
    if (n <= 0)
        return KZV_ENOVIDEO;
    if (tb.num <= 0 || tb.den <= 0)
        return KZV_EINVAL;
    int64_t k;
    if (s->count > 0) {
        k = s->count;
    } else if (s->seconds > 0 && isfinite(s->seconds)) {
        const kzv_index_entry *last = &idx->e[n - 1];
        double total = last->pts + last->duration - idx->e[0].pts;
        double q = total / s->seconds;
        k = q < 1.5 ? 1 : q > (double)n ? n : (int64_t)llround(q);
    } else {
        return KZV_EINVAL;
    }
    if (k > n)
        k = n;

    /* Boundaries first (count known only after snapping can merge some). */
    int64_t made = 0, prev = 0, tol = n / k / 4;
    for (int64_t j = 0; j < k; j++) {
        int64_t start = prev;
        int64_t end = n;
        if (j + 1 < k) {
            end = (int64_t)((__int128)n * (j + 1) / k);
            int64_t kf = tol > 0 ? keyframe_within(idx, end, tol) : -1;
            if (kf > start)
                end = kf;
            if (end <= start)
                continue;         /* merged into the next one */
        }
        if (out) {
            if (made >= capacity)
                return KZV_EINVAL;
            out[made] = (kzv_segment){
                .start = start,
                .end = end,
                .start_pts_ts = idx->e[start].pts_ts,
                .end_pts_ts = end_ts(idx, end, tb),
                .start_pts = idx->e[start].pts,
                .keyframe = idx->e[start].keyframe,
            };
            out[made].end_pts = (double)out[made].end_pts_ts * tb.num / tb.den;
        }
        made++;
        prev = end;
    }
    *count = made;
    return KZV_OK;
}
