//! chatr: a real-time multi-user web chat on Azure Web PubSub, Static Web Apps and Table
//! Storage, whose back end is this one binary running as an Azure Functions custom handler.
//!
//! `chatr serve` is the handler: it verifies Web PubSub webhooks, signs client tokens for the
//! Static Web Apps principal, calls the Web PubSub REST API and keeps the chat's state in a
//! [`store::Store`].
//!
//! # Layout
//! Floors, top to bottom; a module imports only from floors below it.
//! - `main.rs`, [`cli`]: parse the command line, bind sockets, print banners.
//! - [`dev`]: `chatr dev`, the emulator, the handler and the site with Static Web Apps'
//!   routes and sign-in, in one process.
//! - [`functions`]: the custom handler: one route table, one file per Function, the webhook
//!   pipeline (`process`) and the ghost-connection sweep; [`emulator`]: a local Web PubSub
//!   (client endpoint, REST API, upstream), knowing nothing of chats.
//! - [`store`]: the `Store` trait and its SQLite implementation; [`pubsub`]: the Web PubSub
//!   REST client with retries.
//! - [`chat`]: the pure rules (event + state in, changes + service calls out) and the typed
//!   domain values; [`webhook`]: CloudEvents parsing, `ce-signature`, abuse protection;
//!   [`token`]: HS256 tokens; [`config`]: settings, read once; [`access_key`], [`clock`],
//!   [`shutdown`], [`telemetry`]; [`http_body`]: request bodies read with a size limit.

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
pub mod pubsub;
pub mod shutdown;
pub mod store;
pub mod telemetry;
pub mod token;
pub mod webhook;
