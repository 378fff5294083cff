//! The anonymity promise over HTTP, as a curious facilitator would test it: published numbers
//! that cannot be subtracted down to one partner, and nothing of a round below its threshold.

use std::collections::HashMap;

use calamine::Data;
use partnerscope::instrument::Library;
use partnerscope::survey::answers::{Answer, Answers};
use partnerscope::survey::partners::Partner;
use partnerscope::survey::secrets::Code;

use crate::engines::Engine;
use crate::server::{TestApp, mini_round_in, spawn_app};
use crate::web_facilitate::{Browser, signed_in};

pub const INSTRUMENT: &str = "collaboration-factors";

/// A CSV download as a header and rows of named cells.
pub fn table(body: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The round form's settings of an anonymous round with the default threshold.
pub const ANONYMOUS: &[(&str, &str)] = &[("min_group_size", "3")];

/// A round of the shipped collaboration factors created on the facilitator's pages with the
/// round form's `settings` (the wave is "2026 spring" unless they name one), with one partner per `(organisation, sector)`; returns the round's
/// path and the partners' links in order.
pub async fn round_with_partners(
    app: &TestApp,
    browser: &Browser,
    settings: &[(&str, &str)],
    partners: &[(String, &str)],
) -> (String, Vec<String>) {
    let (status, location, _) = browser
        .post_checked("/facilitator/partnerships", &[("name", "Harbour Alliance")])
        .await;
    assert_eq!(status, 303);
    let mut fields = vec![("instrument", INSTRUMENT)];
    if !settings.iter().any(|(name, _)| *name == "wave") {
        fields.push(("wave", "2026 spring"));
    }
    fields.extend_from_slice(settings);
    let (status, location, _) = browser
        .post_checked(&format!("{}/rounds", location.unwrap()), &fields)
        .await;
    assert_eq!(status, 303);
    let round_path = location.unwrap();
    let mut list = String::from("organisation,sector\n");
    for (organisation, sector) in partners {
        list.push_str(&format!("{organisation},{sector}\n"));
    }
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/partners"), &[("list", &list)])
        .await;
    assert_eq!(status, 303);
    let links = links(app, &round_path).await;
    (round_path, links)
}

/// The personal links of the round at `round_path`, in the order of its partners.
pub async fn links(app: &TestApp, round_path: &str) -> Vec<String> {
    let round_id = crate::web_facilitate::id_in(round_path);
    app.store
        .invitation_progress(round_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| format!("/s/{}", p.invitation.token))
        .collect()
}

/// Submits every item answered with `value`, and `comment`, through the partner's link.
pub async fn submit(app: &TestApp, link: &str, value: u8, comment: &str) {
    let library = Library::shipped().unwrap();
    let instrument = library.get(INSTRUMENT).unwrap();
    let value = value.to_string();
    let mut fields: Vec<(String, &str)> = instrument
        .items
        .iter()
        .map(|item| (format!("item-{}", item.id), value.as_str()))
        .collect();
    fields.extend([
        ("consent".to_string(), "yes"),
        ("comment-improve".to_string(), comment),
        ("action".to_string(), "submit"),
    ]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (status, _, body) = app.post(link, &fields).await;
    assert_eq!(status, 303, "{body}");
}

pub async fn download(
    browser: &Browser,
    round_path: &str,
    file: &str,
) -> Vec<HashMap<String, String>> {
    let (status, body) = browser.get(&format!("{round_path}/reports/{file}")).await;
    assert_eq!(status, 200, "{file}");
    table(&body)
}

async fn a_lone_sector_cannot_be_subtracted_from_the_total_and_the_other_sectors(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    // Health 4, education 4 and one government partner, threshold 3: the case of issue 10.
    let mut partners: Vec<(String, &str)> = Vec::new();
    for i in 0..4 {
        partners.push((format!("Clinic {i}"), "health"));
        partners.push((format!("School {i}"), "education"));
    }
    partners.push(("City Hall".to_string(), "government"));
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    for ((_, sector), link) in partners.iter().zip(&links) {
        let value = match *sector {
            "health" => 4,
            "education" => 3,
            _ => 1,
        };
        submit(&app, link, value, "Fine.").await;
    }
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;

    let dimensions = download(&browser, &round_path, "dimensions.csv").await;
    let groups = download(&browser, &round_path, "groups.csv").await;
    assert_eq!(dimensions.len(), 7);
    for dimension in &dimensions {
        let id = &dimension["dimension"];
        assert_eq!(
            (dimension["n"].as_str(), dimension["suppressed"].as_str()),
            ("9", "false")
        );
        let cells: Vec<_> = groups.iter().filter(|g| &g["dimension"] == id).collect();
        let shown: Vec<_> = cells
            .iter()
            .filter(|g| g["suppressed"] == "false")
            .collect();
        // Only health is published: education (4, the tie that sorts first) is withheld with
        // government, so the overall sum minus health's is the sum of five partners' scores.
        assert_eq!(
            shown
                .iter()
                .map(|g| g["group"].as_str())
                .collect::<Vec<_>>(),
            ["health"],
            "{id}"
        );
        let published: u64 = shown.iter().map(|g| g["n"].parse::<u64>().unwrap()).sum();
        assert!(9 - published >= 3, "{id}: {published} of 9 published");
        for cell in cells.iter().filter(|g| g["suppressed"] == "true") {
            assert_eq!(cell["mean"], "", "{id}: a withheld mean is published");
        }
    }
    let (_, page) = browser.get(&round_path).await;
    // Sectors by the labels partners chose from.
    for (sector, n) in [
        ("Local government or public agency", 1),
        ("School, college or university", 4),
    ] {
        assert!(
            page.contains(&format!(
                "<th scope=\"row\">{sector}</th><td class=\"num\">{n}</td><td colspan=\"4\">too few to show</td>",
            )),
            "{sector} is shown on the dashboard"
        );
    }
    // Health's mean of 4 is published.
    assert!(page.contains(
        "<th scope=\"row\">Health care or public health</th><td class=\"num\">4</td><td class=\"num\">4.00</td>"
    ));

    // Rows show only the published group, the day without its time, and no comment.
    for file in ["raw.csv", "respondents.csv"] {
        let rows = download(&browser, &round_path, file).await;
        assert_eq!(rows.len(), 9, "{file}");
        let groups: Vec<&str> = rows.iter().map(|r| r["group"].as_str()).collect();
        assert_eq!(
            groups.iter().filter(|&&g| g == "health").count(),
            4,
            "{file}"
        );
        assert_eq!(
            groups.iter().filter(|&&g| g.is_empty()).count(),
            5,
            "{file}"
        );
        let ids: Vec<&str> = rows.iter().map(|r| r["respondent"].as_str()).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{file}: rows in pseudonym order"
        );
    }
    let raw = download(&browser, &round_path, "raw.csv").await;
    assert!(
        raw.iter()
            .all(|r| r["submitted_on"].len() == 10 && !r.contains_key("improve"))
    );
    let comments = download(&browser, &round_path, "comments.csv").await;
    assert_eq!(comments.len(), 9);
    assert!(
        comments
            .iter()
            .all(|c| c["comment"] == "Fine." && c.len() == 2)
    );
}

/// The published files of a round: the overall and sector figures and the rows.
async fn published(browser: &Browser, round_path: &str) -> Vec<Vec<HashMap<String, String>>> {
    let mut files = Vec::new();
    for file in ["dimensions.csv", "groups.csv", "raw.csv"] {
        files.push(download(browser, round_path, file).await);
    }
    files
}

async fn a_release_changes_only_after_the_thresholds_worth_of_responses(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let mut partners: Vec<(String, &str)> = Vec::new();
    for i in 0..6 {
        partners.push((format!("Clinic {i}"), "health"));
    }
    for i in 0..4 {
        partners.push((format!("School {i}"), "education"));
    }
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    let (clinics, schools) = links.split_at(6);
    browser
        .post_checked(&format!("{round_path}/interim"), &[("interim", "on")])
        .await;
    for (i, link) in clinics[..3].iter().chain(&schools[..3]).enumerate() {
        submit(&app, link, 2 + (i % 3) as u8, "Fine.").await;
    }
    let (_, page) = browser.get(&round_path).await;
    assert!(page.contains("These figures are release 1"), "{page}");
    let first = published(&browser, &round_path).await;
    assert_eq!(first[0][0]["n"], "6");
    assert_eq!(first[2].len(), 6, "six rows listed");

    // One, then two more health partners: every number stays as it was.
    for (k, link) in clinics[3..5].iter().enumerate() {
        submit(&app, link, 5, "Fine.").await;
        let (_, page) = browser.get(&round_path).await;
        assert!(
            page.contains("These figures are release 1"),
            "after {} more",
            k + 1
        );
        let later = match k {
            0 => "1 later response is not in any release yet".to_string(),
            _ => format!("{} later responses are not in any release yet", k + 1),
        };
        assert!(page.contains(&later), "{page}");
        assert_eq!(
            published(&browser, &round_path).await,
            first,
            "after {} more",
            k + 1
        );
    }
    // The third makes the threshold's worth: health and the total change, by three.
    submit(&app, &clinics[5], 5, "Fine.").await;
    let second = published(&browser, &round_path).await;
    assert_ne!(second, first);
    assert_eq!(second[0][0]["n"], "9");
    // Nothing waits, but the figures that did not change enough repeat release 1: said so
    // without counting "0 later responses".
    let (_, page) = browser.get(&round_path).await;
    assert!(
        page.contains("Some figures may repeat an earlier release"),
        "{page}"
    );
    assert!(!page.contains("later response"), "{page}");
    let health = |files: &[Vec<HashMap<String, String>>]| {
        files[1]
            .iter()
            .find(|g| g["group"] == "health")
            .map(|g| (g["n"].clone(), g["mean"].clone()))
            .unwrap()
    };
    assert_eq!(health(&first).0, "3");
    assert_eq!(health(&second).0, "6");
    assert_eq!(second[2].len(), 9, "nine rows listed");
    // Pseudonyms, not submission order: the rows are sorted by a random id, so their order is
    // not the order of submission (nine rows in submission order by chance: 1 in 362,880).
    let ids: Vec<&str> = second[2].iter().map(|r| r["respondent"].as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let round_id = crate::web_facilitate::id_in(&round_path);
    let mut stored = app.store.responses(round_id).await.unwrap();
    stored.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
    let in_submission_order: Vec<&str> = stored
        .iter()
        .filter_map(|r| r.pseudonym.as_deref())
        .filter(|p| ids.contains(p))
        .collect();
    assert_eq!(in_submission_order.len(), 9);
    assert_ne!(in_submission_order, ids);
    // All nine answered in English, which the release publishes: the rows may say so.
    assert!(second[2].iter().all(|r| r["language"] == "en"));

    // Closing after one more submission publishes nothing new.
    submit(&app, &schools[3], 1, "Fine.").await;
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(published(&browser, &round_path).await, second);
    let (_, page) = browser.get(&round_path).await;
    assert!(page.contains("These figures are release 2"), "{page}");
    assert!(
        page.contains("1 later response is not in any release yet"),
        "{page}"
    );
}

async fn one_response_publishes_its_count_and_nothing_else_open_or_closed(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners = [
        ("Clinic".to_string(), "health"),
        ("School".to_string(), "education"),
    ];
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    let (_, form) = app.get(&links[0]).await;
    assert!(
        form.contains("Results are shown only for groups of at least 3 partners"),
        "the form states the round's threshold"
    );
    assert!(form.contains(r#"<a href="/privacy">How your answers are protected</a>"#));
    let (status, page) = app.get("/privacy").await;
    assert_eq!(status, 200);
    assert!(page.contains("<h1>How partnerscope protects your answers</h1>"));
    assert!(page.contains("<h2>What remains possible</h2>") && page.contains("<table>"));
    browser
        .post_checked(&format!("{round_path}/interim"), &[("interim", "on")])
        .await;
    submit(&app, &links[0], 2, "Only the clinic would write this.").await;
    for phase in ["open", "closed"] {
        let (_, page) = browser.get(&round_path).await;
        assert!(
            page.contains("Submitted responses in total: <strong>1</strong>"),
            "{phase}"
        );
        assert!(
            !page.contains("Only the clinic"),
            "{phase}: the comment is shown"
        );
        assert!(!page.contains("2.00"), "{phase}: the score is shown");
        assert!(
            !page.contains(r#"<span class="big">"#),
            "{phase}: a card shows a mean"
        );
        // Nothing is published at all: one response never makes a release.
        for file in [
            "dimensions.csv",
            "factors.csv",
            "items.csv",
            "groups.csv",
            "raw.csv",
            "respondents.csv",
            "comments.csv",
        ] {
            assert!(
                download(&browser, &round_path, file).await.is_empty(),
                "{phase} {file}"
            );
        }
        browser
            .post_checked(&format!("{round_path}/close"), &[])
            .await;
    }
}

async fn the_minimum_group_size_cannot_go_below_three(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let (_, location, _) = browser
        .post_checked("/facilitator/partnerships", &[("name", "Harbour Alliance")])
        .await;
    let rounds = format!("{}/rounds", location.unwrap());
    for size in ["1", "2"] {
        let (status, _, page) = browser
            .post_checked(
                &rounds,
                &[
                    ("instrument", INSTRUMENT),
                    ("wave", "2026 spring"),
                    ("min_group_size", size),
                ],
            )
            .await;
        assert_eq!(status, 422, "{size}");
        assert!(page.contains("a whole number from 3 to 1000"));
    }
    let (_, partnership) = browser.get(&rounds.replace("/rounds", "")).await;
    assert!(!partnership.contains("2026 spring"), "no round was created");
}

async fn a_facilitator_removes_the_text_of_a_comment_that_names_its_author(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners: Vec<(String, &str)> = (0..3).map(|i| (format!("Clinic {i}"), "health")).collect();
    let (round_path, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    let comments = ["As the city housing lead, I disagree.", "Fine.", "Good."];
    for (link, comment) in links.iter().zip(comments) {
        submit(&app, link, 4, comment).await;
    }
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    let (_, page) = browser.get(&round_path).await;
    // The first comment, sorted, carries the first remove button.
    let start = page
        .find("As the city housing lead")
        .expect("the comment is listed");
    let action = &page[start..];
    let action = &action[action.find("action=\"").unwrap() + 8..];
    let action = &action[..action.find('"').unwrap()];
    assert!(action.ends_with("/remove"), "{action}");
    let (status, location, _) = browser.post_checked(action, &[]).await;
    assert_eq!(
        (status, location.unwrap()),
        (303, format!("{round_path}#comments"))
    );
    let (_, page) = browser.get(&round_path).await;
    assert!(!page.contains("housing lead"));
    assert!(page.contains("<em>[removed by the facilitator]</em>"));
    let listed = download(&browser, &round_path, "comments.csv").await;
    let bodies: Vec<&str> = listed.iter().map(|c| c["comment"].as_str()).collect();
    assert_eq!(bodies, ["Fine.", "Good.", "[removed by the facilitator]"]);
    // Again, or with a handle that is not one, is not found, and changes nothing.
    assert_eq!(browser.post_checked(action, &[]).await.0, 404);
    let other = action
        .replace("/comments/", "/comments/0")
        .replace("0/remove", "/remove");
    assert_eq!(browser.post_checked(&other, &[]).await.0, 404);
    let round_id = crate::web_facilitate::id_in(&round_path);
    let stored = app.store.listed_comments(round_id, 1).await.unwrap();
    assert_eq!(stored.iter().filter(|c| c.redacted).count(), 1);
    assert!(
        stored.iter().all(|c| !c.body.contains("housing lead")),
        "the text is gone"
    );
}

async fn an_identified_round_says_so_to_partners_and_its_rows_name_their_organisation(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partners = [
        ("City Hall".to_string(), "government"),
        ("Clinic A".to_string(), "health"),
    ];
    let settings = [("min_group_size", "1"), ("identified", "yes")];
    // An identified round may report groups of one.
    let (round_path, links) = round_with_partners(&app, &browser, &settings, &partners).await;
    let round_id = crate::web_facilitate::id_in(&round_path);
    let round = app.store.round(round_id).await.unwrap().unwrap();
    assert_eq!(
        round.identified_consent.as_deref(),
        Some(partnerscope::survey::IDENTIFIED_CONSENT),
        "the statement partners see is fixed with the round"
    );
    let (_, form) = app.get(&links[0]).await;
    assert!(form.contains("This round is not anonymous"));
    assert!(form.contains("stored with the name of your organisation"));
    assert!(!form.contains("Results are shown only for groups"));
    // A partner reading Spanish is told the same in Spanish.
    let (_, spanish) = app.get_in(&links[0], "es").await;
    assert!(spanish.contains("Esta ronda no es anónima. Sus respuestas y comentarios se guardan con el nombre de su organización"), "{spanish}");
    submit(&app, &links[0], 2, "From the city.").await;
    submit(&app, &links[1], 4, "From the clinic.").await;
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    let raw = download(&browser, &round_path, "raw.csv").await;
    let mut rows: Vec<(&str, &str)> = raw
        .iter()
        .map(|r| (r["respondent"].as_str(), r["group"].as_str()))
        .collect();
    rows.sort();
    assert_eq!(rows, [("City Hall", "government"), ("Clinic A", "health")]);
    let groups = download(&browser, &round_path, "groups.csv").await;
    assert!(
        groups
            .iter()
            .all(|g| g["n"] == "1" && g["suppressed"] == "false")
    );
}

async fn a_statement_too_few_answered_shows_no_agree_or_disagree_anywhere(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let partnership = app
        .store
        .create_partnership("Riverside", Some(browser.facilitator.id))
        .await
        .unwrap();
    let round = mini_round_in(app.store.as_ref(), partnership.id, "2026 spring").await;
    let partners: Vec<Partner> = (0..5)
        .map(|i| Partner {
            organisation: format!("Clinic {i}"),
            sector: "health".into(),
            email: None,
            language: None,
        })
        .collect();
    let invitations = app.store.add_partners(round.id, &partners).await.unwrap();
    // Two partners disagree with the reverse-keyed t2 ("I hesitate to raise problems"), which
    // the other three answer "don't know": its two answers (100 % disagree) are below the
    // threshold of 3. Every other statement is answered 5, 5, 3, 3, 3.
    for (i, invitation) in invitations.iter().enumerate() {
        let (value, t2) = if i < 2 {
            (5, Answer::Value(1))
        } else {
            (3, Answer::Code("dk".into()))
        };
        let mut answers = Answers {
            consent: true,
            ..Answers::default()
        };
        for item in ["t1", "g1", "g2", "e1", "e2"] {
            answers.items.insert(item.into(), Answer::Value(value));
        }
        answers.items.insert("t2".into(), t2);
        app.store
            .submit(invitation.id, &answers, &Code::new().digest())
            .await
            .unwrap();
    }
    let round_path = format!("/facilitator/rounds/{}", round.id);
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;

    let items = download(&browser, &round_path, "items.csv").await;
    assert_eq!(items.len(), 6);
    for row in &items {
        let cells = (row["agree"].as_str(), row["disagree"].as_str());
        if row["item"] == "t2" {
            assert_eq!(
                (row["n"].as_str(), row["suppressed"].as_str()),
                ("2", "true")
            );
            assert_eq!(
                cells,
                ("", ""),
                "a withheld statement's shares are published"
            );
        } else {
            assert_eq!(cells, ("0.4", "0"), "{}", row["item"]);
        }
    }

    let (_, page) = browser.get(&round_path).await;
    assert!(page.contains("<td class=\"num\">40\u{a0}%</td><td class=\"num\">0\u{a0}%</td>"));
    assert!(
        page.contains("<td class=\"num\">2</td><td colspan=\"6\">too few to show</td>"),
        "the withheld statement's row"
    );
    assert!(
        !page.contains("100\u{a0}%"),
        "a withheld share is on the dashboard"
    );

    let workbook = format!("{round_path}/reports/partnerscope-round-{}.xlsx", round.id);
    let response = browser
        .client
        .get(browser.url(&workbook))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "items").unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (agree, disagree) = (column("agree"), column("disagree"));
    for row in rows {
        let cells = (&row[agree], &row[disagree]);
        if row[0] == "t2" {
            assert_eq!(cells, (&Data::Empty, &Data::Empty), "the workbook's t2 row");
        } else {
            assert_eq!(cells, (&Data::Float(0.4), &Data::Float(0.0)));
        }
    }
}

crate::on_both_engines!(
    a_statement_too_few_answered_shows_no_agree_or_disagree_anywhere,
    an_identified_round_says_so_to_partners_and_its_rows_name_their_organisation,
    a_facilitator_removes_the_text_of_a_comment_that_names_its_author,
    a_lone_sector_cannot_be_subtracted_from_the_total_and_the_other_sectors,
    a_release_changes_only_after_the_thresholds_worth_of_responses,
    one_response_publishes_its_count_and_nothing_else_open_or_closed,
    the_minimum_group_size_cannot_go_below_three,
);
