#!/usr/bin/env python3
"""Stages chatr for Azure and checks what it staged.

    stage.py api --binary B --out DIR [--zip FILE] [--max-glibc 2.28]
        The Functions app: the binary under the name host.json gives, host.json and the four
        function folders, nothing else. Checks the layout and the executable bit (in the zip
        too), reports the newest GLIBC symbol version the binary needs (and fails above
        --max-glibc), then starts the staged binary the way the Functions host does and expects
        401 from GET /api/users.

    stage.py site --src DIR --config FILE --out DIR
        The Static Web App's content: the site folder plus staticwebapp.config.json at its root.

The same folder runs as a Static Web Apps managed API, should that ever take custom handlers:
deploy/README.md says how. Only the standard library is used, so CI needs no extra packages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The Function folders, one per route (src/functions/mod.rs has the route table).
FUNCTION_FOLDERS = ("eventHandler", "getToken", "getUsers", "getChats", "getMessages")

# The flag after host.json's arguments that makes the handler print where it listens as one
# line of JSON once it does (src/cli/ready.rs): {"ready":{"handler":"http://127.0.0.1:PORT"}}.
READY_FLAG = "--ready-json"

# A connection string the handler accepts; nothing is ever sent to it.
DUMMY_WEB_PUBSUB = "Endpoint=http://localhost;Port=1;AccessKey=dummy;Version=1.0;"

START_TIMEOUT_S = 30


def executable_name(host_json: Path) -> str:
    """The file the Functions host starts: host.json's customHandler defaultExecutablePath."""
    host = json.loads(host_json.read_text())
    return host["customHandler"]["description"]["defaultExecutablePath"]


