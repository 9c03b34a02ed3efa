//! The Web PubSub upstream as CloudEvents over HTTP: headers in, a verified event out.

pub mod abuse_protection;
pub mod cloud_event;
pub mod signature;
