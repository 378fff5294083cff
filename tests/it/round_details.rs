//! The front door, and what a round tells its partners: who asks, whom to contact, and the
//! closing date after which the round closes by itself.

use partnerscope::accounts::unix_now;
use partnerscope::survey::closing::{Closing, RoundDetails, today};
use partnerscope::survey::{NewRound, Round};

use crate::engines::Engine;
use crate::server::{TestApp, mini, new_invitation, spawn_app};
use crate::support::{fixture, partnerscope};
use crate::web_facilitate::{Browser, signed_in};

/// A day relative to today in UTC (the test server's time zone), as a date field sends it.
fn day(offset: i32) -> String {
    let today = today(&jiff::tz::TimeZone::UTC, unix_now());
    today
        .checked_add(jiff::Span::new().days(offset))
        .unwrap()
        .to_string()
}

/// A new partnership of `browser`'s, through its form: its id.
async fn partnership(browser: &Browser, name: &str) -> i64 {
    let (status, location, _) = browser
        .post_checked("/facilitator/partnerships", &[("name", name)])
        .await;
    assert_eq!(status, 303);
    crate::web_facilitate::id_in(&location.unwrap())
}

/// Posts the new round form of partnership `id` with the mini instrument and `details`.
async fn create_round(
    browser: &Browser,
    id: i64,
    details: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut fields = vec![
        ("instrument", "mini"),
        ("wave", "2026 autumn"),
        ("min_group_size", "3"),
        ("open_link", "yes"),
    ];
    fields.extend_from_slice(details);
    browser
        .post_checked(&format!("/facilitator/partnerships/{id}/rounds"), &fields)
        .await
}

/// The only round of partnership `id`.
async fn only_round(app: &TestApp, id: i64) -> Round {
    let rounds = app.store.rounds(id).await.unwrap();
    assert_eq!(rounds.len(), 1);
    rounds.into_iter().next().unwrap()
}

async fn a_round_tells_its_partners_who_asks_whom_to_ask_and_until_when(engine: Engine) {
    let Some(app) = spawn_app_with_mini(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let id = partnership(&browser, "Northside Food Coalition").await;
    let closes_on = day(14);
    let (status, location, body) = create_round(
        &browser,
        id,
        &[
            ("title", ""),
            ("contact", "Ana Ruiz, ana@example.org, 555-0100"),
            ("closes_on", &closes_on),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let round = only_round(&app, id).await;
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/facilitator/rounds/{}", round.id))
    );
    // A blank title is the partnership's name.
    assert_eq!(round.details.title, "Northside Food Coalition");
    let closes = round.details.closes.expect("a closing date");
    assert_eq!(closes.on.to_string(), closes_on);

    let form = format!("/o/{}", round.open_token.clone().unwrap());
    let (status, body) = app.get(&form).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("A survey for <strong>Northside Food Coalition</strong>"),
        "{body}"
    );
    assert!(
        body.contains("Questions about this survey: Ana Ruiz, ana@example.org, 555-0100"),
        "{body}"
    );
    let by = partnerscope::web::messages::EN.long_date(closes.on);
    assert!(body.contains(&format!("Please answer by {by}.")), "{body}");

    let page = format!("/facilitator/rounds/{}", round.id);
    let (_, body) = browser.get(&page).await;
    assert!(
        body.contains(&format!("Closes by itself at the end of {by} (UTC time).")),
        "{body}"
    );

    // The facilitator changes the title and drops the date while the round is open.
    let (status, location, _) = browser
        .post_checked(
            &format!("{page}/details"),
            &[
                ("title", "Northside Food Coalition, 2026 review"),
                ("contact", ""),
                ("closes_on", ""),
            ],
        )
        .await;
    assert_eq!((status, location), (303, Some(format!("{page}#details"))));
    let (_, body) = app.get(&form).await;
    assert!(body.contains("<strong>Northside Food Coalition, 2026 review</strong>"));
    assert!(!body.contains("Please answer by"), "{body}");
    assert!(!body.contains("Questions about this survey"), "{body}");

    // The next round keeps who asks and whom to ask, not the closing date.
    browser
        .post_checked(
            &format!("{page}/details"),
            &[("contact", "Ana Ruiz"), ("closes_on", &closes_on)],
        )
        .await;
    browser.post_checked(&format!("{page}/close"), &[]).await;
    let (status, _, _) = browser
        .post_checked(&format!("{page}/next"), &[("wave", "2027 spring")])
        .await;
    assert_eq!(status, 303);
    let next = app.store.rounds(id).await.unwrap().pop().unwrap();
    assert_eq!(next.details.title, "Northside Food Coalition");
    assert_eq!(next.details.contact, "Ana Ruiz");
    assert_eq!(next.details.closes, None);
}

async fn bad_round_details_are_refused_naming_the_field_and_nothing_is_stored(engine: Engine) {
    let Some(app) = spawn_app_with_mini(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let id = partnership(&browser, "Northside Food Coalition").await;
    let yesterday = day(-1);
    let long_title = "x".repeat(201);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("closes_on", "31/12/2026")],
            "The closing date must be a date written as YYYY-MM-DD",
        ),
        (
            &[("closes_on", &yesterday)],
            "The closing date must be today or later",
        ),
        (
            &[("title", &long_title)],
            "The title partners see is longer than 200 characters",
        ),
        (
            &[("contact", "Ana\u{7}Ruiz")],
            "The contact for questions contains a control character",
        ),
    ];
    for (fields, message) in cases {
        let (status, _, body) = create_round(&browser, id, fields).await;
        assert_eq!(status, 422, "{fields:?}");
        assert!(body.contains(message), "{fields:?}: {body}");
    }
    assert!(app.store.rounds(id).await.unwrap().is_empty());

    // The same checks guard the change of an open round, which then keeps what it had.
    create_round(&browser, id, &[("title", "Kept"), ("closes_on", &day(3))]).await;
    let round = only_round(&app, id).await;
    let (status, _, body) = browser
        .post_checked(
            &format!("/facilitator/rounds/{}/details", round.id),
            &[("title", "Changed"), ("closes_on", "2026-13-01")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("YYYY-MM-DD"), "{body}");
    assert_eq!(only_round(&app, id).await.details, round.details);
}

