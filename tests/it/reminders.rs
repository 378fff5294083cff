//! Invitations and reminders by e-mail, sent to a real SMTP server on loopback: who gets which
//! message with which links, that a double click sends nothing twice, that submitted and
//! opted-out partners get no reminder, how refusals and deferrals end, that a claimed message is
//! not sent by two servers, and what the partners page says without e-mail.

use std::sync::Arc;
use std::time::Duration;

use partnerscope::accounts::unix_now;
use partnerscope::mail::Mailer;
use partnerscope::survey::closing::{Closing, RoundDetails, today};
use partnerscope::survey::partners::Partner;
use partnerscope::survey::{Invitation, Round};
use partnerscope::web::messages::{EN, ES};

use crate::engines::Engine;
use crate::partner_status::{self, row};
use crate::server::{TestApp, complete_answers, spawn_app, spawn_app_configured};
use crate::smtp::{Received, SmtpSink};
use crate::web_facilitate::Browser;

const TITLE: &str = "Riverside Coalition 2026";
const CONTACT: &str = "Ana Ruiz, 555-0100";

/// The app sending its mail to `sink`, with the sender running as `partnerscope serve` runs it.
pub(crate) async fn app_with_mail(engine: Engine, sink: &SmtpSink) -> Option<TestApp> {
    let mailer = Mailer::new(&sink.url, "Riverside Partnership <survey@example.org>").unwrap();
    spawn_app_configured(engine, |state| state.mailer = Some(Arc::new(mailer))).await
}

fn partner(organisation: &str, email: Option<&str>) -> Partner {
    Partner {
        organisation: organisation.into(),
        sector: "nonprofit".into(),
        email: email.map(Into::into),
        language: None,
    }
}

/// A signed-in facilitator's round, with a title, contact and closing date, that invited
/// `partners`.
async fn invited(app: &TestApp, partners: &[Partner]) -> (Browser, Round, Vec<Invitation>) {
    let (browser, round, invitations) = partner_status::invited(app, partners).await;
    let on = today(&jiff::tz::TimeZone::UTC, unix_now())
        .checked_add(jiff::Span::new().days(30))
        .unwrap();
    let details = RoundDetails {
        title: TITLE.into(),
        contact: CONTACT.into(),
        closes: Closing::end_of(on, &jiff::tz::TimeZone::UTC),
    };
    app.store
        .set_round_details(round.id, &details)
        .await
        .unwrap();
    let round = app.store.round(round.id).await.unwrap().unwrap();
    (browser, round, invitations)
}

/// Clicks a send button of the partners page: back to its e-mail section.
pub(crate) async fn click(browser: &Browser, round: &Round, button: &str) {
    let path = format!("/facilitator/rounds/{}/mail/{button}", round.id);
    let (status, location, page) = browser.post_checked(&path, &[]).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(
        location,
        Some(format!("/facilitator/rounds/{}/partners#mailing", round.id))
    );
}

/// The messages that arrive, once `n` have and a moment more has passed for any extra one.
pub(crate) async fn exactly(sink: &SmtpSink, n: usize) -> Vec<Received> {
    sink.wait_for(n).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = sink.received();
    assert_eq!(received.len(), n, "{received:#?}");
    received
}

/// The recipients of `messages`, sorted.
pub(crate) fn recipients(messages: &[Received]) -> Vec<String> {
    let mut to: Vec<String> = messages.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to
}

/// The partners page, once `done` holds for it (up to 10 s).
async fn partners_page_when(
    browser: &Browser,
    round: &Round,
    done: impl Fn(&str) -> bool,
) -> String {
    let path = format!("/facilitator/rounds/{}/partners", round.id);
    for _ in 0..100 {
        let (status, page) = browser.get(&path).await;
        assert_eq!(status, 200);
        if done(&page) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the partners page never got there: {}",
        browser.get(&path).await.1
    );
}

