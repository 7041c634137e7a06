"""FrameQueue: the seed's semantics, both policies, timeouts, close, and a
Python producer thread and consumer thread on one queue."""
import threading
import time

import numpy as np
import pytest

import kzv


def frames(n, value=0):
    return [kzv.VideoFrame(np.full((4, 6, 3), (value + i) % 256, np.uint8), frame_index=i, pts=i / 25)
            for i in range(n)]


def test_fifo_and_stats():
    q = kzv.FrameQueue(maxsize=4)
    assert (q.maxsize, q.policy, len(q), q.empty(), q.full(), q.closed) == (4, "block", 0, True, False, False)
    fs = frames(4)
    for f in fs:
        assert q.enqueue(f) is True
    assert q.full() and q.qsize() == 4
    out = q.dequeue()
    assert out.frame_index == 0 and out is not fs[0]
    assert out._buffer_address() == fs[0]._buffer_address()      # the same frame, not a copy
    st = q.stats()
    assert st == {"total_enqueued": 4, "total_dequeued": 1, "total_dropped": 0, "size": 3,
                  "peak_size": 4, "capacity": 4}


def test_timeouts():
    q = kzv.FrameQueue(maxsize=1)
    f, g = frames(2)
    assert q.dequeue(timeout=0) is None
    t0 = time.monotonic()
    assert q.dequeue(timeout=0.2) is None
    assert 0.15 <= time.monotonic() - t0 < 5
    assert q.enqueue(f)
    assert q.enqueue(g, timeout=0) is False          # full, BLOCK: not taken
    t0 = time.monotonic()
    assert q.enqueue(g, timeout=0.2) is False
    assert 0.15 <= time.monotonic() - t0 < 5
    assert q.stats()["total_enqueued"] == 1


def test_drop_oldest():
    q = kzv.FrameQueue(maxsize=3, policy="drop_oldest")
    for f in frames(10):
        assert q.enqueue(f, timeout=0)               # never waits
    assert [q.dequeue(timeout=0).frame_index for _ in range(3)] == [7, 8, 9]
    st = q.stats()
    assert st["total_dropped"] == 7 and st["peak_size"] == 3 and st["size"] == 0


def test_close_drains_then_none():
    q = kzv.FrameQueue()
    for f in frames(3):
        q.enqueue(f)
    q.close()
    assert q.closed
    with pytest.raises(kzv.ClosedError):
        q.enqueue(frames(1)[0])
    assert [f.frame_index for f in q] == [0, 1, 2]  # iteration drains and ends
    assert q.dequeue() is None                       # closed and empty: no wait


def test_close_wakes_waiters():
    q = kzv.FrameQueue(maxsize=1)
    q.enqueue(frames(1)[0])
    res = {}

    def producer():
        try:
            q.enqueue(frames(1)[0])
        except kzv.ClosedError:
            res["p"] = "closed"

    t = threading.Thread(target=producer)
    t.start()
    time.sleep(0.1)
    q.close()
    t.join(5)
    assert res == {"p": "closed"} and not t.is_alive()
    q2 = kzv.FrameQueue()
    c = threading.Thread(target=lambda: res.setdefault("c", q2.dequeue()))
    c.start()
    time.sleep(0.1)
    q2.close()
    c.join(5)
    assert res["c"] is None and not c.is_alive()


def test_clear_and_context_manager():
    with kzv.FrameQueue() as q:
        for f in frames(5):
            q.enqueue(f)
        assert q.clear() == 5 and len(q) == 0
    assert q.closed


def test_producer_consumer_threads(media):
    """A decoding producer thread and a consumer thread (two of them) share a
    small BLOCK queue: every frame arrives exactly once, in order per producer."""
    q = kzv.FrameQueue(maxsize=4)
    got = []
    lock = threading.Lock()

    def producer():
        with kzv.VideoDecoder(media("py_clip.mp4")) as d:
            for f in d:
                q.enqueue(f)
        q.close()

    def consumer():
        for f in q:
            s = int(f.data[0, 0].sum())              # touch the pixels
            with lock:
                got.append((f.frame_index, s))

    threads = [threading.Thread(target=producer)] + [threading.Thread(target=consumer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert sorted(i for i, _ in got) == list(range(288))
    st = q.stats()
    assert st["total_enqueued"] == st["total_dequeued"] == 288 and st["peak_size"] <= 4


def test_many_threads_hammer():
    q = kzv.FrameQueue(maxsize=8)
    n_prod, per = 4, 500
    seen = []
    lock = threading.Lock()
    base = frames(1)[0]

    def producer():
        for _ in range(per):
            assert q.enqueue(base)

    def consumer():
        while True:
            f = q.dequeue(timeout=5)
            if f is None:
                return
            with lock:
                seen.append(f.frame_index)

    prods = [threading.Thread(target=producer) for _ in range(n_prod)]
    cons = [threading.Thread(target=consumer) for _ in range(3)]
    for t in prods + cons:
        t.start()
    for t in prods:
        t.join(60)
    q.close()
    for t in cons:
        t.join(60)
    assert len(seen) == n_prod * per and q.stats()["size"] == 0