async fn a_round_past_its_closing_date_takes_no_answers_and_closes_itself(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let store = app.store.as_ref();
    let partnership = store.create_partnership("Westside", None).await.unwrap();
    let now = unix_now();
    let ended = Closing {
        on: today(&jiff::tz::TimeZone::UTC, now - 86_400),
        at: now - 60,
    };
    let later = Closing {
        on: today(&jiff::tz::TimeZone::UTC, now + 86_400),
        at: now + 86_400,
    };
    let mut rounds = Vec::new();
    for closes in [Some(ended), Some(ended), Some(later), None] {
        let details = RoundDetails {
            title: "Westside".into(),
            contact: String::new(),
            closes,
        };
        let round = store
            .create_round(&NewRound {
                partnership_id: partnership.id,
                instrument: &mini(),
                wave: "2026",
                min_group_size: 3,
                open_link: false,
                identified: false,
                details: &details,
            })
            .await
            .unwrap();
        rounds.push(round);
    }
    assert_eq!(store.close_due_rounds(now - 3600).await.unwrap(), 0);
    // A partner's link to a round past its date finds it closed, and closes every such round.
    let invitation = new_invitation(store, rounds[0].id, "Eastside Food Bank").await;
    let (status, body) = app.get(&format!("/s/{}", invitation.token)).await;
    assert_eq!(status, 410, "{body}");
    assert_eq!(closed_now(&app, &rounds).await, [true, true, false, false]);
    assert_eq!(store.close_due_rounds(now).await.unwrap(), 0);
    // The server's rounds of closings close a round once its date is over, and only such.
    assert_eq!(store.close_due_rounds(now + 2 * 86_400).await.unwrap(), 1);
    assert_eq!(closed_now(&app, &rounds).await, [true, true, true, false]);

    // Reopening drops a closing date that is over, so the round stays open; a date still ahead
    // stays.
    for round in &rounds[..3] {
        store.reopen_round(round.id, now).await.unwrap();
    }
    assert_eq!(store.close_due_rounds(now).await.unwrap(), 0);
    let reopened = store.round(rounds[0].id).await.unwrap().unwrap();
    assert!(reopened.is_open());
    assert_eq!(reopened.details.closes, None);
    let kept = store.round(rounds[2].id).await.unwrap().unwrap();
    assert_eq!(kept.details.closes, Some(later));
}

/// Whether each of `rounds` is closed now.
async fn closed_now(app: &TestApp, rounds: &[Round]) -> Vec<bool> {
    let mut closed = Vec::new();
    for round in rounds {
        let stored = app.store.round(round.id).await.unwrap().unwrap();
        closed.push(stored.closed_at.is_some());
    }
    closed
}

async fn the_front_door_introduces_partnerscope_and_leads_to_sign_in(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (status, body) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("partnerscope helps coalitions"), "{body}");
    assert!(body.contains(r#"href="/facilitator/sign-in""#), "{body}");
    let response = app
        .client
        .get(app.url("/facilitator/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 308);
    assert_eq!(response.headers()["location"], "/facilitator");
}

/// The app with the mini instrument offered for new rounds, as `--instruments` would.
async fn spawn_app_with_mini(engine: Engine) -> Option<TestApp> {
    crate::server::spawn_app_configured(engine, |state| {
        state.instruments = std::sync::Arc::new(partnerscope::instrument::Library::from(mini()));
    })
    .await
}

crate::on_both_engines!(
    a_round_tells_its_partners_who_asks_whom_to_ask_and_until_when,
    bad_round_details_are_refused_naming_the_field_and_nothing_is_stored,
    a_round_past_its_closing_date_takes_no_answers_and_closes_itself,
    the_front_door_introduces_partnerscope_and_leads_to_sign_in,
);

#[test]
fn an_unknown_time_zone_stops_the_server_naming_what_it_takes() {
    let output = partnerscope(&["serve", "--time-zone", "Mars/Olympus_Mons"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown time zone `Mars/Olympus_Mons`"),
        "{stderr}"
    );
    assert!(stderr.contains("America/Chicago"), "{stderr}");
}

#[tokio::test]
async fn rounds_stored_before_titles_are_titled_with_their_partnerships_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("release.db");
    std::fs::copy(fixture("release-0ed64ef.db"), &db).unwrap();
    let store = partnerscope::store::open(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let partnerships = store
        .partnerships_with_rounds(partnerscope::store::Visible::All)
        .await
        .unwrap();
    let mut titled = 0;
    for (partnership, rounds) in partnerships {
        for round in rounds {
            assert_eq!(round.details.title, partnership.name);
            assert_eq!(round.details.closes, None);
            titled += 1;
        }
    }
    assert_eq!(titled, 8);
}
