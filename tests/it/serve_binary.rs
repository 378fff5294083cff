//! The real `partnerscope serve` binary: the demo run twice on one database, durability when
//! killed, and what its log holds.

use std::collections::BTreeSet;
use std::process::Stdio;

use partnerscope::demo;
use partnerscope::store::{self, Visible};
use partnerscope::survey::answers::Answer;
use partnerscope::survey::{Status, StoredResponse};

use crate::engines::{Engine, fresh_database};
use crate::server::{new_invitation, new_round};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `partnerscope serve` with `args` on a free port and waits for the standard-output line
/// starting with `prefix`, returning the child and the rest of that line.
pub async fn start(database_url: &str, args: &[&str], prefix: &str) -> (Child, String) {
    start_with(database_url, args, prefix, &[], Stdio::null()).await
}

/// [`start`] with `env` added to the server's environment and its log (standard error) sent to
/// `log`.
async fn start_with(
    database_url: &str,
    args: &[&str],
    prefix: &str,
    env: &[(&str, &str)],
    log: Stdio,
) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let rest = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.to_string();
            }
        }
        panic!("the server printed no line starting with {prefix:?}");
    })
    .await
    .expect("the server starts within a minute");
    (child, rest)
}

/// Stops the server with SIGTERM and waits until it has shut down gracefully.
async fn stop(mut child: Child) {
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
}

/// Runs `serve --demo` until it prints its link, fetches the link, stops it with SIGTERM and
/// returns the link.
async fn run_demo(database_url: &str) -> String {
    let (child, link) = start(database_url, &["--demo"], "Answer the demo survey: ").await;
    let form = reqwest::get(&link).await.unwrap();
    assert_eq!(form.status().as_u16(), 200);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("Collaboration Factors Check")
    );

    stop(child).await;
    link
}

/// The mean answer (reverse keyed on the 1..5 scale) to a dimension's items over the responses
/// whose sector (copied from the invitation when submitted) passes `keep`.
fn demo_mean(responses: &[StoredResponse], dimension: &str, keep: impl Fn(&str) -> bool) -> f64 {
    let instrument = partnerscope::instrument::Library::shipped()
        .unwrap()
        .get(demo::INSTRUMENT)
        .unwrap()
        .clone();
    let d = instrument
        .dimensions
        .iter()
        .position(|d| d.id == dimension)
        .unwrap();
    let mut values = Vec::new();
    for response in responses {
        if !keep(response.answers.sector.as_deref().unwrap()) {
            continue;
        }
        for item in instrument.items.iter().filter(|i| i.dimension == d) {
            if let Some(Answer::Value(v)) = response.answers.items.get(&item.id) {
                values.push(f64::from(if item.reverse { 6 - v } else { *v }));
            }
        }
    }
    values.iter().sum::<f64>() / values.len() as f64
}

async fn serve_demo_twice_creates_the_demo_partnership_once_and_prints_the_same_link(
    engine: Engine,
) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let first = run_demo(&url).await;
    let second = run_demo(&url).await;
    // The port differs between runs; the invitation is the same.
    let token = |link: &str| link.rsplit('/').next().unwrap().to_string();
    assert_eq!(token(&first), token(&second));

    let store = store::open(&url).await.unwrap();
    let partnerships = store.partnerships(Visible::All).await.unwrap();
    assert_eq!(partnerships.len(), 1);
    assert_eq!(partnerships[0].name, demo::PARTNERSHIP);
    let rounds = store.rounds(partnerships[0].id).await.unwrap();
    let waves: Vec<(&str, bool)> = rounds
        .iter()
        .map(|r| (r.wave.as_str(), r.is_open()))
        .collect();
    assert_eq!(waves, [("2025 autumn", false), ("2026 spring", true)]);
    let mut responses = Vec::new();
    for round in &rounds {
        let round_responses = store.responses(round.id).await.unwrap();
        assert!(
            (20..=40).contains(&round_responses.len()),
            "{}",
            round_responses.len()
        );
        assert!(
            round_responses
                .iter()
                .all(|r| r.status == Status::Submitted)
        );
        // Anonymous rounds: no submitted response names its invitation.
        assert!(round_responses.iter().all(|r| r.invitation_id.is_none()));
        let sectors: BTreeSet<_> = round_responses
            .iter()
            .map(|r| r.answers.sector.clone().unwrap())
            .collect();
        assert_eq!(sectors.len(), 5);
        responses.push(round_responses);
    }
    // The story a dashboard will tell.
    let trust = |round: usize| demo_mean(&responses[round], "trust", |_| true);
    assert!(
        trust(1) > trust(0) + 0.5,
        "trust rises: {} -> {}",
        trust(0),
        trust(1)
    );
    let community = |s: &str| matches!(s, "residents" | "nonprofit");
    let governance = |round: usize, keep: &dyn Fn(&str) -> bool| {
        demo_mean(&responses[round], "governance", keep)
    };
    assert!(governance(1, &community) + 0.8 < governance(1, &|s| !community(s)));

    let waiting: Vec<_> = store
        .invitation_progress(rounds[1].id)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.status.is_none())
        .collect();
    // Two partners have not answered: one invited in Spanish, and the one whose link is printed.
    let languages: Vec<Option<&str>> = waiting
        .iter()
        .map(|p| p.invitation.language.as_deref())
        .collect();
    assert_eq!(languages, [None, Some("es")]);
    assert_eq!(token(&first), waiting[0].invitation.token);
}

