"""meson test → pytest for one test file of the Python package.

Usage: python3 run_pytest.py TEST_FILE [pytest args...]
Exits 77 (meson's SKIP) with the reason on stdout when the file cannot run
here: pytest missing, or a file excluded under the sanitizer this build uses
(KZV_PY_SKIP_UNDER_SANITIZER lists them, set by tests/python/meson.build).
"""
import os
import sys

test = sys.argv[1]
san = os.environ.get("KZV_PY_SANITIZER", "")
excluded = os.environ.get("KZV_PY_SKIP_UNDER_SANITIZER", "").split()
if san and os.path.basename(test) in excluded:
    print(f"SKIP {os.path.basename(test)} under {san}: {os.environ.get('KZV_PY_SKIP_REASON', '')}")
    sys.exit(77)
try:
    import pytest
except ImportError:
    print("SKIP: pytest is not installed for this interpreter (apt-get install python3-pytest)")
    sys.exit(77)
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", test, *sys.argv[2:]]))
