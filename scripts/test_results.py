#!/usr/bin/python3
"""Tally a `meson test` run for scripts/run_tests.sh.

Usage: scripts/test_results.py TESTLOG_JSON LABEL

Reads meson's meson-logs/testlog.json (one JSON object per test) and prints
    PASSED FAILED SKIPPED
on the first line, then one line per thing that did not run, each with its
reason:
    [LABEL] NAME: skipped: REASON         a test that exited 77 (meson's SKIP);
                                          REASON is its last "skipped: …" line
                                          of output, else its last line
    [LABEL] NAME: not tested: WHAT (WHY)  a line starting "not tested: …"
                                          (not indented) printed by a test that
                                          ran: a part it could not run here
Passed: OK and EXPECTEDFAIL. Failed: FAIL, TIMEOUT, UNEXPECTEDPASS, ERROR,
INTERRUPT. Skipped: SKIP.
"""
import json
import sys

PASS = {"OK", "EXPECTEDFAIL"}
FAIL = {"FAIL", "TIMEOUT", "UNEXPECTEDPASS", "ERROR", "INTERRUPT"}


def main(path, label):
    passed = failed = skipped = 0
    notes = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            name = t.get("name", "?").split(" / ")[-1]
            result = t.get("result")
            out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
            lines = [l.rstrip() for l in out.splitlines() if l.strip()]
            if result in PASS:
                passed += 1
            elif result in FAIL:
                failed += 1
            elif result == "SKIP":
                skipped += 1
                why = [l for l in lines if l.lower().startswith("skipped:")]
                reason = why[-1].split(":", 1)[1].strip() if why else (lines[-1].strip() if lines else "")
                notes.append("[%s] %s: skipped: %s" % (label, name, reason or "(the test gave no reason)"))
            for l in lines:
                if l.lower().startswith("not tested:"):
                    notes.append("[%s] %s: %s" % (label, name, l))
    print(passed, failed, skipped)
    for n in notes:
        print(n)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
