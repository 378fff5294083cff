//! The facilitator's side over HTTP: accounts, CSRF, rounds, partners, the dashboard, downloads
//! and ownership.

use partnerscope::accounts::{Facilitator, SignInEmail, ThrottleKey, hash_password};
use partnerscope::store::Visible;
use partnerscope::survey::Round;
use partnerscope::survey::answers::{Answer, Answers};
use partnerscope::survey::partners::Partner;
use partnerscope::survey::secrets::Code;
use partnerscope::web::messages::EN;

use crate::engines::Engine;
use crate::server::{TestApp, mini_round_in, post_form, spawn_app};
use crate::support::{partnerscope, read_csv};

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// A browser with its own cookie jar, signed in as a facilitator.
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    base: String,
    pub(crate) facilitator: Facilitator,
}

impl Browser {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Option<String>, String) {
        post_form(&self.client, &self.url(path), fields).await
    }

    /// The CSRF token of the page at `path`.
    pub(crate) async fn csrf(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}");
        csrf_of(&body)
    }

    /// Posts `fields` with the session's CSRF token.
    pub(crate) async fn post_checked(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Option<String>, String) {
        let csrf = self.csrf("/facilitator").await;
        let mut fields = fields.to_vec();
        fields.push(("csrf", &csrf));
        self.post(path, &fields).await
    }
}

/// The id a facilitator's path ends in, such as a round's `/facilitator/rounds/12`.
pub(crate) fn id_in(path: &str) -> i64 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

fn csrf_of(body: &str) -> String {
    let start = body.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    body[start..start + 32].to_string()
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn facilitator(app: &TestApp, email: &str, admin: bool) -> Facilitator {
    app.store
        .create_facilitator(email, &hash_password(PASSWORD).unwrap(), admin)
        .await
        .unwrap()
}

/// A new facilitator, signed in.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> Browser {
    signed_in_account(app, email, false).await
}

/// A new facilitator (an administrator if `admin`), signed in.
pub(crate) async fn signed_in_account(app: &TestApp, email: &str, admin: bool) -> Browser {
    let facilitator = facilitator(app, email, admin).await;
    sign_in(app, facilitator, PASSWORD).await
}

