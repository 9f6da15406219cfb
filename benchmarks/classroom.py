"""A whole class at once: N students on one JupyterHub drag lesson 02's lr slider together.

    python benchmarks/classroom.py --students 6
    python benchmarks/classroom.py --students 30 --seconds 60 --json out.json

Starts a real JupyterHub with ``deploy/jupyterhub/jupyterhub_config.py`` and its
proxy on free 127.0.0.1 ports (state in a temporary directory; every PID is
recorded and everything is stopped at the end, also on Ctrl-C or SIGTERM).
One headless Chromium (``/usr/bin/chromium``) opens one browser context per
student; all students log in through the hub's form at once, land on lesson 02
in Voila, and then for ``--seconds`` each presses ArrowRight/ArrowLeft on the
lr slider, waits for the new pixels, pauses ``--think`` ms, and presses again.

Measured, across all students: key press -> next animation frame after the new
pixels are on the visible canvas (the same page hooks as
``benchmarks/slider_latency.py``); errors (a login or lesson that never
arrives, a key press whose figure never comes within 10 s, an error on the page
or from the kernel, a final figure that does not show the slider's lr); memory
per student (every process whose environment says it belongs to that student:
their server and kernel; RSS and PSS); the CPU time the students' processes,
the hub and the browser took; the load average at the start and the end.

The browser runs on the same machine as the hub, so the students' browsers take
CPU a real class would bring on its own laptops: the report says how much.
The last line is exactly
``classroom: N students, slider median X ms, p95 Y ms, Z MB per student, E errors``
(Z: RSS of a student's server plus kernel, median over students).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from lrlab.present import browser, servers  # noqa: E402
from slider_latency import BENCH_JS, summarize  # noqa: E402

LESSON = "02_too_high_too_low.ipynb"
PASSWORD = "lrlab-classroom"
KEY_TIMEOUT_MS = 10_000


# ------------------------------------------------------------------ the machine

def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = f[3] + f[4]
    return sum(f) - idle, sum(f)


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def proc_tree(pid: int) -> list[int]:
    return [pid] + servers._descendants(pid)


def proc_env(pid: int) -> dict:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(kv.split("=", 1) for kv in raw.decode(errors="replace").split("\0") if "=" in kv)


def proc_mem_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB (0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0, 0.0
    vals = {l.split(":")[0]: int(l.split()[1]) for l in text.splitlines()[1:] if l.split()[-1] == "kB"}
    return vals.get("Rss", 0) / 1024, vals.get("Pss", 0) / 1024


def proc_cpu_s(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    f = stat[stat.rfind(")") + 2:].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def by_student(hub_pid: int) -> dict[str, list[int]]:
    """Each student's processes (their server and its kernels), from ``JUPYTERHUB_USER`` in their environment."""
    out: dict[str, list[int]] = {}
    for pid in proc_tree(hub_pid):
        user = proc_env(pid).get("JUPYTERHUB_USER")
        if user:
            out.setdefault(user, []).append(pid)
    return out


def cpu_of(pids) -> float:
    return sum(proc_cpu_s(p) for p in pids)


# ------------------------------------------------------------------ one student

WAIT_SETTLED_JS = "() => window.__lrlab.missing(document.querySelector('.lrlab-explorer')) === ''"
ERRORS_JS = """([patterns, selectors]) => {
  const text = document.body ? document.body.innerText : '';
  const found = [];
  for (const p of patterns) { const m = text.match(new RegExp(p)); if (m) found.push(text.substr(Math.max(0, m.index - 80), 240)); }
  for (const s of selectors) for (const el of document.querySelectorAll(s)) found.push(s + ': ' + (el.innerText || '').slice(0, 300));
  const ws = window.__lrlab_ws || {errors: [], stderr: []};
  for (const e of ws.errors) found.push('kernel error message: ' + e);
  for (const e of ws.stderr) found.push('kernel stderr: ' + e);
  return found;
}"""


