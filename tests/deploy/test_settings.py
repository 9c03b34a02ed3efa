"""The Functions app's settings, against an explicit list: every setting the handler reads
(src/config/names.rs, HANDLER_SETTINGS) is either set by the Bicep or local-only, the host's own
settings are set and documented, and the local-only ones never reach Azure."""

from __future__ import annotations

import re

import bicep
from conftest import DEPLOY, REPO

# Read by the handler, set by the Bicep (from listKeys() or a parameter).
HANDLER = {"WebPubSubConnectionString", "WebPubSubHub", "TableStorageConnectionString"}
# Read by the Functions host on Flex Consumption, set by the Bicep, explained in deploy/README.md.
HOST = {
    "AzureWebJobsStorage",
    "DEPLOYMENT_STORAGE_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
}
# Read by the handler when run locally; in Azure the store is Table Storage, the host picks
# the port and Web PubSub's certificate chains to a public root, so the Bicep never sets these.
LOCAL_ONLY = {"CHATR_DATA_DIR", "FUNCTIONS_CUSTOMHANDLER_PORT", "CHATR_EXTRA_CA_CERTS"}
# Read by the handler, with defaults fit for Azure; the Bicep leaves them at their defaults (an
# operator may set them on the Functions app).
TUNING = {
    "CHATR_MAX_CONNECTIONS_PER_USER",
    "CHATR_MAX_CHATS_PER_USER",
    "CHATR_SWEEP_SECONDS",
    "CHATR_MESSAGE_BURST",
    "CHATR_MESSAGE_RATE",
    "CHATR_CHAT_CREATE_PER_MINUTE",
    "CHATR_HISTORY_READS_PER_MINUTE",
    "CHATR_DIRECT_RELAY",
    "CHATR_MESSAGE_RETENTION_DAYS",
    "CHATR_HEADER_TIMEOUT_SECS",
    "CHATR_BODY_TIMEOUT_SECS",
    "CHATR_SHUTDOWN_GRACE_SECS",
}

CONFIG = REPO / "src" / "config" / "names.rs"
FUNCTION_APP = bicep.load(DEPLOY / "modules" / "functionapp.bicep")


def settings_the_handler_reads() -> set[str]:
    """The names in HANDLER_SETTINGS, the handler's one list of the settings it reads."""
    source = CONFIG.read_text()
    constants = dict(re.findall(r'pub const (\w+): &str = "(\w+)";', source))
    table = re.search(r"pub const HANDLER_SETTINGS: [^=]+= &\[(.*?)\n\];", source, re.DOTALL)
    assert table, f"HANDLER_SETTINGS not found in {CONFIG}"
    return {constants[name] for name in re.findall(r"\(\s*(\w+),", table.group(1))}


def app_settings() -> dict[str, bicep.Node]:
    """The Functions app's app settings in the Bicep: name -> value expression."""
    site = FUNCTION_APP.resource("functionApp").body
    entries = bicep.items(bicep.prop(site, "properties", "siteConfig", "appSettings"))
    return {bicep.string_value(bicep.prop(e, "name")): bicep.prop(e, "value") for e in entries}


def test_the_explicit_lists_cover_every_setting_the_handler_reads() -> None:
    # A new handler setting fails here until it is added to HANDLER (and the Bicep), LOCAL_ONLY
    # or TUNING.
    assert settings_the_handler_reads() == HANDLER | LOCAL_ONLY | TUNING


def test_the_bicep_sets_exactly_the_handler_and_host_settings() -> None:
    assert set(app_settings()) == HANDLER | HOST


def test_the_connection_strings_are_wired_from_keys_inside_the_template() -> None:
    secret = bicep.secret_variables(FUNCTION_APP)
    settings = app_settings()
    for name in ("WebPubSubConnectionString", "TableStorageConnectionString", "AzureWebJobsStorage"):
        assert bicep.identifiers(settings[name]) & secret, f"{name} is not built from listKeys()"
    assert bicep.text(settings["WebPubSubHub"]) == "hub"


def test_the_host_settings_are_documented_in_the_deploy_readme() -> None:
    readme = (DEPLOY / "README.md").read_text()
    assert [name for name in sorted(HOST) if f"`{name}`" not in readme] == []


def test_the_local_only_settings_are_never_set_by_the_bicep() -> None:
    for path in DEPLOY.rglob("*.bicep"):
        text = path.read_text()
        assert [name for name in sorted(LOCAL_ONLY) if name in text] == [], path
