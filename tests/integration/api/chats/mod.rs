//! Chat rooms through the whole handler: the exact REST calls of every event, refusals
//! answered 200 with `actionRefused`, and the holes of the original closed.

mod chat_cap;
mod create_and_list;
mod delete;
mod join_and_leave;
mod private;
mod refusals;
mod store_failure;
