//! Hostile text in request bodies (issue 12), over HTTP on both engines: a form body that does
//! not decode is refused with 400; a control character in any text, or a text longer than its
//! bound, with 422 naming the field; and after every refusal nothing is stored (rows counted).
//! A NUL byte, which PostgreSQL cannot store, gets a test of its own for every text a person
//! types.

use partnerscope::survey::Round;

use crate::deletion::count;
use crate::engines::Engine;
use crate::server::{TestApp, complete_answers, mini_round_in, spawn_app};
use crate::web_facilitate::{Browser, signed_in};

/// Rows in `table`.
async fn rows(app: &TestApp, table: &str) -> i64 {
    count(app, &format!("SELECT COUNT(*) FROM {table}")).await
}

/// The mini instrument's complete answers with the comment replaced by `comment`, and `action`.
fn with_comment<'a>(comment: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields: Vec<(&str, &str)> = complete_answers()
        .into_iter()
        .map(|(k, v)| {
            if k == "comment-improve" {
                (k, comment)
            } else {
                (k, v)
            }
        })
        .collect();
    fields.push(("action", action));
    fields
}

/// A round of the mini instrument in a partnership `browser`'s facilitator owns.
async fn owned_round(app: &TestApp, browser: &Browser) -> Round {
    let partnership = app
        .store
        .create_partnership("Riverside", Some(browser.facilitator.id))
        .await
        .unwrap();
    mini_round_in(app.store.as_ref(), partnership.id, "2026 spring").await
}

