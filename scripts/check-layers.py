#!/usr/bin/env python3
"""Checks the crate's architecture rules, which otherwise hold by discipline alone (`make lint`
runs it; exit 1 names each break and the rule behind it).

1. Floors: a module imports only from the floors below its own (src/lib.rs's map).
2. No two top-level modules import each other, directly or round a longer circle.
3. The emulator is a generic Web PubSub: it never imports chat, functions, store or dev.
4. The chat core is pure: no async, no I/O, no clock in src/chat (handle(event, state) ->
   outcome; the handler does the I/O around it).

Paths are read from the code with comments and string literals left out, grouped imports
(`use crate::{a::X, b}`) included; a path built by a macro is not seen."""

import os
import re
import sys

# Top to bottom, as src/lib.rs's `# Layout` says. A module not listed here is an error, so that
# a new module is given its floor on purpose.
FLOORS = [
    ["main", "cli"],
    ["dev"],
    ["functions", "emulator"],
    ["store", "pubsub"],
    ["chat", "webhook", "token"],
    ["config"],
    ["listener"],
    ["access_key", "clock", "shutdown", "telemetry", "http_body", "http_client"],
]
FLOOR = {m: len(FLOORS) - i for i, floor in enumerate(FLOORS) for m in floor}

EMULATOR_MAY_NOT = {"chat", "functions", "store", "dev"}

# What the pure chat core may not use: (path root or pattern, what it is).
IMPURE_CRATES = {"tokio", "warp", "hyper", "reqwest", "rusqlite", "futures_util", "azure_core",
                 "azure_data_tables", "azure_storage", "socket2"}
IMPURE_STD = {"fs", "net", "io", "process", "thread", "env"}
IMPURE_MODULES = {"clock", "store", "pubsub", "functions", "emulator", "dev"}
IMPURE_PATTERNS = [
    (r"\basync\b", "async code"),
    (r"\.await\b", "an await"),
    (r"\b(SystemTime|Instant)::now\b", "a clock read"),
]


def code_of(text):
    """The text with comments, string and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    out.append("\n" if text[i] == "\n" else " ")
                    i += 1
        elif (m := re.match(r'(b?r)(#*)"', text[i:])) and (i == 0 or not text[i - 1].isalnum()):
            close = '"' + m.group(2)
            end = text.find(close, i + len(m.group(0)))
            end = n if end < 0 else end + len(close)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and (m := re.match(r"'(\\.[^']*|[^'\\])'", text[i:])):
            out.append("' '")
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def roots(code, base):
    """(line, first segment) of every path below `base` (`crate`, `std`), groups expanded."""
    found = []
    for m in re.finditer(r"\b" + base + r"::(\w+|\{)", code):
        line = code.count("\n", 0, m.start()) + 1
        if m.group(1) != "{":
            found.append((line, m.group(1)))
            continue
        depth, j, start = 1, m.end(), m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        inner, depth, item = code[start:j - 1], 0, ""
        for ch in inner + ",":
            if ch == "," and depth == 0:
                head = re.match(r"\s*(\w+)", item)
                if head:
                    found.append((line, head.group(1)))
                item = ""
            else:
                depth += {"{": 1, "}": -1}.get(ch, 0)
                item += ch
    return found


def top_module(src, path):
    """The top-level module a file of src/ belongs to (`bin` for separate binaries)."""
    parts = os.path.relpath(path, src).split(os.sep)
    return parts[0][:-3] if parts[0].endswith(".rs") else parts[0]


def rust_files(src):
    for directory, _, names in sorted(os.walk(src)):
        for name in sorted(names):
            if name.endswith(".rs"):
                yield os.path.join(directory, name)


def check(src):
    """Every break of the rules in the crate at `src`, as messages."""
    problems, edges = [], {}
    for path in rust_files(src):
        module = top_module(src, path)
        if module in ("lib", "bin"):
            continue
        if module not in FLOOR:
            problems.append(f"{path}: module `{module}` has no floor in scripts/check-layers.py "
                            "(add it where src/lib.rs's map puts it)")
            continue
        with open(path, encoding="utf-8") as f:
            code = code_of(f.read())
        for line, target in roots(code, "crate"):
            if target == module:
                continue
            where = f"{path}:{line}"
            edges.setdefault(module, {}).setdefault(target, where)
            if target in FLOOR and FLOOR[target] >= FLOOR[module]:
                problems.append(
                    f"{where}: `{module}` imports `{target}`, on its own floor or above: a module "
                    "imports only from the floors below it (src/lib.rs, # Layout)")
            if module == "emulator" and target in EMULATOR_MAY_NOT:
                problems.append(
                    f"{where}: the emulator imports `{target}`: it is a generic Web PubSub and "
                    "knows nothing of chats, the handler or its store")
            if module == "chat" and target in IMPURE_MODULES:
                problems.append(impure(where, f"crate::{target}, a module that does I/O"))
        if module == "chat":
            problems.extend(impurities(path, code))
    problems.extend(circles(edges))
    return problems, edges


def impure(where, what):
    return (f"{where}: {what} in the chat core: src/chat is pure rules (event + state in, "
            "changes + service calls out); I/O belongs to functions/")


def impurities(path, code):
    found = []
    for line, name in roots(code, "std"):
        if name in IMPURE_STD:
            found.append(impure(f"{path}:{line}", f"std::{name}"))
    for m in re.finditer(r"\b(\w+)::", code):
        if m.group(1) in IMPURE_CRATES:
            found.append(impure(f"{path}:{code.count(chr(10), 0, m.start()) + 1}",
                                f"the I/O crate {m.group(1)}"))
    for pattern, what in IMPURE_PATTERNS:
        for m in re.finditer(pattern, code):
            found.append(impure(f"{path}:{code.count(chr(10), 0, m.start()) + 1}", what))
    return found


def circles(edges):
    """A message for each circle of imports between top-level modules."""
    found, seen = [], set()

    def visit(module, trail):
        for target in sorted(edges.get(module, {})):
            if target in trail:
                loop = trail[trail.index(target):] + [target]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    found.append(f"{edges[module][target]}: import circle {' -> '.join(loop)}: "
                                 "modules import downward only")
            elif target in edges:
                visit(target, trail + [target])

    for module in sorted(edges):
        visit(module, [module])
    return found


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    problems, edges = check(src)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} break(s) of the architecture rules", file=sys.stderr)
        return 1
    print(f"check-layers: {sum(len(v) for v in edges.values())} module imports follow the rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
