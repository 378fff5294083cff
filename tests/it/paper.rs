//! Paper and other tools' answers (issue 15): the printable paper form, keying in paper sheets,
//! uploading a responses file, and the `source` column of the raw download with its privacy
//! rule.

use partnerscope::store::Store;
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::{NewRound, Removal, Respondent, Round, Status, erased_values};

use crate::bulk::upload_to;
use crate::engines::Engine;
use crate::server::{TestApp, complete_answers, mini, spawn_app};
use crate::support::parse_csv;
use crate::web_facilitate::{Browser, signed_in};

/// A new open round of the mini instrument, owned by `owner`, titled "Eastside Coalition".
async fn paper_round(app: &TestApp, owner: i64, identified: bool) -> Round {
    let store = app.store.as_ref();
    let partnership = store
        .create_partnership("Paper partnership", Some(owner))
        .await
        .unwrap();
    store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument: &mini(),
            wave: "2026 spring",
            min_group_size: 3,
            open_link: true,
            identified,
            details: &RoundDetails {
                title: "Eastside Coalition".into(),
                ..RoundDetails::default()
            },
        })
        .await
        .unwrap()
}

/// How many submitted responses the round has.
async fn submitted(store: &dyn Store, round: &Round) -> usize {
    let responses = store.responses(round.id).await.unwrap();
    responses
        .iter()
        .filter(|r| r.status == Status::Submitted)
        .count()
}

fn entry_path(round: &Round) -> String {
    format!("/facilitator/rounds/{}/paper/entry", round.id)
}

/// Posts a paper sheet `sheet` with `answers` (plus the submit button) and `csrf`.
async fn enter(
    browser: &Browser,
    round: &Round,
    csrf: &str,
    sheet: &str,
    answers: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let mut fields = vec![("csrf", csrf), ("sheet_id", sheet), ("action", "submit")];
    fields.extend_from_slice(answers);
    browser.post(&entry_path(round), &fields).await
}

/// A complete paper sheet of a nonprofit partner.
fn complete_sheet() -> Vec<(&'static str, &'static str)> {
    let mut answers = complete_answers();
    answers.push(("sector", "nonprofit"));
    answers
}

/// A responses file whose third row answers `t2` (its fifth column) with 7, of a 1 to 5 scale.
const SEVEN_IN_T2: &[u8] = b"respondent,group,wave,t1,t2,g1,g2,e1,e2\n\
                             a@x.org,nonprofit,,4,2,3,3,5,4\n\
                             b@x.org,nonprofit,,4,7,3,3,5,4\n";

/// Uploads `file` to the round's import with `csrf`; status, `Location` and body.
async fn upload(
    browser: &Browser,
    round: &Round,
    csrf: Option<&str>,
    file: &[u8],
) -> (u16, Option<String>, String) {
    let path = format!("/facilitator/rounds/{}/import", round.id);
    upload_to(browser, &path, csrf, file).await
}

