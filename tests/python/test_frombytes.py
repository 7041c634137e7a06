"""Opening from bytes, bytearray and memoryview never crashes whatever the
bytes: 300 seeded mutations of the fuzz seed corpora (tests/fuzz/fuzz_python.py)
through VideoDecoder, a few frames, len, a seek and a batch, in a child
interpreter; only ordinary exceptions may come out."""
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("KZV_SOURCE_ROOT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def test_mutated_bytes_never_crash():
    script = os.path.join(ROOT, "tests", "fuzz", "fuzz_python.py")
    with tempfile.TemporaryDirectory() as tmp:
        last = os.path.join(tmp, "last.bin")
        r = subprocess.run([sys.executable, "-X", "faulthandler", script, "--runs", "300", "--seed", "17",
                            "--last", last], capture_output=True, text=True, timeout=900, cwd=tmp)
        assert r.returncode == 0, (f"exit {r.returncode}; last input kept by the test would be {last}\n"
                                   f"{r.stdout[-2000:]}\n{r.stderr[-4000:]}")
    assert "300 runs" in r.stdout and "UNEXPECTED" not in r.stdout, r.stdout


def test_container_keyword(media):
    """container= names the demuxer: the right one opens bytes with no name
    hint, a wrong one fails like a damaged file, an unknown one is refused."""
    import kzv
    import pytest
    data = open(media("mpeg4.avi"), "rb").read()
    with kzv.VideoDecoder(data, container="avi") as d:
        assert "avi" in d.container and len(d) > 0
    with pytest.raises(kzv.InvalidDataError):
        kzv.VideoDecoder(data, container="matroska")
    with pytest.raises(kzv.InvalidArgumentError, match="nonesuch"):
        kzv.VideoDecoder(data, container="nonesuch")
    with pytest.raises(TypeError):
        kzv.VideoDecoder(data, container=3)
