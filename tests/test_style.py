"""The code base is ruff clean (lint and format)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_ruff_check():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "tools", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "src", "tests", "tools", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    fence = readme.index("```sh")
    setup_and_run, test_command = readme[fence + 1], readme[fence + 2]
    assert readme[fence + 3] == "```"
    assert "bpfgraph" in setup_and_run
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