async fn the_paper_form_prints_numbered_statements_boxes_and_a_sheet_id_on_each_sheet(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = paper_round(&app, browser.facilitator.id, false).await;
    let paper = format!("/facilitator/rounds/{}/paper", round.id);
    let (status, body) = browser.get(&format!("{paper}?sheets=3")).await;
    assert_eq!(status, 200, "{body}");

    let instrument = mini();
    assert_eq!(body.matches(r#"<table class="sheet""#).count(), 3);
    for n in 1..=3 {
        assert!(
            body.contains(&format!("Sheet {}-{n:03}", round.id)),
            "sheet {n}: {body}"
        );
    }
    assert!(!body.contains(&format!("{}-004", round.id)));
    assert_eq!(
        body.matches("Eastside Coalition · 2026 spring").count(),
        3,
        "the round's title and wave head every sheet"
    );
    assert_eq!(
        body.matches(instrument.texts().consent().unwrap()).count(),
        3
    );
    for (i, item) in instrument.items.iter().enumerate() {
        let numbered = format!(
            r#"<span class="number">{}.</span> {}"#,
            i + 1,
            instrument.texts().item_text(item).replace('\'', "&#39;")
        );
        assert_eq!(body.matches(&numbered).count(), 3, "{numbered}");
    }
    for label in ["Strongly disagree", "Strongly agree", "Don&#39;t know"] {
        assert!(
            body.contains(&format!(r#"<th scope="col">{label}</th>"#)),
            "{label}"
        );
    }
    // Per sheet: consent, a box per sector, six options for each of six statements.
    let sectors = instrument.profile.as_ref().unwrap().options.len();
    let boxes = 3 * (1 + sectors + 6 * 6);
    assert_eq!(body.matches(r#"class="box""#).count(), boxes);
    assert_eq!(body.matches(r#"class="ruled""#).count(), 3);
    for control in ["<form", "<input", "<button", "<textarea", "<select"] {
        assert!(!body.contains(control), "{control} on the paper form");
    }
    let (_, css) = app.get("/static/app.css").await;
    assert!(css.contains("table.sheet + table.sheet { break-before: page; }"));

    // One sheet by default; a number of sheets out of range is refused.
    let (status, one) = browser.get(&paper).await;
    assert_eq!(status, 200);
    assert_eq!(one.matches(r#"<table class="sheet""#).count(), 1);
    for wrong in ["0", "201", "two"] {
        let (status, _) = browser.get(&format!("{paper}?sheets={wrong}")).await;
        assert_eq!(status, 422, "{wrong}");
    }

    // The round page links to it; a closed round's form still prints, but takes no entries.
    let (_, page) = browser
        .get(&format!("/facilitator/rounds/{}", round.id))
        .await;
    assert!(page.contains(&format!(r#"href="{paper}""#)));
    assert!(page.contains(&format!(r#"href="{}""#, entry_path(&round))));
    app.store.close_round(round.id).await.unwrap();
    assert_eq!(browser.get(&paper).await.0, 200);
    assert_eq!(browser.get(&entry_path(&round)).await.0, 410);
}

async fn a_keyed_in_paper_sheet_counts_in_the_round_once_per_sheet_id(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let store = app.store.as_ref();
    let browser = signed_in(&app, "ana@example.org").await;
    let round = paper_round(&app, browser.facilitator.id, false).await;
    // Paper sheets do not count against the open link's cap.
    store.set_open_cap(round.id, Some(1)).await.unwrap();
    let entry = entry_path(&round);
    let (status, page) = browser.get(&entry).await;
    assert_eq!(status, 200);
    assert!(page.contains("1. Partners keep the commitments"), "{page}");
    assert!(page.contains("The partner ticked the consent box"));
    assert!(page.contains(r#"name="sheet_id""#));
    let csrf = browser.csrf(&entry).await;
    let sheet = format!("{}-001", round.id);

    let (status, location, _) = enter(&browser, &round, &csrf, &sheet, &complete_sheet()).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with(&format!("{entry}?stored=")),
        "{location}"
    );
    let (_, after) = browser.get(&location).await;
    assert!(after.contains(&format!("Sheet {sheet} stored")), "{after}");
    assert!(!after.contains(" checked>"), "the next sheet starts empty");
    assert_eq!(submitted(store, &round).await, 1);
    let stored = store.responses(round.id).await.unwrap().remove(0);
    assert_eq!(stored.answers.sector.as_deref(), Some("nonprofit"));
    assert_eq!(stored.answers.language.as_deref(), Some("en"));
    assert_eq!(stored.answers.comments["improve"], "Meet in the evenings.");
    assert!(stored.invitation_id.is_none());

    // An incomplete sheet: every problem listed and linked, what was keyed in kept.
    let (status, _, body) = enter(
        &browser,
        &round,
        &csrf,
        "",
        &[("item-t1", "4"), ("comment-improve", "Later.")],
    )
    .await;
    assert_eq!(status, 422);
    for anchor in ["sheet_id", "consent", "item-t2", "item-e2", "sector"] {
        assert!(body.contains(&format!(r##"href="#{anchor}""##)), "{anchor}");
    }
    assert!(body.contains(r#"id="item-t1-4" name="item-t1" value="4" checked"#));
    assert!(body.contains(">Later.</textarea>"));
    assert_eq!(submitted(store, &round).await, 1);

    // The same sheet again is refused, naming the field; another sheet is stored past the cap.
    let (status, _, body) = enter(&browser, &round, &csrf, &sheet, &complete_sheet()).await;
    assert_eq!(status, 422);
    assert!(body.contains(r##"href="#sheet_id""##), "{body}");
    assert!(body.contains("already has a sheet with this id"));
    assert!(body.contains(&format!(r#"value="{sheet}""#)));
    assert_eq!(submitted(store, &round).await, 1);
    let second = format!("{}-002", round.id);
    let (status, _, _) = enter(&browser, &round, &csrf, &second, &complete_sheet()).await;
    assert_eq!(status, 303);
    assert_eq!(submitted(store, &round).await, 2);

    // Without the CSRF token: refused.
    let mut fields = vec![("sheet_id", "x-1"), ("action", "submit")];
    fields.extend(complete_sheet());
    assert_eq!(browser.post(&entry, &fields).await.0, 403);

    // Another facilitator is told none of it exists.
    let other = signed_in(&app, "ben@example.org").await;
    let their_csrf = other.csrf("/facilitator").await;
    let paper = format!("/facilitator/rounds/{}/paper", round.id);
    assert_eq!(other.get(&paper).await.0, 404);
    assert_eq!(other.get(&entry).await.0, 404);
    let (status, _, _) = enter(&other, &round, &their_csrf, "x-2", &complete_sheet()).await;
    assert_eq!(status, 404);
    let file = b"respondent,group,t1,t2,g1,g2,e1,e2\na,nonprofit,4,2,3,3,5,4\n";
    assert_eq!(upload(&other, &round, Some(&their_csrf), file).await.0, 404);
    assert_eq!(submitted(store, &round).await, 2);

    // A closed round takes no sheets.
    store.close_round(round.id).await.unwrap();
    let third = format!("{}-003", round.id);
    let (status, _, _) = enter(&browser, &round, &csrf, &third, &complete_sheet()).await;
    assert_eq!(status, 410);
    assert_eq!(submitted(store, &round).await, 2);
}

async fn an_uploaded_responses_file_is_imported_all_or_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let store = app.store.as_ref();
    let browser = signed_in(&app, "ana@example.org").await;
    let round = paper_round(&app, browser.facilitator.id, false).await;
    let entry = entry_path(&round);
    let (_, page) = browser.get(&entry).await;
    assert!(page.contains(&format!(
        r#"action="/facilitator/rounds/{}/import" enctype="multipart/form-data""#,
        round.id
    )));
    let csrf = browser.csrf(&entry).await;

    let (status, _, body) = upload(&browser, &round, Some(&csrf), SEVEN_IN_T2).await;
    assert_eq!(status, 422);
    assert!(body.contains("Nothing was imported"), "{body}");
    assert!(
        body.contains("Row 3, column 5 (t2): “7” is not an answer to this statement"),
        "{body}"
    );
    assert_eq!(submitted(store, &round).await, 0);

    let good = b"respondent,group,wave,t1,t2,g1,g2,e1,e2\n\
                 a@x.org,nonprofit,,4,2,3,3,5,4\n\
                 b@x.org,government,2026 spring,Agree,dk,3,3,5,4\n";
    let (status, location, _) = upload(&browser, &round, Some(&csrf), good).await;
    assert_eq!(status, 303);
    let (_, after) = browser.get(&location.unwrap()).await;
    assert!(after.contains("2 responses imported"), "{after}");
    assert_eq!(submitted(store, &round).await, 2);

    // Larger than a form's 64 KiB: uploads have their own limit.
    let mut large = String::from("respondent,group,t1,t2,g1,g2,e1,e2\n");
    for i in 0..3000 {
        large.push_str(&format!("r{i},government,4,2,3,3,5,4\n"));
    }
    assert!(large.len() > 64 * 1024);
    let (status, _, _) = upload(&browser, &round, Some(&csrf), large.as_bytes()).await;
    assert_eq!(status, 303);
    assert_eq!(submitted(store, &round).await, 3002);

    // Forged: refused before anything is read.
    assert_eq!(upload(&browser, &round, None, good).await.0, 403);
    assert_eq!(submitted(store, &round).await, 3002);
    // Closed: refused as the command line refuses it.
    store.close_round(round.id).await.unwrap();
    assert_eq!(upload(&browser, &round, Some(&csrf), good).await.0, 410);
    assert_eq!(submitted(store, &round).await, 3002);
}

async fn a_refused_file_is_explained_in_the_language_the_facilitator_reads(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = paper_round(&app, browser.facilitator.id, false).await;
    let entry = entry_path(&round);
    browser.get(&format!("/language?to=es&back={entry}")).await;
    let csrf = browser.csrf(&entry).await;

    let (status, _, body) = upload(&browser, &round, Some(&csrf), SEVEN_IN_T2).await;
    assert_eq!(status, 422);
    assert!(body.contains("<html lang=\"es\">"), "{body}");
    assert!(body.contains("No se importó nada"), "{body}");
    assert!(
        body.contains(
            "Fila 3, columna 5 (t2): “7” no es una respuesta para esta afirmación (se aceptan: \
             los números del 1 al 5, las etiquetas “Strongly disagree”"
        ),
        "{body}"
    );
    assert!(!body.contains("is not an answer"), "{body}");

    // Excel's plain "CSV" on Windows: the page asks for the file again as UTF-8.
    let latin1 = b"respondent,group,wave,t1,t2,g1,g2,e1,e2\n\
                   Jos\xe9 P\xe9rez,nonprofit,,4,2,3,3,5,4\n";
    let (status, _, body) = upload(&browser, &round, Some(&csrf), latin1).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Fila 2: El texto no está en UTF-8 (el archivo parece estar en "),
        "{body}"
    );
    assert!(body.contains("Guarde el archivo como UTF-8"), "{body}");
    assert!(!body.contains("--encoding"), "{body}");
    assert_eq!(submitted(app.store.as_ref(), &round).await, 0);
}

/// The `source` column of the round's raw download, one cell per row.
async fn sources(browser: &Browser, round: &Round) -> Vec<String> {
    let path = format!("/facilitator/rounds/{}/reports/raw.csv", round.id);
    let response = browser.client.get(browser.url(&path)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (header, rows) = parse_csv(&response.bytes().await.unwrap());
    let column = header.iter().position(|c| c == "source").unwrap();
    assert_eq!(header[column - 1], "language");
    let mut cells: Vec<String> = rows.into_iter().map(|r| r[column].clone()).collect();
    cells.sort();
    cells
}

/// A signed-in facilitator's round with interim releases, three responses imported and one
/// paper sheet keyed in; and the CSRF token of its pages.
async fn three_imported_and_one_paper(app: &TestApp, identified: bool) -> (Browser, Round, String) {
    let browser = signed_in(app, "ana@example.org").await;
    let round = paper_round(app, browser.facilitator.id, identified).await;
    app.store
        .set_interim_releases(round.id, true)
        .await
        .unwrap();
    let csrf = browser.csrf(&entry_path(&round)).await;
    let three = b"respondent,group,t1,t2,g1,g2,e1,e2\n\
                  City Housing,nonprofit,4,2,3,3,5,4\nFood Bank,nonprofit,4,2,3,3,5,4\n\
                  Library,government,4,2,3,3,5,4\n";
    assert_eq!(upload(&browser, &round, Some(&csrf), three).await.0, 303);
    let sheet = format!("{}-001", round.id);
    let (status, _, _) = enter(&browser, &round, &csrf, &sheet, &complete_sheet()).await;
    assert_eq!(status, 303);
    (browser, round, csrf)
}

async fn the_source_column_shows_only_sources_with_the_threshold_of_rows_in_an_anonymous_round(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round, csrf) = three_imported_and_one_paper(&app, false).await;
    // One paper sheet among three imported rows would single out whoever filled it in.
    assert_eq!(sources(&browser, &round).await, ["", "", "", ""]);

    // A release follows once enough new responses wait (design section 3, *Releases*).
    for n in [2, 3, 4] {
        let sheet = format!("{}-{n:03}", round.id);
        let (status, _, _) = enter(&browser, &round, &csrf, &sheet, &complete_sheet()).await;
        assert_eq!(status, 303);
    }
    assert_eq!(
        sources(&browser, &round).await,
        [
            "import", "import", "import", "paper", "paper", "paper", "paper"
        ]
    );
}

async fn an_identified_round_always_shows_each_rows_source(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round, _) = three_imported_and_one_paper(&app, true).await;
    assert_eq!(
        sources(&browser, &round).await,
        ["import", "import", "import", "paper"]
    );
}

async fn an_excluded_paper_sheet_included_again_keeps_its_source_and_its_sheet_id(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let store = app.store.as_ref();
    let (browser, round, csrf) = three_imported_and_one_paper(&app, false).await;
    for n in [2, 3] {
        let sheet = format!("{}-{n:03}", round.id);
        let (status, _, _) = enter(&browser, &round, &csrf, &sheet, &complete_sheet()).await;
        assert_eq!(status, 303);
    }
    assert_eq!(sources(&browser, &round).await.len(), 6, "all six released");

    // The paper sheets are the responses with a comment.
    let paper: Vec<String> = store
        .responses(round.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| !r.answers.comments.is_empty())
        .filter_map(|r| r.pseudonym)
        .collect();
    assert_eq!(paper.len(), 3);
    let erased = erased_values(&mini());
    let excluded = Removal::Excluded(browser.facilitator.id);
    for pseudonym in &paper {
        let who = Respondent::Pseudonym(pseudonym);
        assert!(
            store
                .remove_response(round.id, who, excluded, &erased)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        sources(&browser, &round).await,
        ["import", "import", "import"]
    );
    for pseudonym in &paper {
        assert!(
            store
                .include_response(round.id, pseudonym, &erased)
                .await
                .unwrap()
        );
    }
    assert_eq!(
        sources(&browser, &round).await,
        ["import", "import", "import", "paper", "paper", "paper"]
    );
    let again = format!("{}-001", round.id);
    let (status, _, _) = enter(&browser, &round, &csrf, &again, &complete_sheet()).await;
    assert_eq!(status, 422, "the sheet is still in the round");
}

crate::on_both_engines!(
    the_paper_form_prints_numbered_statements_boxes_and_a_sheet_id_on_each_sheet,
    a_keyed_in_paper_sheet_counts_in_the_round_once_per_sheet_id,
    an_uploaded_responses_file_is_imported_all_or_nothing,
    a_refused_file_is_explained_in_the_language_the_facilitator_reads,
    the_source_column_shows_only_sources_with_the_threshold_of_rows_in_an_anonymous_round,
    an_identified_round_always_shows_each_rows_source,
    an_excluded_paper_sheet_included_again_keeps_its_source_and_its_sheet_id,
);
