//! A round's partners: each one's status (not opened, opened, draft, submitted) and never
//! anything of their answers, the links of those who have not submitted for a reminder, and
//! their details, which can be corrected until they submit.

use partnerscope::survey::partners::Partner;
use partnerscope::survey::secrets::Code;
use partnerscope::survey::{Invitation, Round};

use crate::engines::Engine;
use crate::server::{TestApp, complete_answers, mini_round_in, spawn_app};
use crate::support::parse_csv;
use crate::web_facilitate::{Browser, signed_in};

fn partner(organisation: &str, email: &str) -> Partner {
    Partner {
        organisation: organisation.into(),
        sector: "nonprofit".into(),
        email: Some(email.into()),
        language: None,
    }
}

/// A signed-in facilitator's round of the mini instrument that invited `partners`.
pub(crate) async fn invited(
    app: &TestApp,
    partners: &[Partner],
) -> (Browser, Round, Vec<Invitation>) {
    let browser = signed_in(app, "ana@example.org").await;
    let partnership = app
        .store
        .create_partnership("Riverside", Some(browser.facilitator.id))
        .await
        .unwrap();
    let round = mini_round_in(app.store.as_ref(), partnership.id, "2026").await;
    let invitations = app.store.add_partners(round.id, partners).await.unwrap();
    (browser, round, invitations)
}

/// The partners page's row of `organisation`.
pub(crate) fn row<'a>(page: &'a str, organisation: &str) -> &'a str {
    let start = page
        .find(&format!(">{organisation}</th>"))
        .unwrap_or_else(|| panic!("no row for {organisation}"));
    &page[start..start + page[start..].find("</tr>").unwrap()]
}

async fn the_partners_page_shows_each_partners_status_and_nothing_of_their_answers(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round, invitations) = invited(
        &app,
        &[
            partner("Quiet Org", "quiet@example.org"),
            partner("Looking Org", "looking@example.org"),
            partner("Drafting Org", "drafting@example.org"),
            partner("Done Org", "done@example.org"),
        ],
    )
    .await;
    let link = |n: usize| format!("/s/{}", invitations[n].token);
    assert_eq!(app.get(&link(1)).await.0, 200);
    assert_eq!(app.get(&link(2)).await.0, 200);
    let (status, _, _) = app
        .post(&link(2), &[("item-t1", "5"), ("action", "save")])
        .await;
    assert_eq!(status, 303);
    let mut answers = complete_answers();
    answers.push(("action", "submit"));
    assert_eq!(app.post(&link(3), &answers).await.0, 303);

    let partners = format!("/facilitator/rounds/{}/partners", round.id);
    let (status, page) = browser.get(&partners).await;
    assert_eq!(status, 200);
    for (organisation, status) in [
        ("Quiet Org", "not opened"),
        ("Looking Org", "opened, nothing saved"),
        ("Drafting Org", "draft"),
        ("Done Org", "submitted"),
    ] {
        assert!(
            row(&page, organisation).contains(&format!("<td>{status}</td>")),
            "{organisation}: {}",
            row(&page, organisation)
        );
    }
    // A submitted partner's details are fixed; the others can be changed.
    assert!(!row(&page, "Done Org").contains("/edit"));
    assert!(
        row(&page, "Quiet Org")
            .contains(&format!("/facilitator/partners/{}/edit", invitations[0].id))
    );
    assert!(
        !page.contains("Meet in the evenings"),
        "a comment on the partners page"
    );

    // The reminder list: everyone who has not submitted, with their links.
    let response = browser
        .client
        .get(browser.url(&format!(
            "/facilitator/rounds/{}/links.csv?only=unsubmitted",
            round.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (header, rows) = parse_csv(&response.bytes().await.unwrap());
    assert_eq!(
        header,
        ["organisation", "sector", "email", "language", "link"]
    );
    let listed: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(listed, ["Quiet Org", "Looking Org", "Drafting Org"]);
    assert!(rows[0][4].ends_with(&link(0)));
}

/// Posts the edit form at `path` with a government partner's `organisation`, `email` and
/// `language`: status, `Location` and body.
async fn edit_partner(
    browser: &Browser,
    path: &str,
    [organisation, email, language]: [&str; 3],
) -> (u16, Option<String>, String) {
    let fields = [
        ("organisation", organisation),
        ("sector", "government"),
        ("email", email),
        ("language", language),
    ];
    browser.post_checked(path, &fields).await
}

/// Invitation `id` as stored.
async fn stored_invitation(app: &TestApp, id: i64) -> Invitation {
    app.store.invitation(id).await.unwrap().unwrap()
}

async fn a_partners_details_change_until_they_submit_and_a_wrong_field_changes_nothing(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round, invitations) = invited(
        &app,
        &[
            partner("Food Bnak", "typo@example.org"),
            partner("Done Org", "done@example.org"),
        ],
    )
    .await;
    let edit = format!("/facilitator/partners/{}/edit", invitations[0].id);
    let (status, page) = browser.get(&edit).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"value="Food Bnak""#), "{page}");

    let (status, _, page) =
        edit_partner(&browser, &edit, ["Food Bank", "not an address", ""]).await;
    assert_eq!(status, 422);
    assert!(page.contains("e-mail address"), "{page}");
    let stored = stored_invitation(&app, invitations[0].id).await;
    assert_eq!(stored.organisation, "Food Bnak", "nothing changed");

    let (status, location, _) = edit_partner(
        &browser,
        &edit,
        ["Food Bank", "director@foodbank.example", "es"],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        Some(format!(
            "/facilitator/rounds/{}/partners#partner-{}",
            round.id, invitations[0].id
        ))
    );
    let stored = stored_invitation(&app, invitations[0].id).await;
    assert_eq!(
        (
            stored.organisation.as_str(),
            stored.sector.as_deref(),
            stored.email.as_deref(),
            stored.language.as_deref(),
            stored.token.as_str()
        ),
        (
            "Food Bank",
            Some("government"),
            Some("director@foodbank.example"),
            Some("es"),
            invitations[0].token.as_str()
        )
    );

    // Once submitted, the details stay what the response was made under.
    let mut answers = partnerscope::survey::answers::Answers {
        consent: true,
        ..Default::default()
    };
    answers
        .items
        .insert("t1".into(), partnerscope::survey::answers::Answer::Value(4));
    app.store
        .submit(invitations[1].id, &answers, &Code::new().digest())
        .await
        .unwrap();
    let done = format!("/facilitator/partners/{}/edit", invitations[1].id);
    assert_eq!(browser.get(&done).await.0, 409);
    let (status, _, page) = edit_partner(&browser, &done, ["Renamed", "", ""]).await;
    assert_eq!(status, 409);
    assert!(page.contains("This partner has submitted"), "{page}");
    let stored = stored_invitation(&app, invitations[1].id).await;
    assert_eq!(stored.organisation, "Done Org");

    // Another facilitator finds no such partner.
    let stranger = signed_in(&app, "ben@example.org").await;
    assert_eq!(stranger.get(&edit).await.0, 404);
    let (status, _, _) = stranger
        .post_checked(
            &edit,
            &[("organisation", "Hijacked"), ("sector", "government")],
        )
        .await;
    assert_eq!(status, 404);
}

crate::on_both_engines!(
    the_partners_page_shows_each_partners_status_and_nothing_of_their_answers,
    a_partners_details_change_until_they_submit_and_a_wrong_field_changes_nothing,
);