/// Rounds of the kill -9 test: each starts the server, submits in a burst and kills it.
const KILLS: usize = 3;
/// Invitations each round of the kill -9 test can submit.
const BURST: usize = 150;
/// Clients submitting at once: enough that batches form and some are in flight at the kill.
const CLIENTS: usize = 24;

async fn submissions_the_server_acknowledged_survive_killing_it_in_the_middle_of_a_burst(
    engine: Engine,
) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let round = new_round(store.as_ref(), &crate::server::mini(), false).await;
    let mut tokens = Vec::new();
    for i in 0..KILLS * BURST {
        tokens.push(
            new_invitation(store.as_ref(), round.id, &format!("Partner {i}"))
                .await
                .token,
        );
    }
    drop(store);

    let mut fields = crate::server::complete_answers();
    fields.push(("action", "submit"));
    let fields = std::sync::Arc::new(fields);
    let mut acknowledged: Vec<String> = Vec::new();
    for burst in tokens.chunks(BURST) {
        let (mut child, base) = start(&url, &[], "partnerscope listening on ").await;
        let (acks, mut heard) = tokio::sync::mpsc::unbounded_channel();
        let next = std::sync::Arc::new(std::sync::Mutex::new(burst.to_vec()));
        for _ in 0..CLIENTS {
            let (next, fields, acks, base) =
                (next.clone(), fields.clone(), acks.clone(), base.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap();
                loop {
                    let Some(token) = next.lock().unwrap().pop() else {
                        return;
                    };
                    let sent = client
                        .post(format!("{base}s/{token}"))
                        .form(fields.as_slice())
                        .send()
                        .await;
                    match sent {
                        Ok(response) => {
                            let _ = acks.send((token, response.status().as_u16()));
                        }
                        // The server was killed.
                        Err(_) => return,
                    }
                }
            });
        }
        drop(acks);
        // Killed once a third of the burst is acknowledged: the rest are in flight or unsent.
        let mut this_burst = 0;
        while let Some((token, status)) = heard.recv().await {
            assert_eq!(status, 303, "a submission was refused");
            acknowledged.push(token);
            this_burst += 1;
            if this_burst == BURST / 3 {
                break;
            }
        }
        child.kill().await.unwrap();
        // What was acknowledged before the kill took effect counts too.
        while let Some((token, status)) = heard.recv().await {
            assert_eq!(status, 303, "a submission was refused");
            acknowledged.push(token);
        }
    }
    assert!(acknowledged.len() >= KILLS * BURST / 3);

    let reopened = store::open(&url).await.unwrap();
    for token in &acknowledged {
        let (invitation, _) = reopened.invitation_by_token(token).await.unwrap().unwrap();
        assert!(invitation.submitted, "an acknowledged submission was lost");
    }
    // Nothing half-stored: a response for every flagged invitation and none besides.
    let flagged = reopened
        .invitation_progress(round.id)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.invitation.submitted)
        .count();
    let stored = reopened.responses(round.id).await.unwrap();
    assert!(stored.iter().all(|r| r.status == Status::Submitted));
    assert!(stored.iter().all(|r| r.answers.items.len() == 6));
    assert_eq!(stored.len(), flagged);
}

/// The value of `attribute` in the HTML tag that `tag` starts with.
fn attribute<'a>(tag: &'a str, attribute: &str) -> Option<&'a str> {
    let tag = &tag[..tag.find('>')?];
    let start = tag.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// What a partner answering everything on the form `page` sends: the first option of every