async fn invitations_go_to_the_partners_with_an_address_each_with_its_own_link_and_a_stop_link(
    engine: Engine,
) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_mail(engine, &sink).await else {
        return;
    };
    let (browser, round, invitations) = invited(
        &app,
        &[
            partner("Food Bank", Some("food@example.org")),
            partner("Library", None),
            Partner {
                language: Some("es".into()),
                ..partner("Clinic", Some("clinic@example.org"))
            },
        ],
    )
    .await;
    let (_, page) = browser
        .get(&format!("/facilitator/rounds/{}/partners", round.id))
        .await;
    assert!(page.contains("Send invitations"), "{page}");
    assert!(page.contains("Send reminders"), "{page}");

    // A double click: the second queues nothing.
    click(&browser, &round, "invitations").await;
    click(&browser, &round, "invitations").await;
    let messages = exactly(&sink, 2).await;
    assert_eq!(
        recipients(&messages),
        ["clinic@example.org", "food@example.org"]
    );
    // Each in the partner's language: the clinic was invited in Spanish.
    for (invitation, address, m) in [
        (&invitations[0], "food@example.org", &EN),
        (&invitations[2], "clinic@example.org", &ES),
    ] {
        let mail = messages.iter().find(|m| m.to == [address]).unwrap();
        let opening = m.invitation_mail_body.replace("{asker}", TITLE);
        let opening = opening.split("\n\n").next().unwrap();
        let body = mail.body();
        let link = app.url(&format!("/s/{}", invitation.token));
        assert!(mail.data.contains(TITLE), "{}", mail.data);
        for part in [
            format!("{link}\n"),
            format!("{link}/stop\n"),
            CONTACT.to_string(),
            opening.to_string(),
            m.long_date(round.details.closes.unwrap().on),
        ] {
            assert!(body.contains(&part), "`{part}` not in {body}");
        }
        // Nobody else's link.
        for other in &invitations {
            assert_eq!(
                body.contains(&other.token),
                other.id == invitation.id,
                "{body}"
            );
        }
        // The link opens that partner's form.
        assert_eq!(mail.link().as_deref(), Some(link.as_str()));
        let (status, form) = app.get(&link[app.base.len()..]).await;
        assert_eq!(status, 200);
        assert!(form.contains(TITLE), "{form}");
        let opened = app.store.invitation(invitation.id).await.unwrap().unwrap();
        assert!(opened.opened, "the followed link is that partner's");
    }

    let page = partners_page_when(&browser, &round, |page| {
        page.contains("0 waiting, 2 sent, 0 failed")
    })
    .await;
    assert!(row(&page, "Food Bank").contains("invited on "), "{page}");
    assert!(row(&page, "Clinic").contains("invited on "), "{page}");
    assert!(!row(&page, "Library").contains("invited on "), "{page}");

    // Invitations go once: another click later sends nothing more.
    click(&browser, &round, "invitations").await;
    exactly(&sink, 2).await;
}

async fn a_reminder_goes_only_to_partners_who_have_not_submitted_nor_opted_out(engine: Engine) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_mail(engine, &sink).await else {
        return;
    };
    let names = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"];
    let addresses: Vec<String> = names
        .iter()
        .map(|n| format!("{}@example.org", n.to_lowercase()))
        .collect();
    let partners: Vec<Partner> = names
        .iter()
        .zip(&addresses)
        .map(|(n, a)| partner(n, Some(a)))
        .collect();
    let (browser, round, invitations) = invited(&app, &partners).await;
    click(&browser, &round, "invitations").await;
    exactly(&sink, 5).await;

    // Two partners submit.
    let mut answers = complete_answers();
    answers.push(("action", "submit"));
    for invitation in &invitations[..2] {
        let path = format!("/s/{}", invitation.token);
        assert_eq!(app.post(&path, &answers).await.0, 303);
    }
    // One asks for no more reminders: opening the link changes nothing, the button does.
    let stop = format!("/s/{}/stop", invitations[2].token);
    let (status, page) = app.get(&stop).await;
    assert_eq!(status, 200);
    assert!(page.contains("Send me no more reminders"), "{page}");
    assert!(page.contains(TITLE), "{page}");
    assert_eq!(
        app.store
            .reminders_stopped(&invitations[2].token)
            .await
            .unwrap(),
        Some(false),
        "a GET opted the partner out"
    );
    let (status, location, _) = app.post(&stop, &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some(stop.as_str())));
    let (_, page) = app.get(&stop).await;
    assert!(page.contains("no more reminders for this survey"), "{page}");
    assert_eq!(
        app.get("/s/0123456789abcdef0123456789abcdef/stop").await.0,
        404
    );

    click(&browser, &round, "reminders").await;
    click(&browser, &round, "reminders").await;
    let messages = exactly(&sink, 7).await;
    let reminders = &messages[5..];
    assert_eq!(
        recipients(reminders),
        ["delta@example.org", "epsilon@example.org"]
    );
    for mail in reminders {
        assert!(mail.data.contains("Reminder"), "{}", mail.data);
    }

    let page = partners_page_when(&browser, &round, |page| {
        page.contains("0 waiting, 7 sent, 0 failed")
    })
    .await;
    assert!(
        row(&page, "Gamma").contains("opted out of reminders"),
        "{page}"
    );
    assert!(row(&page, "Delta").contains("1 reminder"), "{page}");
    assert!(!row(&page, "Alpha").contains("reminder"), "{page}");
}

