/*
 * DLPack export (the 0.8 ABI, declared here: no external header needed).
 *
 * The capsule protocol: __dlpack__() returns a PyCapsule named "dltensor"
 * holding a DLManagedTensor*. A consumer (numpy.from_dlpack, torch) takes
 * the tensor, renames the capsule "used_dltensor" and calls the tensor's
 * deleter when done with it; a capsule nobody consumed deletes the tensor
 * when it is collected. The deleter may run on any thread, without the GIL:
 * it only drops a kzv_frame reference (atomic) and frees memory.
 */
#include <stdlib.h>

#include "kzvpy.h"

/* --- dlpack.h, v0.8 (https://github.com/dmlc/dlpack), the parts we use --- */
typedef enum { kDLCPU = 1 } DLDeviceType;
typedef enum { kDLUInt = 1 } DLDataTypeCode;
typedef struct { DLDeviceType device_type; int32_t device_id; } DLDevice;
typedef struct { uint8_t code; uint8_t bits; uint16_t lanes; } DLDataType;
typedef struct {
    void *data;
    DLDevice device;
    int32_t ndim;
    DLDataType dtype;
    int64_t *shape;
    int64_t *strides;      /* in elements, not bytes; NULL = compact row-major */
    uint64_t byte_offset;
} DLTensor;
typedef struct DLManagedTensor {
    DLTensor dl_tensor;
    void *manager_ctx;
    void (*deleter)(struct DLManagedTensor *self);
} DLManagedTensor;
/* ------------------------------------------------------------------------ */

typedef struct export_ctx {
    DLManagedTensor tensor;
    int64_t shape[3];
    int64_t strides[3];
    kzv_frame *frame;      /* the reference the tensor holds */
} export_ctx;

static void tensor_deleter(DLManagedTensor *t)
{
    export_ctx *c = t->manager_ctx;
    kzv_frame_unref(&c->frame);
    free(c);
}

static void capsule_destructor(PyObject *cap)
{
    if (PyCapsule_IsValid(cap, "used_dltensor"))
        return;                       /* consumed: the consumer calls the deleter */
    PyObject *exc = kzvpy_fetch_exception();   /* may run while an exception is set */
    DLManagedTensor *t = PyCapsule_GetPointer(cap, "dltensor");
    if (t)
        t->deleter(t);
    else
        PyErr_WriteUnraisable(cap);
    kzvpy_restore_exception(exc);
}

PyObject *kzvpy_dlpack_capsule(kzv_frame *f, int plane)
{
    export_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return PyErr_NoMemory();
    int sb = 1;
    int64_t st_bytes[3] = { 0 };
    int nd = kzvpy_plane_shape(f->format, f->width, f->height, f->stride[plane], plane, c->shape, st_bytes, &sb);
    if (!nd || st_bytes[0] % sb) {
        free(c);
        PyErr_SetString(PyExc_BufferError, "this frame cannot be described to DLPack");
        return NULL;
    }
    for (int i = 0; i < nd; i++)
        c->strides[i] = st_bytes[i] / sb;
    c->frame = kzv_frame_ref(f);
    c->tensor = (DLManagedTensor){
        .dl_tensor = {
            .data = f->data[plane],
            .device = { kDLCPU, 0 },
            .ndim = nd,
            .dtype = { kDLUInt, (uint8_t)(8 * sb), 1 },
            .shape = c->shape,
            .strides = c->strides,
            .byte_offset = 0,
        },
        .manager_ctx = c,
        .deleter = tensor_deleter,
    };
    PyObject *cap = PyCapsule_New(&c->tensor, "dltensor", capsule_destructor);
    if (!cap)
        tensor_deleter(&c->tensor);
    return cap;
}
