"""The package's surface: every public name is in the type stubs (and the
stubs name nothing that does not exist), every public class and method has
a docstring, and the C backends count as IGPUTextureUploader."""
import ast
import inspect
import os

import kzv

STUBS = os.path.join(os.path.dirname(kzv.__file__), "_kzv.pyi")


def stub_names():
    tree = ast.parse(open(STUBS).read())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            top.add(node.name)
            members[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} | \
                {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
            for b in node.bases:          # stub base classes come first in the file
                if isinstance(b, ast.Name) and b.id in members:
                    members[node.name] |= members[b.id]
        elif isinstance(node, ast.FunctionDef):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            top.add(node.target.id)
    return top, members


def test_stubs_match_the_module():
    top, members = stub_names()
    c_names = {n for n in dir(kzv._kzv) if not n.startswith("__")}
    assert c_names == top, (c_names ^ top)
    for cls, names in members.items():
        obj = getattr(kzv._kzv, cls)
        public = {n for n in dir(obj) if not n.startswith("_") and n not in dir(ValueError)}
        if issubclass(obj, BaseException):
            continue
        if cls == "Color":     # a struct sequence: tuple methods and n_* counts besides the fields
            public -= {"count", "index", "n_fields", "n_sequence_fields", "n_unnamed_fields"}
        assert public <= names, (cls, public - names)
        for n in names:
            assert hasattr(obj, n) or n in ("__init__",), (cls, n)


def test_docstrings():
    for name in kzv.__all__:
        obj = getattr(kzv, name)
        assert (obj.__doc__ or "").strip(), name
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for m, v in vars(obj).items():
                if not m.startswith("_") and callable(v):
                    assert (v.__doc__ or "").strip(), f"{name}.{m}"


def test_abc():
    assert isinstance(kzv.MemoryUploader(), kzv.IGPUTextureUploader)
    assert issubclass(kzv.GLUploader, kzv.IGPUTextureUploader)

    class Incomplete(kzv.IGPUTextureUploader):
        def upload_frame(self, frame):
            return 1
    try:
        Incomplete()
        raise AssertionError("an incomplete uploader was instantiated")
    except TypeError:
        pass
