//! What the server grants one client: time to send a request's head and its body, and a share of a
//! bounded number of connections. Without these a client that sends half a request header, or
//! trickles a body a byte a second, holds a connection (and the task serving it) for as long as
//! it likes, and enough such clients hold them all.
//!
//! - **Request head.** A connection must deliver each request's complete head (request line and
//!   headers) within [`Limits::header_timeout`] of the server starting to wait for it: after the
//!   connection opens, and again after each response (so an idle kept-alive connection lasts as
//!   long too). Otherwise hyper closes the connection.
//! - **Request body.** A request's whole body must arrive within [`Limits::body_timeout`] of its
//!   head. Otherwise the request is answered `408 Request Timeout` with a short page, and the
//!   connection is closed.
//! - **Connections.** At most [`Limits::max_connections`] are served at once. At the limit the
//!   server stops accepting: further clients wait in the operating system's listen queue (they
//!   are not refused) and are taken in order as connections close, which the two timeouts above
//!   make sure happens.
//!
//! A response a client reads slowly is not limited: downloads are streamed, and a large
//! `raw.csv` may take long to a slow but honest client.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::Listener;
use http_body_util::BodyExt;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::add_extension::AddExtension;
use tower_http::timeout::{DeadlineBody, TimeoutError};

use super::errors::AppError;

/// The default of [`Limits::header_timeout`], in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// The default of [`Limits::body_timeout`], in seconds.
pub const DEFAULT_BODY_TIMEOUT_SECS: u64 = 30;
/// The default of [`Limits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// What the server grants its clients (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request's complete head, from when the server starts waiting for it.
    pub header_timeout: Duration,
    /// Time to send a request's whole body, from its head.
    pub body_timeout: Duration,
    /// Connections served at once; more wait to be accepted. At least 1.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            body_timeout: Duration::from_secs(DEFAULT_BODY_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// How often at most the log says that the connection limit is reached: under a flood, once per
/// freed connection would drown everything else.
const LIMIT_WARNING_EVERY: Duration = Duration::from_secs(60);

/// Serves `router` on `listener` within `limits` until `shutdown` completes; then stops accepting,
/// lets every connection finish the request it is serving, and returns.
pub(super) async fn serve(
    mut listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut warned: Option<Instant> = None;
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if warned.is_none_or(|at| at.elapsed() >= LIMIT_WARNING_EVERY) {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached: new connections wait"
                    );
                    warned = Some(Instant::now());
                }
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        // The semaphore is never closed; were it, no connection could be served.
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        // `Listener::accept` retries failed accepts (after a pause when out of file handles).
        let (stream, peer) = tokio::select! {
            accepted = Listener::accept(&mut listener) => accepted,
            () = &mut shutdown => break,
        };
        // The peer address is the open links' budget key (`ConnectInfo`), as with axum's own
        // `into_make_service_with_connect_info`.
        let service = TowerToHyperService::new(AddExtension::new(
            router.clone(),
            ConnectInfo::<SocketAddr>(peer),
        ));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A timed-out head, a reset or a malformed request: the client's doing.
                tracing::debug!(%peer, %error, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::debug!(
        connections = graceful.count(),
        "finishing requests in flight"
    );
    graceful.shutdown().await;
    Ok(())
}

/// Middleware that gives a request's body until `body_timeout` after its head to arrive whole.
/// A handler still reading it then gets an error (which it answers as it answers any unreadable
/// body); that answer is replaced by a 408 page that closes the connection.
pub(super) async fn body_deadline(
    State(body_timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let expired = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&expired);
    let request = request.map(|body| {
        Body::new(DeadlineBody::new(body_timeout, body).map_err(move |error| {
            if error.is::<TimeoutError>() {
                seen.store(true, Ordering::Relaxed);
            }
            error
        }))
    });
    let response = next.run(request).await;
    if !expired.load(Ordering::Relaxed) {
        return response;
    }
    let mut response = AppError::TooSlow.into_response();
    // The rest of the body may still be on its way: the connection cannot carry another request.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
