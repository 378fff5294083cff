//! Filling a round from files: `partnerscope partners add` and the partners page's upload (a list
//! of any size, all or nothing), and `partnerscope import` (answers collected elsewhere, checked
//! like a submission, all or nothing).

use std::path::Path;

use partnerscope::store::{self, Store};
use partnerscope::survey::answers::Answer;
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::{NewRound, Round, Status};

use crate::engines::{Engine, fresh_database};
use crate::server::{mini, mini_round_in, spawn_app, status_location_body};
use crate::support::{partnerscope, read_csv, stderr};
use crate::web_facilitate::{Browser, signed_in};

/// A partner list of `count` partners, `Partner 1`, …, alternating the mini instrument's sectors.
fn partner_list(count: usize) -> String {
    let mut list = String::from("\u{feff}organisation,sector,email,language\n");
    for i in 1..=count {
        let sector = if i % 2 == 0 {
            "Government"
        } else {
            "nonprofit"
        };
        list.push_str(&format!("Partner {i},{sector},p{i}@example.org,en\n"));
    }
    list
}

fn run(args: &[&str]) -> (bool, String, String) {
    let output = partnerscope(args);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr(&output),
    )
}

async fn invited(store: &dyn Store, round: &Round) -> usize {
    store.invitation_progress(round.id).await.unwrap().len()
}

/// A round of the mini instrument in a new partnership.
async fn mini_round(store: &dyn Store, owner: Option<i64>, identified: bool) -> Round {
    let partnership = store.create_partnership("Bulk", owner).await.unwrap();
    if !identified {
        return mini_round_in(store, partnership.id, "2026 spring").await;
    }
    store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument: &mini(),
            wave: "2026 spring",
            min_group_size: 3,
            open_link: false,
            identified: true,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap()
}

