"""kzv.dask: a LocalCluster of 2 worker processes transcodes a generated 20 s
source (B-frames, VFR, audio, subtitles) in 6 segments, and the result equals
a single-process kzv.transcode of the same job frame for frame (lossless
x264: pts and pixels); a worker SIGKILLed mid-job is replaced and the output
is still exact; a run that failed resumes without recomputing its finished
segments; a fn that always raises fails the job with the segment's range."""
import hashlib
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import kzv

distributed = pytest.importorskip("distributed")
import kzv.dask  # noqa: E402

ENC = dict(codec="libx264", qp=0, preset="ultrafast")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    src = d / "src.mkv"
    # VFR: every 7th frame lasts three ticks of 1/48 s instead of two.
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=128x96:rate=24:duration=20",
                    "-f", "lavfi", "-i", "sine=f=440:d=20",
                    "-vf", "setpts='(2*N+floor(N/7))/48/TB'", "-fps_mode", "vfr",
                    "-c:v", "libx264", "-preset", "ultrafast", "-bf", "3", "-g", "48",
                    "-c:a", "aac", "-metadata:s:a:0", "language=jpn", str(src)], check=True)
    return src


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=50)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def flip(f):
    return np.ascontiguousarray(f.data[::-1])


def frames_of(path):
    with kzv.VideoDecoder(path) as d:
        return [(f.pts_ts, hashlib.sha1(f.data.tobytes()).hexdigest()) for f in d]


def packets(path, stream):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", stream, "-show_packets",
                          "-show_data_hash", "MD5", "-show_entries", "packet=pts,data_hash", "-of", "csv",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


@pytest.fixture(scope="module")
def single(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "single.mkv"
    kzv.transcode(source, out, flip, **ENC)
    return frames_of(out)


def test_equals_single_process(source, single, client, tmp_path):
    out = tmp_path / "dask.mkv"
    r = kzv.dask.transcode(source, out, flip, client=client, segments=6, **ENC)
    assert r["segments"] == 6 and r["computed"] == 6 and r["frames"] == len(single)
    assert frames_of(out) == single
    with kzv.VideoDecoder(source) as d:
        assert [f.pts_ts for f in d] == [p for p, _ in single]        # the source's own timing
    assert packets(out, "a:0") == packets(source, "a:0")
    assert not os.path.exists(str(out) + ".kzvparts")                 # parts cleaned up


def test_worker_killed_mid_job(source, single, client, tmp_path):
    marker = tmp_path / "killed"

    def kill_once(f):
        if f.frame_index == 250 and not marker.exists():
            marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return flip(f)

    out = tmp_path / "dask.mkv"
    r = kzv.dask.transcode(source, out, kill_once, client=client, segments=6, **ENC)
    assert marker.exists(), "the worker was not killed"
    assert r["frames"] == len(single)
    assert frames_of(out) == single


def test_failure_then_resume(source, single, client, tmp_path):
    flag = tmp_path / "fail"
    flag.write_text("1")

    def flaky(f):
        if f.frame_index == 300 and flag.exists():
            raise ValueError("model crashed")
        return flip(f)

    out = tmp_path / "dask.mkv"
    with pytest.raises(kzv.dask.SegmentError) as e:
        kzv.dask.transcode(source, out, flaky, client=client, segments=6, retries=1, **ENC)
    assert e.value.start <= 300 < e.value.end and "model crashed" in str(e.value)
    assert not out.exists()
    parts = os.listdir(str(out) + ".kzvparts")
    assert "manifest.json" in parts and len([p for p in parts if p.startswith("seg-")]) == 5
    flag.unlink()
    r = kzv.dask.transcode(source, out, flaky, client=client, segments=6, **ENC)
    assert (r["computed"], r["reused"]) == (1, 5)
    assert frames_of(out) == single


def test_command_line_scale(source, single, tmp_path):
    """--scale N: the built-in upscaler on the workers gives the frames a
    single-process kzv.transcode(scale=N) gives, pts and pixels."""
    ref = tmp_path / "ref.mkv"
    kzv.transcode(source, ref, scale=2, **ENC)
    out = tmp_path / "cli.mkv"
    p = subprocess.run([sys.executable, "-m", "kzv.dask", str(source), str(out), "--workers", "2",
                        "--segments", "3", "--scale", "2", "--qp", "0", "--preset", "ultrafast"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "segments 3/3" in p.stderr and "3 computed" in p.stderr
    with kzv.VideoDecoder(out) as d:
        assert (d.width, d.height) == (256, 192)
    scaled = frames_of(out)
    assert len(scaled) == len(single) and scaled == frames_of(ref)
    with pytest.raises(ValueError, match="fn or scale"):
        kzv.dask.transcode(source, out, flip, scale=2)
    p = subprocess.run([sys.executable, "-m", "kzv.dask", str(tmp_path / "missing.mkv"), str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 3 and "missing.mkv" in p.stderr
