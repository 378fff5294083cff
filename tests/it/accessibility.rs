//! Every page is accessible (WCAG 2.2 A and AA), in English and in Spanish: headless Chromium
//! opens each page a partner or a facilitator can reach, runs axe-core in it, and finds no
//! violation; the page does not scroll sideways at 320 CSS pixels nor at a 200 % zoom of a
//! 1280-pixel window. A partner completes the survey with the keyboard alone, and sees where the
//! focus is.
//!
//! axe-core comes from `scripts/axe-core` (into `target/axe-core/axe.min.js`; `AXE_CORE=/path`
//! picks another copy). Without it the test says so once and passes; in CI it fails, as a
//! missing Chromium does.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use partnerscope::accounts::{hash_password, token_digest, unix_now};
use partnerscope::demo;
use partnerscope::instrument::Library;
use partnerscope::survey::{Status, new_token};

use crate::browser::Chromium;
use crate::csp::{ANSWER_EVERYTHING, press, sign_in_form};
use crate::engines::Engine;
use crate::meeting::demo_owned_by;
use crate::server::{TestApp, new_invitation, new_round, spawn_app};
use crate::web_facilitate::PASSWORD;

/// The WCAG levels axe-core checks: 2.0, 2.1 and 2.2, A and AA.
const AXE_RUN: &str = r#"axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
  resultTypes: ['violations'],
}).then((results) => results.violations.map((v) =>
  `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`))"#;

/// The viewports each page is seen in, none of which it may scroll sideways in: width in CSS
/// pixels, device pixels per CSS pixel, name, and whether axe-core checks it there too. A
/// 1280-pixel window; a 320-pixel phone, where tables scroll in their regions and targets are
/// closest; that window zoomed to 200 %.
const VIEWS: [(u32, u32, &str, bool); 3] = [
    (1280, 1, "1280 px", true),
    (320, 1, "320 px", true),
    (640, 2, "200 % zoom", false),
];

/// axe-core's script, or `None` (after a notice) when it is not here and this is not CI.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe-core/axe.min.js"),
        PathBuf::from,
    );
    if let Ok(source) = std::fs::read_to_string(&path) {
        return Some(source);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must run the accessibility tests: {} is missing (scripts/axe-core fetches it)",
        path.display()
    );
    static NOTICE: Once = Once::new();
    NOTICE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: the accessibility tests did NOT run: no {} (run scripts/axe-core, or set \
             AXE_CORE=/path/to/axe.min.js).\n",
            path.display()
        );
    });
    None
}

/// One page to look at: `path` opened, then each of `then` run in turn, each leading to another
/// page (a form sent), the last one the page meant.
struct Page {
    label: &'static str,
    path: String,
    then: Vec<String>,
}

fn page(label: &'static str, path: impl Into<String>) -> Page {
    Page {
        label,
        path: path.into(),
        then: Vec::new(),
    }
}

fn page_after(label: &'static str, path: impl Into<String>, then: &[&str]) -> Page {
    Page {
        label,
        path: path.into(),
        then: then.iter().map(|step| step.to_string()).collect(),
    }
}

/// The pages anyone can reach without signing in, with new links each time (a link answered
/// once shows its thank-you page after); `reset` is a password reset link's token.
async fn public_pages(app: &TestApp, reset: &str) -> Vec<Page> {
    let store = app.store.as_ref();
    // An instrument in both languages, so the partner's pages follow the reader's.
    let shipped = Library::shipped().unwrap();
    let instrument = shipped.get(demo::INSTRUMENT).unwrap();
    let round = new_round(store, instrument, true).await;
    let mut links = Vec::new();
    for organisation in [
        "Eastside Food Bank",
        "Westside Clinic",
        "Northside School",
        "Southside Library",
    ] {
        let invitation = new_invitation(store, round.id, organisation).await;
        links.push(format!("/s/{}", invitation.token));
    }
    let [fresh, answered, saved, elsewhere] = <[String; 4]>::try_from(links).unwrap();
    let first = format!("item-{}", instrument.items[0].id);
    let draft = [(first.as_str(), "3"), ("action", "save")];
    assert_eq!(app.post(&elsewhere, &draft).await.0, 303);
    let closed = new_round(store, instrument, false).await;
    let closed_link = format!(
        "/s/{}",
        new_invitation(store, closed.id, "Old Mill").await.token
    );
    store.close_round(closed.id).await.unwrap();
    let submit = "document.querySelector('button[value=submit]').click()";
    let save = "document.querySelector('button[value=save]').click()";
    vec![
        page("home", "/"),
        page("privacy page", "/privacy"),
        page("partner form", fresh.clone()),
        page_after("partner form with problems (422)", fresh.clone(), &[submit]),
        page_after("thank-you page", answered, &[ANSWER_EVERYTHING]),
        page_after("partner form with its draft saved", saved.clone(), &[save]),
        page("partner form with its draft resumed", saved),
        page("partner form with a draft from elsewhere", elsewhere),
        page("stop-reminders page", format!("{fresh}/stop")),
        page("closed round's link", closed_link),
        page("unknown link", "/s/0123456789abcdef0123456789abcdef"),
        page("open link", format!("/o/{}", round.open_token.unwrap())),
        page("instrument preview", "/preview/collaboration-factors"),
        page("withdrawal page", "/withdraw"),
        page("404 page", "/no/such/page"),
        page("sign-in page", "/facilitator/sign-in"),
        page("forgotten password page", "/facilitator/forgot-password"),
        page(
            "password reset page",
            format!("/facilitator/reset-password/{reset}"),
        ),
    ]
}