async fn a_partner_list_file_invites_every_partner_or_with_any_problem_none(engine: Engine) {
    let Some((url, dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let round = mini_round(store.as_ref(), None, false).await;
    let id = round.id.to_string();
    let file = dir.path().join("partners.csv");
    let add = |file: &Path| {
        run(&[
            "partners",
            "add",
            "--round",
            &id,
            "--database-url",
            &url,
            file.to_str().unwrap(),
        ])
    };

    // More partners than one batch of the store's, so the list is stored in several.
    std::fs::write(&file, partner_list(2500)).unwrap();
    let (ok, out, err) = add(&file);
    assert!(ok, "{err}");
    assert!(out.contains("Added 2500 partners to round"), "{out}");
    let progress = store.invitation_progress(round.id).await.unwrap();
    assert_eq!(progress.len(), 2500);
    let mut tokens: Vec<&str> = progress
        .iter()
        .map(|p| p.invitation.token.as_str())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    assert_eq!(tokens.len(), 2500, "every partner has a link of its own");
    let last = progress
        .iter()
        .find(|p| p.invitation.organisation == "Partner 2500")
        .unwrap();
    assert_eq!(last.invitation.sector.as_deref(), Some("government"));
    assert_eq!(last.invitation.email.as_deref(), Some("p2500@example.org"));

    // Problems past the first batch: every one named by row and column, and nothing stored.
    let mut list = partner_list(1500);
    list = list.replacen("Partner 1202,Government", "Partner 1202,martians", 1);
    list = list.replacen("p1498@example.org", "not-an-address", 1);
    std::fs::write(&file, list).unwrap();
    let (ok, _, err) = add(&file);
    assert!(!ok);
    assert!(
        err.contains("row 1203, column sector: `martians` is not a sector of this survey"),
        "{err}"
    );
    assert!(
        err.contains("row 1499, column email: `not-an-address` is not an e-mail address"),
        "{err}"
    );
    assert!(err.contains("No partner was added."), "{err}");
    assert_eq!(invited(store.as_ref(), &round).await, 2500);

    // Text that is not UTF-8 is placed by row.
    std::fs::write(&file, b"organisation,sector\nCaf\xe9 Uno,nonprofit\n").unwrap();
    let (ok, _, err) = add(&file);
    assert!(!ok);
    assert!(err.contains("row 2: the text is not UTF-8"), "{err}");
    assert_eq!(invited(store.as_ref(), &round).await, 2500);
}

/// A `multipart/form-data` body with the fields `csrf` (when given) and `file`.
fn multipart(csrf: Option<&str>, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "partnerscope-test-boundary";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"partners.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts `file` as a multipart upload to `path` with `csrf`; status, `Location` and body.
pub(crate) async fn upload_to(
    browser: &Browser,
    path: &str,
    csrf: Option<&str>,
    file: &[u8],
) -> (u16, Option<String>, String) {
    let (content_type, body) = multipart(csrf, file);
    let response = browser
        .client
        .post(browser.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    status_location_body(response).await
}

async fn upload(
    browser: &Browser,
    round: &Round,
    csrf: Option<&str>,
    file: &[u8],
) -> (u16, String) {
    let path = format!("/facilitator/rounds/{}/partners/upload", round.id);
    let (status, _, body) = upload_to(browser, &path, csrf, file).await;
    (status, body)
}

async fn an_uploaded_partner_list_larger_than_a_form_is_stored_all_or_nothing(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let round = mini_round(app.store.as_ref(), Some(browser.facilitator.id), false).await;
    let page = format!("/facilitator/rounds/{}/partners", round.id);
    let (status, body) = browser.get(&page).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"enctype="multipart/form-data""#), "{body}");
    let csrf = browser.csrf(&page).await;

    // Four times the forms' 64 KiB body limit.
    let list = partner_list(7000);
    assert!(list.len() > 4 * 64 * 1024);
    let (status, _) = upload(&browser, &round, Some(&csrf), list.as_bytes()).await;
    assert_eq!(status, 303);
    assert_eq!(invited(app.store.as_ref(), &round).await, 7000);

    let bad = partner_list(10).replacen("Partner 3,nonprofit", ",nonprofit", 1);
    let (status, body) = upload(&browser, &round, Some(&csrf), bad.as_bytes()).await;
    assert_eq!(status, 422);
    assert!(
        body.contains("Row 4, column organisation: The organisation is blank"),
        "{body}"
    );
    assert_eq!(invited(app.store.as_ref(), &round).await, 7000);

    // Without the session's token nothing is read; another facilitator's round is not found.
    let (status, _) = upload(&browser, &round, None, list.as_bytes()).await;
    assert_eq!(status, 403);
    let (status, _) = upload(&browser, &round, Some("0".repeat(32).as_str()), b"x").await;
    assert_eq!(status, 403);
    let ben = signed_in(&app, "ben@example.org").await;
    let ben_csrf = ben.csrf("/facilitator").await;
    let (status, _) = upload(&ben, &round, Some(&ben_csrf), list.as_bytes()).await;
    assert_eq!(status, 404);
    assert_eq!(invited(app.store.as_ref(), &round).await, 7000);

    // A file past the upload's own limit is refused as too large, and nothing is stored.
    let huge = vec![b'a'; partnerscope::web::UPLOAD_LIMIT + 1];
    let (status, _) = upload(&browser, &round, Some(&csrf), &huge).await;
    assert_eq!(status, 413);
    assert_eq!(invited(app.store.as_ref(), &round).await, 7000);
    app.stop().await;
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

async fn a_responses_file_imports_as_submitted_responses_checked_like_a_submission(engine: Engine) {
    let Some((url, dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let round = mini_round(store.as_ref(), None, false).await;
    let id = round.id.to_string();
    let import = |file: &str| run(&["import", "--round", &id, "--database-url", &url, file]);

    // Problems, each placed, and nothing stored.
    for (text, expected) in [
        (
            "respondent,group,wave,t1,t2,g1,g2,e1,e2\n\
             a@x.org,nonprofit,,4,2,3,3,5,4\n\
             b@x.org,nonprofit,2025 autumn,4,2,3,3,5,4\n",
            "row 3, column 3 (wave): the wave `2025 autumn` is not this round's (`2026 spring`)",
        ),
        (
            "respondent,group,wave,t1,t2,g1,g2,e1,e2\n\
             a@x.org,nonprofit,,4,2,3,3,5,4\n\
             b@x.org,nonprofit,,4,7,3,3,5,4\n",
            "row 3, column 5 (t2): `7` is not an answer on the item's scale",
        ),
        (
            "respondent,group,t1,t2,g1,g2,e1,e2\n\
             a@x.org,martians,4,2,3,3,5,4\n",
            "row 2, column 2 (group): `martians` is not a sector of this survey",
        ),
        (
            "respondent,group,t1,t2,g1,g2,e1,e2\n\
             a@x.org,nonprofit,4,2,3,3,5,4\n\
             b@x.org,nonprofit,,,,,,\n",
            "row 3: no item is answered on this row",
        ),
        (
            "respondent,group,t1,t2,g1,g2,e1\n\
             a@x.org,nonprofit,4,2,3,3,5\n",
            "item columns are missing: `e2`",
        ),
    ] {
        let (ok, _, err) = import(&write(dir.path(), "bad.csv", text));
        assert!(!ok, "{text}");
        assert!(err.contains(expected), "{err}");
        assert!(
            err.contains("nothing was imported") || err.contains("header"),
            "{err}"
        );
        assert!(
            store.responses(round.id).await.unwrap().is_empty(),
            "{text}"
        );
    }

    // Labels, codes and blanks as `score` reads them; groups are sectors; ids are dropped.
    let file = write(
        dir.path(),
        "answers.csv",
        "respondent,group,wave,t1,t2,g1,g2,e1,e2,notes\n\
         ana@example.org,Nonprofit,2026 spring,4,2,dk,3,5,4,paper\n\
         ben@example.org,government,,Strongly agree,Disagree,Don't know,,5,4,\n\
         cy@example.org,,,1,1,1,1,1,1,\n\
         dee@example.org,nonprofit,2026 spring,2,2,2,2,2,,\n",
    );
    let (ok, out, err) = import(&file);
    assert!(ok, "{err}");
    assert!(out.contains("Imported 4 responses into round"), "{out}");
    let responses = store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 4);
    assert!(responses.iter().all(|r| r.status == Status::Submitted));
    for response in &responses {
        let pseudonym = response.pseudonym.as_deref().unwrap();
        assert!(partnerscope::survey::is_pseudonym(pseudonym), "{pseudonym}");
        assert!(response.invitation_id.is_none());
        assert!(
            response
                .submitted_at
                .as_deref()
                .unwrap()
                .ends_with("T00:00:00Z")
        );
    }
    let ben = responses
        .iter()
        .find(|r| r.answers.items.get("t1") == Some(&Answer::Value(5)))
        .unwrap();
    assert_eq!(ben.answers.sector.as_deref(), Some("government"));
    assert_eq!(
        ben.answers.items.get("g1"),
        Some(&Answer::Code("dk".into()))
    );
    assert_eq!(
        ben.answers.items.get("g2"),
        None,
        "a blank stays unanswered"
    );
    assert_eq!(ben.answers.items.len(), 5);

    // Once the round closes, its download lists them like any other responses, and never the
    // file's ids.
    store.close_round(round.id).await.unwrap();
    let raw = dir.path().join("raw.csv");
    let (ok, _, err) = run(&[
        "export",
        "--round",
        &id,
        "--database-url",
        &url,
        "--out",
        raw.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (_, rows) = read_csv(&raw);
    assert_eq!(rows.len(), 4);
    assert!(
        !std::fs::read_to_string(&raw)
            .unwrap()
            .contains("example.org")
    );

    // The raw download imports as it is into another round of the same wave.
    let other = mini_round(store.as_ref(), None, false).await;
    let (ok, out, err) = run(&[
        "import",
        "--round",
        &other.id.to_string(),
        "--database-url",
        &url,
        raw.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("Imported 4 responses"), "{out}");
    let mut copied: Vec<_> = store
        .responses(other.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.answers.items)
        .collect();
    let mut original: Vec<_> = responses.into_iter().map(|r| r.answers.items).collect();
    copied.sort_by_key(|items| format!("{items:?}"));
    original.sort_by_key(|items| format!("{items:?}"));
    assert_eq!(copied, original);

    // A closed round takes no import.
    let (ok, _, err) = import(&file);
    assert!(!ok);
    assert!(err.contains("the round is closed"), "{err}");
    assert_eq!(store.responses(round.id).await.unwrap().len(), 4);
}

async fn an_identified_round_keeps_each_imported_respondent_as_its_organisation(engine: Engine) {
    let Some((url, dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let round = mini_round(store.as_ref(), None, true).await;
    let file = write(
        dir.path(),
        "answers.csv",
        "respondent,group,t1,t2,g1,g2,e1,e2\n\
         City Housing,government,4,2,3,3,5,4\n\
         Eastside Food Bank,nonprofit,3,3,3,3,3,3\n",
    );
    let (ok, _, err) = run(&[
        "import",
        "--round",
        &round.id.to_string(),
        "--database-url",
        &url,
        &file,
    ]);
    assert!(ok, "{err}");
    let progress = store.invitation_progress(round.id).await.unwrap();
    let mut organisations: Vec<(&str, Option<Status>)> = progress
        .iter()
        .map(|p| (p.invitation.organisation.as_str(), p.status))
        .collect();
    organisations.sort_unstable_by_key(|(o, _)| *o);
    assert_eq!(
        organisations,
        [
            ("City Housing", Some(Status::Submitted)),
            ("Eastside Food Bank", Some(Status::Submitted)),
        ]
    );
}

crate::on_both_engines!(
    a_partner_list_file_invites_every_partner_or_with_any_problem_none,
    an_uploaded_partner_list_larger_than_a_form_is_stored_all_or_nothing,
    a_responses_file_imports_as_submitted_responses_checked_like_a_submission,
    an_identified_round_keeps_each_imported_respondent_as_its_organisation,
);