async def page_errors(page) -> list[str]:
    """:func:`lrlab.present.browser.page_errors`, for an async page (the same patterns and selectors)."""
    found = await page.evaluate(ERRORS_JS, [[p.pattern for p in browser.ERROR_PATTERNS], browser.ERROR_SELECTORS])
    return [e for e in found if not (e.startswith("kernel stderr: ")
                                     and browser.BENIGN_STDERR.match(e[len("kernel stderr: "):]))]


class Student:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.misses = 0
        self.t_login = self.t_ready = None

    async def run(self, b, hub_url: str, start: asyncio.Event, stop_at: list, think_ms: int, ready_timeout: float):
        from playwright.async_api import TimeoutError as PlaywrightTimeout
        ctx = await b.new_context(viewport={"width": 1400, "height": 950})
        try:
            await ctx.add_init_script(browser.WS_HOOK_JS)
            await ctx.add_init_script(f"({BENCH_JS})('lrlab')")
            page = await ctx.new_page()
            t0 = time.monotonic()
            try:
                await page.goto(f"{hub_url}/hub/login", wait_until="domcontentloaded", timeout=120_000)
                await page.fill("#username_input", self.name)
                await page.fill("#password_input", PASSWORD)
                await page.click("#login_submit")
                await page.wait_for_url(f"**/user/{self.name}/voila/render/{LESSON}", timeout=ready_timeout * 1000)
                self.t_login = time.monotonic() - t0
                await page.wait_for_selector(browser.HANDLE, timeout=ready_timeout * 1000)
                await page.wait_for_selector(browser.CANVAS, timeout=60_000)
                await page.evaluate(browser.HOOKS_JS)
                await page.wait_for_function(WAIT_SETTLED_JS, timeout=120_000, polling=20)
                await page.evaluate("(sel) => { window.__bench.target = document.querySelector(sel); }", browser.CANVAS)
                self.t_ready = time.monotonic() - t0
            except PlaywrightTimeout as e:
                self.errors.append(f"{self.name}: the lesson did not arrive ({e.message.splitlines()[0]}); "
                                   f"page {page.url}")
                return
            await start.wait()
            handle = page.locator(browser.HANDLE).first
            await handle.focus()
            keys = ["ArrowRight"] * 8 + ["ArrowLeft"] * 8   # a back-and-forth drag around the lesson's start
            k = 0
            while time.monotonic() < stop_at[0]:
                n = await page.evaluate("() => window.__bench.results.length")
                await page.keyboard.press(keys[k % len(keys)])
                k += 1
                try:
                    await page.wait_for_function("(n) => window.__bench.results.length > n", arg=n,
                                                 timeout=KEY_TIMEOUT_MS, polling=10)
                except PlaywrightTimeout:
                    self.misses += 1
                    await page.evaluate("() => { window.__bench.pending = false; }")
                await page.wait_for_timeout(think_ms)
            res = await page.evaluate("() => window.__bench.results")
            self.latencies = [r["frame"] for r in res[1:]]     # the first move after load: warm-up
            try:        # the figure ends on the slider's value, and nothing went wrong on the page
                await page.wait_for_function(WAIT_SETTLED_JS, timeout=60_000, polling=20)
            except PlaywrightTimeout:
                miss = await page.evaluate("() => window.__lrlab.missing(document.querySelector('.lrlab-explorer'))")
                self.errors.append(f"{self.name}: after the drag {miss}")
            if self.misses:
                self.errors.append(f"{self.name}: {self.misses} key presses got no new figure within "
                                   f"{KEY_TIMEOUT_MS / 1000:g} s")
            self.errors += [f"{self.name}: {e}" for e in await page_errors(page)]
        except Exception as e:                     # a crashed page or context is an error, not a crash of the run
            self.errors.append(f"{self.name}: {type(e).__name__}: {e}")
        finally:
            self.ctx = ctx


# ------------------------------------------------------------------ the class

