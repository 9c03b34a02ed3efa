//! The load generator's parts, one concept per file.
//!
//! # Layout
//! - [`emulator`]: the emulator under test, a child process or one already running; its
//!   resident memory and CPU time from `/proc`.
//! - [`client`]: client tokens, WebSocket connections, opening many with bounded concurrency.
//! - [`fanout`]: one sender, a group of receivers, deliveries per second and latency.
//! - [`idle`]: idle connections held and the emulator's memory per 1,000 of them.
//! - [`connects`]: connections per second through the token check and a real upstream.
//! - [`handler`]: the tiny event handler `connects` points the emulator at.
//! - [`stats`]: percentiles and the printed figures.

pub mod client;
pub mod connects;
pub mod emulator;
pub mod fanout;
pub mod handler;
pub mod idle;
pub mod stats;
