"""Benchmark: execute every notebook top to bottom in a fresh kernel, as nbval does, and print wall times.

    python benchmarks/notebook_run.py            # all notebooks/NN_*.ipynb, one after another
    python benchmarks/notebook_run.py 02 05      # some of them
    python benchmarks/notebook_run.py --jobs 2   # two kernels at a time, as `pytest notebooks -n 2` runs them

Target: the whole collection under 90 s on a 2-core machine (nbval adds its comparisons).
With ``--jobs N`` it prints the wall time of running N notebooks at a time (each in its own process and
kernel, longest first) beside the sum of the single times.
Then prints the slowest cells (from the kernel's execute_input / execute_reply times that
nbclient records in each cell's metadata) and the load average.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run_one(path: str):
    """Execute one notebook in a fresh kernel: (name, code cells, seconds, [(cell s, name, index, first line)])."""
    p = Path(path)
    nb = nbformat.read(p, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(p.parent)}}).execute()
    dt = time.perf_counter() - t0
    cells = []
    for i, c in enumerate(nb.cells):
        ex = c.get("metadata", {}).get("execution", {})
        a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
        if c.cell_type == "code" and a and b:
            sec = (_when(b) - _when(a)).total_seconds()
            first = next((l for l in c.source.splitlines() if l.strip() and not l.startswith("#")), "")
            cells.append((sec, p.stem, i, first[:60]))
    return p.stem, sum(c.cell_type == "code" for c in nb.cells), dt, cells


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebook number prefixes (default: all)")
    ap.add_argument("--jobs", type=int, default=1, help="notebooks executed at a time (default 1)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error(f"--jobs must be at least 1, got {args.jobs}")
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in args.names)]
    total = 0.0
    cells = []
    print(f"{'notebook':36s}{'cells':>7s}{'wall':>9s}")
    t_all = time.perf_counter()
    if args.jobs == 1:
        results = map(run_one, map(str, paths))
    else:   # longest first (by the kernel times the committed notebooks recorded), like a sensible scheduler
        order = sorted(paths, key=lambda p: -sum(c[0] for c in _recorded(p)))
        pool = concurrent.futures.ProcessPoolExecutor(args.jobs)
        results = concurrent.futures.as_completed([pool.submit(run_one, str(p)) for p in order])
        results = (f.result() for f in results)
    for stem, ncode, dt, nb_cells in results:
        total += dt
        cells += nb_cells
        print(f"{stem:36s}{ncode:7d}{dt:8.1f}s", flush=True)
    wall = time.perf_counter() - t_all
    print(f"{'sum of the notebooks':36s}{'':7s}{total:8.1f}s")
    print(f"{f'wall time, {args.jobs} at a time':36s}{'':7s}{wall:8.1f}s   (target < 90 s)")
    print("slowest cells (kernel time, s):")
    for sec, stem, i, first in sorted(cells, reverse=True)[:12]:
        print(f"  {sec:6.2f}  {stem} cell {i}: {first}")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def _recorded(p: Path):
    """The per-cell kernel times recorded in a committed notebook (empty when it has none)."""
    nb = nbformat.read(p, as_version=4)
    out = []
    for c in nb.cells:
        ex = c.get("metadata", {}).get("execution", {})
        if ex.get("iopub.execute_input") and ex.get("shell.execute_reply"):
            out.append(((_when(ex["shell.execute_reply"]) - _when(ex["iopub.execute_input"])).total_seconds(),))
    return out


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


if __name__ == "__main__":
    main()
