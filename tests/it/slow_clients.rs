//! Clients that hold connections open: a request head that never ends, a body trickled a byte at
//! a time, and more connections than the server serves at once. Each runs against the real
//! server (`web::serve_with`) with small limits, over a raw TCP socket.

use std::time::{Duration, Instant};

use partnerscope::web::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::engines::Engine;
use crate::server::{TestApp, spawn_app_limited};

/// Limits small enough for a test to wait them out.
fn small(max_connections: usize) -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        max_connections,
    }
}

/// A raw connection to `app`.
async fn connect(app: &TestApp) -> TcpStream {
    let address = app.base.strip_prefix("http://").unwrap();
    TcpStream::connect(address).await.unwrap()
}

/// Reads from `stream` until the server closes it (or resets it), returning what arrived and
/// when; `None` if it is still open after `patience`.
async fn read_until_closed(
    stream: &mut TcpStream,
    patience: Duration,
) -> Option<(String, Instant)> {
    let mut received = Vec::new();
    let closed = tokio::time::timeout(patience, async {
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    closed.ok().map(|()| {
        (
            String::from_utf8_lossy(&received).into_owned(),
            Instant::now(),
        )
    })
}

/// A complete request for `/healthz` that keeps the connection open.
const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

async fn a_connection_that_sends_half_a_request_head_is_closed_after_the_header_timeout(
    engine: Engine,
) {
    let Some(app) = spawn_app_limited(engine, small(16)).await else {
        return;
    };
    let mut stream = connect(&app).await;
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let (received, at) = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the server closes the connection");
    let waited = at - started;
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "closed after {waited:?}"
    );
    assert!(!received.contains("200 OK"), "{received}");
}

async fn a_body_trickled_a_byte_every_300_ms_gets_408_within_the_body_timeout_and_is_cut_off(
    engine: Engine,
) {
    let Some(app) = spawn_app_limited(engine, small(16)).await else {
        return;
    };
    let (mut reader, mut writer) = connect(&app).await.into_split();
    let started = Instant::now();
    writer
        .write_all(
            b"POST /withdraw HTTP/1.1\r\nHost: localhost\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
        )
        .await
        .unwrap();
    // A hundred bytes at this pace would take 30 seconds.
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            if writer.write_all(b"r").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), reader.read_to_end(&mut received)).await;
    trickle.abort();
    let waited = started.elapsed();
    let received = String::from_utf8_lossy(&received);
    assert!(read.is_ok(), "still open after {waited:?}: {received}");
    assert!(
        received.starts_with("HTTP/1.1 408 Request Timeout"),
        "{received}"
    );
    assert!(received.contains("That took too long"), "{received}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "answered after {waited:?}"
    );
}

async fn a_connection_past_the_limit_is_served_only_once_another_closes(engine: Engine) {
    let limits = Limits {
        // Long enough that the two idle connections stay open for the whole test.
        header_timeout: Duration::from_secs(30),
        ..small(2)
    };
    let Some(app) = spawn_app_limited(engine, limits).await else {
        return;
    };
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    for stream in [&mut first, &mut second] {
        stream.write_all(HEALTHZ).await.unwrap();
        let mut buffer = [0; 1024];
        let n = stream.read(&mut buffer).await.unwrap();
        assert!(buffer[..n].starts_with(b"HTTP/1.1 200 OK"));
    }
    // Both kept alive: a third client is accepted by the operating system, not by the server.
    let mut third = connect(&app).await;
    third.write_all(HEALTHZ).await.unwrap();
    let mut buffer = [0; 1024];
    let early = tokio::time::timeout(Duration::from_millis(700), third.read(&mut buffer)).await;
    assert!(
        early.is_err(),
        "served at once: {:?}",
        early.map(|r| r.map(|n| String::from_utf8_lossy(&buffer[..n]).into_owned()))
    );

    drop(first);
    let n = tokio::time::timeout(Duration::from_secs(3), third.read(&mut buffer))
        .await
        .expect("served once a connection closed")
        .unwrap();
    assert!(
        buffer[..n].starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        String::from_utf8_lossy(&buffer[..n])
    );
    drop(second);
    app.stop().await;
}

crate::on_both_engines!(
    a_connection_that_sends_half_a_request_head_is_closed_after_the_header_timeout,
    a_body_trickled_a_byte_every_300_ms_gets_408_within_the_body_timeout_and_is_cut_off,
    a_connection_past_the_limit_is_served_only_once_another_closes,
);
