/*
 * kzv.FrameQueue: the seed's FrameQueue over a kzv_queue — bounded, thread-
 * safe, blocking (lossless) or drop-oldest (live playback).
 *
 * The queue holds kzv_frame references, not Python objects: dequeue() returns
 * a new VideoFrame on the same frame (same pixels, same memory). Waits are
 * done in 50 ms slices with the GIL released, checking for signals between
 * slices, so Ctrl-C interrupts a blocked enqueue or dequeue.
 *
 * Thread-safety: every method may be called from any number of threads.
 */
#include <limits.h>
#include <string.h>

#include "kzvpy.h"

typedef struct kzvpy_Queue {
    PyObject_HEAD
    kzv_queue *q;
    kzv_queue_policy policy;
    bool closed;
    PyObject *weakrefs;
} kzvpy_Queue;

static int queue_init(kzvpy_Queue *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "maxsize", "policy", NULL };
    int maxsize = 16;
    const char *policy = "block";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|i$s:FrameQueue", kwlist, &maxsize, &policy))
        return -1;
    kzv_queue_settings s;
    kzv_queue_default_settings(&s);
    if (maxsize < 1) {
        PyErr_SetString(PyExc_ValueError, "maxsize must be >= 1");
        return -1;
    }
    s.capacity = maxsize;
    if (!strcmp(policy, "block"))
        s.policy = KZV_QUEUE_BLOCK;
    else if (!strcmp(policy, "drop_oldest"))
        s.policy = KZV_QUEUE_DROP_OLDEST;
    else {
        PyErr_Format(PyExc_ValueError, "policy must be 'block' or 'drop_oldest', not '%s'", policy);
        return -1;
    }
    if (self->q) {
        PyErr_SetString(PyExc_RuntimeError, "FrameQueue.__init__ called twice");
        return -1;
    }
    int err = kzv_queue_create(&self->q, &s);
    if (err < 0) {
        kzvpy_raise(err, NULL, NULL);
        return -1;
    }
    self->policy = s.policy;
    self->closed = false;
    return 0;
}

static void queue_dealloc(kzvpy_Queue *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    /* No thread can be inside a method: each holds a reference to self. */
    kzv_queue_destroy(&self->q);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int ready(kzvpy_Queue *self)
{
    if (!self->q) {
        PyErr_SetString(PyExc_RuntimeError, "FrameQueue.__init__ was not called");
        return -1;
    }
    return 0;
}

typedef struct push_op {
    kzv_queue *q;
    kzv_frame *f;
} push_op;

static int do_push(void *ctx, int64_t timeout_ns)
{
    push_op *o = ctx;
    return kzv_queue_push(o->q, o->f, timeout_ns);
}

static PyObject *queue_enqueue(kzvpy_Queue *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "frame", "timeout", NULL };
    PyObject *frame, *timeout = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:enqueue", kwlist, &frame, &timeout))
        return NULL;
    kzv_frame *f = kzvpy_frame_get(frame);
    int64_t ns;
    if (!f || kzvpy_timeout_ns(timeout, &ns) < 0 || ready(self) < 0)
        return NULL;
    push_op op = { self->q, kzv_frame_ref(f) };
    int err = kzvpy_sliced_wait(do_push, &op, ns);
    if (err == KZV_OK)
        Py_RETURN_TRUE;              /* the queue owns the reference now */
    kzv_frame_unref(&op.f);
    if (err == INT_MIN)
        return NULL;
    if (err == KZV_ETIMEDOUT || err == KZV_EAGAIN)
        Py_RETURN_FALSE;
    if (err == KZV_ECLOSED)
        return kzvpy_raise(err, "enqueue: the queue is closed", NULL);
    return kzvpy_raise(err, NULL, NULL);
}

typedef struct pop_op {
    kzv_queue *q;
    kzv_frame *f;
} pop_op;

static int do_pop(void *ctx, int64_t timeout_ns)
{
    pop_op *o = ctx;
    return kzv_queue_pop(o->q, &o->f, timeout_ns);
}

/* A frame, None (timeout or closed and drained), or NULL with an exception. */
static PyObject *pop(kzvpy_Queue *self, int64_t ns, bool *eof)
{
    if (ready(self) < 0)
        return NULL;
    pop_op op = { self->q, NULL };
    int err = kzvpy_sliced_wait(do_pop, &op, ns);
    if (err == KZV_OK)
        return kzvpy_frame_new(op.f);
    if (err == INT_MIN)
        return NULL;
    if (eof)
        *eof = err == KZV_EOF;
    if (err == KZV_EOF || err == KZV_ETIMEDOUT || err == KZV_EAGAIN)
        Py_RETURN_NONE;
    return kzvpy_raise(err, NULL, NULL);
}

static PyObject *queue_dequeue(kzvpy_Queue *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = { "timeout", NULL };
    PyObject *timeout = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:dequeue", kwlist, &timeout))
        return NULL;
    int64_t ns;
    if (kzvpy_timeout_ns(timeout, &ns) < 0)
        return NULL;
    return pop(self, ns, NULL);
}

static PyObject *queue_iternext(kzvpy_Queue *self)
{
    bool eof = false;
    PyObject *f = pop(self, -1, &eof);
    if (f == Py_None) {       /* waiting forever ends only at close */
        Py_DECREF(f);
        return NULL;
    }
    return f;
}

static PyObject *queue_iter(kzvpy_Queue *self)
{
    return Py_NewRef((PyObject *)self);
}

static PyObject *queue_close(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    if (ready(self) < 0)
        return NULL;
    kzv_queue_close(self->q);
    self->closed = true;
    Py_RETURN_NONE;
}