/// The demo partnership with its two rounds, owned by an administrator who has asked for a new
/// password; the reset link's token and the ids of the partnership, its closed autumn round and
/// its open spring round.
async fn demo_site(app: &TestApp) -> (String, i64, i64, i64) {
    let admin = app
        .store
        .create_facilitator("ana@example.org", &hash_password(PASSWORD).unwrap(), true)
        .await
        .unwrap();
    let (autumn, spring) = demo_owned_by(app, admin.id).await;
    let reset = new_token();
    assert!(
        app.store
            .create_password_reset(admin.id, &token_digest(&reset), unix_now())
            .await
            .unwrap()
    );
    (reset, spring.partnership_id, autumn.id, spring.id)
}

/// Every page a signed-in facilitator reaches, on the demo partnership.
async fn facilitator_pages(app: &TestApp, partnership: i64, autumn: i64, spring: i64) -> Vec<Page> {
    let p = format!("/facilitator/partnerships/{partnership}");
    let r = format!("/facilitator/rounds/{spring}");
    let partner = app.store.invitation_progress(spring).await.unwrap()[0]
        .invitation
        .id;
    let share_button = press("/share");
    let share = [
        share_button.as_str(),
        "location.href = document.getElementById('share-link').textContent",
    ];
    let refused_facilitator = format!(
        "document.getElementById('co-facilitator-email').value = 'nobody@example.org'; {}",
        press("/facilitators")
    );
    vec![
        page("partnerships", "/facilitator"),
        page("partnership page", p.clone()),
        page_after("facilitators page", p.clone(), &[&refused_facilitator]),
        page(
            "closed round with its dashboard",
            format!("/facilitator/rounds/{autumn}"),
        ),
        page("open round with its dashboard", r.clone()),
        page("progress page", format!("{r}/progress")),
        page("partners page", format!("{r}/partners")),
        page(
            "partner's edit page",
            format!("/facilitator/partners/{partner}/edit"),
        ),
        page("paper form", format!("{r}/paper")),
        page("paper entry", format!("{r}/paper/entry")),
        page("meeting report", format!("{r}/report")),
        page_after("shared meeting report", r.clone(), &share),
        page("accounts page", "/facilitator/accounts"),
        page("password page", "/facilitator/password"),
        page("confirming a partnership's deletion", format!("{p}/delete")),
        page("confirming a round's deletion", format!("{r}/delete")),
        page(
            "confirming a partner's deletion",
            format!("/facilitator/partners/{partner}/delete"),
        ),
        page("confirming e-mail removal", format!("{r}/remove-emails")),
    ]
}

/// The page's width against the viewport's, and the outermost elements that stick out to the
/// right (outside any scrolling region), to say what to fix.
const WIDTHS: &str = r#"(() => {
  const inner = window.innerWidth;
  const out = (e) => e.getBoundingClientRect().right > inner + 0.5;
  const clipped = (e) => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const culprits = [...document.body.querySelectorAll('*')]
    .filter((e) => out(e) && !out(e.parentElement) && !clipped(e))
    .slice(0, 4)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
      ` "${e.textContent.trim().slice(0, 40)}"`);
  return [document.documentElement.scrollWidth, inner, culprits];
})()"#;

/// A page axe-core must fault: no language, an image without a text alternative.
const FAULTY: &str = "data:text/html,<!doctype html><title>faulty</title><img src=x>";

