//! The anonymity promise after submitting, over HTTP on both engines: responses nobody can
//! trace to their partner, drafts the facilitator cannot open, withdrawal with a receipt, an open
//! link nobody can stuff, and removals that change the figures only at a release that qualifies.

use partnerscope::web::open_links::OpenLinks;

use crate::deletion::{count, in_sqlite_files};
use crate::engines::Engine;
use crate::privacy::{ANONYMOUS, download, round_with_partners, submit};
use crate::server::{complete_answers, mini, spawn_app, spawn_app_with};
use crate::support::{partnerscope, stderr};
use crate::web_facilitate::signed_in;

/// Partners of five sectors, three each.
fn fifteen_partners() -> Vec<(String, &'static str)> {
    let mut partners = Vec::new();
    for sector in ["business", "education", "government", "health", "nonprofit"] {
        for i in 0..3 {
            partners.push((format!("{sector} partner {i}"), sector));
        }
    }
    partners
}

/// The code a page shows in `<strong class="code">`.
fn shown_code(page: &str) -> Option<String> {
    let start = page.find(r#"<strong class="code">"#)? + r#"<strong class="code">"#.len();
    let end = start + page[start..].find('<')?;
    Some(page[start..end].to_string())
}

/// The n of every row of a figures download, by its first column and dimension.
async fn sizes(browser: &crate::web_facilitate::Browser, round: &str, file: &str) -> Vec<String> {
    download(browser, round, file)
        .await
        .iter()
        .map(|row| {
            format!("{:?}", {
                let mut cells: Vec<_> = row.iter().collect();
                cells.sort();
                cells
            })
        })
        .collect()
}

async fn no_stored_row_links_a_submitted_response_to_its_partner_and_removing_partners_changes_no_figure(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners = fifteen_partners();
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    for (i, link) in links.iter().enumerate() {
        submit(&app, link, 1 + (i % 5) as u8, "Fine.").await;
    }
    let round_id = crate::web_facilitate::id_in(&round_path);

    // The rows: every invitation knows only that it was submitted; no response names one, keeps a
    // time of day, or can be joined to an invitation by any column they share.
    let submitted = format!("round_id = {round_id} AND status = 'submitted'");
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM responses WHERE {submitted}")
        )
        .await,
        15
    );
    for condition in [
        "invitation_id IS NOT NULL",
        "submitted_at NOT LIKE '%T00:00:00Z'",
        "started_at NOT LIKE '%T00:00:00Z'",
        "updated_at NOT LIKE '%T00:00:00Z'",
        "resume_digest IS NOT NULL",
    ] {
        let sql = format!("SELECT COUNT(*) FROM responses WHERE {submitted} AND {condition}");
        assert_eq!(count(&app, &sql).await, 0, "{condition}");
    }
    let flagged =
        format!("SELECT COUNT(*) FROM invitations WHERE round_id = {round_id} AND submitted = 1");
    assert_eq!(count(&app, &flagged).await, 15);
    // The schema: the only column of `responses` that refers to an invitation is the one that
    // stays empty after submitting.
    let references = match engine {
        Engine::Sqlite => {
            "SELECT COUNT(*) FROM pragma_foreign_key_list('responses') \
             WHERE \"table\" = 'invitations' AND \"from\" <> 'invitation_id'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) FROM information_schema.key_column_usage k \
             JOIN information_schema.referential_constraints r \
             ON r.constraint_name = k.constraint_name \
             JOIN information_schema.constraint_column_usage c \
             ON c.constraint_name = r.unique_constraint_name \
             WHERE k.table_name = 'responses' AND c.table_name = 'invitations' \
             AND k.column_name <> 'invitation_id'"
        }
    };
    assert_eq!(count(&app, references).await, 0);
    // Ids are random, so their order is not the order of submission.
    let ids = count(
        &app,
        &format!("SELECT MIN(id) FROM responses WHERE {submitted}"),
    )
    .await;
    assert!(ids > 1_000_000, "ids are drawn at random: {ids}");

    // Published: close, then delete a partner who submitted and exclude a response.
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(status, 303);
    let before = sizes(&browser, &round_path, "dimensions.csv").await;
    let groups_before = sizes(&browser, &round_path, "groups.csv").await;
    let progress = app.store.invitation_progress(round_id).await.unwrap();
    let partner = progress[0].invitation.id;
    let (status, location, _) = browser
        .post_checked(&format!("/facilitator/partners/{partner}/delete"), &[])
        .await;
    assert_eq!(status, 303, "{location:?}");
    let rows = download(&browser, &round_path, "respondents.csv").await;
    let pseudonym = rows[0]["respondent"].clone();
    let (status, _, _) = browser
        .post_checked(
            &format!("{round_path}/responses/exclude"),
            &[("pseudonym", &pseudonym)],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = browser.get(&round_path).await;
    assert!(page.contains(&pseudonym) && page.contains("waiting for the next release"));
    assert_eq!(sizes(&browser, &round_path, "dimensions.csv").await, before);
    assert_eq!(
        sizes(&browser, &round_path, "groups.csv").await,
        groups_before
    );
    assert_eq!(app.store.releases(round_id).await.unwrap().len(), 1);

    // Two more exclusions make the change the threshold's worth: a new release leaves all three
    // out. Including one again after that brings it back only with a later release.
    for row in &rows[1..3] {
        let (status, _, _) = browser
            .post_checked(
                &format!("{round_path}/responses/exclude"),
                &[("pseudonym", &row["respondent"])],
            )
            .await;
        assert_eq!(status, 303);
    }
    let after = download(&browser, &round_path, "dimensions.csv").await;
    assert!(after.iter().all(|row| row["n"] == "12"), "{after:?}");
    assert_eq!(app.store.releases(round_id).await.unwrap().len(), 2);
    let (status, _, _) = browser
        .post_checked(
            &format!("{round_path}/responses/include"),
            &[("pseudonym", &pseudonym)],
        )
        .await;
    assert_eq!(status, 303);
    let again = download(&browser, &round_path, "dimensions.csv").await;
    assert!(
        again.iter().all(|row| row["n"] == "12"),
        "one more waits: {again:?}"
    );
    // It waits with every answer and its comment, under its pseudonym.
    let library = partnerscope::instrument::Library::shipped().unwrap();
    let items = library.get("collaboration-factors").unwrap().items.len() as i64;
    let of_it = |table: &str| {
        format!(
            "SELECT COUNT(*) FROM {table} t JOIN responses r ON r.id = t.response_id \
             WHERE r.pseudonym = '{pseudonym}' AND r.removed IS NULL"
        )
    };
    let waiting = app.store.responses(round_id).await.unwrap();
    let waiting = waiting
        .iter()
        .find(|r| r.pseudonym.as_deref() == Some(pseudonym.as_str()))
        .unwrap();
    assert_eq!(waiting.answers.items.len() as i64, items);
    assert_eq!(count(&app, &of_it("response_comments")).await, 1);
    // An operator deletes a response by its pseudonym on the command line.
    let gone = rows[3]["respondent"].clone();
    let delete = |pseudonym: &str| {
        let round = round_id.to_string();
        partnerscope(&[
            "delete",
            "response",
            &round,
            pseudonym,
            "--database-url",
            &app.database_url,
        ])
    };
    let output = delete(&gone);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = download(&browser, &round_path, "respondents.csv").await;
    assert!(listed.iter().all(|row| row["respondent"] != gone));
    let output = delete(&gone);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("has no response"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&delete("nonsense")).contains("is not a pseudonym"));
    // A pseudonym the round does not have, and one of the wrong shape, are refused by name.
    for (pseudonym, message) in [
        ("0123456789abcdef", "No response of this round"),
        ("x", "16-character"),
    ] {
        let (status, _, body) = browser
            .post_checked(
                &format!("{round_path}/responses/exclude"),
                &[("pseudonym", pseudonym)],
            )
            .await;
        assert_eq!(status, 422);
        assert!(body.contains(message), "{body}");
    }
}

