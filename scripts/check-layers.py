#!/usr/bin/env python3
"""Checks the crate's architecture rules, which otherwise hold by discipline alone (`make lint`
runs it; exit 1 names each break and the rule behind it).

1. Floors: a module imports only from its own floor or the floors below (src/lib.rs's map).
2. No two top-level modules import each other, directly or round a longer circle.
3. The emulator is a generic Web PubSub: it never imports chat, functions, store or dev.
4. The chat core is pure: no async, no I/O, no clock in src/chat (handle(event, state) ->
   outcome; the handler does the I/O around it).

Paths are read as text (`crate::module` anywhere outside comments), so a path built by a macro is
not seen."""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "src"

# Top to bottom, as src/lib.rs's `# Layout` says. A module not listed here is an error, so that
# a new module is given its floor on purpose.
FLOORS = [
    ["main", "cli"],
    ["dev"],
    ["functions", "emulator"],
    ["store", "pubsub"],
    ["chat", "webhook", "token", "config"],
    ["access_key", "clock", "shutdown", "telemetry", "http_body", "http_client"],
]
FLOOR = {m: len(FLOORS) - i for i, floor in enumerate(FLOORS) for m in floor}

EMULATOR_MAY_NOT = {"chat", "functions", "store", "dev"}

# What the pure chat core may not contain: (pattern, what it is).
IMPURE = [
    (r"\basync\b", "async code"),
    (r"\.await\b", "an await"),
    (r"\b(tokio|warp|hyper|reqwest|rusqlite|azure_\w+|futures_util)::", "an I/O crate"),
    (r"\bstd::(fs|net|io|process|thread|env)\b", "std I/O"),
    (r"\b(SystemTime|Instant)::now\b", "a clock read"),
    (r"\bcrate::(clock|store|pubsub|functions|emulator|dev)\b", "a module that does I/O"),
]


def code_lines(path):
    """(line number, text) of each line with its `//` comment removed."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            code = re.sub(r"//.*", "", line)
            if code.strip():
                yield number, code


def top_module(path):
    """The top-level module a file of src/ belongs to (`bin` for separate binaries)."""
    parts = os.path.relpath(path, SRC).split(os.sep)
    return parts[0][:-3] if parts[0].endswith(".rs") else parts[0]


def rust_files():
    for directory, _, names in os.walk(SRC):
        for name in sorted(names):
            if name.endswith(".rs"):
                yield os.path.join(directory, name)


def main():
    problems = []
    edges = {}  # module -> {imported module: first place}
    for path in rust_files():
        module = top_module(path)
        if module in ("lib", "bin"):
            continue
        if module not in FLOOR:
            problems.append(f"{path}: module `{module}` has no floor in scripts/check-layers.py "
                            "(add it where src/lib.rs's map puts it)")
            continue
        for number, code in code_lines(path):
            for target in re.findall(r"\bcrate::(\w+)", code):
                if target == module:
                    continue
                edges.setdefault(module, {}).setdefault(target, f"{path}:{number}")
                if target in FLOOR and FLOOR[target] > FLOOR[module]:
                    problems.append(
                        f"{path}:{number}: `{module}` imports `{target}`, a higher floor: a module "
                        "imports only from its own floor or below (src/lib.rs, # Layout)")
                if module == "emulator" and target in EMULATOR_MAY_NOT:
                    problems.append(
                        f"{path}:{number}: the emulator imports `{target}`: it is a generic Web "
                        "PubSub and knows nothing of chats, the handler or its store")
            if module == "chat":
                for pattern, what in IMPURE:
                    if re.search(pattern, code):
                        problems.append(
                            f"{path}:{number}: {what} in the chat core: src/chat is pure rules "
                            "(event + state in, changes + service calls out); I/O belongs to "
                            "functions/")
    problems.extend(circles(edges))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} break(s) of the architecture rules", file=sys.stderr)
        return 1
    print(f"check-layers: {sum(len(v) for v in edges.values())} module imports follow the rules")
    return 0


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
                    where = edges[module][target]
                    found.append(f"{where}: import circle {' -> '.join(loop)}: modules import "
                                 "downward only")
            elif target in edges:
                visit(target, trail + [target])

    for module in sorted(edges):
        visit(module, [module])
    return found


if __name__ == "__main__":
    sys.exit(main())
