"""Real threads: long calls release the GIL (a pure-Python loop in another
thread keeps counting while one runs), decoders work in parallel threads,
and one decoder shared by threads is used one call at a time, never at once.

A call that held the GIL would stop the counting thread for its whole
duration (Python switches threads only between bytecodes), so the count
during it would be about zero; released, the counter gets a fair share of a
core. The bound (5% of the rate measured alone) leaves room for a loaded
machine and is far above what a held GIL allows."""
import threading
import time

import numpy as np
import pytest

import kzv


class Counter:
    def __init__(self):
        self.n = 0
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop:
            self.n += 1

    def __enter__(self):
        self.t.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *a):
        self.stop = True
        self.t.join()


def rate_alone(counter, seconds=0.3):
    n0, t0 = counter.n, time.perf_counter()
    time.sleep(seconds)                      # sleep releases the GIL
    return (counter.n - n0) / (time.perf_counter() - t0)


def check_releases(run, setup=lambda: None, rounds=40, enough=0.25):
    """run(setup()) in rounds until the runs took `enough` seconds in all
    (each round's setup untimed, so that a fast machine gets more rounds of
    real work rather than a call too short to tell), counting only while a
    run is in C."""
    with Counter() as c:
        alone = rate_alone(c)
        counted, dt = 0, 0.0
        for _ in range(rounds):
            arg = setup()
            n0, t0 = c.n, time.perf_counter()
            run(arg)
            dt += time.perf_counter() - t0
            counted += c.n - n0
            if dt >= enough:
                break
        alone = max(alone, rate_alone(c))
    assert dt > 0.05, f"{rounds} rounds took {dt:.3f} s: too short to tell"
    during = counted / dt
    assert during > 0.05 * alone, f"counter ran at {during:.0f}/s during {dt:.2f} s of calls, {alone:.0f}/s alone"


def fresh_decoder(path, scanned=True):
    d = kzv.VideoDecoder(path, threads=1)
    if scanned:
        len(d)
    return d


def test_batch_releases_gil(media):
    path = media("seek_longgop.mp4")
    check_releases(lambda d: (d[0:288], d.close()), lambda: fresh_decoder(path))


def test_index_scan_and_seek_release_gil(media):
    # A fresh decoder each round, its index already scanned: a decoder keeps
    # recent frames and parked decoding positions, so seeks repeated on one
    # decoder get too quick to measure.
    path = media("seek_longgop.mp4")
    check_releases(lambda d: ([d.seek(t) for t in (11.9, 0.0, 11.5, 6.0, 11.9)], d.close()),
                   lambda: fresh_decoder(path))
    raw = open(path, "rb").read()

    def scan(_):
        with kzv.VideoDecoder(raw, threads=1) as d2:
            len(d2)
    check_releases(scan)


def test_iteration_releases_gil(media):
    path = media("seek_longgop.mp4")
    check_releases(lambda d: (sum(1 for _ in d), d.close()), lambda: fresh_decoder(path, scanned=False))


def test_queue_wait_releases_gil():
    q = kzv.FrameQueue()
    check_releases(lambda _: q.dequeue(timeout=0.3))


def test_processor_run_releases_gil(media):
    def run(p):
        with p:
            p.process_all_frames(lambda f, t: None)
    check_releases(run, lambda: kzv.VideoFrameProcessor(media("seek_longgop.mp4"), threads=1))


def test_parallel_decoders(media):
    names = ["seek_opengop.mp4", "vfr.mkv", "hevc10.mkv", "vp9.webm"]
    want = {}
    for n in names:
        with kzv.VideoDecoder(media(n)) as d:
            want[n] = [int(f.data.astype(np.int64).sum()) for f in d]
    got, errors = {}, []

    def work(n):
        try:
            with kzv.VideoDecoder(media(n)) as d:
                got[n] = [int(f.data.astype(np.int64).sum()) for f in d]
        except Exception as e:       # reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(n,)) for n in names * 2]
    for t in ts:
        t.start()
    for t in ts:
        t.join(300)
    assert not errors and got == want


def test_shared_decoder_takes_turns(media):
    """Three threads index one decoder while the main thread iterates it:
    calls take turns (first come, first served), every result is right."""
    path = media("seek_opengop.mp4")
    with kzv.VideoDecoder(path) as d:
        ref = {i: np.array(d[i].data) for i in (5, 50, 120)}
        bad, count = [], [0]

        def reader():
            for _ in range(4):
                for i, r in ref.items():
                    if not np.array_equal(d[i].data, r):
                        bad.append(i)
                count[0] += 1

        ts = [threading.Thread(target=reader) for _ in range(3)]
        for t in ts:
            t.start()
        seen = 0
        while any(t.is_alive() for t in ts):
            d.seek(0.0)
            f = d.read()
            assert f is None or f.frame_index >= 0
            seen += 1
        for t in ts:
            t.join(120)
    assert not bad and count[0] == 12 and seen > 0


def test_close_from_another_thread_interrupts(media):
    """close() while another thread is decoding makes that call return."""
    d = kzv.VideoDecoder(media("seek_longgop.mp4"), threads=1)
    out = []

    def run():
        try:
            for _ in range(50):
                d.seek(11.9)
                d.seek(0.0)
            out.append("done")
        except kzv.Error as e:
            out.append(type(e).__name__)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.2)
    d.close()
    t.join(60)
    assert not t.is_alive() and out and out[0] in ("CanceledError", "ClosedError", "done")
    assert d.closed
