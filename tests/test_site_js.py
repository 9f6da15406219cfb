"""The site's JavaScript (lrlab/site_js/) computes what lrlab computes: fixtures from lrlab, checked under node.

``python -m lrlab.site_fixtures`` writes runs of every stepper on every toy loss, lr grids, the lr map, the
theory, Python's number formats and the frames of every explorer the pages compute themselves; ``node --test
tests/js/`` checks lrlab.js and explorers.js against them (to a relative 1e-12; texts exactly). Node is
Debian's package (``apt-get install -y nodejs``); without it the test is skipped, unless
``LRLAB_REQUIRE_BROWSER=1`` (CI) says it must run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_the_javascript_computes_what_lrlab_computes(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        if os.environ.get("LRLAB_REQUIRE_BROWSER", "") == "1":
            pytest.fail("node is missing (apt-get install -y nodejs); LRLAB_REQUIRE_BROWSER=1 says this test must run")
        pytest.skip("node is missing: apt-get install -y nodejs to check the site's JavaScript against lrlab")
    from lrlab import site_fixtures
    fixtures = tmp_path / "fixtures.json"
    site_fixtures.write(fixtures)
    env = {**os.environ, "LRLAB_FIXTURES": str(fixtures), "PYTHON": sys.executable}
    proc = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    report = [line for line in proc.stdout.splitlines() if line.startswith(("# ", "not ok"))]
    print("\n".join(report))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
