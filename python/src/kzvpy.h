/*
 * kzv._kzv — the CPython extension over the public libkzv API.
 *
 * One C file per Python type (frame.c, decoder.c, queue.c, uploader.c,
 * processor.c), plus what they share: errors.c (status code → exception,
 * one mapping for every type), settings.c (decoder keyword arguments),
 * batch.c (stacked frame batches), dlpack.c (the DLPack capsule),
 * pyuploader.c (a kzv_uploader_impl whose functions call a Python object),
 * interrupt.c (Ctrl-C for calls blocked in C) and module.c (the module).
 *
 * Only the public headers (include/kzv/) are used: the package is a thin user of the public API.
 *
 * The GIL: every call that can block (decode, seek, batch, queue waits,
 * uploads, the processor's run) releases it; Python objects are touched only
 * with it held. Functions kzv may call from its own threads (none here but
 * the uploader adapter's, which run on the processor's calling thread) take
 * it with PyGILState_Ensure().
 */
#ifndef KZVPY_H
#define KZVPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL kzvpy_ARRAY_API
#ifndef KZVPY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <stdbool.h>
#include <stdint.h>

#include <kzv/kzv.h>

/* Method tables want PyCFunction; keyword methods have another signature. */
#define KZVPY_KW(fn) ((PyCFunction)(void (*)(void))(fn))

/* ---- types (one file each) ---------------------------------------------- */

extern PyTypeObject kzvpy_FrameType;            /* frame.c */
extern PyTypeObject kzvpy_PlaneType;            /* frame.c: one plane, for DLPack */
extern PyTypeObject kzvpy_DecoderType;          /* decoder.c */
extern PyTypeObject kzvpy_QueueType;            /* queue.c */
extern PyTypeObject kzvpy_UploaderType;         /* uploader.c: base of the C backends */
extern PyTypeObject kzvpy_MemoryUploaderType;   /* uploader.c */
extern PyTypeObject kzvpy_GLUploaderType;       /* uploader.c */
extern PyTypeObject kzvpy_ProcessorType;        /* processor.c */
extern PyTypeObject kzvpy_EncoderType;          /* encoder.c */
extern PyTypeObject kzvpy_ScalerType;           /* scale.c */
/** kzv.transcode(src, dst, fn=None, …) (encoder.c). */
PyObject *kzvpy_transcode(PyObject *mod, PyObject *args, PyObject *kwargs);
extern PyStructSequence_Desc kzvpy_color_desc;  /* frame.c */
extern PyTypeObject *kzvpy_ColorType;           /* made in module.c */

/* ---- frame.c --------------------------------------------------------------- */

/** A VideoFrame over `f`. Steals the reference in `f` (also on failure). */
PyObject *kzvpy_frame_new(kzv_frame *f);
/** The kzv_frame behind a VideoFrame (borrowed), or NULL with TypeError. */
kzv_frame *kzvpy_frame_get(PyObject *o);
/** The colour description as a kzv.Color struct sequence. */
PyObject *kzvpy_color_new(const kzv_color *c);
/** Shape and element strides of plane `p` of a frame-like description, as
 *  numpy and DLPack want them. @return ndim (2 or 3), 0 if no such plane. */
int kzvpy_plane_shape(kzv_pixfmt fmt, int width, int height, int stride, int p,
                      int64_t shape[3], int64_t strides_bytes[3], int *sample_bytes);
/** A read-only numpy view of plane `p` of `f` that keeps `f` alive. */
PyObject *kzvpy_plane_array(kzv_frame *f, int p);

/* ---- join.c ---------------------------------------------------------------- */

/** kzv.join(): module function. */
PyObject *kzvpy_join(PyObject *mod, PyObject *args, PyObject *kwargs);

/* ---- dlpack.c -------------------------------------------------------------- */

/** A "dltensor" capsule (DLPack 0.8) over one plane of a frame (plane 0 of a
 *  packed frame: the whole picture); it holds its own frame reference,
 *  dropped by the tensor's deleter. */
PyObject *kzvpy_dlpack_capsule(kzv_frame *f, int plane);

/* ---- errors.c -------------------------------------------------------------- */

int kzvpy_errors_init(PyObject *module);
/** Raise the exception for status `code` with `reason` (FFmpeg's words, or
 *  kzv_strerror() when empty). KZV_ENOENT raises FileNotFoundError naming
 *  `filename` (may be NULL). @return NULL, for `return kzvpy_raise(…)`. */
PyObject *kzvpy_raise(int code, const char *reason, PyObject *filename);
/** The exception class for a status code (borrowed). */
PyObject *kzvpy_error_class(int code);
/** kzv.ClosedError "<what> is closed". @return NULL. */
PyObject *kzvpy_raise_closed(const char *what);

