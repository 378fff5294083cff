//! The partner's survey form over HTTP: render, drafts, validation, submission, refusals.

use partnerscope::store;
use partnerscope::survey::Status;
use partnerscope::survey::answers::Answer;

use crate::engines::Engine;

use crate::server::{TestApp, complete_answers, mini, spawn_app};

/// Form fields as posted.
type Fields = Vec<(&'static str, &'static str)>;

/// Submitted and draft responses of a round.
async fn stored(app: &TestApp, round_id: i64) -> (usize, usize) {
    let responses = app.store.responses(round_id).await.unwrap();
    let submitted = responses
        .iter()
        .filter(|r| r.status == Status::Submitted)
        .count();
    (submitted, responses.len() - submitted)
}

fn with(fields: &[(&'static str, &'static str)], action: &'static str) -> Fields {
    let mut fields = fields.to_vec();
    fields.push(("action", action));
    fields
}

async fn healthz_answers_ok(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    assert_eq!(app.get("/healthz").await, (200, "ok".to_string()));
}

async fn a_fresh_form_shows_each_item_as_a_fieldset_with_a_legend_and_labelled_radio_buttons(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (_, _, path) = app.invitation().await;
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(
        body.matches("<fieldset class=\"question").count(),
        6,
        "one per item, no sector question"
    );
    assert!(
        body.contains("<legend>Partners keep the commitments they make to one another.</legend>")
    );
    // Five scale values and "Don't know", each with its label.
    assert_eq!(body.matches("name=\"item-t1\"").count(), 6);
    assert!(body.contains(r#"<input type="radio" id="item-t1" name="item-t1" value="1">"#));
    assert!(
        body.contains(r#"<label for="item-t1-dk">Don&#39;t know</label>"#)
            || body.contains(r#"<label for="item-t1-dk">Don't know</label>"#)
    );
    assert!(body.contains("This survey asks how well our partnership works."));
    assert!(body.contains(r#"name="consent""#));
    assert!(body.contains(r#"name="comment-improve""#));
    assert!(
        !body.contains(r#"name="sector""#),
        "the invitation fixes the sector"
    );
    assert!(body.contains("Save and finish later"));
    assert!(!body.contains("checked"));
}

async fn a_saved_draft_is_shown_again_when_the_link_is_reopened(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let fields = [
        ("item-t1", "4"),
        ("item-g1", "dk"),
        ("comment-improve", "More evening meetings"),
        ("action", "save"),
    ];
    let (status, location, _) = app.post(&path, &fields).await;
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(format!("{path}?saved=1").as_str())
    );
    assert_eq!(stored(&app, round.id).await, (0, 1));

    let (status, body) = app.get(&format!("{path}?saved=1")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Your answers are saved"));
    assert!(body.contains(r#"id="item-t1-4" name="item-t1" value="4" checked>"#));
    assert!(body.contains(r#"id="item-g1-dk" name="item-g1" value="dk" checked>"#));
    assert!(body.contains(">More evening meetings</textarea>"));
    assert_eq!(body.matches(" checked").count(), 2);
}

async fn an_incomplete_submission_lists_each_problem_linked_to_its_field_and_keeps_every_answer(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let fields = [
        ("item-t1", "5"),
        ("item-e2", "dk"),
        ("comment-improve", "<b>bold</b> idea"),
        ("action", "submit"),
    ];
    let (status, _, body) = app.post(&path, &fields).await;
    assert_eq!(status, 422);
    assert!(body.contains("Please check these answers"));
    assert!(body.contains(r##"<a href="#consent">"##));
    for missing in ["t2", "g1", "g2", "e1"] {
        assert!(
            body.contains(&format!(r##"<a href="#item-{missing}">"##)),
            "{missing}"
        );
    }
    assert!(!body.contains(r##"href="#item-t1""##));
    assert!(body.contains(r#"value="5" checked>"#));
    assert!(body.contains(r#"id="item-e2-dk" name="item-e2" value="dk" checked>"#));
    // What the partner typed comes back escaped, never as markup.
    assert!(body.contains("bold&#60;/b&#62; idea</textarea>"));
    assert!(!body.contains("<b>bold"));
    assert_eq!(
        stored(&app, round.id).await,
        (0, 0),
        "a refused submission stores nothing"
    );
}

async fn a_complete_submission_redirects_to_the_thank_you_page_and_is_stored_with_its_answers(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, invitation, path) = app.invitation().await;
    let (status, location, _) = app.post(&path, &with(&complete_answers(), "submit")).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some(format!("{path}/thanks").as_str()));
    let (status, body) = app.get(&format!("{path}/thanks")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Thank you"));

    let response = app.store.responses(round.id).await.unwrap().pop().unwrap();
    assert_eq!(response.status, Status::Submitted);
    assert_eq!(
        response.invitation_id, None,
        "an anonymous round unlinks it"
    );
    assert!(
        app.store
            .invitation_response(invitation.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(response.submitted_at.is_some());
    assert!(response.answers.consent);
    assert_eq!(response.answers.items.len(), 6);
    assert_eq!(response.answers.items["t1"], Answer::Value(4));
    assert_eq!(response.answers.items["g1"], Answer::Code("dk".into()));
    assert_eq!(
        response.answers.comments["improve"],
        "Meet in the evenings."
    );
    assert_eq!(response.answers.language.as_deref(), Some("en"));
    assert_eq!(stored(&app, round.id).await, (1, 0));
    // Reopening the link leads to the thank-you page, not to an editable form.
    let reopened = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(reopened.status().as_u16(), 303);
}

async fn submitting_the_same_invitation_again_answers_already_submitted_and_stores_nothing_new(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    assert_eq!(
        app.post(&path, &with(&complete_answers(), "submit"))
            .await
            .0,
        303
    );
    let before = app.store.responses(round.id).await.unwrap();

    let mut changed = complete_answers();
    changed[1] = ("item-t1", "1");
    for action in ["submit", "save"] {
        let (status, _, body) = app.post(&path, &with(&changed, action)).await;
        assert_eq!(status, 409, "{action}");
        assert!(body.contains("Already submitted"));
    }
    assert_eq!(app.store.responses(round.id).await.unwrap(), before);
    assert_eq!(stored(&app, round.id).await, (1, 0));
}

async fn eight_racing_submissions_of_one_invitation_store_exactly_one_response(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let fields = with(&complete_answers(), "submit");
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app.client.post(app.url(&path)).form(&fields);
        racers.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let mut statuses = racers.join_all().await;
    statuses.sort();
    assert_eq!(statuses, [303, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(stored(&app, round.id).await, (1, 0));
}

async fn a_closed_round_answers_gone_and_stores_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    app.store.close_round(round.id).await.unwrap();
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 410);
    assert!(body.contains("This survey has closed"));
    assert_eq!(
        app.post(&path, &with(&complete_answers(), "submit"))
            .await
            .0,
        410
    );
    let open = format!("/o/{}", round.open_token.unwrap());
    assert_eq!(app.get(&open).await.0, 410);
    assert_eq!(stored(&app, round.id).await, (0, 0));
}

async fn an_unknown_link_answers_not_found_with_a_friendly_page(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    app.invitation().await;
    for path in [
        "/s/0123456789abcdef0123456789abcdef",
        "/s/not-a-token",
        "/o/0123456789abcdef0123456789abcdef",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("We cannot find this survey"), "{path}");
    }
    // Any other address is a page, not a survey.
    let (status, body) = app.get("/nowhere").await;
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "{body}");
    assert!(!body.contains("survey"), "{body}");
    let (status, _, _) = app
        .post(
            "/s/0123456789abcdef0123456789abcdef",
            &with(&complete_answers(), "submit"),
        )
        .await;
    assert_eq!(status, 404);
}

async fn bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    let complete = complete_answers();
    let cases: Vec<(&str, Fields, &str)> = vec![
        (
            "unknown item",
            [complete.clone(), vec![("item-x9", "3")]].concat(),
            "not part of this survey",
        ),
        (
            "off the scale",
            complete
                .iter()
                .map(|&(k, v)| if k == "item-t1" { (k, "6") } else { (k, v) })
                .collect(),
            "not one of the options",
        ),
        (
            "not a number",
            complete
                .iter()
                .map(|&(k, v)| if k == "item-t1" { (k, "lots") } else { (k, v) })
                .collect(),
            "not one of the options",
        ),
        (
            "unknown comment",
            [complete.clone(), vec![("comment-zzz", "hi")]].concat(),
            "not part of this survey",
        ),
        (
            "sector fixed by the invitation",
            [complete.clone(), vec![("sector", "government")]].concat(),
            "a field the survey does not have",
        ),
        (
            "repeated field",
            [complete.clone(), vec![("item-t1", "2")]].concat(),
            "same field twice",
        ),
        ("no action", complete.clone(), "save or submit"),
    ];
    for (case, mut fields, message) in cases {
        if case != "no action" {
            fields.push(("action", "submit"));
        }
        let (status, _, body) = app.post(&path, &fields).await;
        assert_eq!(status, 422, "{case}");
        assert!(body.contains("We could not read your answers"), "{case}");
        assert!(body.contains(message), "{case}: {body}");
    }
    // A draft with a value off the scale is refused just the same.
    assert_eq!(
        app.post(&path, &[("item-t1", "0"), ("action", "save")])
            .await
            .0,
        422
    );

    let not_a_form = app
        .client
        .post(app.url(&path))
        .header("content-type", "application/json")
        .body("{\"item-t1\": 3}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status().as_u16(), 400);
    assert!(
        not_a_form
            .text()
            .await
            .unwrap()
            .contains("not a survey form")
    );

    let huge = "x".repeat(100 * 1024);
    let oversized = app
        .client
        .post(app.url(&path))
        .form(&[("comment-improve", huge.as_str()), ("action", "save")])
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status().as_u16(), 413);
    assert!(oversized.text().await.unwrap().contains("Too much text"));

    assert_eq!(stored(&app, round.id).await, (0, 0));
}

async fn an_open_link_asks_the_sector_and_a_retried_post_with_the_same_form_id_is_stored_once(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let round = app.round(&mini()).await;
    let path = format!("/o/{}", round.open_token.clone().unwrap());
    let (status, body) = app.get(&path).await;
    assert_eq!(status, 200);
    assert!(body.contains("<legend>Which sector best describes your organisation?</legend>"));
    assert!(
        !body.contains("Save and finish later"),
        "the open link keeps no drafts"
    );
    let form_id = body
        .split(r#"name="form_id" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a one-time form id")
        .to_string();
    let (_, second) = app.get(&path).await;
    assert!(
        !second.contains(&form_id),
        "each visit gets its own form id"
    );

    let mut fields = with(&complete_answers(), "submit");
    fields.push(("form_id", form_id.as_str()));
    let (status, _, body) = app.post(&path, &fields).await;
    assert_eq!(status, 422, "the sector is required");
    assert!(body.contains(r##"<a href="#sector">"##));
    assert!(body.contains(&form_id), "the form keeps its id");

    fields.push(("sector", "government"));
    for _ in 0..2 {
        let (status, location, _) = app.post(&path, &fields).await;
        assert_eq!(status, 303);
        assert_eq!(location.as_deref(), Some(format!("{path}/thanks").as_str()));
    }
    let responses = app.store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].invitation_id, None);
    assert_eq!(responses[0].answers.sector.as_deref(), Some("government"));

    let without_id = with(&complete_answers(), "submit");
    assert_eq!(app.post(&path, &without_id).await.0, 422);
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 1);
}

async fn an_acknowledged_submission_is_in_the_database_after_a_graceful_stop(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (round, _, path) = app.invitation().await;
    assert_eq!(
        app.post(&path, &with(&complete_answers(), "submit"))
            .await
            .0,
        303
    );
    let (url, _dir) = app.stop().await;

    let reopened = store::open(&url).await.unwrap();
    let responses = reopened.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 1);
    assert_eq!(responses[0].status, Status::Submitted);
    assert_eq!(responses[0].answers.items.len(), 6);
}

async fn a_round_keeps_its_stored_instrument_when_the_file_changes(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let file = app.dir.path().join("mini.toml");
    std::fs::copy(crate::server::mini_path(), &file).unwrap();
    let instrument = partnerscope::instrument::load_file(&file).unwrap();
    let round = app.round(&instrument).await;
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Partners keep the commitments", "EDITED statement");
    std::fs::write(&file, edited).unwrap();

    let (status, body) = app.get(&format!("/o/{}", round.open_token.unwrap())).await;
    assert_eq!(status, 200);
    assert!(body.contains("Partners keep the commitments they make to one another."));
    assert!(!body.contains("EDITED"));
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        app.store.rounds(round.partnership_id).await.unwrap()[0].instrument_source,
        instrument.source
    );
}

async fn a_preview_shows_an_instruments_form_that_cannot_be_sent(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (status, body) = app.get("/preview/coalition-effectiveness").await;
    assert_eq!(status, 200);
    assert!(body.contains("Nothing you enter here is stored."));
    assert!(body.contains("Coalition Effectiveness Check"));
    assert!(
        body.matches("<fieldset").count() > 30,
        "every statement is shown"
    );
    assert!(
        !body.contains("name=\"action\""),
        "a preview has no buttons that send"
    );
    assert_eq!(app.get("/preview/no-such-instrument").await.0, 404);
}

crate::on_both_engines!(
    a_preview_shows_an_instruments_form_that_cannot_be_sent,
    healthz_answers_ok,
    a_fresh_form_shows_each_item_as_a_fieldset_with_a_legend_and_labelled_radio_buttons,
    a_saved_draft_is_shown_again_when_the_link_is_reopened,
    an_incomplete_submission_lists_each_problem_linked_to_its_field_and_keeps_every_answer,
    a_complete_submission_redirects_to_the_thank_you_page_and_is_stored_with_its_answers,
    submitting_the_same_invitation_again_answers_already_submitted_and_stores_nothing_new,
    eight_racing_submissions_of_one_invitation_store_exactly_one_response,
    a_closed_round_answers_gone_and_stores_nothing,
    an_unknown_link_answers_not_found_with_a_friendly_page,
    bad_input_is_refused_with_a_clear_message_and_nothing_is_stored,
    an_open_link_asks_the_sector_and_a_retried_post_with_the_same_form_id_is_stored_once,
    an_acknowledged_submission_is_in_the_database_after_a_graceful_stop,
    a_round_keeps_its_stored_instrument_when_the_file_changes,
);
