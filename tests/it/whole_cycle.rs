//! A facilitator's whole job over real HTTP with cookie jars, from the invitation to the
//! coalition meeting: a round with a closing date in the demo partnership, invitations and a
//! reminder by e-mail to a real SMTP server on loopback, partners answering through the links in
//! their messages, a paper sheet and an uploaded file, the meeting report and its share link,
//! and the change since the demo's first round in the partnership's downloads.

use std::collections::HashMap;

use partnerscope::accounts::unix_now;
use partnerscope::instrument::Library;
use partnerscope::survey::closing::today;
use partnerscope::web::messages::EN;

use crate::bulk::upload_to;
use crate::engines::Engine;
use crate::meeting::{anonymous_get, demo_partnership, new_share_link};
use crate::privacy::{INSTRUMENT, submit, table};
use crate::reminders::{app_with_mail, click, exactly, recipients};
use crate::smtp::SmtpSink;

const TITLE: &str = "Riverside Partnership, autumn check-in";
const CONTACT: &str = "Ana Ruiz, ana@example.org";

async fn a_round_runs_from_the_invitation_to_the_coalition_meeting(engine: Engine) {
    let sink = SmtpSink::start().await;
    let Some(app) = app_with_mail(engine, &sink).await else {
        return;
    };
    let (browser, _, spring) = demo_partnership(&app).await;
    let library = Library::shipped().unwrap();
    let instrument = library.get(INSTRUMENT).unwrap();

    // A round with a closing date, who asks and whom to ask.
    let closes_on = today(&jiff::tz::TimeZone::UTC, unix_now())
        .checked_add(jiff::Span::new().days(30))
        .unwrap();
    let (status, location, page) = browser
        .post_checked(
            &format!("/facilitator/partnerships/{}/rounds", spring.partnership_id),
            &[
                ("instrument", INSTRUMENT),
                ("wave", "2026 autumn"),
                ("min_group_size", "3"),
                ("title", TITLE),
                ("contact", CONTACT),
                ("closes_on", &closes_on.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    let round_path = location.unwrap();
    let round_id = crate::web_facilitate::id_in(&round_path);
    let round = app.store.round(round_id).await.unwrap().unwrap();
    let partners = [
        ("Eastside Food Bank", "nonprofit", "food@example.org"),
        ("City Health Department", "government", "health@example.org"),
        ("Northside Library", "education", "library@example.org"),
        ("Harbour Tenants", "residents", "tenants@example.org"),
    ];
    let mut list = String::from("organisation,sector,email\n");
    for (organisation, sector, email) in partners {
        list.push_str(&format!("{organisation},{sector},{email}\n"));
    }
    let (status, _, page) = browser
        .post_checked(&format!("{round_path}/partners"), &[("list", &list)])
        .await;
    assert_eq!(status, 303, "{page}");

    // The invitations: one per partner, with who asks, by when, whom to ask and its own link.
    click(&browser, &round, "invitations").await;
    let invitations = exactly(&sink, partners.len()).await;
    let mut links: HashMap<String, String> = HashMap::new();
    for message in &invitations {
        let body = message.body();
        for part in [TITLE, CONTACT, &EN.long_date(closes_on)] {
            assert!(body.contains(part), "{part:?} is not in {body}");
        }
        let link = message.link().unwrap();
        let path = link.strip_prefix(&app.base).expect("a link to this site");
        links.insert(message.to[0].clone(), path.to_string());
    }
    assert_eq!(links.len(), partners.len());
    let (status, form) = app.get(&links["food@example.org"]).await;
    assert_eq!(status, 200);
    assert!(form.contains(TITLE), "the form says who asks");

    // Two partners answer; the reminder goes to the other two alone.
    submit(
        &app,
        &links["food@example.org"],
        4,
        "More evening meetings.",
    )
    .await;
    submit(&app, &links["health@example.org"], 3, "").await;
    click(&browser, &round, "reminders").await;
    let all = exactly(&sink, partners.len() + 2).await;
    let reminders: Vec<_> = all
        .into_iter()
        .filter(|m| !invitations.iter().any(|i| i.data == m.data))
        .collect();
    assert_eq!(
        recipients(&reminders),
        ["library@example.org", "tenants@example.org"]
    );
    let (_, partners_page) = browser.get(&format!("{round_path}/partners")).await;
    assert_eq!(
        partners_page.matches("1 reminder").count(),
        2,
        "{partners_page}"
    );

    // One paper sheet keyed in, two answers from another tool uploaded.
    let mut sheet: Vec<(String, String)> = instrument
        .items
        .iter()
        .map(|item| (format!("item-{}", item.id), "2".to_string()))
        .collect();
    let sheet_id = format!("{round_id}-001");
    sheet.extend(
        [
            ("consent", "yes"),
            ("sector", "residents"),
            ("sheet_id", &sheet_id),
            ("action", "submit"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let fields: Vec<(&str, &str)> = sheet
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, _, page) = browser
        .post_checked(&format!("{round_path}/paper/entry"), &fields)
        .await;
    assert_eq!(status, 303, "{page}");
    let ids: Vec<&str> = instrument.items.iter().map(|i| i.id.as_str()).collect();
    let mut file = format!("respondent,group,{}\n", ids.join(","));
    for (respondent, group, value) in [("a", "business", "5"), ("b", "business", "4")] {
        file.push_str(&format!(
            "{respondent},{group},{}\n",
            vec![value; ids.len()].join(",")
        ));
    }
    let csrf = browser.csrf(&round_path).await;
    let (status, _, page) = upload_to(
        &browser,
        &format!("{round_path}/import"),
        Some(&csrf),
        file.as_bytes(),
    )
    .await;
    assert_eq!(status, 303, "{page}");

    // The progress counts them by sector beside the partners' own answers.
    let (_, progress) = browser.get(&round_path).await;
    for (sector, invited, submitted, by_staff) in [
        ("business", 0, 0, 2),
        ("government", 1, 1, 0),
        ("residents", 1, 0, 1),
    ] {
        let sector =
            partnerscope::report::dashboard::group_label(instrument, instrument.texts(), sector);
        let row = format!(
            "<th scope=\"row\">{sector}</th><td class=\"num\">{invited}</td>\
             <td class=\"num\">{submitted}</td><td class=\"num\">{submitted}</td>\
             <td class=\"num\">0</td><td class=\"num\">{by_staff}</td>"
        );
        assert!(progress.contains(&row), "{row} in {progress}");
    }

    // Closed, the round publishes its five answers.
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(status, 303);
    let (status, report) = browser.get(&format!("{round_path}/report")).await;
    assert_eq!(status, 200);
    for part in [TITLE, "Change since 2026 spring", "Strengths and concerns"] {
        assert!(report.contains(part), "the report lacks {part:?}");
    }
    let share = new_share_link(&browser, &round).await;
    let (status, shared) = anonymous_get(&share).await;
    assert_eq!(status, 200);
    assert!(shared.contains(TITLE));
    assert!(shared.contains("More evening meetings."));

    // The partnership's comparisons: the change since the demo's first round, then since spring.
    let (status, body) = browser
        .get(&format!("{round_path}/series/comparisons.csv"))
        .await;
    assert_eq!(status, 200);
    let comparisons = table(&body);
    assert_eq!(comparisons.len(), 2 * instrument.dimensions.len());
    let pairs = |from: &str, to: &str| {
        comparisons
            .iter()
            .filter(|row| row["from_wave"] == from && row["to_wave"] == to)
            .collect::<Vec<_>>()
    };
    let since_first = pairs("2025 autumn", "2026 spring");
    assert_eq!(since_first.len(), instrument.dimensions.len());
    assert!(
        since_first
            .iter()
            .all(|row| !row["mean_diff"].is_empty() && !row["p"].is_empty())
    );
    let trust = since_first
        .iter()
        .find(|row| row["dimension"] == "trust")
        .unwrap();
    assert!(
        trust["mean_diff"].parse::<f64>().unwrap() > 0.0,
        "the demo's trust rises: {trust:?}"
    );
    let latest = pairs("2026 spring", "2026 autumn");
    assert_eq!(latest.len(), instrument.dimensions.len());
    assert!(latest.iter().all(|row| row["n_to"] == "5"), "{latest:?}");
}

crate::on_both_engines!(a_round_runs_from_the_invitation_to_the_coalition_meeting);
