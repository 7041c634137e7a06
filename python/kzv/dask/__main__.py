"""python3 -m kzv.dask IN OUT [options]: a kzv.dask.transcode from the shell.

Without --scheduler it starts a LocalCluster of --workers processes on this
machine; with --scheduler tcp://HOST:8786 it uses a running cluster (start
one with `dask-scheduler` on one machine and `dask-worker tcp://HOST:8786`
on each of the others; IN and OUT must be on storage they all see).
"""
import argparse
import sys


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m kzv.dask",
                                 description="Frame-exact segment transcoding on Dask (kzv.dask.transcode).")
    ap.add_argument("input")
    ap.add_argument("output")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:8786)")
    where.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    split = ap.add_mutually_exclusive_group()
    split.add_argument("--segments", type=int, help="number of segments (default: 2 per worker)")
    split.add_argument("--seconds", type=float, help="segments of about this many seconds")
    ap.add_argument("--scale", type=int, metavar="N",
                    help="built-in lanczos upscaler by N (2..16), as kzv transcode --scale")
    ap.add_argument("--codec", default="libx264", help="FFmpeg encoder name (default libx264)")
    ap.add_argument("--crf", type=float)
    ap.add_argument("--qp", type=int)
    ap.add_argument("--preset")
    ap.add_argument("--pix-fmt", help="output layout: yuv420p, yuv420p10, yuv444p …")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="encoder option (repeatable)")
    ap.add_argument("--video-only", action="store_true", help="leave out the source's other streams")
    ap.add_argument("--no-resume", action="store_true", help="recompute every segment")
    ap.add_argument("--keep-parts", action="store_true", help="keep the segment files after joining")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    a = ap.parse_args(argv)
    if a.scale is not None and not 2 <= a.scale <= 16:
        ap.error(f"--scale must be 2..16, not {a.scale}")
    for o in a.option:
        if "=" not in o:
            ap.error(f"--option needs KEY=VALUE, not {o!r}")

    import kzv
    import kzv.dask
    client = None
    if a.scheduler:
        from distributed import Client
        client = Client(a.scheduler)
    try:
        r = kzv.dask.transcode(a.input, a.output, scale=a.scale, client=client, workers=a.workers, segments=a.segments,
                               seconds=a.seconds, codec=a.codec, crf=a.crf, qp=a.qp, preset=a.preset,
                               options=a.option or None, pix_fmt=a.pix_fmt,
                               streams="video" if a.video_only else "all", resume=not a.no_resume,
                               keep_parts=a.keep_parts, progress=False if a.quiet else sys.stderr)
    except FileNotFoundError as e:
        print(f"kzv.dask: {e}", file=sys.stderr)
        return 3
    except kzv.dask.SegmentError as e:
        print(f"kzv.dask: {e}; finished segments are kept, run again to resume", file=sys.stderr)
        return 1
    except kzv.Error as e:
        print(f"kzv.dask: {e}", file=sys.stderr)
        return 3
    finally:
        if client is not None:
            client.close()
    if not a.quiet:
        print(f"kzv.dask: {r['frames']} frames in {r['segments']} segments ({r['computed']} computed, "
              f"{r['reused']} reused) in {r['seconds']:.1f} s, {r['fps']:.1f} fps", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