/// question, the consent box, the hidden fields, and `comment` in every comment box.
fn every_answer(page: &str, comment: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for input in page.split("<input ").skip(1) {
        let (Some(name), Some(value)) = (attribute(input, "name"), attribute(input, "value"))
        else {
            continue;
        };
        if !fields.iter().any(|(n, _)| n == name) {
            fields.push((name.to_string(), value.to_string()));
        }
    }
    for textarea in page.split("<textarea ").skip(1) {
        if let Some(name) = attribute(textarea, "name") {
            fields.push((name.to_string(), comment.to_string()));
        }
    }
    fields
}

/// `fields` with the button `action` pressed.
fn pressing(mut fields: Vec<(String, String)>, action: &str) -> Vec<(String, String)> {
    fields.push(("action".to_string(), action.to_string()));
    fields
}

#[tokio::test]
async fn the_debug_log_of_a_partner_answering_the_demo_shows_the_requests_but_no_secret() {
    let (url, dir) = fresh_database(Engine::Sqlite).await.unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (child, link) = start_with(
        &url,
        &["--demo"],
        "Answer the demo survey: ",
        &[("RUST_LOG", "debug")],
        log.into(),
    )
    .await;
    let (base, token) = link.rsplit_once("/s/").unwrap();
    let open_token = {
        let store = store::open(&url).await.unwrap();
        let partnerships = store.partnerships(Visible::All).await.unwrap();
        let rounds = store.rounds(partnerships[0].id).await.unwrap();
        let open = rounds.iter().find(|r| r.is_open()).unwrap();
        open.open_token
            .clone()
            .expect("the demo's open round has an open link")
    };
    // Sent with every request, as a browser sends a facilitator's session cookie.
    let cookie = partnerscope::survey::new_token();
    let comment = "A remark only the facilitator may read";
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    jar.add_cookie_str(
        &format!("partnerscope_session={cookie}; Path=/"),
        &base.parse().unwrap(),
    );
    // A browser: it keeps the resume and receipt cookies the partner's pages set.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar)
        .build()
        .unwrap();
    let get = async |path: &str| {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.text().await.unwrap()
    };
    let post = async |path: &str, fields: &[(String, String)]| {
        let response = client
            .post(format!("{base}{path}"))
            .form(fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "POST {path}");
        response.headers()["location"].to_str().unwrap().to_string()
    };

    let personal = format!("/s/{token}");
    let form = get(&personal).await;
    let answers = every_answer(&form, comment);
    let first_item = answers
        .iter()
        .find(|(n, _)| n.starts_with("item-"))
        .unwrap();
    let saved = post(&personal, &pressing(vec![first_item.clone()], "save")).await;
    assert_eq!(saved, format!("{personal}?saved=1"));
    let draft = get(&saved).await;
    assert!(draft.contains(" checked"), "the draft comes back");
    let resume_code = shown_code(&draft);
    // On another device, the resume code opens the draft.
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let resumed = other
        .post(format!("{base}{personal}/resume"))
        .form(&[("resume_code", resume_code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status().as_u16(), 303);
    let reopened = other.get(format!("{base}{personal}")).send().await.unwrap();
    assert!(reopened.text().await.unwrap().contains(" checked"));
    let thanks = post(&personal, &pressing(answers, "submit")).await;
    assert_eq!(thanks, format!("{personal}/thanks"));
    let receipt = shown_code(&get(&thanks).await);

    let open = format!("/o/{open_token}");
    let form = get(&open).await;
    let answers = every_answer(&form, comment);
    let (_, form_id) = answers
        .iter()
        .find(|(n, _)| n == "form_id")
        .unwrap()
        .clone();
    let thanks = post(&open, &pressing(answers, "submit")).await;
    assert_eq!(thanks, format!("{open}/thanks"));
    get(&thanks).await;
    stop(child).await;

    let log = std::fs::read_to_string(&log_path).unwrap();
    for secret in [
        token,
        open_token.as_str(),
        &form_id,
        &cookie,
        comment,
        "saved=1",
        &resume_code,
        &receipt,
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
    for shown in ["/s/…/thanks", "/o/…/thanks", "finished processing request"] {
        assert!(log.contains(shown), "the log shows {shown:?}:\n{log}");
    }
}

/// The resume or receipt code a page shows.
fn shown_code(page: &str) -> String {
    let start = page
        .find(r#"<strong class="code">"#)
        .expect("the page shows a code")
        + 21;
    let end = start + page[start..].find('<').unwrap();
    page[start..end].to_string()
}

crate::on_both_engines!(
    serve_demo_twice_creates_the_demo_partnership_once_and_prints_the_same_link,
    submissions_the_server_acknowledged_survive_killing_it_in_the_middle_of_a_burst,
);
