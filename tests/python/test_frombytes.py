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
