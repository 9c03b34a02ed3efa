//! The load generator's parts, one concept per file.
//!
//! # Layout
//! Against `chatr emulator`:
//! - [`emulator`]: the emulator under test, a child process or one already running; its
//!   resident memory and CPU time from `/proc`.
//! - [`client`]: client tokens, WebSocket connections, opening many with bounded concurrency.
//! - [`fanout`]: one sender, a group of receivers, deliveries per second and latency.
//! - [`idle`]: idle connections held and the emulator's memory per 1,000 of them.
//! - [`connects`]: connections per second through the token check and a real upstream.
//! - [`slow_reader`]: a member that never reads while the group is flooded: memory stays flat.
//! - [`handler`]: the tiny event handler `connects` points the emulator at.
//!
//! Against `chatr serve` (membership):
//! - [`serve`]: `chatr serve` as a child on a fresh data directory, stopped with SIGTERM.
//! - [`stand_in`]: the Web PubSub REST stand-in the handler calls after each change.
//! - [`webhook`]: signed webhook requests, `GET /api/chats` and `/api/users`; what an answer
//!   means.
//! - [`membership`]: what the three scenarios share: the stack, requests driven and timed.
//! - [`joins`], [`creates`], [`burst`]: the scenarios; [`chat_size`]: typing and the members
//!   search in a chat of 10,000 and one of 1,000 (part of `joins`).
//!
//! Against `chatr dev` (messages):
//! - [`chat`]: members on WebSockets send through the handler; stored/s, deliveries/s and
//!   send-to-receipt latency (`serve` starts the stack).
//!
//! - [`stats`]: percentiles, windows, failures and the printed figures.
//!
//! # The life of a membership scenario
//! `membership::Stack::start` starts the `stand_in`, then `serve` pointed at it → the
//! scenario sends signed events through `webhook`, `membership::drive` timing each →
//! `stats` turns the latencies into percentiles and windows → `Stack::stop` prints the
//! handler's peak memory, CPU time and REST calls, and stops it.

pub mod burst;
pub mod chat;
pub mod chat_size;
pub mod client;
pub mod connects;
pub mod creates;
pub mod emulator;
pub mod fanout;
pub mod handler;
pub mod idle;
pub mod joins;
pub mod membership;
pub mod serve;
pub mod slow_reader;
pub mod stand_in;
pub mod stats;
pub mod webhook;
