//! Property tests of every parser of untrusted input (issue 17): whatever arrives, each one
//! answers (a value or an error), never panics, and what it accepts keeps its rules; valid
//! values round-trip. `make test` runs proptest's default 256 cases each; `make fuzz` runs
//! them long (`PROPTEST_CASES`), the stable toolchain's stand-in for cargo-fuzz.
//!
//! - `webhook`: CloudEvents headers (`ce-signature`, ids, hub, type) and bodies.
//! - `tokens`: HS256 tokens.
//! - `principal`: `x-ms-client-principal`.
//! - `settings`: connection strings (Web PubSub, Table Storage).
//! - `values`: names and ids.
//! - `frames`: the emulator's client frames, the chat's client events.
//! - `edges`: the sign-in cookie, `Host`, `Origin`, REST bodies, message text and ids.
//!
//! The OData `filter` of the emulator's REST API has its own properties
//! (`src/emulator/filter/tests.rs`).

mod edges;
mod frames;
mod principal;
mod settings;
mod tokens;
mod values;
mod webhook;

use chatr::access_key::AccessKey;

/// The key every property signs with.
pub fn key() -> AccessKey {
    AccessKey::new("property-test-key-0123456789abcdefghijklmnop").expect("a valid key")
}
