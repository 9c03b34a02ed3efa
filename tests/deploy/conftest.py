"""Shared paths and fixtures of the deployment checks (`make test-deploy`)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@pytest.fixture(scope="session")
def stage() -> ModuleType:
    """deploy/stage.py, the staging script `make release` and `make deploy` run."""
    spec = importlib.util.spec_from_file_location("stage", DEPLOY / "stage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def chatr_binary() -> Path:
    """The binary to stage: CHATR_BIN, by default the debug build `cargo test` left."""
    binary = Path(os.environ.get("CHATR_BIN", REPO / "target" / "debug" / "chatr"))
    if not binary.is_file():
        pytest.fail(f"{binary} is missing: run `cargo build` first (make test-deploy does)")
    return binary


@pytest.fixture(scope="session")
def staged_api(stage: ModuleType, chatr_binary: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Functions app staged once from the binary."""
    return stage.stage_api(chatr_binary, tmp_path_factory.mktemp("stage") / "api")
