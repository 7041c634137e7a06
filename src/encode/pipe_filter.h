/* An external filter process (kzv internal): `sh -c CMD` reads raw frames
 * (rgb24 or rgb48, tight rows) on its stdin and writes exactly one processed
 * frame of the declared size and format on its stdout per input frame.
 * Reads and writes are multiplexed with poll(), so a filter that writes
 * before it has read a whole frame cannot deadlock us; a filter that exits,
 * closes its output, writes short or makes no progress for `timeout_ms`
 * gives an error naming what happened, never a hang. SIGPIPE is blocked in
 * the writing thread (a write to a dead filter fails with EPIPE instead of
 * killing the process). The child runs in its own process group, and the
 * whole group is killed when the shell has ended or is killed: no process of
 * a filter outlives kzv_pipe_filter_finish(). The child is always reaped. */
#ifndef KZV_SRC_ENCODE_PIPE_FILTER_H
#define KZV_SRC_ENCODE_PIPE_FILTER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kzv/frame.h"

typedef struct kzv_pipe_filter kzv_pipe_filter;

/* Start `cmd`. Output frames are out_w × out_h in `fmt` (RGB24 or RGB48);
 * input frames must be in `fmt` too. `stop` (may be NULL) is polled while
 * waiting: once true, the current call fails with KZV_ECANCELED. */
int kzv_pipe_filter_start(kzv_pipe_filter **out, const char *cmd, int out_w, int out_h, kzv_pixfmt fmt,
                          int64_t timeout_ms, const atomic_bool *stop, char *err, size_t n);

/* One frame through the filter: *out receives a new frame (timing fields
 * copied from `in`). */
int kzv_pipe_filter_run(kzv_pipe_filter *p, const kzv_frame *in, kzv_frame **out, char *err, size_t n);

/* Close the filter's stdin, wait for it to exit (up to timeout_ms, then it
 * is killed) and check it wrote nothing more and exited with status 0 (when
 * `check` is true). Frees *p and sets it NULL. NULL is accepted. */
int kzv_pipe_filter_finish(kzv_pipe_filter **p, bool check, char *err, size_t n);

#endif