static PyObject *queue_clear(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    if (ready(self) < 0)
        return NULL;
    long n = 0;
    kzv_frame *f;
    while (kzv_queue_pop(self->q, &f, 0) == KZV_OK) {
        kzv_frame_unref(&f);
        n++;
    }
    return PyLong_FromLong(n);
}

static kzv_queue_stats stats_of(kzvpy_Queue *self)
{
    kzv_queue_stats st;
    memset(&st, 0, sizeof(st));
    if (self->q)
        kzv_queue_get_stats(self->q, &st);
    return st;
}

static PyObject *queue_stats(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    if (ready(self) < 0)
        return NULL;
    kzv_queue_stats st = stats_of(self);
    return Py_BuildValue("{s:L,s:L,s:L,s:i,s:i,s:i}",
                         "total_enqueued", (long long)st.total_enqueued,
                         "total_dequeued", (long long)st.total_dequeued,
                         "total_dropped", (long long)st.total_dropped,
                         "size", st.size, "peak_size", st.peak_size, "capacity", st.capacity);
}

static Py_ssize_t queue_len(kzvpy_Queue *self)
{
    return stats_of(self).size;
}

static PyObject *queue_qsize(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(stats_of(self).size);
}

static PyObject *queue_empty(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(stats_of(self).size == 0);
}

static PyObject *queue_full(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    kzv_queue_stats st = stats_of(self);
    return PyBool_FromLong(st.size >= st.capacity);
}

static PyObject *get_maxsize(kzvpy_Queue *self, void *c)
{
    (void)c;
    return PyLong_FromLong(stats_of(self).capacity);
}

static PyObject *get_policy(kzvpy_Queue *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(self->policy == KZV_QUEUE_DROP_OLDEST ? "drop_oldest" : "block");
}

static PyObject *get_closed(kzvpy_Queue *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->closed);
}

static PyObject *queue_exit_ctx(kzvpy_Queue *self, PyObject *args)
{
    (void)args;
    return queue_close(self, NULL);
}

static PyObject *queue_enter_ctx(kzvpy_Queue *self, PyObject *unused)
{
    (void)unused;
    return Py_NewRef((PyObject *)self);
}

static PyMethodDef queue_methods[] = {
    { "enqueue", KZVPY_KW(queue_enqueue), METH_VARARGS | METH_KEYWORDS,
      "enqueue(frame, timeout=None)\n--\n\n"
      "Add a frame. 'block' policy: wait for room up to `timeout` seconds (None:\n"
      "as long as it takes; 0: not at all); 'drop_oldest': never waits, the oldest\n"
      "frame is dropped when full. Returns True, or False when the time ran out.\n"
      "Raises kzv.ClosedError after close()." },
    { "dequeue", KZVPY_KW(queue_dequeue), METH_VARARGS | METH_KEYWORDS,
      "dequeue(timeout=None)\n--\n\n"
      "The oldest frame, waiting up to `timeout` seconds (None: until a frame\n"
      "comes or the queue is closed; 0: not at all). None when nothing came (time\n"
      "ran out, or the queue is closed and empty)." },
    { "close", (PyCFunction)queue_close, METH_NOARGS,
      "close()\n--\n\nEnd enqueuing (waiting producers wake with ClosedError); dequeue drains\n"
      "what is left, then returns None. Iteration ends there too. Idempotent." },
    { "clear", (PyCFunction)queue_clear, METH_NOARGS,
      "clear()\n--\n\nDrop every queued frame; returns how many." },
    { "stats", (PyCFunction)queue_stats, METH_NOARGS,
      "stats()\n--\n\nCounters: total_enqueued, total_dequeued, total_dropped, size,\npeak_size, capacity." },
    { "qsize", (PyCFunction)queue_qsize, METH_NOARGS, "qsize()\n--\n\nFrames held now." },
    { "empty", (PyCFunction)queue_empty, METH_NOARGS, "empty()\n--\n\nTrue when no frame is held." },
    { "full", (PyCFunction)queue_full, METH_NOARGS, "full()\n--\n\nTrue when maxsize frames are held." },
    { "__enter__", (PyCFunction)queue_enter_ctx, METH_NOARGS, NULL },
    { "__exit__", (PyCFunction)queue_exit_ctx, METH_VARARGS, NULL },
    { NULL, NULL, 0, NULL },
};

static PyGetSetDef queue_getset[] = {
    { "maxsize", (getter)get_maxsize, NULL, "Most frames held at once.", NULL },
    { "policy", (getter)get_policy, NULL, "'block' or 'drop_oldest'.", NULL },
    { "closed", (getter)get_closed, NULL, "True after close().", NULL },
    { NULL, NULL, NULL, NULL, NULL },
};

static PySequenceMethods queue_as_sequence = {
    .sq_length = (lenfunc)queue_len,
};

PyTypeObject kzvpy_QueueType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "kzv.FrameQueue",
    .tp_basicsize = sizeof(kzvpy_Queue),
    .tp_dealloc = (destructor)queue_dealloc,
    .tp_as_sequence = &queue_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "FrameQueue(maxsize=16, *, policy='block')\n--\n\n"
              "A bounded, thread-safe queue of VideoFrames between a producer and a\n"
              "consumer. policy='block' (lossless: enqueue waits for room) or\n"
              "'drop_oldest' (live: the oldest frame goes). Memory is bounded by\n"
              "maxsize frames. Iterating it yields frames until it is closed and empty.",
    .tp_weaklistoffset = offsetof(kzvpy_Queue, weakrefs),
    .tp_iter = (getiterfunc)queue_iter,
    .tp_iternext = (iternextfunc)queue_iternext,
    .tp_methods = queue_methods,
    .tp_getset = queue_getset,
    .tp_init = (initproc)queue_init,
    .tp_new = PyType_GenericNew,
};
