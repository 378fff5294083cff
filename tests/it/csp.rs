//! The content security policy in a real browser: headless Chromium answers a partner's survey
//! through the forms, signs a facilitator in through the sign-in form and opens every kind of
//! page, and no page has anything refused by the policy (while the stylesheet does load). A page
//! that breaks the same policy on purpose shows that refusals are seen. Then the facilitator signs
//! out, and Back does not bring their last page back.

use axum::http::header;
use partnerscope::accounts::hash_password;
use partnerscope::web::headers::CONTENT_SECURITY_POLICY;

use crate::browser::Chromium;
use crate::engines::Engine;
use crate::server::spawn_app;
use crate::web_facilitate::answered_round;

/// A page breaking the policy three ways: a style element, a style attribute and a script.
const DECOY: &str = r#"<!doctype html><html><head><title>decoy</title>
<style>p { color: red }</style></head>
<body><p style="color: blue">Decoy</p><script>document.title = "the script ran";</script></body></html>"#;

/// Serves [`DECOY`] under the application's policy on a port of its own; returns its address.
async fn decoy() -> String {
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            (
                [
                    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                ],
                DECOY,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

/// Fills in every question of the survey form on the page with its first option, ticks the
/// consent box, and presses Submit.
pub(crate) const ANSWER_EVERYTHING: &str = r#"{
  const form = document.querySelector('form[novalidate]');
  for (const radio of form.querySelectorAll('input[type=radio]')) {
    if (!form.querySelector(`input[name="${radio.name}"]:checked`)) radio.checked = true;
  }
  const consent = document.getElementById('consent');
  if (consent) consent.checked = true;
  form.querySelector('button[value=submit]').click();
}"#;

/// Presses the button of the form whose action ends with `action`.
pub(crate) fn press(action: &str) -> String {
    format!(r#"document.querySelector('form[action$="{action}"] button').click()"#)
}

/// Fills in the sign-in form on the page with `email` and `password` and sends it.
pub(crate) fn sign_in_form(email: &str, password: &str) -> String {
    format!(
        "document.getElementById('email').value = '{email}';
         document.getElementById('password').value = '{password}';
         document.querySelector('form button').click()"
    )
}

/// Notes the page shown as `label` in `problems` when the policy refused anything on it or its
/// stylesheet did not load.
async fn look(chromium: &mut Chromium, label: &str, problems: &mut Vec<String>) {
    let violations = chromium.csp_violations().await;
    if !violations.is_empty() {
        problems.push(format!("{label}: {violations:?}"));
    }
    let styled = chromium
        .evaluate(
            "document.styleSheets.length === 1 && document.styleSheets[0].cssRules.length > 0",
        )
        .await;
    if styled != true {
        problems.push(format!("{label}: the stylesheet did not load"));
    }
}

#[tokio::test]
async fn no_page_breaks_the_content_security_policy_in_a_real_browser() {
    let Some(mut chromium) = Chromium::launch().await else {
        return;
    };
    chromium.open(&decoy().await).await;
    let caught = chromium.csp_violations().await;
    for directive in ["style-src-elem", "style-src-attr", "script-src-elem"] {
        assert!(
            caught.iter().any(|v| v.starts_with(directive)),
            "the decoy's {directive} refusal is seen: {caught:?}"
        );
    }
    assert_eq!(chromium.evaluate("document.title").await, "decoy");

    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let url = |path: &str| app.url(path);
    let mut problems = Vec::new();

    // A partner: the personal link, sent empty (422), then answered; the open link, answered.
    let (round, _, personal) = app.invitation().await;
    chromium.open(&url(&personal)).await;
    look(&mut chromium, "personal link", &mut problems).await;
    chromium
        .follow("document.querySelector('button[value=submit]').click()")
        .await;
    look(&mut chromium, "personal link with problems", &mut problems).await;
    chromium.follow(ANSWER_EVERYTHING).await;
    assert!(
        chromium
            .location()
            .await
            .ends_with(&format!("{personal}/thanks"))
    );
    look(&mut chromium, "thank-you page", &mut problems).await;
    let open = format!("/o/{}", round.open_token.clone().unwrap());
    chromium.open(&url(&open)).await;
    look(&mut chromium, "open link", &mut problems).await;
    chromium.follow(ANSWER_EVERYTHING).await;
    assert!(
        chromium
            .location()
            .await
            .ends_with(&format!("{open}/thanks"))
    );
    look(&mut chromium, "open link's thank-you page", &mut problems).await;
    for (label, path) in [
        ("withdrawal page", "/withdraw"),
        ("privacy page", "/privacy"),
        ("preview", "/preview/collaboration-factors"),
        ("404 page", "/no/such/page"),
        ("sign-in page", "/facilitator/sign-in"),
    ] {
        chromium.open(&url(path)).await;
        look(&mut chromium, label, &mut problems).await;
    }

    // A facilitator, signed in through the form (the page shown is the sign-in page).
    let email = "ana@example.org";
    let password = "correct horse battery staple";
    let facilitator = app
        .store
        .create_facilitator(email, &hash_password(password).unwrap(), false)
        .await
        .unwrap();
    let answered = answered_round(&app, &facilitator, "2026 spring").await;
    chromium.follow(&sign_in_form(email, password)).await;
    assert_eq!(
        chromium.location().await,
        url("/facilitator"),
        "signed in through the form"
    );
    look(&mut chromium, "facilitator home", &mut problems).await;
    let r = format!("/facilitator/rounds/{}", answered.id);
    let p = format!("/facilitator/partnerships/{}", answered.partnership_id);
    chromium.open(&url(&r)).await;
    chromium.follow(&press("/close")).await;
    assert_eq!(chromium.location().await, url(&r), "the round is closed");
    let charts = chromium
        .evaluate("document.querySelectorAll('.chart svg').length")
        .await;
    assert!(charts.as_u64().unwrap() > 0, "the round page shows charts");
    look(&mut chromium, "round page with figures", &mut problems).await;
    let partner = app.store.invitation_progress(answered.id).await.unwrap()[0]
        .invitation
        .id;
    for (label, path) in [
        ("partnership page", p.clone()),
        ("partners page", format!("{r}/partners")),
        ("progress page", format!("{r}/progress")),
        ("confirming a partnership's deletion", format!("{p}/delete")),
        ("confirming a round's deletion", format!("{r}/delete")),
        (
            "confirming a partner's deletion",
            format!("/facilitator/partners/{partner}/delete"),
        ),
        ("confirming e-mail removal", format!("{r}/remove-emails")),
        ("404 page, signed in", format!("{r}/reports/none.csv")),
    ] {
        chromium.open(&url(&path)).await;
        look(&mut chromium, label, &mut problems).await;
    }
    assert!(problems.is_empty(), "{problems:#?}");

    // Signing out; then Back asks the server again instead of showing the page kept.
    chromium.open(&url(&r)).await;
    chromium.follow(&press("/facilitator/sign-out")).await;
    assert_eq!(chromium.location().await, url("/facilitator/sign-in"));
    chromium.back().await;
    assert_eq!(
        chromium.location().await,
        url("/facilitator/sign-in"),
        "Back after signing out shows the sign-in page, not the round"
    );
}
