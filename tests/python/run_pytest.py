"""meson test → pytest for one test file of the Python package.

Usage: python3 run_pytest.py TEST_FILE [pytest args...]
Exits 77 (meson's SKIP) with the reason on stdout when the file cannot run
here: pytest missing, a file excluded under the sanitizer this build uses
(KZV_PY_SKIP_UNDER_SANITIZER lists them, set by tests/python/meson.build), or
a file that skipped itself whole (a package it needs is not installed).
"""
import os
import sys

def main():
    test = sys.argv[1]
    san = os.environ.get("KZV_PY_SANITIZER", "")
    excluded = os.environ.get("KZV_PY_SKIP_UNDER_SANITIZER", "").split()
    if san and os.path.basename(test) in excluded:
        print(f"SKIP {os.path.basename(test)} under {san}: {os.environ.get('KZV_PY_SKIP_REASON', '')}")
        return 77
    try:
        import pytest
    except ImportError:
        print("SKIP: pytest is not installed for this interpreter (apt-get install python3-pytest)")
        return 77
    rc = pytest.main(["-q", "-p", "no:cacheprovider", "-rs", test, *sys.argv[2:]])
    if rc == pytest.ExitCode.NO_TESTS_COLLECTED:
        # The whole file skipped itself (pytest.importorskip at module level:
        # a package it needs is missing); its reason is in the summary above.
        print(f"SKIP {os.path.basename(test)}: no test could run here (see the reason above)")
        return 77
    return rc


# Guarded: multiprocessing's spawn start method (Dask's worker processes)
# imports the parent's __main__ in every child, which must not run pytest.
if __name__ == "__main__":
    sys.exit(main())
