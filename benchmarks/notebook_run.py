"""Benchmark: execute every notebook top to bottom in a fresh kernel, as nbval does, and print wall times.

    python benchmarks/notebook_run.py            # all notebooks/NN_*.ipynb
    python benchmarks/notebook_run.py 02 05      # some of them

Target: the whole collection under 90 s on a 2-core machine (nbval adds its comparisons).
Then prints the slowest cells (from the kernel's execute_input / execute_reply times that
nbclient records in each cell's metadata) and the load average.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:])
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) for n in names)]
    total = 0.0
    cells = []
    print(f"{'notebook':36s}{'cells':>7s}{'wall':>9s}")
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(p.parent)}}).execute()
        dt = time.perf_counter() - t0
        total += dt
        print(f"{p.stem:36s}{sum(c.cell_type == 'code' for c in nb.cells):7d}{dt:8.1f}s", flush=True)
        for i, c in enumerate(nb.cells):
            ex = c.get("metadata", {}).get("execution", {})
            a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
            if c.cell_type == "code" and a and b:
                sec = (_when(b) - _when(a)).total_seconds()
                first = next((l for l in c.source.splitlines() if l.strip() and not l.startswith("#")), "")
                cells.append((sec, p.stem, i, first[:60]))
    print(f"{'total':36s}{'':7s}{total:8.1f}s   (target < 90 s)")
    print("slowest cells (kernel time, s):")
    for sec, stem, i, first in sorted(cells, reverse=True)[:12]:
        print(f"  {sec:6.2f}  {stem} cell {i}: {first}")
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


if __name__ == "__main__":
    main()
