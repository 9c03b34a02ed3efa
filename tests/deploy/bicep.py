"""Reads Bicep files with tree-sitter-bicep: the syntax check and just enough structure to follow
declarations and object properties. The Bicep CLI cannot be installed on the machines that run
`make test` (deploy/README.md), so `bicep build` runs in the GitHub workflow instead."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter_bicep
from tree_sitter import Language, Node, Parser

PARSER = Parser(Language(tree_sitter_bicep.language()))


@dataclass(frozen=True)
class Resource:
    """A `resource name 'type@version' = { ... }` declaration."""

    name: str
    type: str
    api_version: str
    body: Node


@dataclass(frozen=True)
class BicepFile:
    path: Path
    root: Node

    def syntax_errors(self) -> list[str]:
        """Every ERROR or MISSING node, as `line:column: text`."""
        errors = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.type == "ERROR" or node.is_missing:
                row, column = node.start_point
                errors.append(f"{self.path}:{row + 1}:{column + 1}: {text(node)[:60]!r}")
            stack.extend(node.children)
        return errors

    def declarations(self, kind: str) -> list[Node]:
        """Top-level declarations of one kind: `resource`, `module`, `param`, `var`, `output`."""
        node_type = {"param": "parameter_declaration", "var": "variable_declaration"}.get(
            kind, f"{kind}_declaration"
        )
        return [node for node in self.root.named_children if node.type == node_type]

    def declaration(self, kind: str, name: str) -> Node:
        for node in self.declarations(kind):
            if declared_name(node) == name:
                return node
        raise KeyError(f"{self.path} declares no {kind} {name}")

    def resources(self) -> list[Resource]:
        found = []
        for node in self.declarations("resource"):
            type_node = next(child for child in node.named_children if child.type == "string")
            resource_type, _, api_version = string_value(type_node).partition("@")
            found.append(Resource(declared_name(node), resource_type, api_version, body(node)))
        return found

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources() if r.name == name)

    def decorators(self, declaration: Node) -> list[str]:
        """The decorators written above a declaration (`@secure()`, `@allowed([...])`)."""
        previous = declaration.prev_named_sibling
        while previous is not None and previous.type == "comment":
            previous = previous.prev_named_sibling
        if previous is None or previous.type != "decorators":
            return []
        return [text(child) for child in previous.named_children if child.type == "decorator"]


@cache
def load(path: Path) -> BicepFile:
    return BicepFile(path, PARSER.parse(path.read_bytes()).root_node)


def text(node: Node) -> str:
    return node.text.decode()


def declared_name(declaration: Node) -> str:
    return text(next(child for child in declaration.named_children if child.type == "identifier"))


def declared_value(declaration: Node) -> Node | None:
    """The expression after `=`: a var's or output's value, a param's default (None without)."""
    for child in declaration.children:
        if child.type == "=":
            return child.next_named_sibling
    return None


def body(declaration: Node) -> Node:
    """The object of a resource or module, also under `if (...)` or `[for ...]`."""
    value = declared_value(declaration)
    if value is not None and value.type in ("if_statement", "for_statement"):
        value = value.named_children[-1]
    if value is None or value.type != "object":
        raise ValueError(f"no object body in {text(declaration)[:80]!r}")
    return value


def string_value(node: Node) -> str | None:
    """A plain string's value; None for anything else, interpolated strings included."""
    if node.type != "string" or any(child.type == "interpolation" for child in node.named_children):
        return None
    return "".join(text(child) for child in node.named_children if child.type == "string_content")


def prop(obj: Node, *path: str) -> Node:
    """Follows object properties: prop(body, 'properties', 'siteConfig')."""
    node = obj
    for key in path:
        for child in node.named_children:
            if child.type == "object_property" and text(child.named_children[0]).strip("'") == key:
                node = child.named_children[-1]
                break
        else:
            raise KeyError(f"no property {key!r} in {text(node)[:80]!r}")
    return node


def items(array: Node) -> list[Node]:
    return [child for child in array.named_children if child.type != "comment"]


def string_items(array: Node) -> list[str | None]:
    return [string_value(item) for item in items(array)]


def identifiers(node: Node) -> set[str]:
    """Every identifier an expression refers to (not property names)."""
    found = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.add(text(current))
        stack.extend(current.named_children)
    return found


def calls_list_function(node: Node) -> bool:
    """Whether an expression calls listKeys(), listSecrets() or any other list* function, the
    functions that return keys."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "call_expression":
            function = current.named_children[0]
            name = function.named_children[-1] if function.type == "member_expression" else function
            if text(name).startswith("list"):
                return True
        stack.extend(current.named_children)
    return False


def secret_variables(bicep: BicepFile) -> set[str]:
    """Variables whose value holds a key: they call a list* function, or use such a variable."""
    secret: set[str] = set()
    changed = True
    while changed:
        changed = False
        for var in bicep.declarations("var"):
            name, value = declared_name(var), declared_value(var)
            if name not in secret and (calls_list_function(value) or identifiers(value) & secret):
                secret.add(name)
                changed = True
    return secret
