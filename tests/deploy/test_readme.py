"""The README's two commands after cloning: `cargo run --release -- dev` and `make test`."""

from __future__ import annotations

import re
import subprocess

from conftest import REPO


def readme_commands() -> list[str]:
    """The commands of the README's first shell block."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "README.md has a ```sh block with the commands"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_gives_exactly_the_two_commands() -> None:
    assert readme_commands() == ["cargo run --release -- dev", "make test"]


def test_cargo_run_chooses_the_chatr_binary_among_several() -> None:
    # `cargo run` with two [[bin]]s and no default-run refuses to guess; the debug profile
    # chooses the binary exactly as --release does, without a release build.
    result = subprocess.run(
        ["cargo", "run", "--quiet", "--", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: chatr <COMMAND>" in result.stdout
    assert "dev" in result.stdout


def test_make_test_is_a_target_of_the_makefile() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: ", makefile, re.M)
