//! chatr: a real-time multi-user web chat on Azure Web PubSub, Static Web Apps and Table
//! Storage, whose back end is this one binary running as an Azure Functions custom handler.
//!
//! `chatr serve` is the handler: it verifies Web PubSub webhooks, signs client tokens for the
//! Static Web Apps principal, calls the Web PubSub REST API and keeps the chat's state in a
//! [`store::Store`]. `chatr emulator` is a local Web PubSub that Microsoft's SDKs work
//! against; `chatr dev` runs both with the site in one process.
//!
//! # Layout
//! Floors, top to bottom; a module imports only from the floors below its own
//! (`scripts/check-layers.py`, run by `make lint`, checks it).
//! - `main.rs`, [`cli`]: parse the command line, bind sockets, print banners.
//! - [`dev`]: `chatr dev`, the emulator, the handler and the site with Static Web Apps'
//!   routes and sign-in, in one process.
//! - [`functions`]: the custom handler: the Functions and their route templates, one file per
//!   Function, the webhook pipeline (`process`) and the ghost-connection sweep;
//!   [`emulator`]: a local Web PubSub (client endpoint, REST API, upstream), knowing nothing
//!   of chats.
//! - [`store`]: the `Store` trait and its two implementations, embedded SQLite
//!   (`store::embedded`) and Azure Table Storage (`store::table`); [`pubsub`]: the Web
//!   PubSub REST client with retries.
//! - [`chat`]: the pure rules (event + state in, changes + service calls out) and the typed
//!   domain values; [`webhook`]: CloudEvents parsing, `ce-signature`, abuse protection;
//!   [`token`]: HS256 tokens.
//! - [`config`]: settings, read once, with the typed values they parse into.
//! - [`listener`]: our accept loop for every HTTP listener (TLS, header and body timeouts, a
//!   connection bound, a bounded drain at shutdown).
//! - [`access_key`], [`clock`], [`shutdown`], [`telemetry`]; [`http_body`]: request bodies
//!   read with a size limit; [`http_client`]: the error of an outgoing client that cannot be
//!   built.
//!
//! Beside the library: `src/bin/chatr-load.rs` (+ `src/bin/chatr_load/`), the load generator
//! of `docs/PERFORMANCE.md`, a binary of its own that drives `chatr` over sockets;
//! `benches/hot_paths.rs`, criterion benchmarks of the hot paths; `tests/`, the integration
//! binaries and the Node suites (official SDKs, browsers). `docs/webpubsub-protocol.md` is the
//! service as the emulator and handler implement it, `docs/chatr-original.md` the original app.

#![warn(unreachable_pub)]

pub mod access_key;
pub mod chat;
pub mod cli;
pub mod clock;
pub mod config;
pub mod dev;
pub mod emulator;
pub mod functions;
pub mod http_body;
pub mod http_client;
pub mod listener;
pub mod pubsub;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod token;
pub mod webhook;
