"""deploy/**/*.bicep: it parses, uses the API versions of the hosting reference (section G), keeps
every key inside the deployment, and configures what the chat needs."""

from __future__ import annotations

import re
from pathlib import Path

import bicep
import pytest
from conftest import DEPLOY

BICEP_FILES = sorted(DEPLOY.rglob("*.bicep"))
MAIN = DEPLOY / "main.bicep"
MODULES = DEPLOY / "modules"

# docs/azure-hosting-and-crates.md, section G; the monitoring types are not in it
# and use the versions of the Azure Functions Flex Consumption samples.
API_VERSIONS = {
    "Microsoft.SignalRService/webPubSub": {"2024-03-01"},
    "Microsoft.SignalRService/webPubSub/hubs": {"2024-03-01"},
    "Microsoft.Web/staticSites": {"2024-04-01"},
    "Microsoft.Web/staticSites/linkedBackends": {"2024-04-01"},
    "Microsoft.Web/serverfarms": {"2024-04-01"},
    "Microsoft.Web/sites": {"2024-04-01"},
    "Microsoft.Storage/storageAccounts": {"2023-05-01", "2024-01-01", "2025-01-01"},
    "Microsoft.Storage/storageAccounts/blobServices": {"2023-05-01", "2024-01-01", "2025-01-01"},
    "Microsoft.Storage/storageAccounts/blobServices/containers": {"2023-05-01", "2024-01-01", "2025-01-01"},
    "Microsoft.Storage/storageAccounts/tableServices": {"2023-05-01", "2024-01-01", "2025-01-01"},
    "Microsoft.Storage/storageAccounts/tableServices/tables": {"2023-05-01", "2024-01-01", "2025-01-01"},
    "Microsoft.OperationalInsights/workspaces": {"2023-09-01"},
    "Microsoft.Insights/components": {"2020-02-02"},
}


def names(path: Path) -> str:
    return path.relative_to(DEPLOY).as_posix()


def test_there_is_a_main_template_with_modules() -> None:
    assert MAIN in BICEP_FILES and len(BICEP_FILES) > 1


@pytest.mark.parametrize("path", BICEP_FILES, ids=names)
def test_the_bicep_file_parses(path: Path) -> None:
    assert bicep.load(path).syntax_errors() == []


@pytest.mark.parametrize("path", BICEP_FILES, ids=names)
def test_every_module_the_file_uses_exists(path: Path) -> None:
    for module in bicep.load(path).declarations("module"):
        source = next(child for child in module.named_children if child.type == "string")
        assert (path.parent / bicep.string_value(source)).is_file(), bicep.text(source)


@pytest.mark.parametrize("path", BICEP_FILES, ids=names)
def test_every_resource_uses_an_api_version_of_the_reference(path: Path) -> None:
    for resource in bicep.load(path).resources():
        assert resource.api_version in API_VERSIONS.get(resource.type, set()), (
            f"{resource.name}: {resource.type}@{resource.api_version}"
        )


def test_the_only_output_of_the_deployment_is_the_site_url() -> None:
    outputs = bicep.load(MAIN).declarations("output")
    assert [bicep.declared_name(o) for o in outputs] == ["siteUrl"]
    assert bicep.text(bicep.declared_value(outputs[0])) == "'https://${site.outputs.hostname}'"


@pytest.mark.parametrize("path", BICEP_FILES, ids=names)
def test_no_output_carries_a_key(path: Path) -> None:
    # Module outputs are kept in the deployment history too, so none may hold a key.
    template = bicep.load(path)
    secret = bicep.secret_variables(template)
    for output in template.declarations("output"):
        value = bicep.declared_value(output)
        assert not bicep.calls_list_function(value), bicep.text(output)
        assert not bicep.identifiers(value) & secret, bicep.text(output)


