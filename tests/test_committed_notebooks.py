"""The committed notebooks as a static viewer sees them (nbviewer, an HTML export, GitHub's preview).

Such a viewer runs no kernel: an explorer's figure shows only if the notebook's saved widget state
carries the canvas's image. ``tools/build_notebooks.py`` writes each live canvas's PNG and size
there after the last cell; these tests check that every committed notebook has them, that the
image has the size the state claims, and that it is a figure, not a blank rectangle.
"""
from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PREFIX = "data:image/png;base64,"


def canvases(path: Path) -> dict:
    nb = json.loads(path.read_text())
    state = nb["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return {k: v["state"] for k, v in state.items() if v["model_name"] == "MPLCanvasModel"}


def test_there_are_notebooks_with_explorers():
    assert len(NOTEBOOKS) == len(list((ROOT / "tools" / "notebook_src").glob("[0-9][0-9]_*.py"))) >= 10
    assert all(canvases(p) for p in NOTEBOOKS), "every lesson has at least one live figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_live_canvas_carries_its_figure(path):
    from PIL import Image
    for model_id, s in canvases(path).items():
        url = s.get("_data_url")
        assert isinstance(url, str) and url.startswith(PREFIX), \
            f"{path.name}: canvas {model_id} has no image in its saved state (rebuild with tools/build_notebooks.py)"
        img = Image.open(io.BytesIO(base64.b64decode(url[len(PREFIX):])))
        w, h = s["_size"]
        assert w > 100 and h > 100, f"{path.name}: canvas {model_id} saved size {s['_size']}"
        assert img.size == (round(w), round(h)), f"{path.name}: image {img.size} but state says {s['_size']}"
        px = np.asarray(img.convert("RGB"))
        dark = (px.sum(axis=2) < 200).mean()      # lines, ticks and text of a figure, on a light background
        assert 0.001 < dark < 0.5, f"{path.name}: canvas {model_id} looks blank ({dark:.4f} of the pixels dark)"