async def lesson_for_everyone(hub, students, seconds: float, think_ms: int, ready_timeout: float) -> dict:
    from playwright.async_api import async_playwright
    out: dict = {}
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=browser.chromium_path(), args=browser.CHROMIUM_ARGS)
        start, stop_at = asyncio.Event(), [0.0]
        tasks = [asyncio.create_task(s.run(b, hub.url, start, stop_at, think_ms, ready_timeout)) for s in students]

        async def everyone_ready():
            while not all(s.t_ready is not None or s.errors for s in students):
                await asyncio.sleep(0.2)
        t0 = time.monotonic()
        await everyone_ready()
        out["all_ready_s"] = time.monotonic() - t0
        print(f"  {sum(s.t_ready is not None for s in students)} of {len(students)} students on the lesson after "
              f"{out['all_ready_s']:.0f} s (load {loadavg()})", flush=True)
        # who is who: the students' processes, the hub's own (hub, proxy, culler), the browser's
        mine = os.getpid()
        browser_pids = [p for p in servers._descendants(mine) if p not in proc_tree(hub.pid)]
        groups = by_student(hub.pid)
        student_pids = [p for ps in groups.values() for p in ps]
        hub_pids = [p for p in proc_tree(hub.pid) if p not in student_pids]
        cpu0 = {k: cpu_of(v) for k, v in (("students", student_pids), ("hub", hub_pids),
                                          ("browser", browser_pids))}
        busy0, total0 = cpu_busy()
        stop_at[0] = time.monotonic() + seconds
        start.set()
        await asyncio.gather(*tasks)
        busy1, total1 = cpu_busy()
        cpu1 = {k: cpu_of(v) for k, v in (("students", student_pids), ("hub", hub_pids),
                                          ("browser", browser_pids))}
        out["machine_busy"] = (busy1 - busy0) / max(1, total1 - total0)
        out["cpu_s"] = {k: cpu1[k] - cpu0[k] for k in cpu0}
        out["drag_s"] = seconds
        mem = {}
        for user, pids in by_student(hub.pid).items():
            rss = pss = 0.0
            for p in pids:
                r, q = proc_mem_mb(p)
                rss, pss = rss + r, pss + q
            mem[user] = {"rss": rss, "pss": pss, "processes": len(pids)}
        out["mem"] = mem
        out["hub_mem_rss"] = sum(proc_mem_mb(p)[0] for p in hub_pids)
        out["browser_mem_rss"] = sum(proc_mem_mb(p)[0] for p in servers._descendants(mine)
                                     if p not in proc_tree(hub.pid))
        for s in students:
            try:
                await s.ctx.close()
            except Exception:
                pass
        await b.close()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=6, help="how many students log in at once (default 6)")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long everyone drags the slider (default 30)")
    ap.add_argument("--think", type=int, default=100, help="ms a student waits after each new figure (default 100)")
    ap.add_argument("--ready-timeout", type=float, default=600.0,
                    help="seconds a student may wait for their lesson after logging in (default 600)")
    ap.add_argument("--json", help="also write the raw numbers here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (hub state and logs)")
    args = ap.parse_args(argv)
    if args.students < 1:
        ap.error(f"--students must be at least 1, got {args.students}")
    if args.seconds <= 0:
        ap.error(f"--seconds must be positive, got {args.seconds}")
    if args.think < 0:
        ap.error(f"--think must be >= 0 ms, got {args.think}")
    if browser.chromium_path() is None:
        sys.exit(f"no Chromium at {browser.CHROMIUM}: apt-get install -y chromium")
    if not (ROOT / "notebooks" / LESSON).is_file():
        sys.exit(f"no notebooks/{LESSON}")

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)

    tmp = Path(tempfile.mkdtemp(prefix="lrlab-classroom-"))
    load_start, mem_start = loadavg(), mem_available_mb()
    print(f"classroom: {args.students} students, {args.seconds:g} s of dragging each; {os.cpu_count()} CPUs, "
          f"{mem_start / 1024:.1f} GB available; load average at start {load_start}; work dir {tmp}", flush=True)
    hub = None
    students = [Student(f"student{i:03d}") for i in range(1, args.students + 1)]
    out: dict = {}
    try:
        env_extra = {"PYTHONPATH": os.pathsep.join([str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
        if servers.hub_proxy() is None:
            sys.exit('no configurable-http-proxy: pip install -e ".[hub]" installs it')
        hub = servers.start_hub(tmp / "state", password=PASSWORD, log_path=tmp / "hub.log", env_extra=env_extra)
        print(f"  hub on {hub.url}, PID {hub.pid}; its processes: {proc_tree(hub.pid)}", flush=True)
        out = asyncio.run(lesson_for_everyone(hub, students, args.seconds, args.think, args.ready_timeout))
        out["pids"] = proc_tree(hub.pid)
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e}): stopping everything", flush=True)
        raise SystemExit(130)
    finally:
        if hub is not None:
            pids = proc_tree(hub.pid)
            hub.stop()
            alive = [p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in
                     (Path(f"/proc/{p}/status").read_text(errors="replace") if Path(f"/proc/{p}/status").exists() else "")]
            print(f"  stopped the hub and PIDs {pids}; still running: {alive or 'none'}", flush=True)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    lat = sorted(x for s in students for x in s.latencies)
    errors = [e for s in students for e in s.errors]
    med, p95 = summarize([{"frame": x} for x in lat], "frame")
    rss = [m["rss"] for m in out["mem"].values()]
    pss = [m["pss"] for m in out["mem"].values()]
    if len(out["mem"]) < args.students:
        errors.append(f"only {len(out['mem'])} of {args.students} students have a running server at the end")
    rss_med = statistics.median(rss) if rss else float("nan")
    pss_med = statistics.median(pss) if pss else float("nan")
    cpu = out["cpu_s"]
    print()
    print(f"students on the lesson (login -> explorer painted): median "
          f"{statistics.median([s.t_ready for s in students if s.t_ready] or [float('nan')]):.0f} s, "
          f"all after {out['all_ready_s']:.0f} s")
    print(f"key presses measured: {len(lat)} ({len(lat) / max(1, args.students):.0f} per student); "
          f"per student median of medians "
          f"{statistics.median([statistics.median(s.latencies) for s in students if s.latencies] or [float('nan')]):.0f} ms")
    print(f"memory per student (server + kernel): RSS median {rss_med:.0f} MB (max {max(rss, default=0):.0f}), "
          f"PSS median {pss_med:.0f} MB; hub + proxy + culler RSS {out['hub_mem_rss']:.0f} MB; "
          f"browser RSS {out['browser_mem_rss']:.0f} MB; MemAvailable {mem_start / 1024:.1f} GB at start")
    print(f"CPU during the {args.seconds:g} s drag: machine {100 * out['machine_busy']:.0f}% busy of "
          f"{os.cpu_count()} CPUs; CPU-seconds: students' servers+kernels {cpu['students']:.1f}, "
          f"hub+proxy {cpu['hub']:.1f}, browser {cpu['browser']:.1f}")
    if lat:
        print(f"CPU per key press: students' servers+kernels {1e3 * cpu['students'] / len(lat):.0f} ms, "
              f"hub+proxy {1e3 * cpu['hub'] / len(lat):.1f} ms, browser {1e3 * cpu['browser'] / len(lat):.0f} ms "
              f"(the browser's share is what the students' own laptops would pay)")
    print(f"load average: start {load_start}, end {loadavg()}")
    for e in errors[:20]:
        print(f"  error: {e}")
    if args.json:
        Path(args.json).write_text(json.dumps({"students": args.students, "latencies_ms": lat, "errors": errors,
                                               "median_ms": med, "p95_ms": p95, "load_start": load_start,
                                               "load_end": loadavg(), **out}, indent=1, default=str))
    print(f"classroom: {args.students} students, slider median {med:.0f} ms, p95 {p95:.0f} ms, "
          f"{rss_med:.0f} MB per student, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
