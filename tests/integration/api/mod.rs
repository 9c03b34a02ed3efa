//! Integration tests of `chatr serve`'s handler over HTTP, on port 0, with a fresh SQLite
//! folder and a recording stand-in for the Web PubSub REST API.

mod bad_input;
mod chats;
mod connection_cap;
mod get_token;
mod host_contract;
mod messages;
mod presence;
mod table_store;
mod users;
mod webhook;
