//! Memory of a running `partnerscope serve` under a burst of concurrent sign-ins.
//!
//! `scripts/bench-signin` runs this (`cargo bench --bench signin`). The release binary serves a
//! fresh SQLite database with one facilitator, behind `--trust-proxy` so that every request can
//! claim its own client address in `X-Forwarded-For` (the per-address slowdown then never
//! applies, as with an attacker holding many addresses). `SIGN_INS` clients post a wrong
//! password for as many distinct e-mail addresses all at once. The server's peak resident memory
//! (`VmHWM` in `/proc/PID/status`) is read before and after the burst; the answers are counted
//! by status. Finally the facilitator signs in with the right password, to show the server still
//! serves. Loopback only; the server is killed when the bench ends.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[path = "support/memory.rs"]
mod memory;
mod support;

use partnerscope::accounts::hash_password;
use partnerscope::store;

const SIGN_INS: usize = 500;
const EMAIL: &str = "owner@example.org";
const PASSWORD: &str = "correct horse battery staple";

/// Posts a sign-in for `email` from the client address `forwarded`; the answer's status.
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    forwarded: &str,
) -> u16 {
    client
        .post(format!("{base}facilitator/sign-in"))
        .header("x-forwarded-for", forwarded)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .map_or(0, |response| response.status().as_u16())
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = store::open(&url).await.unwrap();
    store
        .create_facilitator(EMAIL, &hash_password(PASSWORD).unwrap(), false)
        .await
        .unwrap();
    drop(store);

    let (mut server, base) = support::serve(&url, &["--trust-proxy"]).await;
    let pid = server.id().unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    // One sign-in first, so the baseline includes what any single sign-in leaves behind.
    let warm_up = sign_in(&client, &base, "warm-up@example.org", "wrong", "10.255.0.1").await;
    let before = (
        memory::status_mib(pid, "VmHWM"),
        memory::status_mib(pid, "VmRSS"),
    );

    let start = Instant::now();
    let mut burst = tokio::task::JoinSet::new();
    for i in 0..SIGN_INS {
        let (client, base) = (client.clone(), base.clone());
        burst.spawn(async move {
            let email = format!("guess{i}@example.org");
            let forwarded = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
            sign_in(&client, &base, &email, "wrong password", &forwarded).await
        });
    }
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    while let Some(status) = burst.join_next().await {
        *statuses.entry(status.unwrap()).or_default() += 1;
    }
    let wall = start.elapsed();
    let after = (
        memory::status_mib(pid, "VmHWM"),
        memory::status_mib(pid, "VmRSS"),
    );
    let owner = sign_in(&client, &base, EMAIL, PASSWORD, "10.254.0.1").await;

    println!("warm-up sign-in: {warm_up}");
    println!(
        "before the burst: peak RSS (VmHWM) {:.1} MiB, RSS {:.1} MiB",
        before.0, before.1
    );
    println!(
        "{SIGN_INS} concurrent sign-ins in {:.2} s, answers by status (0: no answer): {statuses:?}",
        wall.as_secs_f64()
    );
    println!(
        "after the burst: peak RSS (VmHWM) {:.1} MiB, RSS {:.1} MiB",
        after.0, after.1
    );
    println!("the owner's sign-in afterwards: {owner}");
    server.kill().await.unwrap();
}