def stage_api(binary: Path, out: Path) -> Path:
    """Copies the binary, host.json and the function folders into a fresh `out`."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copy2(REPO / "host.json", out / "host.json")
    target = out / executable_name(out / "host.json")
    shutil.copy2(binary, target)
    target.chmod(0o755)
    for folder in FUNCTION_FOLDERS:
        (out / folder).mkdir()
        shutil.copy2(REPO / folder / "function.json", out / folder / "function.json")
    return out


def layout_problems(api: Path) -> list[str]:
    """What keeps the Functions host from running `api` as it is; empty when nothing does."""
    try:
        exe = executable_name(api / "host.json")
    except (OSError, KeyError, json.JSONDecodeError) as e:
        return [f"host.json is missing or has no customHandler.description.defaultExecutablePath ({e})"]
    problems = []
    expected = {"host.json", exe, *FUNCTION_FOLDERS}
    present = {p.name for p in api.iterdir()}
    problems += [f"missing: {name}" for name in sorted(expected - present)]
    problems += [f"does not belong in the deployment: {name}" for name in sorted(present - expected)]
    binary = api / exe
    if binary.is_file() and not os.access(binary, os.X_OK):
        problems.append(f"{exe} is not executable")
    for folder in FUNCTION_FOLDERS:
        function_json = api / folder / "function.json"
        if (api / folder).is_dir() and not function_json.is_file():
            problems.append(f"missing: {folder}/function.json")
    return problems


def zip_api(api: Path, zip_path: Path) -> Path:
    """Zips `api` for `az functionapp deployment source config-zip`, keeping Unix modes."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(api.rglob("*")):
            if path.is_file():
                # from_file records st_mode in external_attr, so the exec bit survives.
                info = zipfile.ZipInfo.from_file(path, path.relative_to(api).as_posix())
                info.compress_type = zipfile.ZIP_DEFLATED
                with path.open("rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target)
    return zip_path


def zip_mode(zip_path: Path, member: str) -> int:
    """The Unix permission bits `member` carries in the zip."""
    with zipfile.ZipFile(zip_path) as archive:
        return (archive.getinfo(member).external_attr >> 16) & 0o777


def newest_glibc(binary: Path) -> tuple[int, ...] | None:
    """The newest GLIBC_x.y version the binary's dynamic symbols need, from `objdump -p`.

    None for a binary that needs no glibc version (static, or not linked against glibc).
    """
    dump = subprocess.run(["objdump", "-p", str(binary)], check=True, capture_output=True, text=True).stdout
    versions = {
        tuple(int(part) for part in match.split("."))
        for match in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", dump)
    }
    return max(versions, default=None)


def ready_port(line: str) -> int | None:
    """The handler's port from its ready line; None for any other line."""
    try:
        handler = json.loads(line)["ready"]["handler"]
    except (ValueError, KeyError, TypeError):
        return None
    port = urllib.parse.urlsplit(handler).port if isinstance(handler, str) else None
    return port


def start_handler(api: Path, data_dir: Path) -> tuple[subprocess.Popen, int]:
    """Starts the staged handler as the Functions host would (host.json's executable, arguments
    and working directory, a port in FUNCTIONS_CUSTOMHANDLER_PORT) on a free port, and waits for
    its ready line (host.json's arguments, then --ready-json). Returns the process and its port;
    the caller stops the process."""
    api = api.resolve()  # the executable's path must not depend on the working directory
    host = json.loads((api / "host.json").read_text())["customHandler"]["description"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FUNCTIONS_CUSTOMHANDLER_PORT": "0",
        "WebPubSubConnectionString": DUMMY_WEB_PUBSUB,
        "CHATR_DATA_DIR": str(data_dir),
        "RUST_LOG": "warn",
    }
    process = subprocess.Popen(
        [str(api / host["defaultExecutablePath"]), *host.get("arguments", []), READY_FLAG],
        cwd=api / host.get("workingDirectory", ""),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stdout = process.stdout
    assert stdout is not None  # a pipe, as asked for
    found: list[int] = []
    output: list[str] = []

    def read_until_ready() -> None:
        for line in stdout:
            output.append(line)
            if port := ready_port(line):
                found.append(port)
                return

    reader = threading.Thread(target=read_until_ready, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    if not found:
        stop(process)
        raise RuntimeError(
            f"the staged handler printed no ready line within {START_TIMEOUT_S} s:\n" + "".join(output)
        )
    # Keep draining the pipe so that the handler never blocks on a full one.
    threading.Thread(target=stdout.read, daemon=True).start()
    return process, found[0]


def stop(process: subprocess.Popen) -> None:
    """Stops the handler: SIGTERM (its graceful shutdown), then SIGKILL after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def status_of_users(port: int) -> int:
    """The status of GET /api/users without a signed-in user."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/users", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def smoke_test(api: Path) -> int:
    """Starts the staged handler and returns the status of an anonymous GET /api/users."""
    with tempfile.TemporaryDirectory(prefix="chatr-stage-") as data_dir:
        process, port = start_handler(api, Path(data_dir))
        try:
            return status_of_users(port)
        finally:
            stop(process)


def stage_site(src: Path, config: Path, out: Path) -> Path:
    """Copies the site and puts staticwebapp.config.json at its root."""
    if not (src / "index.html").is_file():
        raise FileNotFoundError(f"{src}/index.html is missing: is {src} the site folder?")
    json.loads(config.read_text())  # a broken config would fail the deployment later
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(src, out)
    shutil.copy2(config, out / "staticwebapp.config.json")
    return out


def version_text(version: tuple[int, ...] | None) -> str:
    """`GLIBC_2.28` for (2, 28); `none` for no version."""
    return "none" if version is None else "GLIBC_" + ".".join(map(str, version))


def check_api(args: argparse.Namespace) -> int:
    api = stage_api(args.binary, args.out)
    print(f"staged {args.binary} as {api}")
    failures = layout_problems(api)
    print("layout and executable bit: " + ("ok" if not failures else "; ".join(failures)))

    if args.zip:
        zip_api(api, args.zip)
        mode = zip_mode(args.zip, executable_name(api / "host.json"))
        zip_ok = (mode & 0o111) == 0o111
        print(f"zip: {args.zip} (handler mode {mode:o}: {'ok' if zip_ok else 'not executable'})")
        if not zip_ok:
            failures.append("the zip lost the executable bit")

    newest = newest_glibc(api / executable_name(api / "host.json"))
    line = f"newest GLIBC symbol: {version_text(newest)}"
    if args.max_glibc:
        limit = tuple(int(part) for part in args.max_glibc.split("."))
        too_new = newest is not None and newest > limit
        line += f" (limit GLIBC_{args.max_glibc}: {'too new' if too_new else 'ok'})"
        if too_new:
            failures.append(f"the binary needs {version_text(newest)}, newer than GLIBC_{args.max_glibc}")
    print(line)

    if not failures:
        status = smoke_test(api)
        verdict = "ok" if status == 401 else "expected 401"
        print(f"staged handler: GET /api/users without a user -> {status} ({verdict})")
        if status != 401:
            failures.append(f"GET /api/users answered {status}, not 401")

    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def check_site(args: argparse.Namespace) -> int:
    site = stage_site(args.src, args.config, args.out)
    print(f"staged the site {args.src} with {args.config} as {site}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    api = commands.add_parser("api", help="stage and check the Functions app")
    api.add_argument("--binary", type=Path, required=True, help="the chatr binary to stage")
    api.add_argument("--out", type=Path, required=True, help="folder to stage into (replaced)")
    api.add_argument("--zip", type=Path, help="also write the deployment zip here")
    api.add_argument("--max-glibc", help="fail if the binary needs a newer glibc, e.g. 2.28")
    api.set_defaults(run=check_api)

    site = commands.add_parser("site", help="stage the Static Web App's content")
    site.add_argument("--src", type=Path, required=True, help="the site folder (index.html at its root)")
    site.add_argument("--config", type=Path, default=REPO / "staticwebapp.config.json")
    site.add_argument("--out", type=Path, required=True, help="folder to stage into (replaced)")
    site.set_defaults(run=check_site)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
