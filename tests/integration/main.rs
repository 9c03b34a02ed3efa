//! chatr's integration tests, one binary (one link step): each module spawns what it tests on
//! port 0 of 127.0.0.1 with a fresh data folder, through the harness in `support`.
//!
//! # Layout
//! - `support`: the harness: a server spawned on a free port, `TestApp` (the handler with a
//!   recording Web PubSub stand-in), the emulator + handler stack, `chatr dev` in-process, the
//!   real binary, Azurite, ids.
//! - `api`: the handler over HTTP: webhook protocol, presence, chats, tokens, bad input, the
//!   Functions host contract, Azure Table Storage outages.
//! - `store`: the store contract, once per `Store` (embedded SQLite, Azure Tables on Azurite).
//! - `pubsub_client`: the Web PubSub REST client's exact calls.
//! - `emulator`: the emulator with the real handler behind it.
//! - `big_chat`: a chat of 10,000 members through both (webhooks for most, real sockets for
//!   three).
//! - `dev`: `chatr dev` end to end.
//! - `serve`: the `chatr` binary itself: settings, signals, a kill mid-write.
//!
//! `cargo test --test integration api::` (or `store::`, `serve::`, …) runs one part.

#![allow(
    clippy::expect_used,
    reason = "a test fails loudly, and expect() names what was expected"
)]

mod support;

mod api;
mod big_chat;
mod dev;
mod emulator;
mod properties;
mod pubsub_client;
mod serve;
mod store;
