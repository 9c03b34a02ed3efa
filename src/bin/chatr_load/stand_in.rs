//! A stand-in for the Web PubSub REST API that `chatr serve` calls after each change: it
//! answers every call with the service's success status and counts the calls by kind, so
//! that the membership scenarios measure the handler and its store, not a service.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use warp::filters::path::FullPath;
use warp::http::{Method, StatusCode};
use warp::Filter;

/// The largest request body the stand-in reads (the handler's sends are small JSON); a
/// larger one is rejected before it is read. (Not `content_length_limit`: that refuses the
/// handler's bodiless `PUT`, `DELETE` and `HEAD`, which carry no `content-length`.)
const BODY_LIMIT: u64 = 1024 * 1024;

/// What kind of call the handler made, by the service's REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `POST …/:send` (to all, a user, a connection or a group).
    Send,
    /// `POST …/:removeFromGroups`: a chat's group emptied at once.
    RemoveFromGroups,
    /// `PUT`: a connection or user added to a group, a permission granted.
    Add,
    /// `DELETE`: a removal, a revocation, a close.
    Remove,
    /// `HEAD /connections/{id}`: is the connection still open.
    Exists,
    /// Anything else (answered 405).
    Other,
}

impl Kind {
    /// The kind of a call, from its method and path.
    pub fn of(method: &Method, path: &str) -> Self {
        match *method {
            Method::POST if path.ends_with("/:removeFromGroups") => Self::RemoveFromGroups,
            Method::POST => Self::Send,
            Method::PUT => Self::Add,
            Method::DELETE => Self::Remove,
            Method::HEAD => Self::Exists,
            _ => Self::Other,
        }
    }

    /// The status the service answers this call with when it succeeds (swagger
    /// 2024-01-01): sends 202, adds and grants 200, removals 204, `:removeFromGroups` 200,
    /// an open connection 200.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Send => StatusCode::ACCEPTED,
            Self::RemoveFromGroups | Self::Add | Self::Exists => StatusCode::OK,
            Self::Remove => StatusCode::NO_CONTENT,
            Self::Other => StatusCode::METHOD_NOT_ALLOWED,
        }
    }
}

/// Calls answered, by kind.
#[derive(Debug, Default)]
pub struct Calls {
    pub send: AtomicUsize,
    pub remove_from_groups: AtomicUsize,
    pub add: AtomicUsize,
    pub remove: AtomicUsize,
    pub exists: AtomicUsize,
    pub other: AtomicUsize,
}

impl Calls {
    fn count(&self, kind: Kind) {
        let counter = match kind {
            Kind::Send => &self.send,
            Kind::RemoveFromGroups => &self.remove_from_groups,
            Kind::Add => &self.add,
            Kind::Remove => &self.remove,
            Kind::Exists => &self.exists,
            Kind::Other => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Display for Calls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        write!(
            f,
            "{} sends, {} adds/grants, {} removals, {} :removeFromGroups, {} HEAD connection, \
             {} other",
            n(&self.send),
            n(&self.add),
            n(&self.remove),
            n(&self.remove_from_groups),
            n(&self.exists),
            n(&self.other)
        )
    }
}

/// A running stand-in; it stops when dropped.
pub struct StandIn {
    pub addr: SocketAddr,
    pub calls: Arc<Calls>,
    _stop: oneshot::Sender<()>,
}

impl StandIn {
    /// The connection string `chatr serve` is given to reach it with `key`.
    pub fn connection_string(&self, key: &str) -> String {
        format!(
            "Endpoint=http://127.0.0.1;Port={};AccessKey={key};Version=1.0;",
            self.addr.port()
        )
    }
}

/// Starts a stand-in on `127.0.0.1:0`.
pub async fn start() -> anyhow::Result<StandIn> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let addr = listener.local_addr()?;
    let calls = Arc::new(Calls::default());
    let counted = calls.clone();
    let bounded = warp::header::optional::<u64>("content-length")
        .and_then(|length: Option<u64>| async move {
            if length.unwrap_or(0) > BODY_LIMIT {
                Err(warp::reject())
            } else {
                Ok(())
            }
        })
        .untuple_one();
    let routes = warp::method()
        .and(warp::path::full())
        .and(bounded)
        .and(warp::body::bytes())
        .map(move |method: Method, path: FullPath, _body: Bytes| {
            let kind = Kind::of(&method, path.as_str());
            counted.count(kind);
            kind.status()
        });
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(
        warp::serve(routes)
            .incoming(listener)
            .graceful(async {
                let _ = stopped.await;
            })
            .run(),
    );
    Ok(StandIn {
        addr,
        calls,
        _stop: stop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_gets_the_status_the_service_answers_on_success() {
        for (method, path, status) in [
            (Method::POST, "/api/hubs/chat/:send", 202),
            (Method::POST, "/api/hubs/chat/groups/g/:send", 202),
            (Method::POST, "/api/hubs/chat/:removeFromGroups", 200),
            (Method::PUT, "/api/hubs/chat/groups/g/connections/c", 200),
            (
                Method::PUT,
                "/api/hubs/chat/permissions/sendToGroup/connections/c",
                200,
            ),
            (Method::DELETE, "/api/hubs/chat/groups/g/connections/c", 204),
            (Method::HEAD, "/api/hubs/chat/connections/c", 200),
            (Method::GET, "/api/hubs/chat/connections/c", 405),
        ] {
            assert_eq!(
                Kind::of(&method, path).status().as_u16(),
                status,
                "{method} {path}"
            );
        }
    }
}
