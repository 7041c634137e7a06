/*
 * Status codes → Python exceptions, shared by every type of the module.
 *
 * kzv.Error subclasses ValueError (the seed catches ValueError for "cannot
 * open video"); there is one subclass per status code, each with the class
 * attribute `code`, and every raised instance carries `code` and `reason`
 * (kzv's message, with FFmpeg's own reason where there is one). A missing
 * file raises the builtin FileNotFoundError, as the seed expects. Two classes
 * also derive from the builtin that Python code catches for that condition:
 * TimedOutError from TimeoutError, OutOfMemoryError from MemoryError.
 */
#include <errno.h>

#include "kzvpy.h"

typedef struct err_class {
    int code;
    const char *name;      /* kzv.<name> */
    const char *doc;
    PyObject **extra_base; /* a second builtin base, or NULL */
    PyObject *type;
} err_class;

static PyObject *Error;

static err_class classes[] = {
    { KZV_EOF, "EndOfStreamError", "The end of the stream (or of a closed, drained queue).", NULL, NULL },
    { KZV_EAGAIN, "WouldBlockError", "Nothing now; a call that does not wait would have to.", NULL, NULL },
    { KZV_ETIMEDOUT, "TimedOutError", "A wait or a stalled read ran out of time.", &PyExc_TimeoutError, NULL },
    { KZV_ENOVIDEO, "NoVideoStreamError", "The input has no (usable) video stream.", NULL, NULL },
    { KZV_EUNSUPPORTED, "UnsupportedError", "Codec, format or feature not supported.", NULL, NULL },
    { KZV_EINVALIDDATA, "InvalidDataError", "Corrupt data, or not a media file.", NULL, NULL },
    { KZV_EIO, "InputOutputError", "Reading or writing failed (permission denied, I/O error).", NULL, NULL },
    { KZV_ENOMEM, "OutOfMemoryError", "An allocation failed.", &PyExc_MemoryError, NULL },
    { KZV_EINVAL, "InvalidArgumentError", "An argument kzv refused (out of range, wrong state).", NULL, NULL },
    { KZV_ECLOSED, "ClosedError", "The object (queue, decoder, processor) is closed.", NULL, NULL },
    { KZV_ECANCELED, "CanceledError", "Stopped: by stop(), interrupt() or Ctrl-C.", NULL, NULL },
    { KZV_EGPU, "GPUError", "The GPU / uploader backend failed.", NULL, NULL },
};
#define N_CLASSES (sizeof(classes) / sizeof(classes[0]))

int kzvpy_errors_init(PyObject *m)
{
    Error = PyErr_NewExceptionWithDoc("kzv.Error",
        "Base class of kzv's errors (a ValueError). Attributes: code (the kzv\n"
        "status code, a negative int) and reason (the message, naming the file\n"
        "and FFmpeg's reason where there is one).", PyExc_ValueError, NULL);
    if (!Error || PyModule_AddObjectRef(m, "Error", Error) < 0)
        return -1;
    for (size_t i = 0; i < N_CLASSES; i++) {
        err_class *c = &classes[i];
        char qual[64];
        PyOS_snprintf(qual, sizeof(qual), "kzv.%s", c->name);
        PyObject *bases = c->extra_base ? PyTuple_Pack(2, Error, *c->extra_base) : PyTuple_Pack(1, Error);
        PyObject *dict = Py_BuildValue("{s:i}", "code", c->code);
        c->type = bases && dict ? PyErr_NewExceptionWithDoc(qual, c->doc, bases, dict) : NULL;
        Py_XDECREF(bases);
        Py_XDECREF(dict);
        if (!c->type || PyModule_AddObjectRef(m, c->name, c->type) < 0)
            return -1;
    }
    return 0;
}

PyObject *kzvpy_error_class(int code)
{
    for (size_t i = 0; i < N_CLASSES; i++)
        if (classes[i].code == code)
            return classes[i].type;
    return Error;
}

PyObject *kzvpy_raise(int code, const char *reason, PyObject *filename)
{
    if (!reason || !reason[0])
        reason = kzv_strerror(code);
    if (code == KZV_ENOENT) {
        PyObject *exc = filename && filename != Py_None
            ? PyObject_CallFunction(PyExc_FileNotFoundError, "isO", ENOENT, reason, filename)
            : PyObject_CallFunction(PyExc_FileNotFoundError, "is", ENOENT, reason);
        if (exc) {
            PyErr_SetObject(PyExc_FileNotFoundError, exc);
            Py_DECREF(exc);
        }
        return NULL;
    }
    if (code == KZV_ENOMEM && !Error)
        return PyErr_NoMemory();
    PyObject *type = kzvpy_error_class(code);
    PyObject *exc = PyObject_CallFunction(type, "s", reason);
    if (!exc)
        return NULL;
    PyObject *c = PyLong_FromLong(code), *r = PyUnicode_FromString(reason);
    if (c && r && PyObject_SetAttrString(exc, "code", c) == 0 &&
        PyObject_SetAttrString(exc, "reason", r) == 0)
        PyErr_SetObject(type, exc);
    Py_XDECREF(c);
    Py_XDECREF(r);
    Py_DECREF(exc);
    return NULL;
}

PyObject *kzvpy_raise_closed(const char *what)
{
    char msg[128];
    PyOS_snprintf(msg, sizeof(msg), "%s is closed", what);
    return kzvpy_raise(KZV_ECLOSED, msg, NULL);
}

PyObject *kzvpy_fetch_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    if (!type)
        return NULL;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value)
        PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return value;
#endif
}

void kzvpy_restore_exception(PyObject *exc)
{
    if (!exc)
        return;
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyObject *type = (PyObject *)Py_TYPE(exc);
    Py_INCREF(type);
    PyErr_Restore(type, exc, PyException_GetTraceback(exc));
#endif
}
