"""The GitHub workflows pass actionlint, and deploy/deploy.sh passes shellcheck; both tools come
pinned from requirements-dev.txt, so every machine runs the same checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DEPLOY, REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def tool(name: str) -> str:
    """A tool from the venv that runs these tests."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is missing: `make test-deploy` installs it from requirements-dev.txt"
    return found


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_there_is_a_workflow() -> None:
    assert WORKFLOWS


def test_the_workflows_pass_actionlint_with_shellcheck() -> None:
    # `-pyflakes=` : no step runs Python inline.
    result = run(
        tool("actionlint"),
        "-no-color",
        f"-shellcheck={tool('shellcheck')}",
        "-pyflakes=",
        *map(str, WORKFLOWS),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_script_passes_shellcheck() -> None:
    result = run(tool("shellcheck"), str(DEPLOY / "deploy.sh"))
    assert result.returncode == 0, result.stdout + result.stderr