/** Take the raised exception (normalized) and clear it; NULL if none. */
PyObject *kzvpy_fetch_exception(void);
/** Raise `exc` again (steals the reference). */
void kzvpy_restore_exception(PyObject *exc);

/* ---- settings.c ------------------------------------------------------------ */

/* Decoder keyword arguments shared by VideoDecoder, VideoFrameProcessor (and
 * later users): format, threads, hwaccel, stream_index, strict,
 * keep_first_size, count_frames, max_pixels, io_timeout. */
typedef struct kzvpy_decoder_opts {
    kzv_decoder_settings s;
    char hwaccel[64];      /* s.hwaccel points here when set */
    char container[64];    /* s.container points here when set */
} kzvpy_decoder_opts;

/** Defaults, then every decoder keyword found in `kwargs` (a dict, may be
 *  NULL) is parsed and removed from it, so the caller's own parser sees only
 *  its own keywords. @return 0, or -1 with an exception set. */
int kzvpy_decoder_opts_take(kzvpy_decoder_opts *o, PyObject *kwargs);
/** A pixel format name → kzv_pixfmt ("none" allowed); -1 with ValueError. */
int kzvpy_pixfmt_from_object(PyObject *name, kzv_pixfmt *out);
/** Seconds (None = forever) → nanoseconds (-1 = forever). -1 with an exception. */
int kzvpy_timeout_ns(PyObject *timeout, int64_t *ns);

/* ---- interrupt.c ----------------------------------------------------------- */

/*
 * Ctrl-C for calls that block in C with the GIL released. Around such a call
 * on the main thread, kzvpy_guard_begin() points Python's signal wake-up fd
 * at a pipe read by a watcher thread; when SIGINT arrives and the call has not
 * returned within a short grace period, the watcher calls `cancel(target)`
 * (kzv_decoder_interrupt, kzv_processor_stop), so the call returns promptly
 * and Python raises KeyboardInterrupt. Calls on other threads are not
 * guarded (Python delivers signals to the main thread only).
 */
typedef struct kzvpy_guard {
    void (*cancel)(void *target);
    void *target;
    struct kzvpy_guard *next;
    bool active;
    bool fired;
} kzvpy_guard;

void kzvpy_guard_begin(kzvpy_guard *g, void (*cancel)(void *), void *target);
/* kzv_decoder_interrupt() as a guard's cancel function. */
void kzvpy_cancel_decoder(void *decoder);

/* err = expr on `decoder` with the GIL released and Ctrl-C guarded; err is
 * KZVPY_SIGNALED (and KeyboardInterrupt raised) when the guard cancelled it.
 * Runs in a block: declare what expr writes before it. */
#define KZVPY_SIGNALED INT32_MIN
#define KZVPY_DECODER_CALL(decoder, err, expr)                      \
    do {                                                            \
        kzvpy_guard guard_;                                         \
        kzvpy_guard_begin(&guard_, kzvpy_cancel_decoder, (decoder)); \
        Py_BEGIN_ALLOW_THREADS                                      \
        (err) = (expr);                                             \
        Py_END_ALLOW_THREADS                                        \
        if (kzvpy_guard_end(&guard_) && PyErr_CheckSignals() < 0)   \
            (err) = KZVPY_SIGNALED;                                 \
    } while (0)
/** @return true when the guard cancelled the call (then the caller should run
 *  PyErr_CheckSignals() and report KeyboardInterrupt). */
bool kzvpy_guard_end(kzvpy_guard *g);
int kzvpy_interrupt_init(void);

/**
 * Wait for `op(ctx, slice_ns)` to stop answering KZV_ETIMEDOUT, in slices of
 * at most 50 ms with the GIL released, checking for signals between slices
 * (so Ctrl-C interrupts the wait). timeout_ns: -1 forever, 0 once.
 * @return op's last result (KZV_ETIMEDOUT when the time ran out), or
 *         INT_MIN with an exception set (a signal handler raised).
 */
int kzvpy_sliced_wait(int (*op)(void *ctx, int64_t timeout_ns), void *ctx, int64_t timeout_ns);

int64_t kzvpy_now_ns(void);

/* ---- turns.c --------------------------------------------------------------- */

/*
 * A fair (first come, first served) lock for objects whose C side is used
 * by one thread at a time: a ticket lock. Python threads that wait do so
 * with the GIL released. Fairness matters: with a plain lock a thread that
 * calls in a loop takes it again before a waiter wakes, forever.
 */
#include <pthread.h>
typedef struct kzvpy_turns {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    uint64_t next;          /* the next ticket to hand out */
    uint64_t serving;       /* the ticket whose turn it is */
    bool ready;
} kzvpy_turns;

