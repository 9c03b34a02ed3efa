//! Messages through the whole handler: stored, then answered to the sender and delivered by
//! the exact REST calls; resends; edits and deletes; who may do what.

mod history;
mod send;
mod typing;
