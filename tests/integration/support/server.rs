//! The one way the harness runs a server: `run(listener, …, shutdown)` spawned on a listener
//! bound to a free port of 127.0.0.1, with a oneshot as its shutdown; stopping it joins the
//! task, and dropping it signals shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a stopped server may take to return (it closes its sockets first).
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// A listener on a free port of 127.0.0.1.
pub async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// The shutdown future a server runs with: it resolves when its `Server` is stopped or dropped.
pub struct Shutdown(oneshot::Receiver<()>);

impl Future for Shutdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A running server task; `T` is what its `run` returns.
pub struct Server<T = ()> {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Server<T> {
    /// Spawns `run(listener, shutdown)` on a free port.
    pub async fn start<Run, Fut>(run: Run) -> Self
    where
        Run: FnOnce(TcpListener, Shutdown) -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        Self::start_on(bind().await, run)
    }

    /// Spawns `run(listener, shutdown)` on a listener bound already: for servers whose
    /// address another part must know before they are built.
    pub fn start_on<Run, Fut>(listener: TcpListener, run: Run) -> Self
    where
        Run: FnOnce(TcpListener, Shutdown) -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(listener, Shutdown(stopped)));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Signals shutdown and waits for the server to return; fails the test after 15 s.
    pub async fn stop(mut self) -> T {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let task = self.task.take().expect("a server is stopped once");
        tokio::time::timeout(STOP_TIMEOUT, task)
            .await
            .expect("the server stops in time")
            .expect("the server task ends without a panic")
    }
}

impl<T> Drop for Server<T> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
