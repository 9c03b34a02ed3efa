"""The staged Functions app (deploy/stage.py): layout, executable bit, glibc, and a start-up
of the staged binary the way the Functions host starts it. Here it stages the debug build;
`make release` runs the same checks on the release build and also enforces GLIBC <= 2.28."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest


def test_the_staged_api_has_exactly_the_layout_the_functions_host_expects(
    stage: ModuleType, staged_api: Path
) -> None:
    assert stage.layout_problems(staged_api) == []
    assert sorted(p.name for p in staged_api.iterdir()) == sorted(
        ["chatr", "host.json", "eventHandler", "getToken", "getUsers", "getChats", "getMessages"]
    )


def test_the_staged_binary_stays_executable_in_the_deployment_zip(
    stage: ModuleType, staged_api: Path, tmp_path: Path
) -> None:
    archive = stage.zip_api(staged_api, tmp_path / "api.zip")
    assert stage.zip_mode(archive, "chatr") & 0o111 == 0o111
    assert stage.zip_mode(archive, "host.json") & 0o111 == 0


def test_the_newest_glibc_symbol_of_the_staged_binary_is_reported(
    stage: ModuleType, staged_api: Path
) -> None:
    newest = stage.newest_glibc(staged_api / "chatr")
    # Reported, not enforced: a debug build on this machine links against its newer glibc.
    print(f"newest GLIBC symbol of the debug build: {stage.version_text(newest)}")
    assert newest is not None and newest >= (2, 2)


def test_the_staged_binary_starts_as_the_functions_host_starts_it_and_refuses_an_anonymous_users_request(
    stage: ModuleType, staged_api: Path
) -> None:
    assert stage.smoke_test(staged_api) == 401


def test_the_staged_binary_starts_from_a_relative_staging_folder(
    stage: ModuleType, staged_api: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `make release` stages into target/deploy/api, a path relative to the repository.
    monkeypatch.chdir(staged_api.parent)
    assert stage.smoke_test(Path(staged_api.name)) == 401


def test_the_layout_check_names_a_missing_function_folder(
    stage: ModuleType, staged_api: Path, tmp_path: Path
) -> None:
    broken = shutil.copytree(staged_api, tmp_path / "api")
    shutil.rmtree(broken / "getChats")
    assert stage.layout_problems(broken) == ["missing: getChats"]


def test_the_layout_check_keeps_local_settings_out_of_the_deployment(
    stage: ModuleType, staged_api: Path, tmp_path: Path
) -> None:
    broken = shutil.copytree(staged_api, tmp_path / "api")
    (broken / "local.settings.json").write_text(json.dumps({"Values": {}}))
    assert stage.layout_problems(broken) == ["does not belong in the deployment: local.settings.json"]


def test_the_layout_check_refuses_a_binary_without_the_executable_bit(
    stage: ModuleType, staged_api: Path, tmp_path: Path
) -> None:
    broken = shutil.copytree(staged_api, tmp_path / "api")
    (broken / "chatr").chmod(0o644)
    assert stage.layout_problems(broken) == ["chatr is not executable"]


def test_the_staged_site_has_the_static_web_apps_config_at_its_root(
    stage: ModuleType, tmp_path: Path
) -> None:
    src = tmp_path / "site"
    src.mkdir()
    (src / "index.html").write_text("<!doctype html><title>chatr</title>")
    config = tmp_path / "staticwebapp.config.json"
    config.write_text(json.dumps({"routes": []}))
    out = stage.stage_site(src, config, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "staticwebapp.config.json"]
