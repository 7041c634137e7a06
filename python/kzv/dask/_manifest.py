"""The record of finished segments beside a kzv.dask job's output, so that
running the same job again computes only what is missing.

``<dst>.kzvparts/manifest.json``: {"job": key, "segments": {"3": {"file",
"frames", "bytes", "sha256"}}}. Written by the driver alone, whole, under a
temporary name then renamed (a crash never leaves half a manifest). A
segment counts as done only when its file is there with that size and hash.
"""
from __future__ import annotations

import glob
import json
import os
from typing import Any, Dict, List

from ._task import sha256_of


class Manifest:
    def __init__(self, directory: str, job: str, count: int, fresh: bool = False):
        self.dir = directory
        self.path = os.path.join(directory, "manifest.json")
        self.job = job
        self.count_all = count
        os.makedirs(directory, exist_ok=True)
        # Temporary files of tasks that died (killed workers) are never finished.
        for stale in glob.glob(os.path.join(directory, "*.partial")):
            os.unlink(stale)
        self.segments: Dict[str, Dict[str, Any]] = {}
        old = None
        if not fresh and os.path.exists(self.path):
            try:
                with open(self.path) as f:
                    old = json.load(f)
            except (OSError, ValueError):
                old = None
        if old and old.get("job") == job:
            self.segments = old.get("segments", {})
        else:                                  # another job's parts: not ours to reuse
            for p in glob.glob(os.path.join(directory, "seg-*")):
                os.unlink(p)
            self._write()

    def done(self, k: int, path: str) -> bool:
        e = self.segments.get(str(k))
        if not e or os.path.basename(path) != e.get("file") or not os.path.exists(path):
            return False
        if os.path.getsize(path) != e.get("bytes") or sha256_of(path) != e.get("sha256"):
            del self.segments[str(k)]
            return False
        return True

    def record(self, k: int, name: str, res: Dict[str, Any]) -> None:
        self.segments[str(k)] = {"file": name, "frames": res["frames"], "bytes": res["bytes"],
                                 "sha256": res["sha256"]}
        self._write()

    def count(self) -> int:
        return len(self.segments)

    def _write(self) -> None:
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"job": self.job, "segments": self.segments}, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def remove(self, parts: List[str]) -> None:
        for p in parts + [self.path]:
            if os.path.exists(p):
                os.unlink(p)
        try:
            os.rmdir(self.dir)
        except OSError:
            pass
