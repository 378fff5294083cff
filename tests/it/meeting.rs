//! The meeting report: the facilitator's printable page set of a round's latest release, the
//! share link that shows it read-only to coalition members, and the PDF a browser prints of it.

use base64::Engine as _;
use partnerscope::demo;
use partnerscope::instrument::Library;
use partnerscope::survey::Round;

use crate::browser::Chromium;
use crate::engines::Engine;
use crate::server::{TestApp, spawn_app};
use crate::web_facilitate::{Browser, signed_in};

/// The demo partnership, owned by a signed-in facilitator: its browser and its two rounds
/// (autumn, closed; spring, open with interim releases).
pub async fn demo_partnership(app: &TestApp) -> (Browser, Round, Round) {
    let browser = signed_in(app, "ana@example.org").await;
    let (autumn, spring) = demo_owned_by(app, browser.facilitator.id).await;
    (browser, autumn, spring)
}

/// The demo partnership, made and given to the facilitator `owner`: its two rounds (autumn,
/// closed; spring, open with interim releases).
pub(crate) async fn demo_owned_by(app: &TestApp, owner: i64) -> (Round, Round) {
    let shipped = Library::shipped().unwrap();
    let instrument = shipped.get(demo::INSTRUMENT).unwrap();
    demo::ensure(app.store.as_ref(), instrument).await.unwrap();
    let partnership = app
        .store
        .partnerships(partnerscope::store::Visible::All)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == demo::PARTNERSHIP)
        .unwrap();
    app.store.set_owner(partnership.id, owner).await.unwrap();
    let mut rounds = app.store.rounds(partnership.id).await.unwrap();
    let spring = rounds.pop().unwrap();
    let autumn = rounds.pop().unwrap();
    (autumn, spring)
}