/// Opens `page` and notes in `problems` what axe-core finds on it and whether it scrolls
/// sideways, in each of [`VIEWS`].
async fn check(
    chromium: &mut Chromium,
    app: &TestApp,
    axe: &str,
    lang: &str,
    page: &Page,
    problems: &mut Vec<String>,
) {
    chromium.open(&app.url(&page.path)).await;
    for step in &page.then {
        chromium.follow(step).await;
    }
    let label = format!("{} ({lang}, {})", page.label, chromium.location().await);
    let shown = chromium.evaluate("document.documentElement.lang").await;
    if shown != lang && !label.contains("preview") {
        problems.push(format!("{label}: the page is in {shown}"));
    }
    // Through the DevTools protocol: the page's policy forbids inline script.
    chromium.evaluate(axe).await;
    for (width, scale, name, axe_here) in VIEWS {
        chromium.viewport(width, scale).await;
        if axe_here {
            let violations = chromium.evaluate(AXE_RUN).await;
            for violation in violations.as_array().unwrap() {
                problems.push(format!(
                    "{label} at {name}: {}",
                    violation.as_str().unwrap()
                ));
            }
        }
        let widths = chromium.evaluate(WIDTHS).await;
        if widths[0].as_u64() > widths[1].as_u64() {
            problems.push(format!(
                "{label}: scrolls sideways at {name}: {} CSS px wide in {} ({} stick out)",
                widths[0], widths[1], widths[2]
            ));
        }
    }
}

#[tokio::test]
async fn every_page_passes_axe_and_fits_320_px_and_200_percent_zoom_in_english_and_spanish() {
    let Some(axe) = axe_source() else {
        return;
    };
    let Some(mut chromium) = Chromium::launch().await else {
        return;
    };
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let (reset, partnership, autumn, spring) = demo_site(&app).await;
    chromium.open(FAULTY).await;
    chromium.evaluate(&axe).await;
    let faults = chromium.evaluate(AXE_RUN).await.to_string();
    assert!(
        faults.contains("html-has-lang") && faults.contains("image-alt"),
        "axe-core faults a faulty page: {faults}"
    );
    let mut problems = Vec::new();
    for lang in ["en", "es"] {
        chromium
            .open(&app.url(&format!("/language?to={lang}&back=/")))
            .await;
        for page in public_pages(&app, &reset).await {
            check(&mut chromium, &app, &axe, lang, &page, &mut problems).await;
        }
        chromium.open(&app.url("/facilitator/sign-in")).await;
        chromium
            .follow(&sign_in_form("ana@example.org", PASSWORD))
            .await;
        assert_eq!(chromium.location().await, app.url("/facilitator"));
        for page in facilitator_pages(&app, partnership, autumn, spring).await {
            check(&mut chromium, &app, &axe, lang, &page, &mut problems).await;
        }
        chromium.open(&app.url("/facilitator")).await;
        chromium.follow(&press("/facilitator/sign-out")).await;
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The focused element: its tag, type, name, value and whether its outline or box shadow
/// shows where the focus is.
const FOCUSED: &str = r#"(() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return {tag: e.tagName, type: e.type ?? '', name: e.name ?? '', value: e.value ?? '', ring};
})()"#;

#[tokio::test]
async fn a_partner_completes_the_survey_with_the_keyboard_alone_and_sees_the_focus() {
    let Some(mut chromium) = Chromium::launch().await else {
        return;
    };
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let (round, _, path) = app.invitation().await;
    chromium.open(&app.url(&path)).await;
    let mut answered = Vec::new();
    let mut unringed = Vec::new();
    for _ in 0..200 {
        chromium.press_key("Tab").await;
        let focused = chromium.evaluate(FOCUSED).await;
        let name = focused["name"].as_str().unwrap().to_string();
        if focused["ring"] != true {
            unringed.push(format!("{} {name}", focused["tag"]));
        }
        match (focused["type"].as_str().unwrap(), name.as_str()) {
            ("checkbox", "consent") => chromium.press_key(" ").await,
            // The first option of each statement gets the focus; the arrow moves to the next and
            // chooses it, as in any radio group.
            ("radio", _) if !answered.contains(&name) => {
                chromium.press_key("ArrowRight").await;
                answered.push(name);
            }
            ("submit", "action") if focused["value"] == "submit" => {
                chromium.follow_key("Enter").await;
                break;
            }
            _ => {}
        }
    }
    assert!(unringed.is_empty(), "focus not visible on {unringed:?}");
    assert_eq!(answered.len(), 6, "every statement answered: {answered:?}");
    assert_eq!(
        chromium.location().await,
        app.url(&format!("{path}/thanks"))
    );
    let responses = app.store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, Status::Submitted);
    assert!(responses[0].answers.consent);
    assert_eq!(responses[0].answers.items.len(), 6);
}
