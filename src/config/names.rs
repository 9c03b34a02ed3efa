//! The names of the settings chatr reads, and the one list of them that `--help`, the README
//! and `local.settings.sample.json` are checked against.

/// Web PubSub connection string setting.
pub const WEB_PUBSUB_CONNECTION_STRING: &str = "WebPubSubConnectionString";
/// Hub name setting.
pub const WEB_PUBSUB_HUB: &str = "WebPubSubHub";
/// Table Storage connection string setting (unset: the embedded store).
pub const TABLE_STORAGE_CONNECTION_STRING: &str = "TableStorageConnectionString";
/// Folder of the embedded store.
pub const CHATR_DATA_DIR: &str = "CHATR_DATA_DIR";
/// The port the Functions host tells a custom handler to listen on.
pub const FUNCTIONS_CUSTOMHANDLER_PORT: &str = "FUNCTIONS_CUSTOMHANDLER_PORT";
/// The most connections one user may hold at once (0: no limit).
pub const CHATR_MAX_CONNECTIONS_PER_USER: &str = "CHATR_MAX_CONNECTIONS_PER_USER";
/// The most chats one user may be in (0: no limit).
pub const CHATR_MAX_CHATS_PER_USER: &str = "CHATR_MAX_CHATS_PER_USER";
/// Seconds between sweeps of dead connections and deleted chats (0: no sweep).
pub const CHATR_SWEEP_SECONDS: &str = "CHATR_SWEEP_SECONDS";

/// A PEM file of CA certificates trusted, besides the public roots, for calls to Web PubSub.
pub const CHATR_EXTRA_CA_CERTS: &str = "CHATR_EXTRA_CA_CERTS";

/// Seconds a client has to send a request's headers (slow clients are cut).
pub const CHATR_HEADER_TIMEOUT_SECS: &str = "CHATR_HEADER_TIMEOUT_SECS";
/// Seconds a client has to send a request's body.
pub const CHATR_BODY_TIMEOUT_SECS: &str = "CHATR_BODY_TIMEOUT_SECS";
/// Seconds shutdown waits for open connections before it cuts them.
pub const CHATR_SHUTDOWN_GRACE_SECS: &str = "CHATR_SHUTDOWN_GRACE_SECS";

/// Messages one user may send at once before the rate applies (0: no limit).
pub const CHATR_MESSAGE_BURST: &str = "CHATR_MESSAGE_BURST";
/// Messages per second one user may send, sustained (0: no limit).
pub const CHATR_MESSAGE_RATE: &str = "CHATR_MESSAGE_RATE";
/// Chats one user may create per minute (0: no limit).
pub const CHATR_CHAT_CREATE_PER_MINUTE: &str = "CHATR_CHAT_CREATE_PER_MINUTE";
/// Pages of history one user may read per minute (0: no limit).
pub const CHATR_HISTORY_READS_PER_MINUTE: &str = "CHATR_HISTORY_READS_PER_MINUTE";

/// Days a message is kept (0: forever).
pub const CHATR_MESSAGE_RETENTION_DAYS: &str = "CHATR_MESSAGE_RETENTION_DAYS";
/// `true`: members' connections may publish to their chats' groups directly, as the original
/// client does (those messages are not kept, checked or limited).
pub const CHATR_DIRECT_RELAY: &str = "CHATR_DIRECT_RELAY";

/// Every setting the handler reads, with what it is for: the single list that `--help`,
/// README and `local.settings.sample.json` are checked against.
pub const HANDLER_SETTINGS: &[(&str, &str)] = &[
    (
        WEB_PUBSUB_CONNECTION_STRING,
        "required: Endpoint=https://<name>.webpubsub.azure.com;AccessKey=<key>;Version=1.0; (optional Port=<n>;)",
    ),
    (WEB_PUBSUB_HUB, "the hub the chat uses (default chat)"),
    (
        TABLE_STORAGE_CONNECTION_STRING,
        "Azure Table Storage for the chat state; unset means the embedded SQLite store",
    ),
    (CHATR_DATA_DIR, "folder of the embedded store (default .chatr)"),
    (
        CHATR_EXTRA_CA_CERTS,
        "a PEM file of CA certificates trusted besides the public roots for Web PubSub calls (an HTTPS emulator's own CA)",
    ),
    (
        FUNCTIONS_CUSTOMHANDLER_PORT,
        "port to listen on, set by the Functions host (default 7071; 0 picks a free port)",
    ),
    (
        CHATR_MAX_CONNECTIONS_PER_USER,
        "most connections one user holds at once, tabs and devices alike (default 20; 0: no limit)",
    ),
    (
        CHATR_MAX_CHATS_PER_USER,
        "most chats one user is in; the connect answer names each (default 1000; 0: no limit)",
    ),
    (
        CHATR_SWEEP_SECONDS,
        "seconds between sweeps of dead connections and deleted chats (default 300; 0: none)",
    ),
    (
        CHATR_MESSAGE_BURST,
        "messages one user may send in a burst, per handler instance (default 20; 0: no limit)",
    ),
    (
        CHATR_MESSAGE_RATE,
        "messages per second one user may send, sustained, per instance (default 5; 0: no limit)",
    ),
    (
        CHATR_CHAT_CREATE_PER_MINUTE,
        "chats (group or private) one user may open per minute, per instance (default 10; 0: no limit)",
    ),
    (
        CHATR_HISTORY_READS_PER_MINUTE,
        "pages of message history (and markRead, /api/chats) one user may read per minute, per instance (default 120; 0: no limit)",
    ),
    (
        CHATR_MESSAGE_RETENTION_DAYS,
        "days a message is kept; older ones go in the sweep (default 0: forever)",
    ),
    (
        CHATR_HEADER_TIMEOUT_SECS,
        "seconds a client has to send a request's headers; then its connection is closed (default 30)",
    ),
    (
        CHATR_BODY_TIMEOUT_SECS,
        "seconds a client has to send a request's body; then 408 (default 30)",
    ),
    (
        CHATR_SHUTDOWN_GRACE_SECS,
        "seconds shutdown waits for open connections before it cuts them (default 5)",
    ),
    (
        CHATR_DIRECT_RELAY,
        "true: members publish to their chats' groups directly, as the original client does; unkept, unlimited (default false)",
    ),
];