int kzvpy_turns_init(kzvpy_turns *t);
void kzvpy_turns_destroy(kzvpy_turns *t);
/** Wait for our turn (GIL held on entry and return; released while waiting). */
void kzvpy_turns_take(kzvpy_turns *t);
/** Take the turn only if nobody holds or waits for it. @return true if taken. */
bool kzvpy_turns_try(kzvpy_turns *t);
void kzvpy_turns_give(kzvpy_turns *t);

/* ---- decoder.c / batch.c -------------------------------------------------- */

typedef struct kzvpy_Decoder {
    PyObject_HEAD
    kzv_decoder *d;
    kzvpy_turns turns;          /* one call at a time: kzv_decoder is single-threaded */
    Py_buffer mem;              /* the bytes of a memory source, held until close */
    bool has_mem;
    PyObject *source;           /* path, name or None (for repr and errors) */
    PyObject *weakrefs;
} kzvpy_Decoder;

/** Acquire the decoder's lock (waiting with the GIL released) and check it is
 *  open. @return 0, or -1 with kzv.ClosedError set (the lock is not held). */
int kzvpy_decoder_enter(kzvpy_Decoder *self);
void kzvpy_decoder_leave(kzvpy_Decoder *self);
/** Raise the decoder's last error for `code`. @return NULL. */
PyObject *kzvpy_decoder_raise(kzvpy_Decoder *self, int code);
/** Frame count (builds the index); -1 with an exception. Lock held. */
int64_t kzvpy_decoder_count(kzvpy_Decoder *self);

/* decoder_index.c: saved indexes and segment plans (methods of VideoDecoder). */
PyObject *kzvpy_decoder_export_index(kzvpy_Decoder *self, PyObject *unused);
PyObject *kzvpy_decoder_import_index(kzvpy_Decoder *self, PyObject *data);
PyObject *kzvpy_decoder_plan_segments(kzvpy_Decoder *self, PyObject *args, PyObject *kwargs);
/** Import `data` (bytes-like) as the decoder's index. Lock held. @return the
 *  kzv status (not raised), KZVPY_SIGNALED, or INT32_MIN with TypeError set. */
int kzvpy_decoder_import(kzvpy_Decoder *self, PyObject *data);

/** Decode the frames `indices[0..n)` (display order, in range, any order,
 *  repeats allowed) and stack them into a kzv.FrameBatch. Lock held. */
PyObject *kzvpy_batch_decode(kzvpy_Decoder *self, const int64_t *indices, size_t n);

/* ---- pyuploader.c ---------------------------------------------------------- */

struct kzvpy_run;   /* processor.c: the state of one process_all_frames() */

/** A kzv_uploader whose backend calls `obj`'s upload_frame, release_texture
 *  and get_texture_size (a Python IGPUTextureUploader). The uploader owns a
 *  reference to obj; destroy it with kzv_uploader_destroy(). */
int kzvpy_pyuploader_create(kzv_uploader **out, PyObject *obj, void **adapter);
/** The Python texture object behind a live texture (borrowed), or NULL. */
PyObject *kzvpy_pyuploader_texture(void *adapter, kzv_texture tex);
/** tp_traverse of the adapter's references (the Python uploader can point back
 *  at its processor: a cycle the garbage collector must see). */
int kzvpy_pyuploader_traverse(void *adapter, visitproc visit, void *arg);
/** Route the adapter's exceptions to a run (NULL: none is running). */
void kzvpy_pyuploader_set_run(void *adapter, struct kzvpy_run *run);
/** Called by the adapter (GIL held) when a Python method raised: `exc` is the
 *  exception (a new reference, consumed), `where` the method's name. */
void kzvpy_run_report(struct kzvpy_run *run, const char *where, int64_t frame_index, PyObject *exc);

/* ---- uploader.c ------------------------------------------------------------ */

typedef struct kzvpy_Uploader {
    PyObject_HEAD
    kzv_uploader *u;
    kzvpy_turns turns;          /* backends are used from one thread at a time */
    unsigned long owner;        /* thread running a processor on it (holds the lock), or 0 */
    int users;                  /* processors holding it (it cannot be closed meanwhile) */
    PyObject *weakrefs;
} kzvpy_Uploader;

/** Take the uploader for the calling thread (the processor's run). @return 0,
 *  or -1 with an exception (closed). */
int kzvpy_uploader_acquire(kzvpy_Uploader *self);
void kzvpy_uploader_release(kzvpy_Uploader *self);

/* ---- module.c -------------------------------------------------------------- */

/** Python-side hooks the package registers (kzv/__init__.py): the FrameBatch
 *  class and the callback-error reporter. Borrowed; NULL until registered. */
extern PyObject *kzvpy_hook_batch;
extern PyObject *kzvpy_hook_report;
/** fractions.Fraction(num, den), or None when den == 0. */
PyObject *kzvpy_fraction(int num, int den);

#endif /* KZVPY_H */
