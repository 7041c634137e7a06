"""Shared fixtures of the Python package's tests.

Media come from $KZV_FIXTURES (tests/media/make_fixtures.sh; the Makefile and
scripts/run_tests.sh generate them). The tests fail loudly when it is missing.
They import the kzv package from PYTHONPATH (build/python, set by meson test).
"""
import os
import shutil
import subprocess
import sys

import pytest

import kzv


def fixtures_dir():
    d = os.environ.get("KZV_FIXTURES")
    if not d or not os.path.isdir(d):
        pytest.fail("KZV_FIXTURES is not set to the fixture directory "
                    "(tests/media/make_fixtures.sh DIR; export KZV_FIXTURES=DIR)", pytrace=False)
    return d


@pytest.fixture(scope="session")
def media():
    """media("h264.mp4") -> absolute path of a fixture (fails if absent)."""
    d = fixtures_dir()

    def path(name):
        p = os.path.join(d, name)
        if not os.path.exists(p):
            pytest.fail(f"fixture {name} missing in {d}: rerun tests/media/make_fixtures.sh", pytrace=False)
        return p
    return path


@pytest.fixture(scope="session")
def kzv_cli():
    """Path of the kzv command-line tool of the same build (KZV_CLI)."""
    p = os.environ.get("KZV_CLI")
    if not p or not os.access(p, os.X_OK):
        pytest.fail("KZV_CLI must name the built kzv tool (meson test sets it)", pytrace=False)
    return p


def sanitizer():
    """'address', 'thread' or '' (set by tests/python/meson.build)."""
    return os.environ.get("KZV_PY_SANITIZER", "")


def run_python(code, *args, timeout=120, env=None, **kw):
    """Run `code` in a fresh interpreter (the one running the tests) with the
    same environment; returns the CompletedProcess (text output)."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=timeout, env=e, **kw)


def ffprobe_frames(path):
    """Frame count and pts (seconds) of the first video stream, per ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=best_effort_timestamp_time", "-of", "csv=p=0", path],
                         capture_output=True, text=True, check=True).stdout
    pts = [float(x.strip().rstrip(",")) for x in out.split() if x.strip() and x.strip() != "N/A"]
    return pts


have_ffprobe = shutil.which("ffprobe") is not None