@pytest.mark.parametrize("path", BICEP_FILES, ids=names)
def test_no_parameter_takes_a_secret(path: Path) -> None:
    # Keys are read inside the template with listKeys(), never passed in.
    template = bicep.load(path)
    for param in template.declarations("param"):
        assert not any(d.startswith("@secure") for d in template.decorators(param)), bicep.text(param)


def test_a_parameter_chooses_the_web_pubsub_key_and_defaults_to_the_primary() -> None:
    main = bicep.load(MAIN)
    key = main.declaration("param", "webPubSubKey")
    [allowed] = [d for d in main.decorators(key) if d.startswith("@allowed")]
    assert re.findall(r"'(\w+)'", allowed) == ["primary", "secondary"]
    assert bicep.string_value(bicep.declared_value(key)) == "primary"
    app = bicep.load(MODULES / "functionapp.bicep")
    choice = bicep.text(bicep.declared_value(app.declaration("var", "webPubSubConnectionString")))
    assert choice == (
        "webPubSubKey == 'primary' ? webPubSubKeys.primaryConnectionString "
        ": webPubSubKeys.secondaryConnectionString"
    )


def test_the_functions_app_is_a_linux_custom_handler_on_flex_consumption_over_https_and_tls_1_2() -> None:
    app = bicep.load(MODULES / "functionapp.bicep")
    plan = app.resource("plan").body
    assert bicep.string_value(bicep.prop(plan, "sku", "name")) == "FC1"
    site = app.resource("functionApp").body
    assert bicep.string_value(bicep.prop(site, "kind")) == "functionapp,linux"
    assert bicep.text(bicep.prop(site, "properties", "httpsOnly")) == "true"
    assert bicep.string_value(bicep.prop(site, "properties", "siteConfig", "minTlsVersion")) == "1.2"
    runtime = bicep.prop(site, "properties", "functionAppConfig", "runtime")
    assert bicep.string_value(bicep.prop(runtime, "name")) == "custom"
    assert bicep.string_value(bicep.prop(runtime, "version")) == "1.0"


def test_the_storage_account_has_the_chat_tables() -> None:
    storage = bicep.load(MODULES / "storage.bicep")
    tables = bicep.string_items(bicep.declared_value(storage.declaration("var", "tables")))
    assert {"chats", "users"} <= set(tables)
    assert (
        bicep.string_value(bicep.prop(storage.resource("account").body, "properties", "minimumTlsVersion"))
        == "TLS1_2"
    )


def test_the_chat_hub_sends_every_user_event_and_connected_and_disconnected_to_the_site() -> None:
    hub = bicep.load(MODULES / "webpubsub-hub.bicep").resource("chatHub").body
    [handler] = bicep.items(bicep.prop(hub, "properties", "eventHandlers"))
    assert bicep.text(bicep.prop(handler, "urlTemplate")) == "'https://${siteHostname}/api/eventHandler'"
    assert bicep.string_value(bicep.prop(handler, "userEventPattern")) == "*"
    assert bicep.string_items(bicep.prop(handler, "systemEvents")) == ["connect", "connected", "disconnected"]

    main = bicep.load(MAIN)
    assert bicep.string_value(bicep.declared_value(main.declaration("param", "hub"))) == "chat"
    wiring = bicep.body(main.declaration("module", "eventHandler"))
    assert bicep.text(bicep.prop(wiring, "params", "siteHostname")) == "site.outputs.hostname"


def test_the_static_web_app_is_standard_and_links_the_functions_app_as_its_backend() -> None:
    swa = bicep.load(MODULES / "staticwebapp.bicep")
    assert bicep.string_value(bicep.prop(swa.resource("site").body, "sku", "name")) == "Standard"
    backend = swa.resource("backend")
    assert backend.type == "Microsoft.Web/staticSites/linkedBackends"
    assert bicep.text(bicep.prop(backend.body, "properties", "backendResourceId")) == "backendResourceId"
    main = bicep.body(bicep.load(MAIN).declaration("module", "site"))
    assert bicep.text(bicep.prop(main, "params", "backendResourceId")) == "functionApp.outputs.id"
