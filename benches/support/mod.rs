//! What the server benchmarks share: the release binary serving on a free loopback port.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `partnerscope serve` on the database `url` with the `extra` arguments, quiet (warnings
/// only), killed when the returned child is dropped; with its base URL (`http://127.0.0.1:PORT/`).
/// With `--demo` it reads on to the demo's last line: the server prints three there, and would
/// fail to write to a pipe already closed.
pub async fn serve(url: &str, extra: &[&str]) -> (Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut demo = None;
    loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the server prints its address");
        if let Some(base) = line.strip_prefix("partnerscope listening on ") {
            return (server, base.to_string());
        }
        if let Some(base) = line.strip_prefix("partnerscope demo running at ") {
            demo = Some(base.to_string());
        }
        if line.starts_with("Answer the demo survey") {
            return (server, demo.expect("the demo prints its address first"));
        }
    }
}
