"""The ``lrlab`` command.

    lrlab present              list the notebooks
    lrlab present 02           serve notebook 02 for class: Voilà, no code, large type, offline
    lrlab present 02 --port 9000 --no-browser
    lrlab present 02 --notebooks path/to/notebooks
    lrlab lab                  open the course in JupyterLab (lesson 00; no news pop-up, no update check)
    lrlab lab 04               open lesson 04 in JupyterLab
    lrlab site DIR             build the course as a static website (explorers work with no Python)

The notebooks are found in ``--notebooks DIR``, else ``$LRLAB_NOTEBOOKS``, else
the ``notebooks/`` folder of the source checkout this package runs from, else
``./notebooks``.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from .course import _title, find_notebook, list_notebooks, notebooks_dir  # noqa: F401  (the command's own vocabulary)

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_PORT = 8866


def port_number(text: str) -> int:
    """argparse type of ``--port``: an integer from 1 to 65535 (0, "any free port", would leave
    nothing to open)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to 65535, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 1 to 65535, got {port}")
    return port


def present(args: argparse.Namespace) -> int:
    from .present import servers

    folder = notebooks_dir(args.notebooks)
    if folder is None or not folder.is_dir():
        where = args.notebooks or "next to the lrlab package or in ./notebooks"
        print(f"lrlab present: no notebooks found ({where}); pass --notebooks DIR", file=sys.stderr)
        return 2
    nbs = list_notebooks(folder)
    if not nbs:
        print(f"lrlab present: no NN_name.ipynb notebooks in {folder}", file=sys.stderr)
        return 2
    if not args.notebook:
        print(f"Notebooks in {folder}:")
        for p in nbs:
            t = _title(p)
            print(f"  {p.stem[:2]}  {p.stem:32s} {t}")
        print("\nPresent one with:  lrlab present NN      (e.g. lrlab present " + nbs[min(2, len(nbs) - 1)].stem[:2] + ")")
        return 0
    try:
        nb = find_notebook(args.notebook, nbs)
    except LookupError as e:
        print(f"lrlab present: {e}", file=sys.stderr)
        return 2

    if importlib.util.find_spec("voila") is None:
        print('lrlab present: Voila is not installed; install it with:  pip install "lrlab[present]"  '
              '(from a checkout: pip install -e ".[present]")', file=sys.stderr)
        return 2
    port = args.port
    if not servers.port_is_free(port):
        if args.strict_port:
            print(f"lrlab present: port {port} on 127.0.0.1 is taken (by another server?); "
                  f"choose another with --port", file=sys.stderr)
            return 2
        new = servers.free_port(port + 1)
        print(f"Port {port} is taken; using port {new} instead.")
        port = new
    cmd = servers.voila_command(nb, port, template=servers.TEMPLATE, show_tracebacks=args.tracebacks)
    env = servers.presenter_env(presenter=True)
    url = f"http://127.0.0.1:{port}/"
    print(f"Presenting {nb.name} (Voilà, presenter style, offline)")
    proc = subprocess.Popen(cmd, cwd=str(nb.parent), env=env)

    def stop(signum, frame):                    # SIGTERM / SIGHUP: leave like Ctrl-C, taking Voilà along
        raise KeyboardInterrupt
    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM))}
    try:
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url.rstrip("/") + servers.VOILA_READY_PATH, timeout=5):
                    ready = True
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        if not ready:
            code = proc.poll()
            print(f"lrlab present: Voilà did not start on port {port}"
                  + (f" (exit code {code})" if code is not None else ""), file=sys.stderr)
            return 1
        print(f"\n    Open  {url}   (Ctrl-C to stop)\n", flush=True)
        if not args.no_browser:
            _open_browser(url)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def lab_defaults() -> dict:
    """JupyterLab setting defaults for ``lrlab lab``: ``news_url=None`` stops the news fetch, but JupyterLab still
    asks "Would you like to get notified about official Jupyter news?" until ``fetchNews`` has a value."""
    from .present.servers import QUIET_NOTIFICATIONS
    return {"@jupyterlab/apputils-extension:notification": dict(QUIET_NOTIFICATIONS)}


def lab_settings_dir(cache: Path | None = None) -> Path:
    """JupyterLab's application settings folder for ``lrlab lab``: the environment's own (if it has one),
    plus ``overrides.d/lrlab.json`` with :func:`lab_defaults`. Defaults only: a student's own choice in
    JupyterLab's settings still wins, and other JupyterLabs in the environment are not touched."""
    import json
    import shutil
    app_dir = Path(os.environ.get("JUPYTERLAB_DIR") or Path(sys.prefix) / "share" / "jupyter" / "lab")
    if cache is None:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lrlab"
    dest = cache / "lab-settings"
    if (app_dir / "settings").is_dir():
        shutil.copytree(app_dir / "settings", dest, dirs_exist_ok=True)
    (dest / "overrides.d").mkdir(parents=True, exist_ok=True)
    (dest / "overrides.d" / "lrlab.json").write_text(json.dumps(lab_defaults(), indent=1) + "\n")
    return dest