async fn a_refused_recipient_bounces_at_once_and_a_deferred_one_is_tried_again_and_sent(
    engine: Engine,
) {
    let sink = SmtpSink::refusing(&["gone@example.org"], &["busy@example.org"]).await;
    let Some(app) = app_with_mail(engine, &sink).await else {
        return;
    };
    let (browser, round, _) = invited(
        &app,
        &[
            partner("Gone Org", Some("gone@example.org")),
            partner("Busy Org", Some("busy@example.org")),
        ],
    )
    .await;
    click(&browser, &round, "invitations").await;
    let messages = exactly(&sink, 1).await;
    assert_eq!(messages[0].to, ["busy@example.org"]);
    assert_eq!(sink.attempts("busy@example.org"), 2, "451, then taken");

    let page = partners_page_when(&browser, &round, |page| {
        page.contains("0 waiting, 1 sent, 1 failed")
    })
    .await;
    let gone = row(&page, "Gone Org");
    assert!(gone.contains("bounced: "), "{gone}");
    assert!(gone.contains("mailbox unavailable"), "the reason: {gone}");
    assert!(
        !gone.contains("gone@example.org"),
        "the address stays out of the reason: {gone}"
    );
    assert!(row(&page, "Busy Org").contains("invited on "), "{page}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.attempts("gone@example.org"),
        1,
        "a bounce is not retried"
    );
}

async fn a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(engine: Engine) {
    // No mailer: no sender of the app's own takes the message first.
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (_, round, invitations) =
        invited(&app, &[partner("Food Bank", Some("f@example.org"))]).await;
    let store = app.store.as_ref();
    let now = unix_now();
    assert_eq!(
        store
            .queue_invitations(round.id, &app.base, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .queue_invitations(round.id, &app.base, now)
            .await
            .unwrap(),
        0
    );
    let first = store.claim_mail(now, now + 600).await.unwrap().unwrap();
    assert_eq!(
        (first.invitation_id, first.attempts),
        (invitations[0].id, 1)
    );
    // Two servers queueing reminders at once: the unique index lets one through.
    let (one, other) = tokio::join!(
        store.queue_reminders(round.id, &app.base, now),
        store.queue_reminders(round.id, &app.base, now)
    );
    assert_eq!(one.unwrap() + other.unwrap(), 1);
    // Another server, while the lease lasts: the reminder is due, the claimed invitation is not
    // taken again.
    let reminder = store.claim_mail(now + 1, now + 601).await.unwrap().unwrap();
    assert_ne!(reminder.id, first.id);
    assert_eq!(store.claim_mail(now + 1, now + 601).await.unwrap(), None);
    // The first server died mid-send: once the lease is over, another takes the message.
    let again = store
        .claim_mail(now + 601, now + 1201)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (first.id, 2));
}

async fn without_smtp_the_partners_page_says_so_and_links_the_unsubmitted_links(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round, _) = invited(&app, &[partner("Food Bank", Some("f@example.org"))]).await;
    let (status, page) = browser
        .get(&format!("/facilitator/rounds/{}/partners", round.id))
        .await;
    assert_eq!(status, 200);
    let start = page
        .find(r#"<section id="mailing">"#)
        .expect("an e-mail section");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    assert!(section.contains("E-mail is not set up"), "{section}");
    assert!(section.contains("--smtp-url"), "{section}");
    assert!(
        section.contains(&format!(
            r#"href="/facilitator/rounds/{}/links.csv?only=unsubmitted""#,
            round.id
        )),
        "{section}"
    );
    assert!(!page.contains("/mail/invitations"), "a send button: {page}");
    assert_eq!(
        page.matches("links.csv?only=unsubmitted").count(),
        1,
        "{page}"
    );
    assert!(!page.contains("/mail/reminders"), "a send button: {page}");
    let path = format!("/facilitator/rounds/{}/mail/invitations", round.id);
    let (status, _, _) = browser.post_checked(&path, &[]).await;
    assert_eq!(status, 422);
    let progress = app.store.mail_progress(round.id).await.unwrap();
    assert_eq!(progress.queued, 0, "nothing queued without e-mail");
}

crate::on_both_engines!(
    invitations_go_to_the_partners_with_an_address_each_with_its_own_link_and_a_stop_link,
    a_reminder_goes_only_to_partners_who_have_not_submitted_nor_opted_out,
    a_refused_recipient_bounces_at_once_and_a_deferred_one_is_tried_again_and_sent,
    a_claimed_message_is_not_claimed_again_until_its_lease_runs_out,
    without_smtp_the_partners_page_says_so_and_links_the_unsubmitted_links,
);