/// The open link's one-time form id on its page.
async fn form_id(app: &TestApp, path: &str) -> String {
    let (status, body) = app.get(path).await;
    assert_eq!(status, 200);
    body.split(r#"name="form_id" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a one-time form id")
        .to_string()
}

/// POSTs `body` as it is, as a form, with `client`; returns status and page.
async fn post_raw(client: &reqwest::Client, url: &str, body: Vec<u8>) -> (u16, String) {
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The session's CSRF token, from the facilitator's home page.
async fn csrf(browser: &Browser) -> String {
    let (_, page) = browser.get("/facilitator").await;
    let start = page.find(r#"name="csrf" value=""#).expect("a CSRF field") + 19;
    page[start..start + 32].to_string()
}

async fn a_nul_byte_in_a_comment_is_refused_naming_the_field_and_stores_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    for action in ["save", "submit"] {
        let (status, _, page) = app
            .post(&path, &with_comment("Meet\u{0} in the evenings.", action))
            .await;
        assert_eq!(status, 422, "{action}: {page}");
        assert!(
            page.contains("Your comment contains a control character"),
            "{action}: {page}"
        );
    }
    let open = format!("/o/{}", round.open_token.clone().unwrap());
    let id = form_id(&app, &open).await;
    let mut fields = with_comment("\u{0}", "submit");
    fields.extend([("form_id", id.as_str()), ("sector", "government")]);
    let (status, _, page) = app.post(&open, &fields).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Your comment contains a control character"));

    assert_eq!(rows(&app, "responses").await, 0);
    assert_eq!(rows(&app, "response_comments").await, 0);
}

async fn a_nul_byte_in_the_sign_in_email_is_refused_naming_the_field_and_stores_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (status, _, page) = app
        .post(
            "/facilitator/sign-in",
            &[
                ("email", "ana\u{0}@example.org"),
                ("password", "correct horse battery staple"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("The e-mail address contains a control character"),
        "{page}"
    );
    assert_eq!(rows(&app, "sign_in_failures").await, 0);
    assert_eq!(rows(&app, "sessions").await, 0);
}

async fn a_nul_byte_in_a_partnership_name_is_refused_naming_the_field_and_stores_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (status, _, page) = browser
        .post_checked("/facilitator/partnerships", &[("name", "River\u{0}side")])
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("The partnership name contains a control character"),
        "{page}"
    );
    assert_eq!(rows(&app, "partnerships").await, 0);
}

async fn a_nul_byte_in_a_wave_label_is_refused_naming_the_field_and_stores_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = owned_round(&app, &browser).await;
    let (status, _, page) = browser
        .post_checked(
            &format!("/facilitator/partnerships/{}/rounds", round.partnership_id),
            &[
                ("instrument", "collaboration-factors"),
                ("wave", "2026\u{0} autumn"),
                ("min_group_size", "3"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("The wave label contains a control character"),
        "{page}"
    );
    // The next round of a round reads its wave label the same way.
    let (status, _, page) = browser
        .post_checked(
            &format!("/facilitator/rounds/{}/next", round.id),
            &[("wave", "\u{0}")],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The wave label contains a control character"));
    assert_eq!(rows(&app, "rounds").await, 1, "only the arranged round");
}

async fn a_nul_byte_in_an_organisation_is_refused_naming_the_field_and_stores_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = owned_round(&app, &browser).await;
    let (status, _, page) = browser
        .post_checked(
            &format!("/facilitator/rounds/{}/partners", round.id),
            &[
                ("organisation", "Food\u{0}Bank"),
                ("sector", "nonprofit"),
                ("email", ""),
                ("language", ""),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("The organisation contains a control character"),
        "{page}"
    );
    assert_eq!(rows(&app, "invitations").await, 0);
}

async fn a_nul_byte_in_a_partner_list_is_reported_by_row_and_column_and_stores_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = owned_round(&app, &browser).await;
    let list = "organisation,sector,email\n\
                City Housing,government,housing@example.org\n\
                Food\u{0}Bank,nonprofit,\n\
                Clinic,nonprofit,clinic\u{0}@example.org\n";
    let (status, _, page) = browser
        .post_checked(
            &format!("/facilitator/rounds/{}/partners", round.id),
            &[("list", list)],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Row 3, column organisation: The organisation contains a control character"),
        "{page}"
    );
    assert!(
        page.contains("Row 4, column email: The e-mail address contains a control character"),
        "{page}"
    );
    assert_eq!(rows(&app, "invitations").await, 0);
}

async fn control_characters_other_than_tab_and_line_breaks_are_refused_in_any_field_and_line_breaks_are_kept(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    for control in ["\u{1}", "\u{1b}[31m", "\u{7f}", "\u{85}", "a\rb", "\u{9f}"] {
        let comment = format!("Meet {control} in the evenings.");
        let (status, _, page) = app.post(&path, &with_comment(&comment, "save")).await;
        assert_eq!(status, 422, "{control:?}: {page}");
        assert!(
            page.contains("Your comment contains a control character"),
            "{control:?}"
        );
    }
    // In a field's name, and in any other field, just the same.
    let mut fields = with_comment("Fine.", "save");
    fields.insert(1, ("item-\u{0}", "1"));
    let (status, _, page) = app.post(&path, &fields).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Field 2 of the form contains a control character"));
    let (status, _, _) = app.post("/withdraw", &[("receipt", "ABCD\u{0}EFGH")]).await;
    assert_eq!(status, 422);
    assert_eq!(rows(&app, "responses").await, 0);

    // Tabs and line breaks are text: a browser's CRLF is kept as a line feed.
    let (status, _, _) = app
        .post(
            &path,
            &with_comment("First,\r\n\tthen\r\nsecond.", "submit"),
        )
        .await;
    assert_eq!(status, 303);
    let responses = app.store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(
        responses[0].answers.comments["improve"],
        "First,\n\tthen\nsecond."
    );
}

async fn a_form_body_with_invalid_utf8_or_a_malformed_escape_is_refused_with_400_and_stores_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let url = app.url(&path);
    let answers = "consent=yes&item-t1=4&item-t2=2&item-g1=dk&item-g2=3&item-e1=5&item-e2=4";
    let cases: [(&[u8], &str); 6] = [
        (
            b"&comment-improve=caf%E9&action=save",
            "Your comment is not valid UTF-8",
        ),
        (
            b"&comment-improve=caf\xe9&action=save",
            "Your comment is not valid UTF-8",
        ),
        (
            b"&comment-improve=100%&action=save",
            "Your comment has a “%” that is not followed by two hexadecimal digits",
        ),
        (
            b"&comment-improve=%ZZ&action=save",
            "Your comment has a “%” that is not followed by two hexadecimal digits",
        ),
        (
            b"&action=save&comment-improve=%4",
            "Your comment has a “%” that is not followed by two hexadecimal digits",
        ),
        (
            b"&act%ion=save",
            "Field 8 of the form has a “%” that is not followed by two hexadecimal digits",
        ),
    ];
    for (tail, message) in cases {
        let body = [answers.as_bytes(), tail].concat();
        let (status, page) = post_raw(&app.client, &url, body).await;
        assert_eq!(status, 400, "{}: {page}", String::from_utf8_lossy(tail));
        assert!(
            page.contains(message),
            "{}: {page}",
            String::from_utf8_lossy(tail)
        );
    }
    assert_eq!(rows(&app, "responses").await, 0);
    // A well-formed body with the same answers is stored, so the refusals above were the bytes'.
    let good = format!("{answers}&comment-improve=caf%C3%A9+au+lait&action=submit");
    let (status, _) = post_raw(&app.client, &url, good.into_bytes()).await;
    assert_eq!(status, 303);
    let responses = app.store.responses(round.id).await.unwrap();
    assert_eq!(responses[0].answers.comments["improve"], "café au lait");

    // The facilitator's forms read bodies the same way.
    let browser = signed_in(&app, "ana@example.org").await;
    let token = csrf(&browser).await;
    let body = format!("csrf={token}&name=Caf%E9").into_bytes();
    let (status, page) = post_raw(
        &browser.client,
        &browser.url("/facilitator/partnerships"),
        body,
    )
    .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("The partnership name is not valid UTF-8"));
    assert_eq!(rows(&app, "partnerships").await, 1, "only the arranged one");
}

