//! A TCP proxy on a free port of 127.0.0.1 that a test can cut: `Down` drops every open
//! connection and refuses new ones at once (an unreachable service), `Failing` answers every
//! HTTP request 503, `Up` forwards to the real server.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::watch;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Up,
    Down,
    Failing,
}

/// A running proxy.
pub struct TcpProxy {
    pub addr: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
}

impl TcpProxy {
    /// Starts a proxy to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = super::server::bind().await;
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = watch::channel(Mode::Up);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let mut rx = rx.clone();
                tokio::spawn(async move {
                    let mode = *rx.borrow();
                    match mode {
                        Mode::Down => drop(client),
                        Mode::Failing => fail(client).await,
                        Mode::Up => {
                            let Ok(server) = TcpStream::connect(upstream).await else {
                                return;
                            };
                            let (mut client, mut server) = (client, server);
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                                _ = rx.wait_for(|m| *m != Mode::Up) => {}
                            }
                        }
                    }
                });
            }
        });
        Self {
            addr,
            mode: Arc::new(tx),
        }
    }

    /// Switches the mode; `Down` and `Failing` also cut open connections.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

async fn fail(mut client: TcpStream) {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    let _ = client.read(&mut buf).await;
    let _ = client
        .write_all(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await;
}
