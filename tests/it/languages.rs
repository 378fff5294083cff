//! A partner's language: the form in the invitation's language or the browser's, a switch that
//! keeps what was entered, the language each response records, and scores that do not depend
//! on it.

use partnerscope::instrument::{Instrument, Library};
use partnerscope::survey::NewInvitation;
use partnerscope::web::messages::{EN, ES};
use partnerscope::web::open_links::OpenLinks;

use crate::engines::Engine;
use crate::server::{TestApp, spawn_app, spawn_app_with, status_location_body};
use crate::support::{read_csv, score};

/// The shipped instrument `id`, which speaks English and Spanish.
fn shipped(id: &str) -> Instrument {
    Library::shipped().unwrap().get(id).unwrap().clone()
}

/// The `<html lang>` of a page.
fn page_lang(body: &str) -> &str {
    let start = body.find("<html lang=\"").expect("an html element") + 12;
    &body[start..start + body[start..].find('"').unwrap()]
}

/// Every statement of `instrument` answered on the form: the first two with `dk`-free scale
/// values, in the form's field names.
fn answers(instrument: &Instrument) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (format!("item-{}", item.id), (1 + i % 5).to_string()))
        .collect();
    fields.push(("consent".into(), "yes".into()));
    fields
}

fn with<'a>(
    fields: &'a [(String, String)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(extra.iter().copied())
        .collect()
}

/// A round of the shipped collaboration factors check with one partner, invited in `language`,
/// and the partner's path.
async fn invited_in(app: &TestApp, language: Option<&str>) -> (Instrument, i64, String) {
    let instrument = shipped("collaboration-factors");
    let round = app.round(&instrument).await;
    let invitation = app
        .store
        .create_invitation(&NewInvitation {
            round_id: round.id,
            organisation: "Mercado Central",
            sector: Some("business"),
            language,
        })
        .await
        .unwrap();
    (instrument, round.id, format!("/s/{}", invitation.token))
}

