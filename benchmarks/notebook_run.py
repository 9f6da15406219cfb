"""Benchmark: execute every notebook top to bottom in a fresh kernel, as nbval does, and print wall times.

    python benchmarks/notebook_run.py            # all notebooks/NN_*.ipynb

Target: the whole collection under 60 s on a 2-core machine.
"""
from __future__ import annotations

import sys
import time
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
    print(f"{'notebook':36s}{'cells':>7s}{'wall':>9s}")
    for p in paths:
        nb = nbformat.read(p, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(p.parent)}}).execute()
        dt = time.perf_counter() - t0
        total += dt
        print(f"{p.stem:36s}{sum(c.cell_type == 'code' for c in nb.cells):7d}{dt:8.1f}s")
    print(f"{'total':36s}{'':7s}{total:8.1f}s   (target < 60 s)")


if __name__ == "__main__":
    main()
