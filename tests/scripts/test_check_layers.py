"""scripts/check-layers.py finds every kind of break, however the import is written, and
nothing in comments or strings."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check-layers.py"


@pytest.fixture(scope="module")
def layers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def crate(tmp_path: Path, files: dict[str, str]) -> Path:
    """A src/ folder with these files (path -> Rust text) beside a minimal lib.rs."""
    src = tmp_path / "src"
    for name, text in {"lib.rs": "pub mod chat;\n", **files}.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, encoding="utf-8")
    return src


def problems(layers: ModuleType, tmp_path: Path, files: dict[str, str]) -> list[str]:
    return layers.check(str(crate(tmp_path, files)))[0]


def test_a_crate_that_follows_the_rules_passes(layers: ModuleType, tmp_path: Path) -> None:
    found = problems(layers, tmp_path, {
        "functions/mod.rs": "use crate::chat::Outcome;\nuse crate::{store::Store, pubsub};\n",
        "chat/mod.rs": "use crate::config::hub::HubName;\nuse std::collections::BTreeMap;\n",
        "emulator/mod.rs": "use crate::webhook::signature;\n",
    })
    assert found == []


@pytest.mark.parametrize("text", [
    "use crate::store::Store;\n",
    "use crate::{hub_key::HubKey, store::Store};\n",
    "use crate::{\n    chat::model::ChatId,\n    config,\n};\n",
    "fn f() { crate::functions::run(); }\n",
])
def test_the_emulator_importing_chat_functions_or_store_is_refused(
    layers: ModuleType, tmp_path: Path, text: str
) -> None:
    found = problems(layers, tmp_path, {"emulator/mod.rs": text})
    assert any("the emulator imports" in p for p in found), found


@pytest.mark.parametrize("text, what", [
    ("async fn f() {}\n", "async code"),
    ("fn f() { x.await; }\n", "an await"),
    ("use tokio::sync::Mutex;\n", "the I/O crate tokio"),
    ("use std::{collections::BTreeMap, fs};\n", "std::fs"),
    ("use std::net::TcpStream;\n", "std::net"),
    ("fn now() { let t = std::time::SystemTime::now(); }\n", "a clock read"),
    ("use crate::clock::unix_now;\n", "crate::clock"),
])
def test_io_in_the_chat_core_is_refused(
    layers: ModuleType, tmp_path: Path, text: str, what: str
) -> None:
    found = problems(layers, tmp_path, {"chat/mod.rs": text})
    assert any(what in p and "chat core" in p for p in found), found


def test_comments_and_strings_are_not_code(layers: ModuleType, tmp_path: Path) -> None:
    found = problems(layers, tmp_path, {
        "chat/mod.rs": (
            '// async fn commented() {}\n'
            '/* use crate::store::Store; /* nested */ tokio::spawn */\n'
            'const URL: &str = "http://x/tokio::y // async";\n'
            'const RAW: &str = r#"use crate::store; "async" "#;\n'
            "fn f<'a>(c: char) -> bool { c == '\"' }\n"
        ),
    })
    assert found == []


def test_code_after_a_string_with_slashes_is_still_read(layers: ModuleType, tmp_path: Path) -> None:
    found = problems(layers, tmp_path, {
        "chat/mod.rs": 'const U: &str = "http://x"; use crate::clock::unix_now;\n',
    })
    assert any("crate::clock" in p for p in found), found


@pytest.mark.parametrize("importer, imported", [
    ("store/mod.rs", "functions"),
    ("chat/mod.rs", "pubsub"),
    ("store/mod.rs", "pubsub"),
    ("functions/mod.rs", "emulator"),
])
def test_an_import_from_the_same_floor_or_above_is_refused(
    layers: ModuleType, tmp_path: Path, importer: str, imported: str
) -> None:
    found = problems(layers, tmp_path, {importer: f"use crate::{imported}::X;\n"})
    assert any("on its own floor or above" in p for p in found), found


def test_a_circle_between_modules_is_named(layers: ModuleType, tmp_path: Path) -> None:
    found = problems(layers, tmp_path, {
        "store/mod.rs": "use crate::pubsub::X;\n",
        "pubsub/mod.rs": "use crate::store::Y;\n",
    })
    assert any("import circle" in p for p in found), found


def test_a_module_without_a_floor_is_refused(layers: ModuleType, tmp_path: Path) -> None:
    found = problems(layers, tmp_path, {"newthing.rs": "pub fn f() {}\n"})
    assert any("has no floor" in p for p in found), found


def test_the_real_crate_follows_the_rules(layers: ModuleType) -> None:
    found, edges = layers.check(str(SCRIPT.parents[1] / "src"))
    assert found == []
    assert sum(len(v) for v in edges.values()) > 20, "the real crate's imports were read"
