"""Presenter mode and local servers: ``lrlab present NN`` serves a notebook through Voilà, offline.

``servers`` starts Voilà / JupyterLab on 127.0.0.1 (used by the CLI, the
browser tests and the latency benchmark); ``share/voila/templates/lrlab-present``
is the presenter template (no code, large type, the main widget first,
nothing fetched from a CDN).
"""
