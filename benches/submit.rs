//! Submission throughput of a running `partnerscope serve`, on SQLite and on PostgreSQL, in one run.
//!
//! `scripts/bench-submit` starts a PostgreSQL cluster with fsync on and runs this
//! (`cargo bench --bench submit`). For each engine: a fresh database with one round of the
//! 40-item `collaboration-factors` instrument and `INVITATIONS` invitations; the release binary
//! serves it as its own process; `CONCURRENCY` clients submit every invitation's complete form.
//! Throughput is submissions acknowledged (303) per second of wall time; latencies are per POST.

#[path = "support/database.rs"]
mod database;

use std::time::{Duration, Instant};

mod support;

use partnerscope::instrument::Library;
use partnerscope::store;
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::{NewInvitation, NewRound};

const INVITATIONS: usize = 4000;
const CONCURRENCY: usize = 32;

async fn run(engine: &str, url: &str) {
    let instrument = Library::shipped()
        .unwrap()
        .get("collaboration-factors")
        .unwrap()
        .clone();
    let store = store::open(url).await.unwrap();
    let partnership = store.create_partnership("Bench", None).await.unwrap();
    let round = store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument: &instrument,
            wave: "bench",
            min_group_size: 3,
            open_link: false,
            identified: false,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap();
    let mut tokens = Vec::with_capacity(INVITATIONS);
    for i in 0..INVITATIONS {
        let invitation = store
            .create_invitation(&NewInvitation {
                round_id: round.id,
                organisation: &format!("Partner {i}"),
                sector: Some("nonprofit"),
                language: None,
            })
            .await
            .unwrap();
        tokens.push(invitation.token);
    }
    let mut fields: Vec<(String, String)> = vec![
        ("consent".into(), "yes".into()),
        ("action".into(), "submit".into()),
    ];
    for (i, item) in instrument.items.iter().enumerate() {
        fields.push((format!("item-{}", item.id), ((i % 5) + 1).to_string()));
    }

    let (mut server, base) = support::serve(url, &[]).await;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(tokens));
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, queue, fields, base) =
            (client.clone(), queue.clone(), fields.clone(), base.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(token) = queue.lock().unwrap().pop() else {
                    break;
                };
                let sent = Instant::now();
                let response = client
                    .post(format!("{base}s/{token}"))
                    .form(&fields)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status().as_u16(), 303, "submission refused");
                latencies.push(sent.elapsed());
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.unwrap());
    }
    let wall = start.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    let stored = store.responses(round.id).await.unwrap().len();
    assert_eq!(
        stored, INVITATIONS,
        "every acknowledged submission is stored"
    );
    println!(
        "{engine:<10} {INVITATIONS} submissions, {CONCURRENCY} clients: {:.0} submissions/s, latency p50 {:.1} ms, p99 {:.1} ms",
        INVITATIONS as f64 / wall,
        at(0.5),
        at(0.99)
    );
    server.kill().await.unwrap();
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    for engine in ["SQLite", "PostgreSQL"] {
        match database::database(engine, dir.path()).await {
            Some(url) => run(engine, &url).await,
            None => println!(
                "{engine:<10} skipped: set PARTNERSCOPE_TEST_POSTGRES (scripts/bench-submit does)"
            ),
        }
    }
}
