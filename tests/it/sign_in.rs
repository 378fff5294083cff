//! Sign-in that cannot be turned against its owner (issue 12): the slowdown decays and only
//! delays, a reset forgets it, inputs are bounded before anything is stored, password checks are
//! bounded, the `Origin` check honours the public URL, and sessions are limited and can all be
//! ended at once.

use std::net::IpAddr;
use std::sync::Arc;

use partnerscope::accounts::{
    DECAY_SECONDS, EMAIL_THROTTLE, Failures, SignInEmail, ThrottleKey, hash_password, unix_now,
};
use partnerscope::store::{self, Store};
use partnerscope::web::authentication::{Attempt, AuthError, SignIns, authenticate};

use crate::deletion::count;
use crate::engines::{Engine, fresh_database};
use crate::server::{TestApp, spawn_app, spawn_app_configured};

const OWNER: &str = "ana@example.org";
const PASSWORD: &str = "correct horse battery staple";

/// A fresh store on `engine` with the facilitator [`OWNER`]; `None` when the engine is missing.
async fn store_with_owner(engine: Engine) -> Option<(Arc<dyn Store>, tempfile::TempDir)> {
    let (url, dir) = fresh_database(engine).await?;
    let store = store::open(&url).await.unwrap();
    store
        .create_facilitator(OWNER, &hash_password(PASSWORD).unwrap(), false)
        .await
        .unwrap();
    Some((store, dir))
}

/// A client address, from its text.
fn ip(address: &str) -> Option<IpAddr> {
    Some(address.parse().unwrap())
}

/// An attempt at [`OWNER`] with `password` from `client`.
fn attempt<'a>(password: &'a str, client: Option<IpAddr>) -> Attempt<'a> {
    Attempt {
        email: OWNER,
        password,
        client,
        device: None,
    }
}

/// How many failure counts the store keeps.
async fn stored_counts(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM sign_in_failures").await
}

/// Makes the owner's account, whose password is [`PASSWORD`].
async fn add_owner(app: &TestApp) {
    app.store
        .create_facilitator(OWNER, &hash_password(PASSWORD).unwrap(), false)
        .await
        .unwrap();
}

/// A browser-like client: keeps cookies, does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the sign-in form as `client`; the status and the session cookie's token if one was set.
async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> (u16, Option<String>) {
    let response = client
        .post(app.url("/facilitator/sign-in"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    let token = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| value.strip_prefix("partnerscope_session="))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_string);
    (response.status().as_u16(), token)
}