async fn a_partner_invited_in_spanish_answers_in_spanish_and_can_switch_keeping_the_answers(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (instrument, round_id, path) = invited_in(&app, Some("es")).await;
    let es = instrument.texts_in("es").unwrap();
    let en = instrument.texts();
    let first = &instrument.items[0];

    let (status, body) = app.get(&path).await;
    assert_eq!(status, 200);
    assert_eq!(page_lang(&body), "es");
    assert!(body.contains(es.item_text(first)), "{body}");
    assert!(body.contains(ES.submit_button) && !body.contains(EN.submit_button));
    let profile = instrument.profile.as_ref().unwrap();
    let (_, business) = es
        .profile_options(profile)
        .find(|(code, _)| *code == "business")
        .unwrap();
    assert!(
        body.contains(&format!("{} {business} (1).", ES.invited_note)),
        "the invited sectors as partners read them: {body}"
    );
    assert!(body.contains(r#"<input type="hidden" name="lang" value="es">"#));
    assert!(
        body.contains(r#"value="language:en" lang="en""#),
        "the switch offers English"
    );

    // Half the statements answered, then the switch: the same answers, in English, nothing stored.
    let all = answers(&instrument);
    let half = &all[..20];
    let (status, _, body) = app
        .post(
            &path,
            &with(half, &[("lang", "es"), ("action", "language:en")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page_lang(&body), "en");
    assert!(body.contains(en.item_text(first)) && !body.contains(es.item_text(first)));
    for (name, value) in half.iter().filter(|(n, _)| n.starts_with("item-")) {
        let checked = format!(r#"name="{name}" value="{value}" checked>"#);
        assert!(body.contains(&checked), "{checked} kept");
    }
    assert_eq!(body.matches(" checked").count(), half.len());
    assert!(app.store.responses(round_id).await.unwrap().is_empty());

    // The choice is kept: the link opens in English from now on, over the invitation's Spanish.
    let (_, body) = app.get(&path).await;
    assert_eq!(page_lang(&body), "en");

    // Submitted from the English form, the response records English.
    let (status, _, _) = app
        .post(&path, &with(&all, &[("lang", "en"), ("action", "submit")]))
        .await;
    assert_eq!(status, 303);
    let stored = app.store.responses(round_id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].answers.language.as_deref(), Some("en"));
}

async fn the_browsers_language_picks_the_open_links_form_and_switching_costs_no_form_id(
    engine: Engine,
) {
    // A budget of one submission: a switch that counted against it would leave none.
    let Some(app) = spawn_app_with(engine, OpenLinks::new(1, false)).await else {
        return;
    };
    let instrument = shipped("partnership-synergy");
    let round = app.round(&instrument).await;
    let path = format!("/o/{}", round.open_token.clone().unwrap());
    let spanish_browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(
            [(
                reqwest::header::ACCEPT_LANGUAGE,
                "es-MX,es;q=0.9,en;q=0.8".parse().unwrap(),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    let body = spanish_browser
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page_lang(&body), "es");
    let es = instrument.texts_in("es").unwrap();
    assert!(body.contains(es.item_text(&instrument.items[0])));
    let form_id = body
        .split(r#"name="form_id" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();

    let mut fields = answers(&instrument);
    fields.push(("sector".into(), "health".into()));
    fields.push(("form_id".into(), form_id.clone()));
    let post = async |extra: &[(&str, &str)]| {
        let response = spanish_browser
            .post(app.url(&path))
            .form(&with(&fields, extra))
            .send()
            .await
            .unwrap();
        status_location_body(response).await
    };
    for (to, from) in [("en", "es"), ("es", "en"), ("en", "es")] {
        let action = format!("language:{to}");
        let (status, _, body) = post(&[("lang", from), ("action", &action)]).await;
        assert_eq!(status, 200);
        assert_eq!(page_lang(&body), to);
        assert!(body.contains(&form_id), "the same form id, not a new one");
    }
    let (status, location, _) = post(&[("lang", "en"), ("action", "submit")]).await;
    assert_eq!((status, location), (303, Some(format!("{path}/thanks"))));
    let stored = app.store.responses(round.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].answers.language.as_deref(), Some("en"));
}

async fn error_pages_speak_the_browsers_language_and_the_switch_stays_on_this_site(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let unknown = format!("/s/{}", "0".repeat(32));
    let (status, body) = app.get_in(&unknown, "es").await;
    assert_eq!(status, 404);
    assert_eq!(page_lang(&body), "es");
    assert!(body.contains(ES.unknown_link_heading), "{body}");

    // The switch keeps the choice and goes back to a page of this site only.
    for (back, expected) in [
        ("/privacy", "/privacy"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ] {
        let back = percent_encoding::utf8_percent_encode(back, percent_encoding::NON_ALPHANUMERIC);
        let response = app
            .client
            .get(app.url(&format!("/language?to=es&back={back}")))
            .send()
            .await
            .unwrap();
        let (status, location, _) = status_location_body(response).await;
        assert_eq!(
            (status, location.as_deref()),
            (303, Some(expected)),
            "{back}"
        );
    }
    let (_, body) = app.get("/privacy").await;
    assert_eq!(page_lang(&body), "es", "the cookie the switch set");
}

async fn a_spanish_and_an_english_response_with_the_same_answers_score_the_same(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (instrument, round_id, english) = invited_in(&app, None).await;
    let spanish = app
        .store
        .create_invitation(&NewInvitation {
            round_id,
            organisation: "Clínica del Barrio",
            sector: Some("business"),
            language: Some("es"),
        })
        .await
        .unwrap();
    let all = answers(&instrument);
    for (path, lang) in [(english, "en"), (format!("/s/{}", spanish.token), "es")] {
        let (status, _, _) = app
            .post(&path, &with(&all, &[("lang", lang), ("action", "submit")]))
            .await;
        assert_eq!(status, 303);
    }
    let stored = app.store.responses(round_id).await.unwrap();
    let languages: Vec<_> = stored
        .iter()
        .map(|r| r.answers.language.clone().unwrap())
        .collect();
    assert_eq!(languages.len(), 2);
    assert!(languages.contains(&"en".to_string()) && languages.contains(&"es".to_string()));
    assert_eq!(stored[0].answers.items, stored[1].answers.items);
}

/// The scores of a responses file whose answers are the English labels equal those of the same
/// file in Spanish labels, to the byte.
#[test]
fn a_responses_file_in_spanish_labels_scores_as_the_same_file_in_english_labels() {
    let instrument = shipped("coalition-effectiveness");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("instruments/coalition-effectiveness.toml");
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for lang in ["en", "es"] {
        let texts = instrument.texts_in(lang).unwrap();
        let mut csv = String::from("respondent,group");
        for item in &instrument.items {
            csv.push(',');
            csv.push_str(&item.id);
        }
        for respondent in 0..8 {
            csv.push_str(&format!(
                "\nr{respondent},{}",
                ["health", "business"][respondent % 2]
            ));
            for i in 0..instrument.items.len() {
                let scale = instrument.item_scale(i);
                let labels: Vec<&str> = texts.scale_labels(scale).map(|(_, l)| l).collect();
                let missing: Vec<&str> = texts.missing_options(scale).map(|(_, l)| l).collect();
                let pick = (respondent * 7 + i * 3) % (labels.len() + missing.len());
                let cell = labels.iter().chain(&missing).nth(pick).unwrap();
                csv.push_str(&format!(",\"{cell}\""));
            }
        }
        let file = dir.path().join(format!("{lang}.csv"));
        std::fs::write(&file, csv).unwrap();
        let (out, output) = score(&path, &file, &["--min-group-size", "2"]);
        assert!(
            output.status.success(),
            "{}",
            crate::support::stderr(&output)
        );
        let files: Vec<_> = ["respondents.csv", "dimensions.csv", "items.csv"]
            .iter()
            .map(|f| read_csv(&out.path().join(f)))
            .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0][0].1.len(), 8, "one row per respondent");
}

async fn the_demo_has_a_partner_invited_in_spanish_and_its_open_link_follows_the_browser(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let instrument = shipped(partnerscope::demo::INSTRUMENT);
    let links = partnerscope::demo::ensure(app.store.as_ref(), &instrument)
        .await
        .unwrap();
    let es = instrument.texts_in("es").unwrap();
    let (status, body) = app.get(&format!("/s/{}", links.spanish)).await;
    assert_eq!(status, 200);
    assert_eq!(page_lang(&body), "es");
    assert!(body.contains(es.title()), "{body}");
    let (_, body) = app.get(&format!("/s/{}", links.english)).await;
    assert_eq!(page_lang(&body), "en");

    // The open round's open link, from a browser that asks for Spanish.
    let partnership = app
        .store
        .partnerships(partnerscope::store::Visible::All)
        .await
        .unwrap();
    let rounds = app.store.rounds(partnership[0].id).await.unwrap();
    let open = rounds.iter().find(|r| r.is_open()).unwrap();
    let open_link = format!("/o/{}", open.open_token.clone().unwrap());
    let (_, body) = app.get_in(&open_link, "es-US,es;q=0.9").await;
    assert_eq!(page_lang(&body), "es");
    assert!(body.contains(es.item_text(&instrument.items[0])));
}

/// A round of the shipped collaboration factors whose partners submit, all in the health
/// sector, each in the language of `languages`; closed, so it publishes. Returns the browser
/// and the round's page.
async fn closed_round_answered_in(
    app: &TestApp,
    languages: &[&str],
) -> (crate::web_facilitate::Browser, String) {
    let browser = crate::web_facilitate::signed_in(app, "ana@example.org").await;
    let partners: Vec<(String, &str)> = (0..languages.len())
        .map(|i| (format!("Partner {i}"), "health"))
        .collect();
    let (round_path, links) =
        crate::privacy::round_with_partners(app, &browser, crate::privacy::ANONYMOUS, &partners)
            .await;
    let instrument = shipped(crate::privacy::INSTRUMENT);
    for (i, (link, lang)) in links.iter().zip(languages).enumerate() {
        let value = (2 + i % 3).to_string();
        let mut fields: Vec<(String, String)> = instrument
            .items
            .iter()
            .map(|item| (format!("item-{}", item.id), value.clone()))
            .collect();
        fields.push(("consent".into(), "yes".into()));
        let (status, _, body) = app
            .post(
                link,
                &with(&fields, &[("lang", lang), ("action", "submit")]),
            )
            .await;
        assert_eq!(status, 303, "{body}");
    }
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(status, 303);
    (browser, round_path)
}

async fn the_dashboard_breaks_results_down_by_language_and_rows_show_a_published_one(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, round_path) =
        closed_round_answered_in(&app, &["en", "en", "en", "en", "es", "es", "es"]).await;
    let (status, page) = browser.get(&round_path).await;
    assert_eq!(status, 200);
    assert!(page.contains(EN.languages_heading), "{page}");
    for name in [
        "<th scope=\"row\">English</th>",
        "<th scope=\"row\">Español</th>",
    ] {
        assert!(page.contains(name), "{name}");
    }
    // A facilitator reading in Spanish sees the instrument's texts in Spanish too; downloads
    // stay in the instrument's default language whoever downloads them.
    let english_bands = crate::privacy::download(&browser, &round_path, "dimensions.csv").await;
    browser
        .get(&format!("/language?to=es&back={round_path}"))
        .await;
    let (_, page) = browser.get(&round_path).await;
    assert!(
        page.starts_with("<!doctype html>\n<html lang=\"es\">"),
        "{page}"
    );
    assert!(
        page.contains("<h3 id=\"dim-trust\">Confianza</h3>"),
        "{page}"
    );
    assert!(page.contains(ES.languages_heading));
    let bands = crate::privacy::download(&browser, &round_path, "dimensions.csv").await;
    assert_eq!(bands, english_bands);
    assert!(
        bands
            .iter()
            .any(|row| ["Strength", "Borderline", "Concern"].contains(&row["band"].as_str()))
    );
    // Both languages are published in every dimension and factor, so rows show them.
    let raw = crate::privacy::download(&browser, &round_path, "raw.csv").await;
    let mut shown: Vec<&str> = raw.iter().map(|row| row["language"].as_str()).collect();
    shown.sort_unstable();
    assert_eq!(shown, ["en", "en", "en", "en", "es", "es", "es"]);
}

async fn a_language_with_too_few_answers_is_withheld_and_so_is_the_one_that_would_reveal_it(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    // One answer in Spanish: withheld; English (four of five) would leave it to subtraction from
    // the total, so it is withheld too, and no row says its language.
    let (browser, round_path) =
        closed_round_answered_in(&app, &["en", "en", "en", "en", "es"]).await;
    let (_, page) = browser.get(&round_path).await;
    let section = page
        .split(&format!(
            "<h2 id=\"languages\">{}</h2>",
            EN.languages_heading
        ))
        .nth(1)
        .expect("the language breakdown")
        .split("</table>")
        .next()
        .unwrap()
        .to_string();
    assert!(section.contains("n 4: too few to show"), "{section}");
    assert_eq!(
        section.matches("too few to show").count(),
        2 * 7,
        "{section}"
    );
    let raw = crate::privacy::download(&browser, &round_path, "raw.csv").await;
    assert_eq!(raw.len(), 5);
    assert!(raw.iter().all(|row| row["language"].is_empty()), "{raw:?}");
}

async fn a_spanish_reader_gets_partner_list_and_password_problems_in_spanish(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = crate::web_facilitate::signed_in(&app, "ana@example.org").await;
    let (round_path, _) = crate::privacy::round_with_partners(
        &app,
        &browser,
        crate::privacy::ANONYMOUS,
        &[("Partner 0".to_string(), "health")],
    )
    .await;
    browser.get("/language?to=es&back=/facilitator").await;
    let partners = format!("{round_path}/partners");
    let list = "organisation,sector,email,colour
                City Housing,government,housing@example.org,blue
                ,nonprofit,,
                Clinic,martians,clinic.example,
";
    let (status, _, page) = browser.post_checked(&partners, &[("list", list)]).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains(
            "Fila 1: La columna 4 (“colour”) no es ninguna de estas: organisation, sector, email, language"
        ),
        "{page}"
    );
    let (status, _, page) = browser
        .post_checked(&partners, &[("list", &list.replace(",colour", ""))])
        .await;
    assert_eq!(status, 422, "{page}");
    for problem in [
        "Fila 3, columna organisation: La organización está en blanco",
        "Fila 4, columna sector: “martians” no es un sector de esta encuesta (",
        "Fila 4, columna email: “clinic.example” no es una dirección de correo electrónico",
    ] {
        assert!(page.contains(problem), "{problem}: {page}");
    }
    let (status, _, page) = browser
        .post_checked(&partners, &[("organisation", ""), ("sector", "health")])
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("<li>La organización está en blanco</li>"),
        "{page}"
    );
    let round_id = crate::web_facilitate::id_in(&round_path);
    let stored = app.store.invitation_progress(round_id).await.unwrap();
    assert_eq!(
        stored.len(),
        1,
        "nothing stored from a refused list or form"
    );

    let (status, _, page) = browser
        .post_checked(
            "/facilitator/password",
            &[
                ("current_password", crate::web_facilitate::PASSWORD),
                ("password", "short"),
                ("password_again", "short"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("La contraseña necesita al menos 10 caracteres"),
        "{page}"
    );
}

crate::on_both_engines!(
    a_spanish_reader_gets_partner_list_and_password_problems_in_spanish,
    the_dashboard_breaks_results_down_by_language_and_rows_show_a_published_one,
    a_language_with_too_few_answers_is_withheld_and_so_is_the_one_that_would_reveal_it,
    the_demo_has_a_partner_invited_in_spanish_and_its_open_link_follows_the_browser,
    a_partner_invited_in_spanish_answers_in_spanish_and_can_switch_keeping_the_answers,
    the_browsers_language_picks_the_open_links_form_and_switching_costs_no_form_id,
    error_pages_speak_the_browsers_language_and_the_switch_stays_on_this_site,
    a_spanish_and_an_english_response_with_the_same_answers_score_the_same,
);
