//! The harness every integration test uses: the recording REST stand-in, a handler spawned
//! on port 0 with a fresh data folder, the whole stack in-process, Azurite.

pub mod azurite;
pub mod dev_stack;
pub mod recording_pubsub;
pub mod spawn;
pub mod stack;
pub mod tcp_proxy;
