//! The security headers of every response: every route of the application (each method it
//! answers), as a partner, as a signed-in facilitator and as nobody, including downloads, error
//! pages of every kind, redirects and the stylesheet. The routes are read from `src/web/mod.rs`,
//! so a new route fails this test until it is visited here.

use std::collections::BTreeSet;

use partnerscope::web::headers::{CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY};
use reqwest::Method;

use crate::engines::{Engine, fresh_database};
use crate::server::{TestApp, complete_answers, spawn_app};
use crate::web_facilitate::{Browser, answered_round, signed_in};

/// The headers every response carries, whatever its status (`Cache-Control` aside, which
/// [`check`] looks at by itself).
const EVERYWHERE: [(&str, &str); 6] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// Every route of `src/web/mod.rs`, as (method, path pattern) pairs.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let source = include_str!("../../src/web/mod.rs");
    let mut routes = BTreeSet::new();
    let mut chunks = source.split(".route(").skip(1).peekable();
    assert!(chunks.peek().is_some(), "src/web/mod.rs lists its routes");
    for chunk in chunks {
        let chunk = chunk.split(".fallback(").next().unwrap();
        let (first, methods) = chunk.split_once(',').unwrap();
        let path = match first.trim() {
            "SIGN_IN" => partnerscope::web::SIGN_IN.to_string(),
            quoted => quoted
                .strip_prefix('"')
                .and_then(|p| p.strip_suffix('"'))
                .unwrap_or_else(|| panic!("a route path this test cannot read: {quoted}"))
                .to_string(),
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let called = methods.match_indices(&call).any(|(at, _)| {
                at == 0
                    || !methods.as_bytes()[at - 1].is_ascii_alphanumeric()
                        && methods.as_bytes()[at - 1] != b'_'
            });
            if called {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    // The reading found them all: one route of each shape at least.
    for route in [
        ("GET", "/healthz"),
        ("POST", "/facilitator/sign-in"),
        ("GET", "/facilitator/rounds/{id}/reports/{file}"),
        ("POST", "/facilitator/rounds/{id}/remove-emails"),
    ] {
        assert!(
            routes.contains(&(route.0.to_string(), route.1.to_string())),
            "{route:?} in {routes:?}"
        );
    }
    routes
}

/// Whether `path` (without its query) is one of `pattern`'s, where `{name}` stands for any
/// segment.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (pattern, path): (Vec<_>, Vec<_>) =
        (pattern.split('/').collect(), path.split('/').collect());
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
}

/// Checks the headers of one response to `method path`, its body's kind aside.
fn check(method: &Method, path: &str, response: &reqwest::Response) {
    let what = format!("{method} {path} ({})", response.status());
    let headers = response.headers();
    for (name, value) in EVERYWHERE {
        assert_eq!(
            headers.get(name).map(|v| v.to_str().unwrap()),
            Some(value),
            "{what}: {name}"
        );
    }
    let cache = headers.get("cache-control").map(|v| v.to_str().unwrap());
    if path == "/static/app.css" {
        assert_eq!(cache, Some("public, max-age=3600"), "{what}");
    } else {
        assert_eq!(cache, Some("no-store"), "{what}");
    }
    assert!(
        !headers.contains_key("strict-transport-security"),
        "{what}: HSTS only behind HTTPS"
    );
}

/// Sends requests, checks each response's headers and keeps the list of what was asked.
struct Walk {
    base: String,
    asked: Vec<(Method, String)>,
    statuses: BTreeSet<u16>,
}

impl Walk {
    /// Sends `method path` with `client` (a form body when `form` is given, else `raw` with its
    /// content type), checks the response and returns its status and body.
    async fn ask(
        &mut self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        body: Body<'_>,
    ) -> (u16, String) {
        let request = client.request(method.clone(), format!("{}{path}", self.base));
        let request = match body {
            Body::None => request,
            Body::Form(fields) => request.form(fields),
            Body::Raw(content_type, bytes) => {
                request.header("content-type", content_type).body(bytes)
            }
        };
        let response = request.send().await.unwrap();
        check(&method, path, &response);
        let status = response.status().as_u16();
        self.asked.push((method, path.to_string()));
        self.statuses.insert(status);
        (status, response.text().await.unwrap())
    }

    async fn get(&mut self, client: &reqwest::Client, path: &str) -> (u16, String) {
        self.ask(client, Method::GET, path, Body::None).await
    }

    async fn post(
        &mut self,
        client: &reqwest::Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        self.ask(client, Method::POST, path, Body::Form(fields))
            .await
    }
}

/// A request's body.
enum Body<'a> {
    None,
    Form(&'a [(&'a str, &'a str)]),
    Raw(&'static str, Vec<u8>),
}

/// A GET that must succeed.
async fn page(walk: &mut Walk, client: &reqwest::Client, path: &str) -> String {
    let (status, body) = walk.get(client, path).await;
    assert_eq!(status, 200, "GET {path}");
    body
}

async fn every_response_of_every_route_carries_the_security_headers(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let mut walk = Walk {
        base: app.base.clone(),
        asked: Vec::new(),
        statuses: BTreeSet::new(),
    };
    partner_side(&app, &mut walk).await;
    let browser = signed_in(&app, "ana@example.org").await;
    facilitator_side(&app, &browser, &mut walk).await;

    // Nobody's: the stylesheet, health, and facilitator pages without a session.
    let nobody = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    page(&mut walk, &nobody, "/static/app.css").await;
    page(&mut walk, &nobody, "/healthz").await;
    page(&mut walk, &nobody, "/").await;
    page(&mut walk, &nobody, "/facilitator/forgot-password").await;
    let forgot = [("email", "ana@example.org")];
    assert_eq!(
        walk.post(&nobody, "/facilitator/forgot-password", &forgot)
            .await
            .0,
        200
    );
    let reset = "/facilitator/reset-password/0123456789abcdef0123456789abcdef";
    assert_eq!(walk.get(&nobody, reset).await.0, 410);
    let passwords = [("password", "x"), ("password_again", "x")];
    assert_eq!(walk.post(&nobody, reset, &passwords).await.0, 410);
    assert_eq!(walk.get(&nobody, "/facilitator/").await.0, 308);
    page(&mut walk, &nobody, "/facilitator/sign-in").await;
    assert_eq!(walk.get(&nobody, "/facilitator").await.0, 303);
    let wrong = [
        ("email", "ana@example.org"),
        ("password", "not the password"),
    ];
    walk.post(&nobody, "/facilitator/sign-in", &wrong).await;

    // Errors the router and the extractors make.
    assert_eq!(walk.get(&nobody, "/no/such/page").await.0, 404);
    assert_eq!(
        walk.ask(&nobody, Method::DELETE, "/privacy", Body::None)
            .await
            .0,
        405
    );
    let json = Body::Raw("application/json", b"{\"receipt\": 1}".to_vec());
    assert_eq!(
        walk.ask(&nobody, Method::POST, "/withdraw", json).await.0,
        400
    );
    let huge = Body::Raw(
        "application/x-www-form-urlencoded",
        format!("receipt={}", "x".repeat(100 * 1024)).into_bytes(),
    );
    assert_eq!(
        walk.ask(&nobody, Method::POST, "/withdraw", huge).await.0,
        413
    );
    assert_eq!(
        walk.post(&nobody, "/withdraw", &[("what", "ever")]).await.0,
        422
    );

    // Signing out.
    let home = page(&mut walk, &browser.client, "/facilitator").await;
    let start = home.find(r#"name="csrf" value=""#).unwrap() + 19;
    let csrf = &home[start..start + 32];
    page(&mut walk, &browser.client, "/facilitator/password").await;
    let wrong = [
        ("csrf", csrf),
        ("current_password", "not the password"),
        ("password", "a new passphrase"),
        ("password_again", "a new passphrase"),
    ];
    let changed = walk
        .post(&browser.client, "/facilitator/password", &wrong)
        .await;
    assert_eq!(changed.0, 401);
    let signed_out = walk
        .post(&browser.client, "/facilitator/sign-out", &[("csrf", csrf)])
        .await;
    assert_eq!(signed_out.0, 303);
    let everywhere = walk
        .post(
            &browser.client,
            "/facilitator/sign-out-everywhere",
            &[("csrf", csrf)],
        )
        .await;
    assert_eq!(everywhere.0, 303, "signed out already: to the sign-in page");

    for status in [200, 303, 400, 403, 404, 405, 413, 422] {
        assert!(
            walk.statuses.contains(&status),
            "no response with status {status} was checked: {:?}",
            walk.statuses
        );
    }
    let unvisited: Vec<_> = routes_in_source()
        .into_iter()
        .filter(|(method, pattern)| {
            !walk
                .asked
                .iter()
                .any(|(m, path)| m.as_str() == method && matches(pattern, path))
        })
        .collect();
    assert!(
        unvisited.is_empty(),
        "routes this test does not visit yet: {unvisited:?}"
    );
}

/// A partner's pages: the personal and the open link, saving and resuming, the thank-you pages,
/// withdrawing, the privacy page and a preview.
async fn partner_side(app: &TestApp, walk: &mut Walk) {
    let (round, _, personal) = app.invitation().await;
    let open = format!("/o/{}", round.open_token.clone().unwrap());
    let client = &app.client;
    page(walk, client, &personal).await;
    walk.post(client, &personal, &[("item-t1", "4"), ("action", "save")])
        .await;
    walk.post(
        client,
        &format!("{personal}/resume"),
        &[("resume_code", "WRONG")],
    )
    .await;
    let mut answers = complete_answers();
    answers.push(("action", "submit"));
    assert_eq!(walk.post(client, &personal, &answers).await.0, 303);
    page(walk, client, &format!("{personal}/thanks")).await;
    page(walk, client, &format!("{personal}/stop")).await;
    let stopped = walk.post(client, &format!("{personal}/stop"), &[]).await;
    assert_eq!(stopped.0, 303, "reminders stop");

    let form = page(walk, client, &open).await;
    let start = form.find(r#"name="form_id" value=""#).unwrap() + 22;
    let form_id = &form[start..start + form[start..].find('"').unwrap()];
    let mut answers = complete_answers();
    answers.extend([
        ("sector", "nonprofit"),
        ("form_id", form_id),
        ("action", "submit"),
    ]);
    walk.post(client, &open, &answers).await;
    walk.get(client, &format!("{open}/thanks")).await;

    page(walk, client, "/withdraw").await;
    walk.post(client, "/withdraw", &[("receipt", "NOT-A-RECEIPT")])
        .await;
    page(walk, client, "/privacy").await;
    walk.get(client, "/language?to=es&back=/privacy").await;
    page(walk, client, "/preview/collaboration-factors").await;
}

/// A facilitator's pages, downloads and forms (the forms without their CSRF token: refused, but
/// answered with the headers like any other response).
async fn facilitator_side(app: &TestApp, browser: &Browser, walk: &mut Walk) {
    let client = &browser.client;
    let round = answered_round(app, &browser.facilitator, "2026 spring").await;
    let (status, _, _) = browser
        .post_checked(&format!("/facilitator/rounds/{}/close", round.id), &[])
        .await;
    assert_eq!(status, 303, "the round closes and publishes its figures");
    let partner = app.store.invitation_progress(round.id).await.unwrap()[0]
        .invitation
        .id;
    let r = format!("/facilitator/rounds/{}", round.id);
    let p = format!("/facilitator/partnerships/{}", round.partnership_id);

    page(walk, client, "/facilitator").await;
    page(walk, client, &p).await;
    page(walk, client, &r).await;
    page(walk, client, &format!("{r}/progress")).await;
    page(walk, client, &format!("{r}/report")).await;
    let (status, _, _) = browser.post_checked(&format!("{r}/share"), &[]).await;
    assert_eq!(status, 303);
    let token = app
        .store
        .round(round.id)
        .await
        .unwrap()
        .unwrap()
        .share_token;
    page(walk, client, &format!("/r/{}", token.unwrap())).await;
    page(walk, client, &format!("{r}/partners")).await;
    page(walk, client, &format!("{r}/paper?sheets=2")).await;
    page(walk, client, &format!("{r}/links.csv")).await;
    for file in [
        "raw.csv",
        "respondents.csv",
        "dimensions.csv",
        "factors.csv",
        "items.csv",
        "groups.csv",
        "waves.csv",
        "comparisons.csv",
        "comments.csv",
        &format!("partnerscope-round-{}.xlsx", round.id),
    ] {
        page(walk, client, &format!("{r}/reports/{file}")).await;
    }
    assert_eq!(
        walk.get(client, &format!("{r}/reports/secrets.csv"))
            .await
            .0,
        404
    );
    page(walk, client, &format!("{r}/series/comparisons.csv")).await;
    page(walk, client, &format!("{p}/delete")).await;
    page(walk, client, &format!("{r}/delete")).await;
    page(
        walk,
        client,
        &format!("/facilitator/partners/{partner}/delete"),
    )
    .await;
    page(walk, client, &format!("{r}/remove-emails")).await;
    // Every partner of this round has submitted: their details are fixed.
    let details = format!("/facilitator/partners/{partner}/edit");
    assert_eq!(walk.get(client, &details).await.0, 409);
    // Administrators only: anyone else is told it does not exist.
    assert_eq!(walk.get(client, "/facilitator/accounts").await.0, 404);

    let no_token: &[(&str, &str)] = &[];
    for path in [
        "/facilitator/partnerships".to_string(),
        format!("{p}/rounds"),
        format!("{r}/close"),
        format!("{r}/interim"),
        format!("{r}/comments/0123456789abcdef/remove"),
        format!("{r}/responses/exclude"),
        format!("{r}/open-cap"),
        format!("{r}/details"),
        format!("{r}/share"),
        format!("{r}/share/stop"),
        format!("{r}/reopen"),
        format!("{r}/next"),
        format!("{r}/partners"),
        format!("{r}/paper/entry"),
        format!("{p}/delete"),
        format!("{r}/delete"),
        format!("/facilitator/partners/{partner}/delete"),
        format!("/facilitator/partners/{partner}/edit"),
        format!("{r}/remove-emails"),
        format!("{r}/mail/invitations"),
        format!("{r}/mail/reminders"),
        format!("{p}/facilitators"),
        format!("{p}/facilitators/{}/remove", browser.facilitator.id),
        "/facilitator/accounts".to_string(),
    ] {
        assert_eq!(
            walk.post(client, &path, no_token).await.0,
            403,
            "POST {path}"
        );
    }
    let upload = Body::Raw(
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\r\n\
          organisation,sector\r\n--b--\r\n"
            .to_vec(),
    );
    let path = format!("{r}/partners/upload");
    assert_eq!(walk.ask(client, Method::POST, &path, upload).await.0, 403);
    let import = Body::Raw(
        "multipart/form-data; boundary=b",
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n\
          respondent,t1\r\n--b--\r\n"
            .to_vec(),
    );
    // The round is closed: it takes neither paper sheets nor files any more.
    let path = format!("{r}/import");
    assert_eq!(walk.ask(client, Method::POST, &path, import).await.0, 410);
    assert_eq!(walk.get(client, &format!("{r}/paper/entry")).await.0, 410);
}

#[tokio::test]
async fn behind_https_every_response_also_carries_strict_transport_security() {
    let (url, _dir) = fresh_database(Engine::Sqlite).await.unwrap();
    let (child, base) =
        crate::serve_binary::start(&url, &["--secure-cookies"], "partnerscope listening on ").await;
    for path in [
        "healthz",
        "facilitator/sign-in",
        "no/such/page",
        "static/app.css",
    ] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            STRICT_TRANSPORT_SECURITY,
            "/{path}"
        );
        assert_eq!(
            response.headers()["content-security-policy"],
            CONTENT_SECURITY_POLICY
        );
    }
    drop(child);
}

#[test]
fn the_policy_forbids_framing_plugins_inline_code_and_other_sites() {
    for directive in [
        "default-src 'none'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ] {
        assert!(
            CONTENT_SECURITY_POLICY.split("; ").any(|d| d == directive),
            "{directive}"
        );
    }
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert_eq!(
        STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains"
    );
}

crate::on_both_engines!(every_response_of_every_route_carries_the_security_headers);