def lab_command(nb: Path, folder: Path, extra: list[str] | None = None, settings: Path | None = None) -> list[str]:
    """``python -m jupyterlab`` on notebook ``nb``, rooted at ``folder``, for a student: JupyterLab's own
    login and browser handling, but no news pop-up and no update check (nothing is fetched from the
    internet and nothing stands between the student and the lesson). ``settings``: an application
    settings folder (see :func:`lab_settings_dir`)."""
    cmd = [sys.executable, "-m", "jupyterlab", str(nb), f"--ServerApp.root_dir={folder}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if settings is not None:
        cmd.append(f"--LabApp.app_settings_dir={settings}")
    return cmd + list(extra or [])


def lab(args: argparse.Namespace) -> int:
    folder = notebooks_dir(args.notebooks)
    nbs = list_notebooks(folder) if folder is not None and folder.is_dir() else []
    if not nbs:
        where = args.notebooks or "next to the lrlab package or in ./notebooks"
        print(f"lrlab lab: no NN_name.ipynb notebooks found ({where}); pass --notebooks DIR", file=sys.stderr)
        return 2
    try:
        nb = find_notebook(args.notebook, nbs) if args.notebook else nbs[0]
    except LookupError as e:
        print(f"lrlab lab: {e}", file=sys.stderr)
        return 2
    try:
        settings = lab_settings_dir()
    except (OSError, RuntimeError) as e:               # no writable cache (or no home): JupyterLab asks about news
        print(f"lrlab lab: could not write JupyterLab's settings defaults ({e})", file=sys.stderr)
        settings = None
    cmd = lab_command(nb.relative_to(folder), folder, args.jupyter_args, settings)
    print(f"Opening {nb.name} in JupyterLab (Ctrl-C to stop)", flush=True)
    # JupyterLab replaces this process: Ctrl-C and SIGTERM reach it directly, nothing is left behind
    os.chdir(folder)
    os.execv(sys.executable, cmd)
    return 0                                            # pragma: no cover - execv does not return


def _open_browser(url: str) -> None:
    """Open ``url`` in the desktop's browser, in the background; nothing on a machine without a display
    (a text-mode browser would take over the terminal)."""
    import threading
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="lrlab", description="lrlab: see the learning rate at work.")
    sub = ap.add_subparsers(dest="command")
    p = sub.add_parser("present", help="serve a notebook for class (Voilà: no code, large type, offline)",
                       description="Serve a lesson notebook through Voilà as a clean page for class: no code, "
                                   "large type, thick lines, the main widget and its presets at the top, "
                                   "nothing fetched from the internet. Without NOTEBOOK: list the notebooks.")
    p.add_argument("notebook", nargs="?", help="number (02), name (02_too_high_too_low) or part of a name")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"port on 127.0.0.1, 1 to 65535 (default {DEFAULT_PORT}; if taken, the next free one is used)")
    p.add_argument("--strict-port", action="store_true", help="fail instead of using the next free port")
    p.add_argument("--notebooks", metavar="DIR", help="the folder of the notebooks (default: the checkout's notebooks/)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--tracebacks", action="store_true", help="show Python tracebacks on the page if a cell fails")
    q = sub.add_parser("lab", help="open the lessons in JupyterLab (no news pop-up, no update check)",
                       description="Open a lesson in JupyterLab, rooted at the notebooks folder, with JupyterLab's "
                                   "news pop-up and update check switched off. Without NOTEBOOK: lesson 00.")
    q.add_argument("notebook", nargs="?", help="number (02), name (02_too_high_too_low) or part of a name")
    q.add_argument("--notebooks", metavar="DIR", help="the folder of the notebooks (default: the checkout's notebooks/)")
    q.add_argument("jupyter_args", nargs=argparse.REMAINDER,
                   help="after --: options passed on to JupyterLab (e.g. -- --port 9999 --no-browser)")
    r = sub.add_parser("site", help="build the course as a static website whose explorers work without Python",
                       description="Write DIR/index.html and one page per lesson: prose, code, figures, and every "
                                   "explorer computed in the page by JavaScript (lrlab/site_js, proven equal to "
                                   "lrlab), or, where that JavaScript does not cover it, as a player of frames "
                                   "precomputed headless. Nothing on a page is fetched from the internet.")
    r.add_argument("dir", help="the folder to write the site into")
    r.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="build only these notebooks (numbers or names)")
    r.add_argument("--positions", type=int, default=61, help="lr positions per player of frames (default 61)")
    r.add_argument("--frames", action="store_true",
                   help="every explorer as a player of precomputed frames (the site before its explorers "
                        "computed in the page; for comparison)")
    r.add_argument("--notebooks", metavar="DIR", help="the folder of the notebooks (default: the checkout's notebooks/)")
    args = ap.parse_args(argv)
    if args.command == "site":
        from .site import build_site     # noqa: PLC0415  (the site builder imports the lessons: load on demand)
        try:
            sizes = build_site(args.dir, notebooks=args.notebooks, only=args.only, positions=args.positions,
                               live=not args.frames)
        except (LookupError, ValueError, RuntimeError, FileNotFoundError, ImportError) as e:   # ImportError: no torch
            print(f"lrlab site: {e}", file=sys.stderr)
            return 2
        for name, n in sizes.items():
            print(f"  {name:32s} {n / 2**20:6.2f} MB")
        print(f"wrote {len(sizes)} files, {sum(sizes.values()) / 2**20:.1f} MB, to {args.dir}")
        return 0
    if args.command == "present":
        return present(args)
    if args.command == "lab":
        if args.jupyter_args[:1] == ["--"]:
            args.jupyter_args = args.jupyter_args[1:]
        return lab(args)
    ap.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