/// The share link the round page shows, after asking for a new one.
pub(crate) async fn new_share_link(browser: &Browser, round: &Round) -> String {
    let page = format!("/facilitator/rounds/{}", round.id);
    let (status, location, _) = browser.post_checked(&format!("{page}/share"), &[]).await;
    assert_eq!((status, location), (303, Some(format!("{page}#share"))));
    let (_, body) = browser.get(&page).await;
    let start = body
        .find(r#"<code id="share-link">"#)
        .expect("a share link")
        + 22;
    let end = start + body[start..].find('<').unwrap();
    body[start..end].to_string()
}

/// GETs `url` without any cookie: a coalition member who only has the link.
pub(crate) async fn anonymous_get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// What every report of the demo's spring round shows.
fn assert_whole_report(body: &str) {
    for part in [
        "Riverside Community Health Partnership: self-assessment 2026 spring",
        "34 responses from 36 invited partners (94 %).",
        "How we rate ourselves",
        "<svg",
        "Change since 2025 autumn",
        "became a Strength",
        "Strengths and concerns",
        "Enough money, staff and time",
        "By sector",
        "residents",
        "Statement by statement",
        "Partners can count on each other to follow through on what they promise.",
        "Comments",
        "Monthly meetings where everyone gets a turn to speak.",
    ] {
        assert!(body.contains(part), "the report lacks {part:?}");
    }
    // Each shown statement says how many agree and disagree with it as worded, in whole percents.
    assert!(
        body.contains(r#"<th scope="col" class="num" aria-describedby="poles-note">Agree</th>"#)
    );
    assert!(body.contains(r#"<p class="small" id="poles-note">Agree and disagree: "#));
    let statement = "Partners can count on each other to follow through on what they promise.";
    let row = &body[body.find(statement).unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert_eq!(row.matches("\u{a0}%</td>").count(), 2, "{row}");
    // Nothing to click that changes anything, and no facilitator navigation.
    assert!(!body.contains("<form"), "a form in the report");
    assert!(!body.contains("csrf"), "a session's token in the report");
    assert!(
        !body.contains("Sign out"),
        "the facilitator's navigation in the report"
    );
}

async fn the_meeting_report_shows_the_latest_release_to_the_facilitator_and_through_a_revocable_share_link(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, _, spring) = demo_partnership(&app).await;
    let report = format!("/facilitator/rounds/{}/report", spring.id);
    let (status, body) = browser.get(&report).await;
    assert_eq!(status, 200);
    assert_whole_report(&body);
    assert!(body.contains(&format!(r#"href="/facilitator/rounds/{}""#, spring.id)));

    // Another facilitator finds neither the report nor a way to share it.
    let stranger = signed_in(&app, "ben@example.org").await;
    assert_eq!(stranger.get(&report).await.0, 404);
    let share = format!("/facilitator/rounds/{}/share", spring.id);
    assert_eq!(stranger.post_checked(&share, &[]).await.0, 404);

    // The share link shows the same report to anyone, with nothing of the facilitator's.
    let link = new_share_link(&browser, &spring).await;
    let (status, shared) = anonymous_get(&link).await;
    assert_eq!(status, 200);
    assert_whole_report(&shared);
    assert!(shared.contains("Shared read-only by the partnership"));
    assert!(
        !shared.contains("/facilitator"),
        "a way into the facilitator's pages"
    );
    assert!(shared.contains(r#"<meta name="robots" content="noindex, nofollow">"#));

    // A comment the facilitator removes is removed from the shared report too.
    let (_, page) = browser
        .get(&format!("/facilitator/rounds/{}", spring.id))
        .await;
    let at = page.find("/comments/").unwrap() + 10;
    let handle = &page[at..at + 16];
    let (status, _, _) = browser
        .post_checked(
            &format!("/facilitator/rounds/{}/comments/{handle}/remove", spring.id),
            &[],
        )
        .await;
    assert_eq!(status, 303);
    let (_, shared) = anonymous_get(&link).await;
    assert!(shared.contains("[removed by the facilitator]"), "{shared}");

    // A new link replaces the old one; stopping makes it stop.
    let again = new_share_link(&browser, &spring).await;
    assert_ne!(again, link);
    assert_eq!(anonymous_get(&link).await.0, 404);
    assert_eq!(anonymous_get(&again).await.0, 200);
    let (status, _, _) = browser.post_checked(&format!("{share}/stop"), &[]).await;
    assert_eq!(status, 303);
    let (status, body) = anonymous_get(&again).await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    assert_eq!(anonymous_get(&app.url("/r/not-a-token")).await.0, 404);
}

async fn a_round_without_a_release_has_a_report_that_says_so(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partnership = app
        .store
        .create_partnership("Eastside", Some(browser.facilitator.id))
        .await
        .unwrap();
    let round = crate::server::mini_round_in(app.store.as_ref(), partnership.id, "2026").await;
    let (status, body) = browser
        .get(&format!("/facilitator/rounds/{}/report", round.id))
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("No figures are released for this round yet."));
    assert!(body.contains("0 responses."), "{body}");
    assert!(!body.contains("Strengths and concerns"));
}

crate::on_both_engines!(
    the_meeting_report_shows_the_latest_release_to_the_facilitator_and_through_a_revocable_share_link,
    a_round_without_a_release_has_a_report_that_says_so,
);

/// Paper sizes in inches, as Chromium's print dialog offers them.
const PAPERS: [(&str, f64, f64); 2] = [("A4", 8.27, 11.69), ("Letter", 8.5, 11.0)];

#[tokio::test]
async fn the_shared_report_prints_on_about_four_pages_of_a4_or_letter() {
    let Some(app) = spawn_app(Engine::Sqlite).await else {
        return;
    };
    let Some(mut chromium) = Chromium::launch().await else {
        return;
    };
    let (browser, _, spring) = demo_partnership(&app).await;
    let link = new_share_link(&browser, &spring).await;
    chromium.open(&link).await;
    for (paper, width, height) in PAPERS {
        let printed = chromium
            .command(
                "Page.printToPDF",
                serde_json::json!({
                    "paperWidth": width,
                    "paperHeight": height,
                    "displayHeaderFooter": false,
                    "printBackground": true,
                }),
            )
            .await;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(printed["data"].as_str().unwrap())
            .unwrap();
        let document = lopdf::Document::load_mem(&pdf).unwrap();
        let pages: Vec<u32> = document.get_pages().keys().copied().collect();
        assert!(
            (3..=5).contains(&pages.len()),
            "{paper}: {} pages",
            pages.len()
        );
        let first = document.extract_text(&pages[..1]).unwrap();
        for part in [
            "Riverside Community Health Partnership",
            "34 responses from 36 invited partners",
            "How we rate ourselves",
            "Change since 2025 autumn",
        ] {
            assert!(
                first.contains(part),
                "{paper}, page 1 lacks {part:?}:\n{first}"
            );
        }
        let all = document.extract_text(&pages).unwrap();
        for part in [
            "Strengths and concerns",
            "Statement by statement",
            "Comments",
        ] {
            assert!(all.contains(part), "{paper}: no {part:?}");
        }
        // The screen's chrome stays off the paper.
        assert!(
            !all.contains("partnerscope"),
            "{paper}: the site's header printed"
        );
    }
}
