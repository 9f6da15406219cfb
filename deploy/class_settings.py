"""One class's settings, in one place.

Read by both ways of serving a class, so they cannot drift apart:

* ``deploy/jupyterhub/jupyterhub_config.py`` (one machine) takes its defaults from here (environment
  variables still override them there);
* ``deploy/z2jh/config.yaml`` (Zero to JupyterHub on Kubernetes) is written from here by
  ``python deploy/z2jh/render.py``; ``tests/test_deploy.py`` fails if the committed file differs.

The per-student sizes come from lrlab's own measurements (deploy/z2jh/README.md, "Sizing"):
``benchmarks/student_footprint.py`` (each lesson's kernel at rest and at its peak, a server with no
kernel) and ``benchmarks/classroom.py`` (students dragging a slider together).
"""

#: the lesson a student lands on, and how: "voila" (the lesson as an app, no code) or "lab" (JupyterLab)
LESSON = "02_too_high_too_low.ipynb"
UI = "voila"

#: an idle server is stopped after this many seconds, and any server after MAX_AGE (a day's lectures)
IDLE_TIMEOUT = 1800
MAX_AGE = 8 * 3600

#: memory per student, in JupyterHub's units (M = 2**20 bytes, G = 2**30). Measured: a server with no kernel
#: 95 MB; a student on the landing lesson in Voila (server + kernel) 390 MB; a lesson's kernel at its peak
#: 121-522 MB (the torch lessons 400-522 MB). Guarantee: what a student on one lesson uses. Limit: the
#: server, the landing lesson's Voila kernel and the largest lesson's kernel at its peak at once
#: (95 + 213 + 522 = 830 MB), so no lesson is killed for memory while a student works on it.
MEM_GUARANTEE = "512M"
MEM_LIMIT = "1G"

#: CPU per student. Measured: a slider move costs a student's server and kernel about 36 ms of CPU; a whole
#: lesson run top to bottom 2-15 s. At one move a second a student uses about 0.04 of a core: the guarantee
#: leaves room for 2-3 moves a second each when everyone drags at once; the limit of one core lets a
#: training cell run at full speed when the node has room.
CPU_GUARANTEE = 0.1
CPU_LIMIT = 1.0

#: the student image (deploy/z2jh/Dockerfile) and the JupyterHub release its server speaks to
IMAGE = "ghcr.io/your--org/lrlab-student"
IMAGE_TAG = "0.1.0"


def default_url(prefix: str = "") -> str:
    """Where a student lands: the lesson in Voila or in JupyterLab (``prefix``: the lessons' folder)."""
    path = f"{prefix}{LESSON}"
    return f"/voila/render/{path}" if UI == "voila" else f"/lab/tree/{path}"

