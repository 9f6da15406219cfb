"""What one student's kernel costs, lesson by lesson: memory at rest and at its peak, CPU per lesson.

    python benchmarks/student_footprint.py                 # every lesson
    python benchmarks/student_footprint.py 02 08 --json out.json

For each lesson notebook a fresh kernel (this Python, as a student's server would start it) is
started, measured at rest (after start-up), then runs the whole notebook top to bottom as a student
who presses "Run all" would; its memory (RSS and PSS of the kernel and its children) is sampled every
50 ms and its CPU time read at the end. A Jupyter server with no kernel is measured once too (what a
logged-in student costs before opening a lesson). The sizing of a class (deploy/z2jh/README.md) is
taken from these numbers and from ``benchmarks/classroom.py`` (memory and CPU while dragging a slider).

The last lines are one per lesson: ``footprint NN: rest X MB, peak Y MB (PSS Z MB), CPU C s, wall W s``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def tree_memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB of a process and its descendants (0 for any that is gone)."""
    rss = pss = 0.0
    try:
        procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0, 0.0
    for p in procs:
        try:
            m = p.memory_full_info()
            rss += m.rss / 2**20
            pss += getattr(m, "pss", m.rss) / 2**20
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return rss, pss


def tree_cpu(pid: int) -> float:
    try:
        procs = [psutil.Process(pid)] + psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0.0
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            rss, pss = tree_memory(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop_event.wait(self.every)


def lesson(path: Path, timeout: int = 600) -> dict:
    import nbformat
    from jupyter_client.manager import start_new_kernel
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        pid = km.provisioner.process.pid
        time.sleep(1.0)
        rest_rss, rest_pss = tree_memory(pid)
        cpu0 = tree_cpu(pid)
        sampler = Sampler(pid)
        sampler.start()
        t0 = time.perf_counter()
        client = NotebookClient(nb, km=km, kc=kc, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
        client.reset_execution_trackers()
        client.kc = kc
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)
        wall = time.perf_counter() - t0
        sampler.stop_event.set()
        sampler.join()
        end_rss, end_pss = tree_memory(pid)
        cpu = tree_cpu(pid) - cpu0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"rest_rss": rest_rss, "rest_pss": rest_pss, "peak_rss": sampler.peak_rss, "peak_pss": sampler.peak_pss,
            "end_rss": end_rss, "end_pss": end_pss, "cpu_s": cpu, "wall_s": wall}


def server_at_rest() -> dict:
    """A Jupyter server (JupyterLab and Voila loaded, no kernel) a few seconds after start-up."""
    port = 20000 + os.getpid() % 20000
    proc = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
                             "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--allow-root",
                             "--ServerApp.open_browser=False"], cwd=str(NOTEBOOKS),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import urllib.request
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(3)
        rss, pss = tree_memory(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
    return {"rss": rss, "pss": pss}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="prefixes of lesson notebooks (default: all)")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args(argv)
    paths = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                   if not args.names or any(p.name.startswith(n) for n in args.names))
    out = {"server_at_rest": server_at_rest(), "lessons": {}}
    s = out["server_at_rest"]
    print(f"server at rest (JupyterLab + Voila, no kernel): RSS {s['rss']:.0f} MB, PSS {s['pss']:.0f} MB", flush=True)
    for p in paths:
        r = lesson(p)
        out["lessons"][p.stem] = r
        print(f"footprint {p.stem[:2]}: rest {r['rest_rss']:.0f} MB, peak {r['peak_rss']:.0f} MB "
              f"(PSS {r['peak_pss']:.0f} MB), end {r['end_rss']:.0f} MB, CPU {r['cpu_s']:.1f} s, "
              f"wall {r['wall_s']:.1f} s  ({p.stem})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
