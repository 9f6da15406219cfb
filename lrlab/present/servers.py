"""Start and stop local Voilà / JupyterLab servers (for ``lrlab present``, the browser tests, the benchmark).

Every server listens on 127.0.0.1 only, on a port chosen here with
``port_retries=0`` (a server never drifts to another port, so a stale server
can never answer in its place), without a token, in its own process group.
:meth:`Server.stop` ends that group and the kernels the server started, by
their process ids.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["SHARE", "TEMPLATE", "free_port", "port_is_free", "Server", "voila_command", "lab_command",
           "start_voila", "start_lab", "start_hub", "HUB_CONFIG", "presenter_env"]

#: The ``share/jupyter``-like directory holding lrlab's Voilà template (added to JUPYTER_PATH).
SHARE = Path(__file__).resolve().parent / "share"
#: The name of lrlab's presenter template for Voilà.
TEMPLATE = "lrlab-present"


#: JupyterLab's notification settings that keep the news question and the update check away
#: (``lrlab lab`` makes them defaults; the test and benchmark sessions below, user settings).
QUIET_NOTIFICATIONS = {"fetchNews": "false", "checkForUpdates": False}

#: JupyterLab user settings for test/benchmark sessions: no news toast, no update check,
#: every cell attached to the DOM (so a page scan sees every output).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": QUIET_NOTIFICATIONS,
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on ``host:port`` (we can bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def nothing_listens(port: int, host: str = "127.0.0.1", within: float = 15.0) -> bool:
    """True once a connection to ``host:port`` is refused within ``within`` seconds: the server that
    listened there is gone (sockets in TIME_WAIT, which :func:`port_is_free` sees, do not count)."""
    import time
    deadline = time.monotonic() + within
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex((host, port)) != 0:
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def free_port(start: int | None = None, host: str = "127.0.0.1", tries: int = 100) -> int:
    """A free TCP port: the first free one from ``start`` on, or one the OS picks."""
    if start is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            return s.getsockname()[1]
    for port in range(start, min(start + tries, 65536)):
        if port_is_free(port, host):
            return port
    raise RuntimeError(f"no free port in {start}..{start + tries - 1} on {host}")


def presenter_env(env: dict | None = None, presenter: bool = False) -> dict:
    """The environment for a server: lrlab's template on JUPYTER_PATH, quiet, offline-friendly."""
    env = dict(os.environ if env is None else env)
    paths = [str(SHARE)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if presenter:
        env["LRLAB_PRESENTER"] = "1"
    return env


#: A cheap URL that answers once Voilà serves (``/`` of a one-notebook server would start a kernel).
VOILA_READY_PATH = "/voila/static/voila-style.js"


def voila_command(target: str | os.PathLike, port: int, *, template: str | None = None,
                  show_tracebacks: bool = True, extra: list[str] | None = None) -> list[str]:
    """``python -m voila`` on ``target`` (a notebook or a directory), 127.0.0.1:``port``, no retries, no token."""
    cmd = [sys.executable, "-m", "voila", str(target), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--Voila.token=",
           f"--VoilaConfiguration.show_tracebacks={show_tracebacks}"]
    if template:
        cmd.append(f"--template={template}")
    return cmd + list(extra or [])


def lab_command(root: str | os.PathLike, port: int, *, extra: list[str] | None = None,
                app: str = "jupyterlab") -> list[str]:
    """``python -m jupyterlab`` (or ``app="notebook"``: Notebook 7) rooted at ``root`` on 127.0.0.1:``port``:
    no token, no retries, app exposed as ``window.jupyterapp`` (JupyterLab only), no news or update
    checks (nothing fetched from the internet)."""
    return [sys.executable, "-m", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
            "--ServerApp.port_retries=0", "--allow-root", "--expose-app-in-browser",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.open_browser=False"] + list(extra or [])


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    kids = []
    proc = Path("/proc")
    if not proc.is_dir():
        return kids
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces: split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.append(int(d.name))
    return kids


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for k in _children(todo.pop()):
            out.append(k)
            todo.append(k)
    return out


class Server:
    """A server process we started: its own PID, its port, its log; ``stop()`` ends it."""

    def __init__(self, cmd: list[str], port: int, *, cwd=None, env=None, log_path=None, name="server",
                 ready_path: str = "/"):
        self.cmd, self.port, self.name, self.ready_path = cmd, port, name, ready_path
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(log_path) if log_path else Path(tempfile.mkstemp(prefix=f"lrlab-{name}-", suffix=".log")[1])
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid            # the server's own PID (python runs voila/jupyterlab directly)
        self.pgid = os.getpgid(self.pid)
        self._kernels: set[int] = set()

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 60.0, ready=lambda status: status < 500) -> "Server":
        """Poll ``url + ready_path`` until its HTTP status satisfies ``ready`` (default: any status
        below 500); bounded by ``timeout``. Raises RuntimeError if the process exits first."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode} before it was ready "
                                   f"(port {self.port}); log {self.log_path}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=5) as r:
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, ConnectionError, OSError) as e:
                status = None
                last = e
            if status is not None:
                if ready(status):
                    return self
                last = f"HTTP {status}"
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"{self.name} not ready on {self.url}{self.ready_path} after {timeout:.0f} s ({last}); "
                           f"log {self.log_path}:\n{self.log_tail()}")

    def remember_kernels(self) -> None:
        """Note the server's child processes (kernels) now, so ``stop`` can end them even if it has to kill."""
        if self.proc.poll() is None:
            self._kernels.update(_descendants(self.pid))

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server's process group (it shuts its kernels down), SIGKILL what is left."""
        if self.proc.poll() is None:
            self.remember_kernels()
            try:
                os.killpg(self.pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        else:
            self.proc.wait()
        # kernels run in their own sessions: end any the server left behind, by pid
        for pid in self._kernels:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _start(make_cmd, name, *, cwd, env, log_path, ready_path, timeout, attempts=3) -> Server:
    """Start on a fresh free port; if the port was taken in between (the server exits), try another."""
    err = None
    for _ in range(attempts):
        port = free_port()
        server = Server(make_cmd(port), port, cwd=cwd, env=env, log_path=log_path, name=name, ready_path=ready_path)
        try:
            return server.wait_ready(timeout)
        except RuntimeError as e:      # exited early (e.g. port taken): another port
            err = e
            server.stop()
            if "already in use" not in server.log_tail(200).lower() and "address already" not in str(e).lower():
                raise
    raise RuntimeError(f"could not start {name}: {err}")


def start_voila(target, *, template=None, presenter=False, cwd=None, log_path=None, timeout=60.0,
                extra=None, env_extra=None, show_tracebacks=True) -> Server:
    """A ready Voilà server on a free 127.0.0.1 port serving ``target`` (a notebook or a directory)."""
    env = presenter_env(presenter=presenter)
    env.update(env_extra or {})
    return _start(lambda port: voila_command(target, port, template=template, show_tracebacks=show_tracebacks,
                                             extra=extra), "voila",
                  cwd=cwd, env=env, log_path=log_path, ready_path=VOILA_READY_PATH, timeout=timeout)


def start_lab(root, *, cwd=None, log_path=None, timeout=90.0, extra=None, settings_dir=None,
              env_extra=None, app: str = "jupyterlab") -> Server:
    """A ready JupyterLab (or ``app="notebook"``: Notebook 7) server on a free 127.0.0.1 port, rooted at
    ``root``, with its own settings and workspaces directories (a user's settings never leak into tests)."""
    env = presenter_env()
    env.update(env_extra or {})
    base = Path(settings_dir or tempfile.mkdtemp(prefix="lrlab-lab-"))
    env["JUPYTERLAB_SETTINGS_DIR"] = str(base / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(base / "workspaces")
    for rel, value in LAB_SETTINGS.items():
        f = base / "settings" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    if app == "notebook":   # Notebook 7 does not read JUPYTERLAB_SETTINGS_DIR: name the folders explicitly
        extra = [f"--JupyterNotebookApp.user_settings_dir={base / 'settings'}",
                 f"--JupyterNotebookApp.workspaces_dir={base / 'workspaces'}"] + list(extra or [])
    return _start(lambda port: lab_command(root, port, extra=extra, app=app), app, cwd=cwd, env=env,
                  log_path=log_path, ready_path="/lab" if app == "jupyterlab" else "/tree", timeout=timeout)


#: The repository's one-machine JupyterHub config (``deploy/jupyterhub``; absent from an installed wheel).
HUB_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "jupyterhub_config.py"


def hub_proxy() -> str | None:
    """JupyterHub's proxy: the ``configurable-http-proxy`` beside this Python (the PyPI package, in the
    ``hub`` extra), else one on PATH; None if there is none."""
    here = Path(sys.executable).parent / "configurable-http-proxy"
    return str(here) if here.exists() else shutil.which("configurable-http-proxy")


def start_hub(state_dir, *, password: str, config=HUB_CONFIG, log_path=None, timeout=90.0, env_extra=None,
              attempts=3) -> Server:
    """A ready JupyterHub (``config``, its proxy and its services) on free 127.0.0.1 ports.

    The hub keeps its database, cookie secret, pid files and the students' homes
    in ``state_dir``. :meth:`Server.stop` ends the hub's process group, and by
    pid every process it started (proxy, idle culler, students' servers and kernels).
    """
    config = Path(config)
    if not config.is_file():
        raise FileNotFoundError(f"config: no JupyterHub config at {config}")
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    err = None
    for _ in range(attempts):
        port, api, proxy_api = free_port(), free_port(), free_port()
        if len({port, api, proxy_api}) < 3:
            continue
        env = presenter_env()
        env.update({"LRLAB_HUB_PASSWORD": password, "LRLAB_HUB_IP": "127.0.0.1", "LRLAB_HUB_PORT": str(port),
                    "LRLAB_HUB_API_PORT": str(api), "LRLAB_HUB_PROXY_API_PORT": str(proxy_api),
                    "LRLAB_HUB_STATE": str(state_dir)})
        env.update(env_extra or {})
        server = Server([sys.executable, "-m", "jupyterhub", "-f", str(config)], port, cwd=state_dir, env=env,
                        log_path=log_path, name="jupyterhub", ready_path="/hub/health")
        try:
            server.wait_ready(timeout)
            # the proxy answers before the hub has added its own route (404 then): wait for the hub's 200
            return server.wait_ready(timeout, ready=lambda status: status == 200)
        except RuntimeError as e:      # exited early (e.g. a port taken in between): other ports
            err = e
            server.stop()
            if "address already in use" not in server.log_tail(200).lower():
                raise
    raise RuntimeError(f"could not start jupyterhub: {err}")
