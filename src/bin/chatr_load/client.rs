//! Clients of the emulator: tokens signed with `chatr::token`, WebSocket connections that
//! return once the `connected` frame arrived, and many of them opened with bounded
//! concurrency, each on a task of its own.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use chatr::emulator::protocol::{JSON_RELIABLE_V1, JSON_V1};
use chatr::token::{self, Claims};

use crate::chatr_load::emulator::Target;

/// A client socket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long one connection may take to be accepted and greeted.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The roles every load client has.
pub const ROLES: [&str; 2] = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

/// Which subprotocol a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Json,
    Reliable,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::Json => JSON_V1,
            Self::Reliable => JSON_RELIABLE_V1,
        }
    }
}

/// A client token for `user` on `hub`, valid for an hour.
pub fn token(target: &Target, hub: &str, user: &str) -> String {
    let mut claims = Claims::new(
        format!("http://localhost:{}/client/hubs/{hub}", target.port),
        chatr::clock::unix_now(),
        chatr::token::DEFAULT_LIFETIME_SECS,
    );
    claims.sub = Some(user.to_string());
    claims.role = ROLES.iter().map(|r| r.to_string()).collect();
    token::encode(&claims, &target.key)
}

/// The socket settings of a load client: a small read buffer (tungstenite zero-fills its
/// whole read buffer, 128 KiB by default, on every read, which at 100,000 frames a second
/// would cost the generator more than the emulator) and every frame written at once.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
}

/// Connects with a token made beforehand and returns once the `connected` frame arrived.
pub async fn connect(
    target: &Target,
    hub: &str,
    token: &str,
    protocol: Protocol,
) -> Result<Ws, String> {
    let url = format!(
        "ws://127.0.0.1:{}/client/hubs/{hub}?access_token={token}",
        target.port
    );
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static(protocol.name()),
    );
    let attempt = async {
        let (mut ws, _) =
            tokio_tungstenite::connect_async_with_config(request, Some(config()), true)
                .await
                .map_err(|e| e.to_string())?;
        while let Some(frame) = ws.next().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Message::Text(text) = frame {
                if text.contains(r#""event":"connected""#) {
                    return Ok(ws);
                }
            }
        }
        Err("closed before the connected frame".to_string())
    };
    tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .map_err(|_| "timed out".to_string())?
}

/// Sends one text frame.
pub async fn send(ws: &mut Ws, text: String) -> Result<(), String> {
    ws.send(Message::text(text))
        .await
        .map_err(|e| e.to_string())
}

/// Reads until a text frame containing `needle` arrives (bounded by `within`).
pub async fn until(ws: &mut Ws, needle: &str, within: Duration) -> Result<(), String> {
    let wait = async {
        while let Some(frame) = ws.next().await {
            if let Message::Text(text) = frame.map_err(|e| e.to_string())? {
                if text.contains(needle) {
                    return Ok(());
                }
            }
        }
        Err("closed".to_string())
    };
    tokio::time::timeout(within, wait)
        .await
        .map_err(|_| format!("no `{needle}` within {within:?}"))?
}

/// What opening many connections gave: the values, in no order, the failures (a few
/// reasons kept) and how long it took.
pub struct Opened<T> {
    pub ok: Vec<T>,
    pub failed: usize,
    pub reasons: Vec<String>,
    pub elapsed: Duration,
}

impl<T> Opened<T> {
    /// `"; N failed: [reasons]"` when any failed, for the end of a report line; else empty.
    pub fn failures(&self) -> String {
        if self.failed > 0 {
            format!("; {} failed: {:?}", self.failed, self.reasons)
        } else {
            String::new()
        }
    }
}

/// Runs `open(i)` for `i` in `0..n`, each on its own task, at most `concurrency` at once.
pub async fn open_many<T, F, Fut>(n: usize, concurrency: usize, open: F) -> Opened<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let started = Instant::now();
    for i in 0..n {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let attempt = open(i);
        tasks.spawn(async move {
            let result = attempt.await;
            drop(permit);
            result
        });
    }
    let mut opened = Opened {
        ok: Vec::with_capacity(n),
        failed: 0,
        reasons: Vec::new(),
        elapsed: Duration::ZERO,
    };
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(value) => opened.ok.push(value),
            Err(reason) => {
                opened.failed += 1;
                if opened.reasons.len() < 3 {
                    opened.reasons.push(reason);
                }
            }
        }
    }
    opened.elapsed = started.elapsed();
    opened
}

/// What a held connection is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Keep reading (which answers the emulator's WebSocket pings).
    Hold,
    /// Send a `ping` frame and wait for the `pong`: is the connection still served?
    Check,
}

/// Holds a connection until told to check it; returns whether the emulator still answered.
pub async fn hold(mut ws: Ws, mut phase: tokio::sync::watch::Receiver<Phase>) -> bool {
    loop {
        tokio::select! {
            changed = phase.changed() => {
                if changed.is_err() || *phase.borrow() == Phase::Check {
                    break;
                }
            }
            frame = ws.next() => {
                if !matches!(frame, Some(Ok(_))) {
                    return false;
                }
            }
        }
    }
    let alive = send(&mut ws, r#"{"type":"ping"}"#.into()).await.is_ok()
        && until(&mut ws, r#""type":"pong""#, CONNECT_TIMEOUT)
            .await
            .is_ok();
    close(ws).await;
    alive
}

/// The closing handshake: a close frame (1000), then reading until the emulator's answer,
/// so that a reliable session ends instead of waiting to be recovered.
pub async fn close(mut ws: Ws) {
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: "load run over".into(),
    };
    let _ = tokio::time::timeout(CONNECT_TIMEOUT, async {
        if ws.close(Some(frame)).await.is_ok() {
            while let Some(Ok(_)) = ws.next().await {}
        }
    })
    .await;
}