async fn a_personal_link_without_the_resume_secret_shows_none_of_the_draft(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (_, _, path) = app.invitation().await;
    let mut fields = vec![
        ("consent", "yes"),
        ("item-t1", "4"),
        ("item-g1", "dk"),
        ("comment-improve", "Only I may read this draft"),
    ];
    fields.push(("action", "save"));
    let (status, _, _) = app.post(&path, &fields).await;
    assert_eq!(status, 303);
    let (_, mine) = app.get(&path).await;
    assert!(mine.contains("Only I may read this draft"));
    let code = shown_code(&mine).expect("the resume code is shown");

    // The facilitator, who holds the link, in another browser.
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let page = other
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Only I may read this draft"));
    assert!(
        !page.contains(" checked"),
        "no answer of the draft is shown"
    );
    assert!(!page.contains(&code));
    assert!(page.contains("Answers from this link are saved elsewhere"));
    assert!(page.contains(
        "Organisations invited to this round, by sector: Nonprofit or community organisation (1)."
    ));
    let wrong = other
        .post(app.url(&format!("{path}/resume")))
        .form(&[("resume_code", "0000-0000-0000-0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 422);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("That code does not open") && !wrong.contains(" checked"));
    // With the code written down, the partner continues anywhere.
    let typed = code.to_lowercase().replace('-', " ");
    let right = other
        .post(app.url(&format!("{path}/resume")))
        .form(&[("resume_code", typed.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status().as_u16(), 303);
    let page = other
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Only I may read this draft"));
}

/// The form id of an open-link form page.
fn form_id(page: &str) -> String {
    page.split(r#"name="form_id" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form id")
        .to_string()
}

async fn made_up_and_recased_form_ids_store_nothing_a_reused_one_thanks_and_a_burst_gets_429(
    engine: Engine,
) {
    let Some(app) = spawn_app_with(engine, OpenLinks::new(3, false)).await else {
        return;
    };
    let round = app.round(&mini()).await;
    let path = format!("/o/{}", round.open_token.clone().unwrap());
    let mut answers = complete_answers();
    answers.extend([("sector", "government"), ("action", "submit")]);
    let post = async |id: &str| {
        let mut fields = answers.clone();
        fields.push(("form_id", id));
        app.post(&path, &fields).await
    };
    let (_, page) = app.get(&path).await;
    let issued = form_id(&page);
    let mut fabricated: Vec<String> = (0..50)
        .map(|i| match i % 3 {
            0 => partnerscope::survey::new_token(),
            1 => format!(
                "{:x}-{}-{}",
                1_700_000_000 + i,
                "0".repeat(16),
                "f".repeat(32)
            ),
            _ => issued.replacen(&issued[..1], "9", 1),
        })
        .collect();
    fabricated.extend((0..50).map(|i| {
        // Re-cased: some letters of the issued id in capitals.
        issued
            .char_indices()
            .map(|(j, c)| {
                if (j + i) % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect::<String>()
    }));
    fabricated.retain(|id| *id != issued);
    assert!(fabricated.len() >= 99);
    for id in &fabricated {
        let (status, _, body) = post(id).await;
        assert_eq!(status, 403, "{id}");
        assert!(body.contains("This form cannot be sent"));
    }
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 0);

    // Issued: stored once; sent again, the thank-you page and nothing more.
    for _ in 0..2 {
        let (status, location, _) = post(&issued).await;
        assert_eq!((status, location), (303, Some(format!("{path}/thanks"))));
    }
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 1);
    let (_, thanks) = app.get(&format!("{path}/thanks")).await;
    assert!(shown_code(&thanks).is_some(), "the receipt is shown");

    // The budget is three sends per hour, the retry included: one more fresh form passes, the
    // next gets 429 with the answers kept.
    let (_, page) = app.get(&path).await;
    assert_eq!(post(&form_id(&page)).await.0, 303);
    let (_, page) = app.get(&path).await;
    let (status, _, body) = post(&form_id(&page)).await;
    assert_eq!(status, 429);
    assert!(body.contains("wait a few minutes"));
    assert!(body.contains(r#"value="4" checked"#) && body.contains("Meet in the evenings."));
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 2);
}

async fn a_capped_open_link_refuses_the_response_past_its_cap(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (round_path, _) = round_with_partners(
        &app,
        &browser,
        &[("min_group_size", "3"), ("open_link", "yes")],
        &[("City Hall".to_string(), "government")],
    )
    .await;
    for cap in ["0", "two"] {
        let (status, _, body) = browser
            .post_checked(&format!("{round_path}/open-cap"), &[("cap", cap)])
            .await;
        assert_eq!(status, 422, "{cap}");
        assert!(body.contains("whole number"));
    }
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/open-cap"), &[("cap", "1")])
        .await;
    assert_eq!(status, 303);
    let round_id = crate::web_facilitate::id_in(&round_path);
    let round = app.store.round(round_id).await.unwrap().unwrap();
    assert_eq!(round.open_cap, Some(1));
    let path = format!("/o/{}", round.open_token.unwrap());
    let instrument = partnerscope::instrument::Library::shipped().unwrap();
    let instrument = instrument.get("collaboration-factors").unwrap();
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let (_, page) = app.get(&path).await;
        let id = form_id(&page);
        let mut fields: Vec<(String, String)> = instrument
            .items
            .iter()
            .map(|item| (format!("item-{}", item.id), "3".to_string()))
            .collect();
        let sector = page
            .split(r#"name="sector" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        fields.extend([
            ("consent".into(), "yes".into()),
            ("sector".into(), sector),
            ("form_id".into(), id),
            ("action".into(), "submit".into()),
        ]);
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, _, body) = app.post(&path, &fields).await;
        statuses.push(status);
        if status == 409 {
            assert!(body.contains("This survey is full"));
        }
    }
    assert_eq!(statuses, [303, 409]);
    assert_eq!(app.store.responses(round_id).await.unwrap().len(), 1);
}

async fn a_receipt_code_withdraws_the_response_at_the_next_release_that_qualifies(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners = fifteen_partners();
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    let mut receipts = Vec::new();
    // The first partner's comment is theirs alone, to look for after they withdraw.
    let marker = "Only my receipt erases this";
    for (i, link) in links.iter().enumerate() {
        let comment = if i == 0 {
            marker
        } else {
            "Withdraw me if you can"
        };
        submit(&app, link, 4, comment).await;
        let (_, thanks) = app.get(&format!("{link}/thanks")).await;
        receipts.push(shown_code(&thanks).expect("a receipt on the thank-you page"));
    }
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(status, 303);
    let n = async || {
        let rows = download(&browser, &round_path, "dimensions.csv").await;
        rows[0]["n"].clone()
    };
    assert_eq!(n().await, "15");
    let (_, form) = app.get("/withdraw").await;
    assert!(form.contains("Receipt code"));

    let withdraw = async |code: &str| app.post("/withdraw", &[("receipt", code)]).await;
    assert_eq!(withdraw(&receipts[0]).await.0, 303);
    let (status, _, body) = withdraw(&receipts[0]).await;
    assert_eq!(status, 422, "a receipt withdraws once");
    assert!(body.contains("No submitted answers have this receipt code"));
    assert_eq!(withdraw("not a code").await.0, 422);
    // One withdrawal is less than the threshold: the figures stay until it is three.
    assert_eq!(n().await, "15");
    let rows = download(&browser, &round_path, "respondents.csv").await;
    assert_eq!(rows.len(), 14, "the withdrawn row is no longer listed");
    let comments = count(
        &app,
        &format!("SELECT COUNT(*) FROM response_comments WHERE body = '{marker}'"),
    )
    .await;
    assert_eq!(comments, 0, "its comment is erased at once");
    if engine == Engine::Sqlite {
        let database = app.dir.path().join("test.db");
        assert_eq!(in_sqlite_files(&database, marker), Vec::<String>::new());
    }
    for code in &receipts[1..3] {
        assert_eq!(withdraw(&code.to_lowercase()).await.0, 303);
    }
    assert_eq!(n().await, "12");
}

crate::on_both_engines!(
    no_stored_row_links_a_submitted_response_to_its_partner_and_removing_partners_changes_no_figure,
    a_personal_link_without_the_resume_secret_shows_none_of_the_draft,
    made_up_and_recased_form_ids_store_nothing_a_reused_one_thanks_and_a_burst_gets_429,
    a_capped_open_link_refuses_the_response_past_its_cap,
    a_receipt_code_withdraws_the_response_at_the_next_release_that_qualifies,
);
