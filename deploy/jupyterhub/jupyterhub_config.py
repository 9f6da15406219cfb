"""JupyterHub for a class on one machine: every student gets their own server with lrlab's lessons.

    LRLAB_HUB_PASSWORD='a class password' jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Everything is set from environment variables (defaults in brackets), so the
same file serves a classroom machine, ``benchmarks/classroom.py`` and
``tests/browser/test_hub.py``. The class's own settings (landing lesson, front end, idle and age
limits, per-student memory and CPU) default to ``deploy/class_settings.py``, the one source that the
Kubernetes values (deploy/z2jh/config.yaml) are written from too:

* ``LRLAB_HUB_PASSWORD`` (required, at least 8 characters): the class password.
  Students log in with any name they like and this password (JupyterHub's
  ``SharedPasswordAuthenticator``). Anyone with the password can log in under
  any name, so it suits a workshop, not graded work; see README.md here for
  the alternatives.
* ``LRLAB_HUB_IP`` [127.0.0.1], ``LRLAB_HUB_PORT`` [8000]: where students connect.
  Keep 127.0.0.1 behind a TLS reverse proxy; 0.0.0.0 exposes plain HTTP.
* ``LRLAB_HUB_API_PORT`` [8081], ``LRLAB_HUB_PROXY_API_PORT`` [8001]: the hub's and
  the proxy's internal ports (always on 127.0.0.1).
* ``LRLAB_HUB_STATE`` [./lrlab-hub-state]: the hub's database, cookie secret,
  pid files and the students' home directories.
* ``LRLAB_HUB_NOTEBOOKS`` [the repository's notebooks/]: copied into a student's
  home on their first login (never over their own edits).
* ``LRLAB_HUB_LESSON`` [class_settings.LESSON]: the lesson a student lands on.
* ``LRLAB_HUB_UI`` [class_settings.UI]: ``voila`` (the lesson as an app, no code) or ``lab``
  (JupyterLab with the lesson open).
* ``LRLAB_HUB_IDLE`` [class_settings.IDLE_TIMEOUT]: seconds after which an idle server is stopped
  (jupyterhub-idle-culler); idle kernels inside a server are culled after the same time. Any
  server is stopped after class_settings.MAX_AGE seconds.
* ``LRLAB_HUB_MEM`` [class_settings.MEM_LIMIT], ``LRLAB_HUB_CPU`` [class_settings.CPU_LIMIT]:
  per-student limits (the guarantees come from class_settings too). The local
  spawner used here cannot enforce them (it passes them to the server as
  ``MEM_LIMIT``/``CPU_LIMIT``); TLJH's SystemdSpawner and Z2JH's KubeSpawner do.
* ``LRLAB_HUB_SPAWNER`` [simple]: ``simple`` runs every student's server as the
  Unix user running the hub, in ``$LRLAB_HUB_STATE/home/<name>`` (HTTP access is
  per student, but code in one student's kernel can read another's files);
  ``local`` runs each as the Unix user of the same name (they must exist).
* ``LRLAB_HUB_PROXY`` [the ``configurable-http-proxy`` beside this Python, else the one on PATH]: the
  ``hub`` extra installs it (the PyPI package, a Python implementation of JupyterHub's proxy).
"""
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config when it loads this file)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _class_settings():
    import importlib.util
    spec = importlib.util.spec_from_file_location("class_settings", HERE.parent / "class_settings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


CLASS = _class_settings()


def env(name, default):
    return os.environ.get(name, default)


def env_int(name, default):
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError:
        sys.exit(f"{name} must be an integer, got {value!r}")


PASSWORD = env("LRLAB_HUB_PASSWORD", "")
if len(PASSWORD) < 8:
    sys.exit("LRLAB_HUB_PASSWORD must be set to the class password (at least 8 characters)")
IP = env("LRLAB_HUB_IP", "127.0.0.1")
PORT = env_int("LRLAB_HUB_PORT", 8000)
STATE = Path(env("LRLAB_HUB_STATE", "lrlab-hub-state")).resolve()
NOTEBOOKS = Path(env("LRLAB_HUB_NOTEBOOKS", str(REPO / "notebooks"))).resolve()
LESSON = env("LRLAB_HUB_LESSON", CLASS.LESSON)
UI = env("LRLAB_HUB_UI", CLASS.UI)
IDLE = env_int("LRLAB_HUB_IDLE", CLASS.IDLE_TIMEOUT)
SPAWNER = env("LRLAB_HUB_SPAWNER", "simple")
if UI not in ("voila", "lab"):
    sys.exit(f"LRLAB_HUB_UI must be 'voila' or 'lab', got {UI!r}")
if SPAWNER not in ("simple", "local"):
    sys.exit(f"LRLAB_HUB_SPAWNER must be 'simple' or 'local', got {SPAWNER!r}")
if not (NOTEBOOKS / LESSON).is_file():
    sys.exit(f"LRLAB_HUB_LESSON: no {LESSON} in LRLAB_HUB_NOTEBOOKS={NOTEBOOKS}")
STATE.mkdir(parents=True, exist_ok=True)

# ---------------------------------------------------------------- network: the proxy and the hub
c.JupyterHub.bind_url = f"http://{IP}:{PORT}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = env_int("LRLAB_HUB_API_PORT", 8081)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env_int('LRLAB_HUB_PROXY_API_PORT', 8001)}"
_local_proxy = Path(sys.executable).parent / "configurable-http-proxy"   # the hub extra's, in this venv
c.ConfigurableHTTPProxy.command = [env("LRLAB_HUB_PROXY", str(_local_proxy) if _local_proxy.exists()
                                       else "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.pid_file = str(STATE / "hub.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True       # stopping the hub stops every student's server
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------- who may log in
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allow_all = True

# ---------------------------------------------------------------- each student's server
HOMES = STATE / "home"


def _copy_lessons(spawner):
    """First login: the lessons go into the student's home (a later login keeps their edits)."""
    home = Path(spawner.home_dir) if SPAWNER == "simple" else Path(os.path.expanduser(f"~{spawner.user.name}"))
    home.mkdir(parents=True, exist_ok=True)
    for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if not (home / nb.name).exists():
            shutil.copy(nb, home / nb.name)


if SPAWNER == "simple":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"
c.Spawner.pre_spawn_hook = _copy_lessons
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]   # the hub's own environment: lrlab and its deps
c.Spawner.default_url = f"/voila/render/{LESSON}" if UI == "voila" else f"/lab/tree/{LESSON}"
c.Spawner.args = [
    "--ServerApp.terminals_enabled=False",
    f"--MappingKernelManager.cull_idle_timeout={IDLE}",
    "--MappingKernelManager.cull_interval=60",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
if os.geteuid() == 0:                     # a server run as root refuses to start without it (the hub answers 500)
    c.Spawner.args.append("--allow-root")
# Voilà's pages use lrlab's offline template (nothing fetched from a CDN): it lives in lrlab's share dir.
try:
    from lrlab.present.servers import SHARE as _SHARE
except ImportError:
    _SHARE = REPO / "lrlab" / "present" / "share"
if UI == "voila":
    c.Spawner.args.append("--VoilaConfiguration.template=lrlab-student")
c.Spawner.environment = {
    "JUPYTER_PATH": os.pathsep.join([str(_SHARE)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]),
}
c.Spawner.mem_limit = env("LRLAB_HUB_MEM", CLASS.MEM_LIMIT)
c.Spawner.cpu_limit = float(env("LRLAB_HUB_CPU", str(CLASS.CPU_LIMIT)))
c.Spawner.mem_guarantee = CLASS.MEM_GUARANTEE
c.Spawner.cpu_guarantee = float(CLASS.CPU_GUARANTEE)
# A class logs in at once: give a busy machine time to start every server (and run Voilà's first cell).
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.concurrent_spawn_limit = 200

# ---------------------------------------------------------------- idle servers are stopped
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE}", "--cull-every=60",
                f"--max-age={CLASS.MAX_AGE}"],
}]
