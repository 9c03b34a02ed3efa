"""staticwebapp.config.json gates /api: every route the client calls needs a signed-in user, and
/api/eventHandler, which the Web PubSub service calls, is the only anonymous one.

The rules are evaluated as Static Web Apps does: in order, the first rule whose `route` (and
`methods`, when given) matches the request decides; `*` is a wildcard only at the end of a
route, optionally followed by a `.{ext,...}` filter; matching ignores case."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO

CONFIG = REPO / "staticwebapp.config.json"

# The routes the browser client calls, and the one the Web PubSub service calls.
CLIENT_ROUTES = {"/api/getToken", "/api/users", "/api/chats", "/api/chats/{chatId}/messages"}
SERVICE_ROUTE = "/api/eventHandler"


def route_matches(pattern: str, path: str) -> bool:
    pattern, path = pattern.lower(), path.lower()
    if "*" not in pattern:
        return pattern == path
    prefix, _, after = pattern.partition("*")
    if not after:
        return path.startswith(prefix)
    extensions = re.fullmatch(r"\.\{([^}]*)\}", after)
    if extensions is None:
        raise ValueError(f"route {pattern!r}: a wildcard may only end the route")
    return path.startswith(prefix) and path.rsplit(".", 1)[-1] in extensions.group(1).split(",")


def deciding_rule(routes: list[dict], path: str, method: str) -> dict | None:
    """The first rule that matches the request, or None when no rule does."""
    for rule in routes:
        methods = [m.upper() for m in rule.get("methods", [])]
        if route_matches(rule["route"], path) and (not methods or method.upper() in methods):
            return rule
    return None


def is_anonymous(rule: dict | None) -> bool:
    """Whether a request that this rule decides reaches the API without a signed-in user."""
    return rule is None or not rule.get("allowedRoles") or "anonymous" in rule["allowedRoles"]


def function_routes() -> dict[str, list[str]]:
    """Every /api route the Function folders declare, with its methods."""
    prefix = json.loads((REPO / "host.json").read_text())["extensions"]["http"]["routePrefix"]
    routes = {}
    for function_json in sorted(REPO.glob("*/function.json")):
        trigger = next(
            b for b in json.loads(function_json.read_text())["bindings"] if b["type"] == "httpTrigger"
        )
        route = trigger.get("route", function_json.parent.name)
        routes[f"/{prefix}/{route}"] = [m.upper() for m in trigger["methods"]]
    return routes


@pytest.fixture
def routes() -> list[dict]:
    if not CONFIG.exists():
        pytest.skip(f"NOTICE: {CONFIG.name} does not exist yet; its /api rules are unchecked")
    return json.loads(CONFIG.read_text()).get("routes", [])


def test_the_function_folders_serve_the_client_routes_and_the_event_handler() -> None:
    assert set(function_routes()) == CLIENT_ROUTES | {SERVICE_ROUTE}


def test_every_api_route_the_client_calls_needs_a_signed_in_user(routes: list[dict]) -> None:
    for path in sorted(CLIENT_ROUTES):
        for method in function_routes()[path]:
            rule = deciding_rule(routes, path, method)
            assert not is_anonymous(rule), f"{method} {path} is open to anonymous users (rule {rule})"
            assert not {"redirect", "rewrite", "statusCode"} & set(rule), (
                f"{method} {path}: rule {rule} hides the API"
            )


def test_the_event_handler_is_the_only_anonymous_api_route(routes: list[dict]) -> None:
    anonymous = {
        path
        for path, methods in function_routes().items()
        if any(is_anonymous(deciding_rule(routes, path, method)) for method in methods)
    }
    assert anonymous == {SERVICE_ROUTE}
    for method in function_routes()[SERVICE_ROUTE]:
        rule = deciding_rule(routes, SERVICE_ROUTE, method) or {}
        assert not {"redirect", "rewrite", "statusCode"} & set(rule), f"{method} {SERVICE_ROUTE}: rule {rule}"


def test_rules_are_evaluated_in_order_with_a_trailing_wildcard() -> None:
    rules = [
        {"route": "/api/eventHandler", "allowedRoles": ["anonymous"]},
        {"route": "/api/*", "allowedRoles": ["authenticated"]},
        {"route": "/images/*.{png,svg}", "allowedRoles": ["anonymous"]},
        {"route": "/admin*", "methods": ["POST"], "allowedRoles": ["administrator"]},
    ]
    assert deciding_rule(rules, "/api/eventhandler", "POST") is rules[0]
    assert deciding_rule(rules, "/api/users", "GET") is rules[1]
    assert deciding_rule(rules, "/api", "GET") is None  # `/api/*` does not match `/api`
    assert deciding_rule(rules, "/images/a/logo.svg", "GET") is rules[2]
    assert deciding_rule(rules, "/images/logo.gif", "GET") is None
    assert deciding_rule(rules, "/administration", "POST") is rules[3]
    assert deciding_rule(rules, "/admin", "GET") is None
    assert is_anonymous(None) and is_anonymous({"route": "/x"}) and not is_anonymous(rules[1])


def test_a_catch_all_anonymous_rule_before_the_api_rule_is_caught() -> None:
    rules = [
        {"route": "/*", "allowedRoles": ["anonymous"]},
        {"route": "/api/*", "allowedRoles": ["authenticated"]},
    ]
    assert is_anonymous(deciding_rule(rules, "/api/users", "GET"))