async fn texts_longer_than_their_bound_are_refused_naming_the_field_and_store_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let long_comment = "é".repeat(4001);
    let (status, _, page) = app.post(&path, &with_comment(&long_comment, "save")).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("Your comment is longer than 4000 characters"));
    assert_eq!(rows(&app, "responses").await, 0);
    let longest_comment = "é".repeat(4000);
    let (status, _, _) = app
        .post(&path, &with_comment(&longest_comment, "save"))
        .await;
    assert_eq!(status, 303, "the limit itself is allowed");

    let (_, form) = app.get(&path).await;
    assert!(form.contains(r#"name="comment-improve" rows="4" maxlength="4000""#));

    let browser = signed_in(&app, "ana@example.org").await;
    let (_, home) = browser.get("/facilitator").await;
    assert!(
        home.contains(r#"name="name" maxlength="200""#),
        "the form holds the same limit"
    );
    let partnerships = rows(&app, "partnerships").await;
    let (status, _, page) = browser
        .post_checked("/facilitator/partnerships", &[("name", &"n".repeat(201))])
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The partnership name is longer than 200 characters"));
    let (status, _, page) = browser
        .post_checked("/facilitator/partnerships", &[("name", "Two\nlines")])
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The partnership name must be a single line"));
    assert_eq!(rows(&app, "partnerships").await, partnerships);

    let owned = owned_round(&app, &browser).await;
    let (status, _, page) = browser
        .post_checked(
            &format!("/facilitator/partnerships/{}/rounds", owned.partnership_id),
            &[
                ("instrument", "collaboration-factors"),
                ("wave", &"w".repeat(201)),
                ("min_group_size", "3"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("The wave label is longer than 200 characters"));
    let rounds = rows(&app, "rounds").await;

    let partners = format!("/facilitator/rounds/{}/partners", owned.id);
    let long_organisation = "o".repeat(201);
    let (status, _, page) = browser
        .post_checked(
            &partners,
            &[
                ("organisation", &long_organisation),
                ("sector", "nonprofit"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("<li>The organisation is longer than 200 characters</li>"),
        "{page}"
    );
    let long_email = format!("{}@example.org", "e".repeat(250));
    let list = format!(
        "organisation,sector,email\n{long_organisation},nonprofit,\nClinic,nonprofit,{long_email}\n"
    );
    let (status, _, page) = browser.post_checked(&partners, &[("list", &list)]).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("Row 2, column organisation: The organisation is longer than 200 characters"),
        "{page}"
    );
    assert!(
        page.contains("Row 3, column email: The e-mail address is longer than 254 bytes"),
        "{page}"
    );
    assert_eq!(rows(&app, "invitations").await, 1, "only the arranged one");
    assert_eq!(rows(&app, "rounds").await, rounds);
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 1);
}

crate::on_both_engines!(
    a_nul_byte_in_a_comment_is_refused_naming_the_field_and_stores_nothing,
    a_nul_byte_in_the_sign_in_email_is_refused_naming_the_field_and_stores_nothing,
    a_nul_byte_in_a_partnership_name_is_refused_naming_the_field_and_stores_nothing,
    a_nul_byte_in_a_wave_label_is_refused_naming_the_field_and_stores_nothing,
    a_nul_byte_in_an_organisation_is_refused_naming_the_field_and_stores_nothing,
    a_nul_byte_in_a_partner_list_is_reported_by_row_and_column_and_stores_nothing,
    control_characters_other_than_tab_and_line_breaks_are_refused_in_any_field_and_line_breaks_are_kept,
    a_form_body_with_invalid_utf8_or_a_malformed_escape_is_refused_with_400_and_stores_nothing,
    texts_longer_than_their_bound_are_refused_naming_the_field_and_store_nothing,
);
