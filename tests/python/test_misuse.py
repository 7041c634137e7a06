"""Every public function and method of the package with None, closed objects,
wrong types and out-of-range or non-finite values (misuse_matrix.py, in a
child interpreter whose exit status proves it did not crash): each call
returns or raises an ordinary exception with a message, never SystemError;
calls on closed objects raise kzv.ClosedError."""
import json
import os
import subprocess
import sys

from conftest import fixtures_dir

HERE = os.path.dirname(os.path.abspath(__file__))


def test_misuse_matrix():
    r = subprocess.run([sys.executable, os.path.join(HERE, "misuse_matrix.py"), fixtures_dir()],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, f"the interpreter died or hung (exit {r.returncode}):\n{r.stderr[-4000:]}"
    report = json.loads(r.stdout.strip().splitlines()[-1])
    assert report["calls"] > 3000, report["calls"]
    assert report["problems"] == [], "\n".join(report["problems"][:50])


def test_matrix_notices_problems():
    """The matrix itself reports a SystemError and a wrong exception on a
    closed object (so that an empty report means something)."""
    code = f"""
import sys
sys.argv = ["misuse_matrix.py", {fixtures_dir()!r}]
src = open({os.path.join(HERE, "misuse_matrix.py")!r}).read()
head = src.split("# ---- module functions")[0]
exec(compile(head, "misuse_matrix.py", "exec"))
def boom():
    raise SystemError("planted")
def plain():
    raise ValueError("not closed")
attempt("boom", boom)
attempt("plain", plain, closed=True)
attempt("silent", lambda: 1, closed=True)
print(len(problems))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[-1] == "3"