/// A fresh browser signed in as `facilitator` with `password`.
pub(crate) async fn sign_in(app: &TestApp, facilitator: Facilitator, password: &str) -> Browser {
    let browser = Browser {
        client: new_client(),
        base: app.base.clone(),
        facilitator,
    };
    let email = browser.facilitator.email.clone();
    let (status, location, _) = browser
        .post(
            "/facilitator/sign-in",
            &[("email", email.as_str()), ("password", password)],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/facilitator")));
    browser
}

/// Answers to every item of the mini instrument, each `value` (t2 is "don't know").
fn answers(value: i16, comment: Option<&str>) -> Answers {
    let mut answers = Answers {
        consent: true,
        language: Some("en".into()),
        ..Answers::default()
    };
    for item in ["t1", "g1", "g2", "e1", "e2"] {
        answers.items.insert(item.into(), Answer::Value(value));
    }
    answers.items.insert("t2".into(), Answer::Code("dk".into()));
    if let Some(comment) = comment {
        answers.comments.insert("improve".into(), comment.into());
    }
    answers
}

fn partner(organisation: &str, sector: &str) -> Partner {
    Partner {
        organisation: organisation.into(),
        sector: sector.into(),
        email: None,
        language: None,
    }
}

/// A round of the mini instrument owned by `owner`, with four government partners and one
/// nonprofit who all submitted (so the nonprofit sector is below the minimum group size 3).
pub(crate) async fn answered_round(app: &TestApp, owner: &Facilitator, wave: &str) -> Round {
    let partnership = app
        .store
        .create_partnership("Riverside", Some(owner.id))
        .await
        .unwrap();
    answered_round_in(app, partnership.id, wave).await
}

async fn answered_round_in(app: &TestApp, partnership_id: i64, wave: &str) -> Round {
    let round = mini_round_in(app.store.as_ref(), partnership_id, wave).await;
    let partners = [
        partner("City Housing", "government"),
        partner("County Health", "government"),
        partner("Parks Office", "government"),
        partner("=Transit", "government"),
        partner("Food Bank", "nonprofit"),
    ];
    let invitations = app.store.add_partners(round.id, &partners).await.unwrap();
    for (n, invitation) in invitations.iter().enumerate() {
        let value = 2 + (n as i16 % 3);
        let comment = (n == 1).then_some("Meet in the evenings.");
        app.store
            .submit(
                invitation.id,
                &answers(value, comment),
                &Code::new().digest(),
            )
            .await
            .unwrap();
    }
    round
}

async fn signing_in_sets_an_http_only_same_site_cookie_and_signing_out_ends_the_session(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (status, location) = {
        let response = app
            .client
            .get(app.url("/facilitator"))
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.headers().get("location").cloned(),
        )
    };
    assert_eq!(status, 303, "no session: to the sign-in page");
    assert_eq!(location.unwrap(), "/facilitator/sign-in");

    facilitator(&app, "ana@example.org", false).await;
    let response = app
        .client
        .post(app.url("/facilitator/sign-in"))
        .form(&[("email", " Ana@Example.org"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("partnerscope_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "secure cookies are an option");

    let browser = signed_in(&app, "ben@example.org").await;
    let (status, body) = browser.get("/facilitator").await;
    assert_eq!(status, 200);
    assert!(body.contains("Signed in as ben@example.org"));
    let (status, location, _) = browser.post_checked("/facilitator/sign-out", &[]).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/facilitator/sign-in"))
    );
    let (status, _) = browser.get("/facilitator").await;
    assert_eq!(status, 303, "the session is gone");
}

async fn a_wrong_password_is_refused_and_repeated_failures_make_the_address_wait(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    facilitator(&app, "ana@example.org", false).await;
    // Each attempt from a browser new to the account (a signed-in one keeps a device cookie).
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            post_form(
                &new_client(),
                &app.url("/facilitator/sign-in"),
                &[("email", "ana@example.org"), ("password", password)],
            )
            .await
        }
    };
    let (status, _, body) = attempt("wrong password").await;
    assert_eq!(status, 401);
    assert!(body.contains("The e-mail address or password is not right."));
    let (status, _, body) = app
        .post(
            "/facilitator/sign-in",
            &[("email", "nobody@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(status, 401, "an unknown address is refused the same way");
    assert!(body.contains("The e-mail address or password is not right."));
    // Every failure here also counts against this client (127.0.0.1), whose limit is higher.
    let email_limit = partnerscope::accounts::EMAIL_THROTTLE.free_failures;
    for _ in 1..email_limit {
        assert_eq!(attempt("wrong password").await.0, 401);
    }
    let (status, _, _) = attempt(PASSWORD).await;
    assert_eq!(status, 303, "the right password within the free failures");
    for _ in 0..=email_limit {
        assert_eq!(attempt("wrong password").await.0, 401);
    }
    let (status, _, body) = attempt(PASSWORD).await;
    assert_eq!(
        status, 429,
        "even the right password waits after repeated failures"
    );
    assert!(
        body.contains("Too many failed attempts. Try again in 10 seconds.")
            || body.contains("Too many failed attempts. Try again in 9 seconds."),
        "{body}"
    );
    let email = SignInEmail::parse("ana@example.org").unwrap();
    let counted = app
        .store
        .sign_in_failures(&[ThrottleKey::Email(email)])
        .await
        .unwrap();
    assert_eq!(
        counted[0].map(|failures| failures.count),
        Some(email_limit + 1)
    );
}

async fn a_sign_in_posted_from_another_site_is_refused(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    facilitator(&app, "ana@example.org", false).await;
    let fields = [("email", "ana@example.org"), ("password", PASSWORD)];
    let host = app.base.trim_start_matches("http://").to_string();
    let post = |headers: &[(&'static str, String)]| {
        let mut request = new_client()
            .post(app.url("/facilitator/sign-in"))
            .form(&fields);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send()
    };
    let forged = post(&[("origin", "http://evil.example".into())])
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    assert!(
        forged.headers().get("set-cookie").is_none(),
        "no session for a forged sign-in"
    );
    let fetched = post(&[("sec-fetch-site", "cross-site".into())])
        .await
        .unwrap();
    assert_eq!(fetched.status().as_u16(), 403);
    // The sign-in page's own form (same origin) works.
    let own = post(&[
        ("origin", format!("http://{host}")),
        ("sec-fetch-site", "same-origin".into()),
    ])
    .await
    .unwrap();
    assert_eq!(own.status().as_u16(), 303);
}

async fn a_form_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (status, _, body) = browser
        .post("/facilitator/partnerships", &[("name", "Forged")])
        .await;
    assert_eq!(status, 403);
    assert!(body.contains("This form has expired"));
    let (status, _, _) = browser
        .post(
            "/facilitator/partnerships",
            &[
                ("name", "Forged"),
                ("csrf", "0123456789abcdef0123456789abcdef"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let round = answered_round(&app, &browser.facilitator, "2026 spring").await;
    let (status, _, _) = browser
        .post(&format!("/facilitator/rounds/{}/close", round.id), &[])
        .await;
    assert_eq!(status, 403);
    assert_eq!(app.store.partnerships(Visible::All).await.unwrap().len(), 1);
    assert!(app.store.round(round.id).await.unwrap().unwrap().is_open());
}

async fn a_facilitator_creates_a_partnership_and_a_round_and_adds_partners_one_by_one_or_by_csv(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (status, location, _) = browser
        .post_checked("/facilitator/partnerships", &[("name", "Harbour Alliance")])
        .await;
    assert_eq!(status, 303);
    let partnership_path = location.unwrap();
    let (_, page) = browser.get(&partnership_path).await;
    assert!(page.contains("<h1>Harbour Alliance</h1>"));
    assert!(page.contains(r#"<option value="collaboration-factors">"#));

    let (status, location, _) = browser
        .post_checked(
            &format!("{partnership_path}/rounds"),
            &[
                ("instrument", "collaboration-factors"),
                ("wave", "2026 spring"),
                ("min_group_size", "4"),
                ("open_link", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let round_path = location.unwrap();
    let round_id = id_in(&round_path);
    let round = app.store.round(round_id).await.unwrap().unwrap();
    assert_eq!(
        (
            round.wave.as_str(),
            round.min_group_size,
            round.open_token.is_some()
        ),
        ("2026 spring", 4, true)
    );
    let (status, page) = browser.get(&round_path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("{}/o/{}", app.base, round.open_token.unwrap())));

    let partners_path = format!("{round_path}/partners");
    let bad = "organisation,sector,email\nCity Housing,government,housing@example.org\n\
               ,nonprofit,\nClinic,martians,clinic.example\n";
    let (status, _, page) = browser.post_checked(&partners_path, &[("list", bad)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("Row 3, column organisation: The organisation is blank"));
    assert!(page.contains("Row 4, column sector: “martians” is not a sector of this survey"));
    assert!(page.contains("Row 4, column email: “clinic.example” is not an e-mail address"));
    assert!(
        page.contains("City Housing,government"),
        "the list is kept for fixing"
    );
    assert!(
        app.store
            .invitation_progress(round_id)
            .await
            .unwrap()
            .is_empty(),
        "nothing stored from a bad list"
    );

    let good = "organisation,sector,email,language\n\
                City Housing,government,housing@example.org,en\n\
                \"Food Bank, Eastside\",nonprofit,,\n";
    let (status, location, _) = browser
        .post_checked(&partners_path, &[("list", good)])
        .await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(round_path.as_str()))
    );
    let (status, _, _) = browser
        .post_checked(
            &partners_path,
            &[
                ("organisation", "@Home Care"),
                ("sector", "health"),
                ("email", ""),
                ("language", ""),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let invitations = app.store.invitation_progress(round_id).await.unwrap();
    assert_eq!(invitations.len(), 3);

    let response = browser
        .client
        .get(browser.url(&format!("{round_path}/links.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = response.text().await.unwrap();
    let tokens: Vec<&str> = invitations
        .iter()
        .map(|p| p.invitation.token.as_str())
        .collect();
    assert_eq!(
        body,
        format!(
            "organisation,sector,email,language,link\n\
             City Housing,government,housing@example.org,en,{base}/s/{}\n\
             \"Food Bank, Eastside\",nonprofit,,,{base}/s/{}\n\
             \"'@Home Care\",health,,,{base}/s/{}\n",
            tokens[0],
            tokens[1],
            tokens[2],
            base = app.base
        )
    );
    let (_, page) = browser.get(&round_path).await;
    assert!(page.contains("<th scope=\"row\">Local government or public agency</th><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td>"));
}

async fn a_round_is_closed_and_reopened_and_the_next_round_invites_the_same_partners_anew(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = answered_round(&app, &browser.facilitator, "2025 autumn").await;
    let path = format!("/facilitator/rounds/{}", round.id);
    let (status, location, _) = browser.post_checked(&format!("{path}/close"), &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some(path.as_str())));
    assert!(!app.store.round(round.id).await.unwrap().unwrap().is_open());
    let (_, page) = browser.get(&path).await;
    assert!(page.contains("Reopen the round"));
    browser.post_checked(&format!("{path}/reopen"), &[]).await;
    assert!(app.store.round(round.id).await.unwrap().unwrap().is_open());

    browser.post_checked(&format!("{path}/close"), &[]).await;
    let (status, location, _) = browser
        .post_checked(&format!("{path}/next"), &[("wave", "2026 spring")])
        .await;
    assert_eq!(status, 303);
    let next_id = id_in(&location.unwrap());
    let next = app.store.round(next_id).await.unwrap().unwrap();
    assert_eq!(next.wave, "2026 spring");
    assert_eq!(next.instrument_source, round.instrument_source);
    let before = app.store.invitation_progress(round.id).await.unwrap();
    let after = app.store.invitation_progress(next_id).await.unwrap();
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.invitation.organisation, new.invitation.organisation);
        assert_eq!(old.invitation.sector, new.invitation.sector);
        assert_ne!(old.invitation.token, new.invitation.token);
        assert_eq!(new.status, None);
    }
}

async fn the_dashboard_shows_the_numbers_suppresses_small_sectors_and_lists_comments_anonymously(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let first = answered_round(&app, &browser.facilitator, "2025 autumn").await;
    let second = answered_round_in(&app, first.partnership_id, "2026 spring").await;
    let path = format!("/facilitator/rounds/{}", second.id);
    let (_, page) = browser.get(&path).await;
    assert!(
        page.contains("No figures are published yet") && !page.contains("Meet in the evenings."),
        "an open round publishes nothing without interim releases"
    );
    for round in [&first, &second] {
        let (status, _, _) = browser
            .post_checked(&format!("/facilitator/rounds/{}/close", round.id), &[])
            .await;
        assert_eq!(status, 303);
    }
    let (status, page) = browser.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Submitted responses in total: <strong>5</strong>"));
    assert!(page.contains("<svg"), "the chart is drawn");
    // Trust: values 2, 3, 4, 2, 3 (t2 is "don't know") have mean 2.80.
    assert!(page.contains(r#"<span class="big">2.80</span>"#), "{page}");
    // Advice, with what the numbers mean in plain words.
    assert!(page.contains("Fewer than 10 answers (5): treat this as a first impression."));
    assert!(
        page.contains("If every partner had answered, the average would most likely be between")
    );
    assert!(page.contains("<th scope=\"row\">Nonprofit or community organisation</th><td class=\"num\">1</td><td colspan=\"4\">too few to show</td>"));
    // Government's 4 of 5 would leave the nonprofit's one score to subtract: withheld too.
    assert!(page.contains("<th scope=\"row\">Local government</th><td class=\"num\">4</td><td colspan=\"4\">too few to show</td>"));
    assert!(!page.contains("2.75"), "government's mean is published");
    assert!(
        page.contains("Since 2025 autumn:"),
        "change since the previous round"
    );
    assert!(page.contains("Meet in the evenings."));
    assert!(
        !page.contains("County Health"),
        "comments never name who wrote them"
    );
    assert!(page.contains("Item analysis"));
}

async fn the_response_table_counts_invited_partners_and_open_link_responses_by_sector(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = answered_round(&app, &browser.facilitator, "2026 spring").await;
    let mut open = answers(4, None);
    open.sector = Some("health".into());
    app.store
        .submit_open(round.id, "form-1", &open, &Code::new().digest())
        .await
        .unwrap();
    app.store
        .submit_open(round.id, "form-2", &open, &Code::new().digest())
        .await
        .unwrap();
    let (status, page) = browser
        .get(&format!("/facilitator/rounds/{}", round.id))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("Via the open link"));
    let row = |sector: &str, cells: [usize; 5]| {
        let cells: String = cells
            .iter()
            .map(|n| format!("<td class=\"num\">{n}</td>"))
            .collect();
        format!("<th scope=\"row\">{sector}</th>{cells}</tr>")
    };
    // Sectors by the labels partners chose from; one the instrument does not offer as it is.
    assert!(
        page.contains(&row("Local government", [4, 4, 4, 0, 0])),
        "{page}"
    );
    assert!(page.contains(&row("health", [0, 0, 0, 2, 0])), "{page}");
    assert!(
        page.contains(&row("Nonprofit or community organisation", [1, 1, 1, 0, 0])),
        "{page}"
    );
}

async fn the_response_rate_page_refreshes_on_request_and_is_only_for_the_owner(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let owner = signed_in(&app, "ana@example.org").await;
    let round = answered_round(&app, &owner.facilitator, "2026 spring").await;
    let path = format!("/facilitator/rounds/{}/progress", round.id);
    let (status, page) = owner.get(&path).await;
    assert_eq!(status, 200);
    assert!(!page.contains("http-equiv=\"refresh\""), "{page}");
    assert!(
        page.contains(&format!(
            r#"<form method="get" action="{path}"><p class="status" role="status">These figures are as of when this page opened"#
        )),
        "{page}"
    );
    assert!(page.contains(">Refresh the progress</button>"));
    assert!(page.contains("<th scope=\"row\">Local government</th><td class=\"num\">4</td>"));
    assert!(page.contains("Submitted responses in total: <strong>5</strong>"));
    let (_, round_page) = owner
        .get(&format!("/facilitator/rounds/{}", round.id))
        .await;
    assert!(
        round_page.contains(&format!("href=\"{path}\"")),
        "the round links to it"
    );
    let other = signed_in(&app, "ben@example.org").await;
    assert_eq!(other.get(&path).await.0, 404);
}

/// Fetches a download, checking its status and content type; returns the body.
async fn download(browser: &Browser, path: &str, content_type: &str) -> Vec<u8> {
    let response = browser.client.get(browser.url(path)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    assert_eq!(response.headers()["content-type"], content_type, "{path}");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename="), "{path}");
    response.bytes().await.unwrap().to_vec()
}

async fn every_download_has_its_type_and_every_published_statistic_equals_the_command_line(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = answered_round(&app, &browser.facilitator, "2026 spring").await;
    browser
        .post_checked(&format!("/facilitator/rounds/{}/close", round.id), &[])
        .await;
    let reports = format!("/facilitator/rounds/{}/reports", round.id);
    let dir = tempfile::tempdir().unwrap();
    let csv_type = "text/csv; charset=utf-8";

    let raw = download(&browser, &format!("{reports}/raw.csv"), csv_type).await;
    let raw_path = dir.path().join("raw.csv");
    std::fs::write(&raw_path, &raw).unwrap();
    let (header, rows) = read_csv(&raw_path);
    assert_eq!(
        header,
        [
            "respondent",
            "group",
            "wave",
            "t1",
            "t2",
            "g1",
            "g2",
            "e1",
            "e2",
            "language",
            "source",
            "submitted_on"
        ]
    );
    assert_eq!(rows.len(), 5);
    for row in &rows {
        assert!(row[0].len() == 16 && row[0].bytes().all(|b| b.is_ascii_hexdigit()));
        // Government (4 of 5) and the nonprofit (1) are both withheld: no row shows a group.
        assert_eq!((row[1].as_str(), row[2].as_str()), ("", "2026 spring"));
        assert_eq!(row[4], "dk", "don't know stays a code");
        assert_eq!(row[10], "", "partners' own answers have no source");
        assert_eq!(row[11].len(), 10, "the day only: {}", row[11]);
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("City Housing"), "no organisation names");
    assert!(!text.contains("Meet in the evenings."), "no comments");

    let instrument_path = dir.path().join("instrument.toml");
    std::fs::write(&instrument_path, &round.instrument_source).unwrap();
    let out = dir.path().join("cli");
    let scored = partnerscope(&[
        "score",
        "--instrument",
        instrument_path.to_str().unwrap(),
        "--responses",
        raw_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--min-group-size",
        &round.min_group_size.to_string(),
    ]);
    assert!(
        scored.status.success(),
        "{}",
        String::from_utf8_lossy(&scored.stderr)
    );
    // Every statistic the server publishes is the command line's on the same rows; the server
    // may only withhold more.
    for (name, key) in [
        ("dimensions", 1),
        ("factors", 1),
        ("items", 1),
        ("groups", 2),
        ("waves", 2),
        ("comparisons", 3),
    ] {
        let served_path = dir.path().join(format!("served-{name}.csv"));
        let served = download(&browser, &format!("{reports}/{name}.csv"), csv_type).await;
        std::fs::write(&served_path, served).unwrap();
        let (served_header, served) = read_csv(&served_path);
        let (written_header, written) = read_csv(&out.join(format!("{name}.csv")));
        assert_eq!(served_header, written_header, "{name}.csv");
        let flag = served_header.iter().position(|c| c == "suppressed");
        for row in &served {
            if flag.is_some_and(|f| row[f] == "true") {
                continue;
            }
            let theirs = written
                .iter()
                .find(|w| w[..key] == row[..key])
                .unwrap_or_else(|| panic!("{name}.csv: the command line has no {:?}", &row[..key]));
            assert_eq!(row, theirs, "{name}.csv");
        }
    }
    let respondents = download(&browser, &format!("{reports}/respondents.csv"), csv_type).await;
    let written = std::fs::read(out.join("respondents.csv")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&respondents),
        String::from_utf8_lossy(&written)
    );
    let (_, dimensions) = read_csv(&out.join("dimensions.csv"));
    assert!(
        dimensions.iter().all(|r| r[1] == "5"),
        "all five rows are listed"
    );

    let comments = download(&browser, &format!("{reports}/comments.csv"), csv_type).await;
    assert_eq!(
        String::from_utf8(comments).unwrap(),
        "question,comment\nimprove,Meet in the evenings.\n"
    );
    let workbook = download(
        &browser,
        &format!("{reports}/partnerscope-round-{}.xlsx", round.id),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    .await;
    assert_eq!(&workbook[..2], b"PK", "an xlsx is a zip file");
    // The streamed file is the whole workbook: it opens, and lists the respondents.csv rows.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "respondents").unwrap();
    let listed: Vec<String> = sheet.rows().map(|row| row[0].to_string()).collect();
    let mut csv = csv::Reader::from_reader(respondents.as_slice());
    let expected: Vec<String> = std::iter::once("respondent".to_string())
        .chain(csv.records().map(|r| r.unwrap()[0].to_string()))
        .collect();
    assert_eq!(listed, expected);
    let (status, _) = browser.get(&format!("{reports}/secrets.csv")).await;
    assert_eq!(status, 404);
}

async fn two_facilitators_cannot_see_each_others_partnerships_rounds_or_downloads(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let ben = signed_in(&app, "ben@example.org").await;
    let round = answered_round(&app, &ana.facilitator, "2026 spring").await;
    let (_, home) = ben.get("/facilitator").await;
    assert!(!home.contains("Riverside"));
    let r = format!("/facilitator/rounds/{}", round.id);
    for path in [
        format!("/facilitator/partnerships/{}", round.partnership_id),
        r.clone(),
        format!("{r}/partners"),
        format!("{r}/links.csv"),
        format!("{r}/reports/raw.csv"),
        format!("{r}/reports/dimensions.csv"),
        format!("{r}/reports/partnerscope-round-{}.xlsx", round.id),
    ] {
        assert_eq!(ben.get(&path).await.0, 404, "GET {path}");
        assert_eq!(ana.get(&path).await.0, 200, "GET {path} by its owner");
    }
    for path in [
        format!("/facilitator/partnerships/{}/rounds", round.partnership_id),
        format!("{r}/close"),
        format!("{r}/reopen"),
        format!("{r}/next"),
        format!("{r}/partners"),
    ] {
        let (status, _, _) = ben
            .post_checked(
                &path,
                &[
                    ("wave", "x"),
                    ("list", "organisation,sector\nX,government\n"),
                ],
            )
            .await;
        assert_eq!(status, 404, "POST {path}");
    }
    assert!(app.store.round(round.id).await.unwrap().unwrap().is_open());
    assert_eq!(
        app.store.rounds(round.partnership_id).await.unwrap().len(),
        1
    );

    let admin = facilitator(&app, "admin@example.org", true).await;
    let browser = Browser {
        client: new_client(),
        base: app.base.clone(),
        facilitator: admin,
    };
    browser
        .post(
            "/facilitator/sign-in",
            &[("email", "admin@example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        browser.get(&r).await.0,
        200,
        "an administrator sees every round"
    );
}

/// Runs `partnerscope facilitator …` with `password` on standard input.
fn facilitator_command(args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .arg("facilitator")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_facilitator_command_adds_accounts_and_resets_passwords_read_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let db = ["--database-url", url.as_str()];
    let add = |email: &'static str, extra: &'static [&'static str], password: &'static str| {
        let mut args = vec!["add", email];
        args.extend(extra);
        args.extend(db);
        facilitator_command(&args, password)
    };
    let added = add("Ana@Example.org", &["--admin"], "first password 1");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout),
        "added administrator facilitator ana@example.org\n"
    );
    let again = add("ana@example.org", &[], "first password 1");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let short = add("ben@example.org", &[], "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));

    let mut args = vec!["reset-password", "ana@example.org"];
    args.extend(db);
    let reset = facilitator_command(&args, "second password 2");
    assert!(reset.status.success());
    let mut args = vec!["reset-password", "nobody@example.org"];
    args.extend(db);
    assert!(
        !facilitator_command(&args, "second password 2")
            .status
            .success()
    );

    let store = partnerscope::store::open(&url).await.unwrap();
    let (facilitator, hash) = store
        .facilitator_by_email("ana@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(facilitator.is_admin);
    assert!(partnerscope::accounts::verify_password(
        "second password 2",
        &hash
    ));
    assert!(!partnerscope::accounts::verify_password(
        "first password 1",
        &hash
    ));
    assert!(
        store
            .facilitator_by_email("ben@example.org")
            .await
            .unwrap()
            .is_none()
    );
}

crate::on_both_engines!(
    the_response_rate_page_refreshes_on_request_and_is_only_for_the_owner,
    a_sign_in_posted_from_another_site_is_refused,
    the_response_table_counts_invited_partners_and_open_link_responses_by_sector,
    signing_in_sets_an_http_only_same_site_cookie_and_signing_out_ends_the_session,
    a_wrong_password_is_refused_and_repeated_failures_make_the_address_wait,
    a_form_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing,
    a_facilitator_creates_a_partnership_and_a_round_and_adds_partners_one_by_one_or_by_csv,
    a_round_is_closed_and_reopened_and_the_next_round_invites_the_same_partners_anew,
    the_dashboard_shows_the_numbers_suppresses_small_sectors_and_lists_comments_anonymously,
    every_download_has_its_type_and_every_published_statistic_equals_the_command_line,
    two_facilitators_cannot_see_each_others_partnerships_rounds_or_downloads,
);

async fn an_empty_round_says_once_that_nobody_has_answered_yet(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners = vec![("Clinic".to_string(), "health")];
    let (round_path, _) =
        crate::privacy::round_with_partners(&app, &browser, crate::privacy::ANONYMOUS, &partners)
            .await;
    let (status, page) = browser.get(&round_path).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches(EN.no_responses).count(), 1, "{page}");
    assert!(!page.contains(EN.release_none));
    assert!(!page.contains("Only 0"));
}

crate::on_both_engines!(an_empty_round_says_once_that_nobody_has_answered_yet);
