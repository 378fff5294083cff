//! A forgotten password, reset by a link sent over SMTP to a real SMTP server on loopback: the
//! link goes only to an account's address, works once and for an hour, sets a password by the
//! usual rules and ends every session; the form says the same for any address.

use std::sync::Arc;

use partnerscope::accounts::{token_digest, unix_now};
use partnerscope::mail::Mailer;

use crate::engines::Engine;
use crate::server::{TestApp, post_form, spawn_app, spawn_app_configured};
use crate::smtp::SmtpSink;
use crate::web_facilitate::{PASSWORD, signed_in};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// The app sending its mail to `sink`.
async fn app_with_mail(engine: Engine, sink: &SmtpSink) -> Option<TestApp> {
    let mailer = Mailer::new(&sink.url, "Riverside Partnership <survey@example.org>").unwrap();
    spawn_app_configured(engine, |state| state.mailer = Some(Arc::new(mailer))).await
}

/// Signs in with `password` from a fresh browser: the status.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> u16 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let fields = [("email", email), ("password", password)];
    post_form(&client, &app.url("/facilitator/sign-in"), &fields)
        .await
        .0
}

async fn a_reset_link_is_mailed_to_the_account_and_sets_a_new_password_once(engine: Engine) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_mail(engine, &sink).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (status, page) = app.get("/facilitator/sign-in").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"href="/facilitator/forgot-password""#));

    let app = &app;
    let ask = |email: &'static str| async move {
        app.post("/facilitator/forgot-password", &[("email", email)])
            .await
    };
    let (status, _, known) = ask("Ana@Example.org").await;
    assert_eq!(status, 200);
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, ["ana@example.org"]);
    assert!(
        mail.data
            .contains("Subject: Set a new partnerscope password"),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("survey@example.org"), "{}", mail.data);
    let link = mail.link().expect("a link in the message");
    assert!(
        link.starts_with(&app.url("/facilitator/reset-password/")),
        "{link}"
    );

    // Any other address, or the same one again within minutes: the same page, and no mail.
    let (_, _, unknown) = ask("nobody@example.org").await;
    assert_eq!(
        unknown, known,
        "the page tells whether an address has an account"
    );
    ask("ana@example.org").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        sink.received().len(),
        1,
        "a second link within minutes, or one to nobody"
    );

    let path = &link[app.base.len()..];
    let (status, form) = app.get(path).await;
    assert_eq!(status, 200);
    assert!(form.contains("ana@example.org"), "{form}");
    for (password, again, problem) in [
        (
            NEW_PASSWORD,
            "something else entirely",
            "The two passwords differ",
        ),
        ("short", "short", "at least 10 characters"),
    ] {
        let (status, _, page) = app
            .post(path, &[("password", password), ("password_again", again)])
            .await;
        assert_eq!(status, 422);
        assert!(page.contains(problem), "{page}");
    }
    let (status, location, _) = app
        .post(
            path,
            &[("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/facilitator/sign-in?reset=1"))
    );
    let (_, page) = app.get("/facilitator/sign-in?reset=1").await;
    assert!(page.contains("Your password is set."));

    // The old session ended; the new password signs in, the old one no longer does.
    assert_eq!(browser.get("/facilitator").await.0, 303);
    assert_eq!(sign_in(app, "ana@example.org", NEW_PASSWORD).await, 303);
    assert_eq!(
        sign_in(app, "ana@example.org", "correct horse battery staple").await,
        401
    );
    // The link worked once.
    let (status, page) = app.get(path).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired or was already used"), "{page}");
    let (status, _, _) = app
        .post(
            path,
            &[
                ("password", "yet another passphrase"),
                ("password_again", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(status, 410);
    assert_eq!(sign_in(app, "ana@example.org", NEW_PASSWORD).await, 303);
    assert_eq!(
        app.get("/facilitator/reset-password/not-a-token").await.0,
        410
    );
}

async fn a_reset_link_stops_working_after_an_hour(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let token = partnerscope::survey::new_token();
    let digest = token_digest(&token);
    let made = unix_now() - 61 * 60;
    let store = app.store.as_ref();
    assert!(
        store
            .create_password_reset(browser.facilitator.id, &digest, made)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .password_reset_email(&digest, made + 59 * 60)
            .await
            .unwrap(),
        Some("ana@example.org".to_string())
    );
    assert_eq!(
        store
            .password_reset_email(&digest, unix_now())
            .await
            .unwrap(),
        None
    );
    let path = format!("/facilitator/reset-password/{token}");
    assert_eq!(app.get(&path).await.0, 410);
    assert!(
        !store
            .use_password_reset(&digest, unix_now(), "hash")
            .await
            .unwrap()
    );
}

async fn without_smtp_the_form_says_how_else_to_get_a_new_password(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    signed_in(&app, "ana@example.org").await;
    let (status, page) = app.get("/facilitator/forgot-password").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("partnerscope facilitator reset-password"),
        "{page}"
    );
    assert!(!page.contains("<form"), "{page}");
    let (status, _, page) = app
        .post(
            "/facilitator/forgot-password",
            &[("email", "ana@example.org")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("does not send e-mail"), "{page}");
}

async fn a_facilitator_changes_their_password_with_the_current_one_and_is_signed_out_everywhere(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let other = crate::web_facilitate::sign_in(&app, browser.facilitator.clone(), PASSWORD).await;
    let (status, home) = browser.get("/facilitator").await;
    assert_eq!(status, 200);
    assert!(home.contains(r#"href="/facilitator/password""#));
    let (status, form) = browser.get("/facilitator/password").await;
    assert_eq!(status, 200);
    assert!(form.contains(r#"autocomplete="current-password""#));

    let change = |current: &'static str, password: &'static str, again: &'static str| {
        let browser = &browser;
        async move {
            browser
                .post_checked(
                    "/facilitator/password",
                    &[
                        ("current_password", current),
                        ("password", password),
                        ("password_again", again),
                    ],
                )
                .await
        }
    };
    // A wrong current password changes nothing, and counts as a failed sign-in would.
    let (status, _, page) = change("not the password", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, 401);
    assert!(
        page.contains("The current password is not right."),
        "{page}"
    );
    let (status, _, page) = change(PASSWORD, NEW_PASSWORD, "something else").await;
    assert_eq!(status, 422);
    assert!(page.contains("The two passwords differ"), "{page}");
    let (status, _, page) = change(PASSWORD, "short", "short").await;
    assert_eq!(status, 422);
    assert!(page.contains("at least 10 characters"), "{page}");
    assert_eq!(
        sign_in(&app, "ana@example.org", PASSWORD).await,
        303,
        "nothing changed yet"
    );

    let (status, location, _) = change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/facilitator/sign-in?reset=1"))
    );
    // Every session ended, this one and the other browser's.
    for client in [&browser, &other] {
        assert_eq!(client.get("/facilitator").await.0, 303);
    }
    assert_eq!(sign_in(&app, "ana@example.org", PASSWORD).await, 401);
    assert_eq!(sign_in(&app, "ana@example.org", NEW_PASSWORD).await, 303);
}

crate::on_both_engines!(
    a_facilitator_changes_their_password_with_the_current_one_and_is_signed_out_everywhere,
    a_reset_link_is_mailed_to_the_account_and_sets_a_new_password_once,
    a_reset_link_stops_working_after_an_hour,
    without_smtp_the_form_says_how_else_to_get_a_new_password,
);
