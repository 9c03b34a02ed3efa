//! Shared by the integration binaries: the recording REST stand-in and a handler spawned on
//! port 0 with a fresh data folder.

#![allow(dead_code)]

pub mod azurite;
pub mod dev_stack;
pub mod recording_pubsub;
pub mod spawn;
pub mod stack;
pub mod tcp_proxy;
