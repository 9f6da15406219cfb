"""Write deploy/z2jh/config.yaml, the Zero to JupyterHub values for lrlab, from deploy/class_settings.py.

    python deploy/z2jh/render.py            # rewrite config.yaml
    python deploy/z2jh/render.py --check    # exit 1 if config.yaml is not what the settings give

The chart version is pinned here (CHART_VERSION) and its values schema is vendored beside this file
(``chart-<version>/values.schema.json``, with the chart's licence); tests/test_deploy.py validates the
chart's default values merged with config.yaml against it, as ``helm`` does before installing.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHART_VERSION = "4.4.0"          # JupyterHub 5.5.0
JUPYTERHUB_VERSION = "5.5.0"     # the hub the chart runs; the student image pins the same release
CONFIG = HERE / "config.yaml"


def settings():
    spec = importlib.util.spec_from_file_location("class_settings", HERE.parent / "class_settings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def render() -> str:
    s = settings()
    return f"""\
# Zero to JupyterHub values for a class using lrlab (chart {CHART_VERSION}, JupyterHub {JUPYTERHUB_VERSION}).
# WRITTEN BY deploy/z2jh/render.py FROM deploy/class_settings.py: change the settings there and re-run it.
#
#   helm repo add jupyterhub https://hub.jupyter.org/helm-chart/ && helm repo update
#   helm upgrade --install lrlab jupyterhub/jupyterhub --version {CHART_VERSION} \\
#     --namespace lrlab --create-namespace -f deploy/z2jh/config.yaml -f secrets.yaml
#
# secrets.yaml (never committed) holds the OAuth client's id and secret: see deploy/z2jh/README.md.

hub:
  config:
    JupyterHub:
      # graded work: students log in with the institution's accounts (OAuth2 / OpenID Connect);
      # deploy/z2jh/workshop.yaml switches to one shared password for a workshop instead
      authenticator_class: generic-oauth
    Authenticator:
      allow_all: false
      allowed_users: []
      admin_users: []
    GenericOAuthenticator:
      # the identity provider's endpoints and this hub's callback (set in secrets.yaml or here)
      oauth_callback_url: https://lrlab.example.edu/hub/oauth_callback
      authorize_url: https://login.example.edu/oauth2/authorize
      token_url: https://login.example.edu/oauth2/token
      userdata_url: https://login.example.edu/oauth2/userinfo
      username_claim: preferred_username
      scope: [openid, profile]
      allow_all: true

singleuser:
  image:
    name: {s.IMAGE}
    tag: "{s.IMAGE_TAG}"
  # measured, not defaults: deploy/z2jh/README.md "Sizing"
  memory:
    guarantee: {s.MEM_GUARANTEE}
    limit: {s.MEM_LIMIT}
  cpu:
    guarantee: {s.CPU_GUARANTEE}
    limit: {s.CPU_LIMIT}
  # where a student lands: the lesson (copied into ~/lessons below) in Voila or JupyterLab
  defaultUrl: {s.default_url("lessons/")}
  storage:
    capacity: 1Gi
  lifecycleHooks:
    postStart:
      exec:
        # the lessons go into the student's home on every start, never over a file they already have
        command: [sh, -c, "mkdir -p ~/lessons && cp -n /opt/lrlab/notebooks/*.ipynb ~/lessons/"]
  extraFiles:
    # the student server's settings: idle kernels culled, no news or update check (nothing fetched
    # from the internet at page load), Voila pages with lrlab's offline template
    lrlab-server-config:
      mountPath: /etc/jupyter/jupyter_server_config.json
      data:
        ServerApp:
          terminals_enabled: false
        MappingKernelManager:
          cull_idle_timeout: {s.IDLE_TIMEOUT}
          cull_interval: 60
        LabApp:
          news_url: null
          check_for_updates_class: jupyterlab.NeverCheckForUpdate
        VoilaConfiguration:
          template: lrlab-student
  startTimeout: 300

scheduling:
  # pack students onto as few nodes as possible and keep a few warm places for a class arriving at once
  userScheduler:
    enabled: true
  podPriority:
    enabled: true
  userPlaceholder:
    enabled: true
    replicas: 4

prePuller:
  # pull the student image onto every node before the class logs in
  hook:
    enabled: true
  continuous:
    enabled: true

cull:
  enabled: true
  timeout: {s.IDLE_TIMEOUT}
  every: 300
  maxAge: {s.MAX_AGE}
"""


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in args:
        if CONFIG.read_text() != text:
            print(f"{CONFIG} differs from what deploy/class_settings.py gives: run python {Path(__file__)}")
            return 1
        return 0
    CONFIG.write_text(text)
    print(f"wrote {CONFIG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
