//! The harness every integration test uses, one concept per file.
//!
//! # Layout
//! - `server`: the spawn primitive: `run(listener, …, shutdown)` on a free port of 127.0.0.1,
//!   stopped through a oneshot and joined; every in-process server below runs on it.
//! - `app`: `spawn_app()`, the handler with a recording Web PubSub stand-in and a fresh
//!   store, and its typed calls (`get_token`, `get_users`, `arrive`, …); `chat_events`: its
//!   chat events (`create_chat`, `join_chat`, …); `webhook`: the raw webhook request;
//!   `answer`: what a response must be (`assert_accepted`, `refusal`, `json_with`).
//! - `recording_pubsub`: the Web PubSub REST stand-in that records every call.
//! - `stack`: the emulator and the handler wired together; `dev_stack`: `chatr dev`;
//!   `ws_client`: a WebSocket client of either.
//! - `binary`: the real `chatr`, read through `--ready-json`.
//! - `azurite`: Azure Table Storage for a test; `tcp_proxy`: a connection the test can cut.
//! - `domain`: ids, users and chats from strings known to parse.

pub mod answer;
pub mod app;
pub mod azurite;
pub mod binary;
pub mod chat_events;
pub mod dev_stack;
pub mod domain;
pub mod failing_store;
pub mod recording_pubsub;
pub mod server;
pub mod stack;
pub mod tcp_proxy;
pub mod webhook;
pub mod ws_client;
