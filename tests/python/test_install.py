"""The package installs: `meson install` of this build, and
`pip install --no-build-isolation .` through Debian's meson-python (a second,
complete build from the source tree, about two minutes on two cores; the
wheel holds the Python package alone, its extension linking libkzv
statically). Each
installed copy is imported by a fresh interpreter that sees only it, and
decodes a frame."""
import glob
import os
import subprocess
import sys

import pytest

from conftest import run_python

CHECK = """
import sys, kzv
assert kzv.__file__.startswith(sys.argv[1]), kzv.__file__
d = kzv.VideoDecoder(sys.argv[2])
f = next(d)
print("ok", kzv.__version__, f.width, f.height, f.data.shape, len(d))
"""


def check_import(root, media):
    r = run_python(CHECK, root, media("h264.mp4"), env={"PYTHONPATH": root}, cwd="/")
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == ["ok", "0.1.0", "320", "240", "(240,", "320,", "3)", "50"]


def test_meson_install(tmp_path, media):
    build = os.environ["KZV_BUILD_ROOT"]
    dest = tmp_path / "dest"
    r = subprocess.run(["meson", "install", "-C", build, "--destdir", str(dest), "--no-rebuild",
                        "--tags", "python-runtime", "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    inits = glob.glob(str(dest / "**" / "kzv" / "__init__.py"), recursive=True)
    assert len(inits) == 1, inits
    pkg = os.path.dirname(inits[0])
    assert sorted(os.listdir(pkg)) == sorted(["__init__.py", "_abc.py", "_batch.py", "_report.py", "_segments.py",
                                              "_kzv.pyi", "py.typed", "dask"] +
                                             [os.path.basename(p) for p in glob.glob(pkg + "/_kzv.*.so")])
    assert sorted(os.listdir(os.path.join(pkg, "dask"))) == ["__init__.py", "__main__.py", "_manifest.py", "_task.py"]
    assert glob.glob(pkg + "/_kzv.*.so")
    check_import(os.path.dirname(pkg), media)


def test_pip_install_no_build_isolation(tmp_path, media):
    missing = [m for m in ("pip", "mesonpy") if subprocess.run([sys.executable, "-c", f"import {m}"],
                                                               capture_output=True).returncode]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed for {sys.executable} "
                    "(apt-get install python3-pip python3-mesonpy; scripts/deps.sh test does)")
    src = os.environ["KZV_SOURCE_ROOT"]
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                        "--no-input", "--no-index", "--target", str(target), src],
                       capture_output=True, text=True, timeout=1100, cwd=str(tmp_path))
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    check_import(str(target), media)
    # The wheel is the Python package alone (python_wheel=true): no CLI, library or headers.
    assert sorted(p.name for p in target.iterdir() if not p.name.endswith(".dist-info")) == ["kzv"]
