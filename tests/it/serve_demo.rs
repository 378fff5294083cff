//! `partnerscope serve --demo` as a newcomer runs it: the real binary, twice on one database.

use std::process::Stdio;

use partnerscope::demo;
use partnerscope::store::{SqliteStore, Status, Store};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Runs `serve --demo` until it prints its link, fetches the link, stops it with SIGTERM and
/// returns the link.
async fn run_demo(database_url: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args([
            "serve",
            "--demo",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let link = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(link) = line.strip_prefix("Answer the demo survey: ") {
                return link.to_string();
            }
        }
        panic!("the demo printed no link");
    })
    .await
    .expect("the demo starts within a minute");
    let form = reqwest::get(&link).await.unwrap();
    assert_eq!(form.status().as_u16(), 200);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("Collaboration Factors Check")
    );

    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().await.unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits cleanly: {status}"
    );
    link
}

#[tokio::test]
async fn serve_demo_twice_creates_the_demo_partnership_once_and_prints_the_same_link() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let first = run_demo(&url).await;
    let second = run_demo(&url).await;
    // The port differs between runs; the invitation is the same.
    let token = |link: &str| link.rsplit('/').next().unwrap().to_string();
    assert_eq!(token(&first), token(&second));

    let store = SqliteStore::open(&url).await.unwrap();
    let partnerships = store.partnerships().await.unwrap();
    assert_eq!(partnerships.len(), 1);
    assert_eq!(partnerships[0].name, demo::PARTNERSHIP);
    let rounds = store.rounds(partnerships[0].id).await.unwrap();
    let waves: Vec<(&str, bool)> = rounds
        .iter()
        .map(|r| (r.wave.as_str(), r.is_open()))
        .collect();
    assert_eq!(waves, [("2025 autumn", false), ("2026 spring", true)]);
    for round in &rounds {
        let responses = store.responses(round.id).await.unwrap();
        assert!((20..=40).contains(&responses.len()), "{}", responses.len());
        assert!(responses.iter().all(|r| r.status == Status::Submitted));
        let sectors: std::collections::BTreeSet<_> = store
            .invitation_progress(round.id)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|p| p.invitation.sector)
            .collect();
        assert_eq!(sectors.len(), 5);
    }
    let waiting: Vec<_> = store
        .invitation_progress(rounds[1].id)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status.is_none())
        .collect();
    assert_eq!(waiting.len(), 1);
    assert_eq!(token(&first), waiting[0].invitation.token);
}
