//! Several app servers on one database: what one acknowledges is stored exactly once, whichever
//! server took it, even when the same invitation reaches both at the same moment; a session
//! started on one is honoured by the other, and both serve identical reports.

use partnerscope::accounts::hash_password;
use partnerscope::store;
use partnerscope::survey::Status;
use tokio::task::JoinSet;

use crate::engines::{Engine, fresh_database};
use crate::serve_binary::start;
use crate::server::{complete_answers, mini, new_invitation, new_round};

/// Invitations sent to one server, alternating between the two.
const SINGLE: usize = 24;
/// Invitations whose submission is sent to both servers at once.
const DOUBLE: usize = 8;

async fn two_servers_store_each_acknowledged_submission_exactly_once(engine: Engine) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let instrument = mini();
    let store = store::open(&url).await.unwrap();
    let round = new_round(store.as_ref(), &instrument, false).await;
    let mut tokens = Vec::new();
    for i in 0..SINGLE + DOUBLE {
        let invitation = new_invitation(store.as_ref(), round.id, &format!("Partner {i}")).await;
        tokens.push(invitation.token);
    }
    let (mut first, a) = start(&url, &[], "partnerscope listening on ").await;
    let (mut second, b) = start(&url, &[], "partnerscope listening on ").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut fields = complete_answers();
    fields.push(("action", "submit"));
    let mut posts = JoinSet::new();
    for (i, token) in tokens.iter().enumerate() {
        let servers: Vec<&String> = if i < SINGLE {
            vec![if i % 2 == 0 { &a } else { &b }]
        } else {
            vec![&a, &b]
        };
        for base in servers {
            let (client, fields) = (client.clone(), fields.clone());
            let url = format!("{base}s/{token}");
            posts.spawn(async move {
                let status = client
                    .post(url)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
                    .status();
                (i, status.as_u16())
            });
        }
    }
    let mut acknowledged = vec![0; tokens.len()];
    let mut already = vec![0; tokens.len()];
    while let Some(result) = posts.join_next().await {
        let (i, status) = result.unwrap();
        match status {
            303 => acknowledged[i] += 1,
            409 => already[i] += 1,
            other => panic!("invitation {i}: unexpected status {other}"),
        }
    }
    // Every invitation acknowledged once; the doubled ones answered "already submitted" once.
    assert!(acknowledged.iter().all(|&n| n == 1), "{acknowledged:?}");
    assert_eq!(already.iter().sum::<usize>(), DOUBLE);
    let responses = store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), SINGLE + DOUBLE);
    assert!(
        responses
            .iter()
            .all(|r| r.status == Status::Submitted && r.answers.items.len() == 6)
    );

    // A facilitator signs in on one server; the session lives in the database, so the other server
    // honours it too, and both serve the same bytes for every report.
    let password = "correct horse battery staple";
    store
        .create_facilitator("admin@example.org", &hash_password(password).unwrap(), true)
        .await
        .unwrap();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(format!("{a}facilitator/sign-in"))
        .form(&[("email", "admin@example.org"), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    for name in partnerscope::report::Report::ALL
        .map(partnerscope::report::Report::name)
        .iter()
        .chain(&["raw"])
    {
        let mut bodies = Vec::new();
        for base in [&a, &b] {
            let url = format!("{base}facilitator/rounds/{}/reports/{name}.csv", round.id);
            let response = browser.get(url).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{name}.csv from {base}");
            bodies.push(response.bytes().await.unwrap());
        }
        assert!(bodies[0].len() > 20, "{name}.csv has content");
        assert_eq!(
            bodies[0], bodies[1],
            "{name}.csv differs between the servers"
        );
    }
    first.kill().await.unwrap();
    second.kill().await.unwrap();
}

crate::on_both_engines!(two_servers_store_each_acknowledged_submission_exactly_once);