/// The status of `/facilitator` for a request carrying only the session cookie `token`.
async fn status_with_session(app: &TestApp, token: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/facilitator"))
        .header("cookie", format!("partnerscope_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn an_attacker_failing_once_every_quarter_hour_for_a_day_never_keeps_the_owner_out(
    engine: Engine,
) {
    let Some((store, _dir)) = store_with_owner(engine).await else {
        return;
    };
    let sign_ins = SignIns::new(1);
    let start = unix_now();
    let mut now = start;
    for _ in 0..24 * 4 {
        let result = authenticate(
            store.as_ref(),
            &sign_ins,
            &attempt("a wrong guess", ip("203.0.113.66")),
            now,
        )
        .await;
        assert!(
            matches!(result, Err(AuthError::Wrong | AuthError::Locked { .. })),
            "{result:?}"
        );
        now += DECAY_SECONDS;
    }
    // The owner, a second after the attacker's last try, from their own address.
    let owner = authenticate(
        store.as_ref(),
        &sign_ins,
        &attempt(PASSWORD, ip("198.51.100.7")),
        now - DECAY_SECONDS + 1,
    )
    .await;
    assert_eq!(owner.expect("the owner gets in").facilitator.email, OWNER);
}

async fn an_attacker_hammering_from_fifty_addresses_delays_the_owner_by_the_short_wait_at_most(
    engine: Engine,
) {
    let Some((store, _dir)) = store_with_owner(engine).await else {
        return;
    };
    let sign_ins = SignIns::new(1);
    let start = unix_now();
    // Ten minutes of one wrong guess a second, taking turns among 50 addresses.
    let mut checked = 0;
    for second in 0..600 {
        let client = format!("198.18.0.{}", second % 50);
        let result = authenticate(
            store.as_ref(),
            &sign_ins,
            &attempt("a wrong guess", ip(&client)),
            start + second,
        )
        .await;
        match result {
            Err(AuthError::Wrong) => checked += 1,
            Err(AuthError::Locked { seconds }) => {
                assert!(seconds <= EMAIL_THROTTLE.longest_wait, "{seconds}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        checked <= 20,
        "the e-mail's wait slowed the guessing: {checked} checked"
    );
    let end = start + 600;
    let waiting = authenticate(
        store.as_ref(),
        &sign_ins,
        &attempt(PASSWORD, ip("198.51.100.7")),
        end,
    )
    .await;
    assert!(
        matches!(waiting, Err(AuthError::Locked { seconds }) if seconds <= EMAIL_THROTTLE.longest_wait)
            || waiting.is_ok(),
        "{waiting:?}"
    );
    let owner = authenticate(
        store.as_ref(),
        &sign_ins,
        &attempt(PASSWORD, ip("198.51.100.7")),
        end + EMAIL_THROTTLE.longest_wait,
    )
    .await;
    assert_eq!(owner.expect("the owner gets in").facilitator.email, OWNER);
    // The success forgot the e-mail's count.
    let email = [ThrottleKey::Email(SignInEmail::parse(OWNER).unwrap())];
    assert_eq!(store.sign_in_failures(&email).await.unwrap(), [None]);
}

async fn a_client_address_that_keeps_failing_waits_longer_whichever_addresses_it_names(
    engine: Engine,
) {
    let Some((store, _dir)) = store_with_owner(engine).await else {
        return;
    };
    let sign_ins = SignIns::new(1);
    let now = unix_now();
    let guesser = ip("203.0.113.9");
    let mut results = Vec::new();
    for i in 0..8 {
        let email = format!("person{i}@example.org");
        let guess = Attempt {
            email: &email,
            password: "a wrong guess",
            client: guesser,
            device: None,
        };
        results.push(authenticate(store.as_ref(), &sign_ins, &guess, now).await);
    }
    assert!(
        matches!(results.last(), Some(Err(AuthError::Locked { seconds: 30 }))),
        "{results:?}"
    );
    let key = [ThrottleKey::client("203.0.113.9".parse().unwrap())];
    assert!(matches!(
        store.sign_in_failures(&key).await.unwrap()[..],
        [Some(Failures { count: 6, .. })]
    ));
    // Only that client waits: the owner, elsewhere, signs in.
    let owner = authenticate(
        store.as_ref(),
        &sign_ins,
        &attempt(PASSWORD, ip("198.51.100.7")),
        now,
    )
    .await;
    assert!(owner.is_ok(), "{owner:?}");
}

/// Runs `partnerscope facilitator reset-password OWNER` on `database_url` with `password`.
fn reset_password(database_url: &str, password: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args([
            "facilitator",
            "reset-password",
            OWNER,
            "--database-url",
            database_url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

async fn resetting_the_password_forgets_the_failed_sign_ins_and_the_owner_signs_in_at_once(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    add_owner(&app).await;
    let client = browser();
    for _ in 0..4 {
        let (status, _) = sign_in(&app, &client, OWNER, "a wrong guess").await;
        assert!(status == 401 || status == 429, "{status}");
    }
    assert_eq!(
        sign_in(&app, &client, OWNER, PASSWORD).await.0,
        429,
        "the address waits"
    );
    let reset = reset_password(&app.database_url, "a brand new password");
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("failed sign-ins are forgotten"));
    assert_eq!(
        sign_in(&app, &client, OWNER, "a brand new password")
            .await
            .0,
        303
    );
}

async fn thirty_sign_ins_with_60_kb_addresses_or_passwords_store_nothing_and_are_refused(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    add_owner(&app).await;
    let client = browser();
    let mut answers = Vec::new();
    for i in 0..30 {
        let email = format!("{}{i}@example.org", "a".repeat(60_000));
        let response = client
            .post(app.url("/facilitator/sign-in"))
            .form(&[("email", email.as_str()), ("password", "a wrong guess")])
            .send()
            .await
            .unwrap();
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }
    assert_eq!(stored_counts(&app).await, 0, "nothing was stored");
    for (status, body) in answers {
        assert_eq!(status, 401);
        assert!(body.len() < 10_000, "the address is not echoed back");
    }
    let password = "p".repeat(60_000);
    for _ in 0..30 {
        assert_eq!(sign_in(&app, &client, OWNER, &password).await.0, 401);
    }
    assert_eq!(stored_counts(&app).await, 0, "nothing was stored");
    assert_eq!(sign_in(&app, &client, OWNER, PASSWORD).await.0, 303);
}

async fn with_every_password_checker_busy_a_sign_in_is_answered_503_at_once(engine: Engine) {
    let sign_ins = Arc::new(SignIns::new(1));
    let shared = Arc::clone(&sign_ins);
    let Some(app) = spawn_app_configured(engine, |state| state.sign_ins = shared).await else {
        return;
    };
    add_owner(&app).await;
    let held = sign_ins
        .hashers()
        .try_slot()
        .expect("the only checker is free");
    let response = browser()
        .post(app.url("/facilitator/sign-in"))
        .form(&[("email", OWNER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.headers().get("set-cookie").is_none());
    let body = response.text().await.unwrap();
    assert!(body.contains("Many sign-ins are being checked right now."));
    assert_eq!(stored_counts(&app).await, 0, "nothing was counted");
    drop(held);
    assert_eq!(sign_in(&app, &browser(), OWNER, PASSWORD).await.0, 303);
}

async fn behind_a_proxy_the_origin_must_be_the_public_url_with_its_scheme(engine: Engine) {
    let Some(app) = spawn_app_configured(engine, |state| {
        state.public_url = Some("https://survey.example.org/".into());
    })
    .await
    else {
        return;
    };
    add_owner(&app).await;
    // The proxy rewrote `Host` to the server's own address (as the test client sends it).
    let post = |origin: String| {
        browser()
            .post(app.url("/facilitator/sign-in"))
            .header("origin", origin)
            .header("sec-fetch-site", "same-origin")
            .form(&[("email", OWNER), ("password", PASSWORD)])
            .send()
    };
    let accepted = post("https://survey.example.org".into()).await.unwrap();
    assert_eq!(accepted.status().as_u16(), 303);
    let internal = app.base.clone();
    for refused in [
        "http://survey.example.org".to_string(),
        "https://evil.example".to_string(),
        internal,
    ] {
        let response = post(refused.clone()).await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{refused}");
        assert!(response.headers().get("set-cookie").is_none());
    }
}

async fn signing_in_again_ends_the_session_the_browser_carried(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    add_owner(&app).await;
    let client = browser();
    let (status, first) = sign_in(&app, &client, OWNER, PASSWORD).await;
    assert_eq!(status, 303);
    let first = first.expect("a session cookie");
    assert_eq!(status_with_session(&app, &first).await, 200);
    let (status, second) = sign_in(&app, &client, OWNER, PASSWORD).await;
    assert_eq!(status, 303);
    let second = second.expect("a new session cookie");
    assert_ne!(first, second);
    assert_eq!(
        status_with_session(&app, &first).await,
        303,
        "the old session ended"
    );
    assert_eq!(status_with_session(&app, &second).await, 200);
}

async fn a_facilitator_keeps_five_sessions_and_signing_in_a_sixth_time_ends_the_oldest(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    add_owner(&app).await;
    let mut tokens = Vec::new();
    for _ in 0..6 {
        let (status, token) = sign_in(&app, &browser(), OWNER, PASSWORD).await;
        assert_eq!(status, 303);
        tokens.push(token.expect("a session cookie"));
    }
    assert_eq!(
        status_with_session(&app, &tokens[0]).await,
        303,
        "the oldest ended"
    );
    for token in &tokens[1..] {
        assert_eq!(status_with_session(&app, token).await, 200);
    }
}

async fn signing_out_everywhere_ends_every_session_of_the_facilitator_and_no_one_elses(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    for email in [OWNER, "ben@example.org"] {
        app.store
            .create_facilitator(email, &hash_password(PASSWORD).unwrap(), false)
            .await
            .unwrap();
    }
    let (laptop, phone, ben) = (browser(), browser(), browser());
    assert_eq!(sign_in(&app, &laptop, OWNER, PASSWORD).await.0, 303);
    let (_, phone_token) = sign_in(&app, &phone, OWNER, PASSWORD).await;
    let (_, ben_token) = sign_in(&app, &ben, "ben@example.org", PASSWORD).await;
    let page = laptop
        .get(app.url("/facilitator"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = page
        .find(r#"action="/facilitator/sign-out-everywhere""#)
        .expect("a sign-out-everywhere form");
    let button = &page[form..];
    assert!(button[..button.find("</form>").unwrap()].contains("Sign out everywhere"));
    let csrf_at = page.find(r#"name="csrf" value=""#).unwrap() + 19;
    let csrf = &page[csrf_at..csrf_at + 32];

    let forged = laptop
        .post(app.url("/facilitator/sign-out-everywhere"))
        .form(&[("csrf", "0123456789abcdef0123456789abcdef")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403, "the CSRF token is checked");
    let response = laptop
        .post(app.url("/facilitator/sign-out-everywhere"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/facilitator/sign-in");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("partnerscope_session=;") && cookie.contains("Max-Age=0"));
    let laptop_status = laptop
        .get(app.url("/facilitator"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(laptop_status, 303);
    assert_eq!(status_with_session(&app, &phone_token.unwrap()).await, 303);
    assert_eq!(status_with_session(&app, &ben_token.unwrap()).await, 200);
}

async fn a_browser_that_signed_in_before_is_not_held_up_by_failures_others_caused(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    add_owner(&app).await;
    let owners_browser = browser();
    let response = owners_browser
        .post(app.url("/facilitator/sign-in"))
        .form(&[("email", OWNER), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let device = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("partnerscope_device="))
        .expect("a device cookie")
        .to_string();
    assert!(device.contains("; Path=/facilitator/sign-in;"), "{device}");
    assert!(device.contains("; Max-Age=31536000; HttpOnly"), "{device}");

    // Others, from many addresses, fail for the owner's address until it waits its longest.
    let email = [ThrottleKey::Email(SignInEmail::parse(OWNER).unwrap())];
    for _ in 0..10 {
        app.store
            .record_sign_in_failure(&email, unix_now())
            .await
            .unwrap();
    }
    assert_eq!(
        sign_in(&app, &browser(), OWNER, PASSWORD).await.0,
        429,
        "a browser new to the account waits"
    );
    let before = app.store.sign_in_failures(&email).await.unwrap();
    assert_eq!(
        sign_in(&app, &owners_browser, OWNER, "a typo").await.0,
        401,
        "the owner's browser is checked at once"
    );
    assert_eq!(
        app.store.sign_in_failures(&email).await.unwrap(),
        before,
        "its failure counts against its cookie, not the address"
    );
    assert_eq!(sign_in(&app, &owners_browser, OWNER, PASSWORD).await.0, 303);
    assert_eq!(
        app.store.sign_in_failures(&email).await.unwrap(),
        [None],
        "the owner's success forgets the others' failures"
    );
}

crate::on_both_engines!(
    a_browser_that_signed_in_before_is_not_held_up_by_failures_others_caused,
    an_attacker_failing_once_every_quarter_hour_for_a_day_never_keeps_the_owner_out,
    an_attacker_hammering_from_fifty_addresses_delays_the_owner_by_the_short_wait_at_most,
    a_client_address_that_keeps_failing_waits_longer_whichever_addresses_it_names,
    resetting_the_password_forgets_the_failed_sign_ins_and_the_owner_signs_in_at_once,
    thirty_sign_ins_with_60_kb_addresses_or_passwords_store_nothing_and_are_refused,
    with_every_password_checker_busy_a_sign_in_is_answered_503_at_once,
    behind_a_proxy_the_origin_must_be_the_public_url_with_its_scheme,
    signing_in_again_ends_the_session_the_browser_carried,
    a_facilitator_keeps_five_sessions_and_signing_in_a_sixth_time_ends_the_oldest,
    signing_out_everywhere_ends_every_session_of_the_facilitator_and_no_one_elses,
);
