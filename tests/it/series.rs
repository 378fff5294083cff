//! A partnership's series downloads: every round of one instrument, each a wave. Its waves and
//! comparisons are the rounds as their dashboards show them; its pooled files add up what the
//! rounds' own downloads list, and nothing a round withheld.

use std::collections::HashMap;
use std::sync::Arc;

use partnerscope::instrument::Library;
use partnerscope::report::{number, summary_tables, write_csv};
use partnerscope::scoring::Options;
use partnerscope::survey::Round;

use crate::engines::Engine;
use crate::meeting::demo_partnership;
use crate::privacy::{ANONYMOUS, INSTRUMENT, links, round_with_partners, submit, table};
use crate::server::{TestApp, spawn_app};
use crate::support::score_in_process;
use crate::web_facilitate::Browser;

/// A file of `round_path`'s series as named cells.
async fn series(browser: &Browser, round_path: &str, file: &str) -> Vec<HashMap<String, String>> {
    table(&series_text(browser, round_path, file).await)
}

async fn series_text(browser: &Browser, round_path: &str, file: &str) -> String {
    let (status, body) = browser.get(&format!("{round_path}/series/{file}")).await;
    assert_eq!(status, 200, "{file}: {body}");
    body
}

async fn own_text(browser: &Browser, round_path: &str, file: &str) -> String {
    let (status, body) = browser.get(&format!("{round_path}/reports/{file}")).await;
    assert_eq!(status, 200, "{file}: {body}");
    body
}

/// The demo partnership's browser, its autumn and spring rounds, and their pages.
async fn demo(app: &TestApp) -> (Browser, Round, Round, String, String) {
    let (browser, autumn, spring) = demo_partnership(app).await;
    let page = |round: &Round| format!("/facilitator/rounds/{}", round.id);
    let (autumn_path, spring_path) = (page(&autumn), page(&spring));
    (browser, autumn, spring, autumn_path, spring_path)
}

async fn a_partnerships_waves_and_comparisons_are_its_rounds_as_their_dashboards_show_them(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, autumn, spring, autumn_path, spring_path) = demo(&app).await;

    // Each round's own waves.csv has its one wave; the series' has both, in creation order.
    let mut own = table(&own_text(&browser, &autumn_path, "waves.csv").await);
    own.extend(table(&own_text(&browser, &spring_path, "waves.csv").await));
    let waves = series(&browser, &spring_path, "waves.csv").await;
    assert_eq!(waves, own);
    assert_eq!(waves[0]["wave"], "2025 autumn");
    assert_eq!(waves.last().unwrap()["wave"], "2026 spring");
    // Either round's page leads to the same series.
    assert_eq!(
        series_text(&browser, &autumn_path, "waves.csv").await,
        series_text(&browser, &spring_path, "waves.csv").await
    );

    // The change is the dashboard's: the spring release's figures against the autumn release's.
    let library = Library::shipped().unwrap();
    let instrument = Arc::new(library.get(INSTRUMENT).unwrap().clone());
    let latest = |round| {
        let (store, instrument) = (Arc::clone(&app.store), Arc::clone(&instrument));
        async move {
            partnerscope::releases::latest(&store, &instrument, &round)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (from, to) = (latest(autumn.clone()).await, latest(spring.clone()).await);
    let changes = to.release.figures.changes_since(&from.release.figures);
    let comparisons = series(&browser, &spring_path, "comparisons.csv").await;
    assert_eq!(comparisons.len(), instrument.dimensions.len());
    for (row, (change, dimension)) in comparisons
        .iter()
        .zip(changes.iter().zip(&instrument.dimensions))
    {
        assert_eq!(row["dimension"], dimension.id);
        assert_eq!(
            (row["from_wave"].as_str(), row["to_wave"].as_str()),
            ("2025 autumn", "2026 spring")
        );
        assert_eq!(row["n_from"], change.n_from.to_string());
        assert_eq!(row["n_to"], change.n_to.to_string());
        assert_eq!(row["mean_diff"], number(change.change.mean_diff));
        assert_eq!(row["p"], number(change.change.p));
        assert_eq!(row["cohens_d"], number(change.change.cohens_d));
        assert!(!row["mean_diff"].is_empty(), "{row:?}");
    }
    // A round's own comparisons stay its own: one wave has none.
    assert!(table(&own_text(&browser, &spring_path, "comparisons.csv").await).is_empty());

    // The round page links to both.
    let (_, page) = browser.get(&spring_path).await;
    for file in ["comparisons.csv", "raw.csv"] {
        assert!(
            page.contains(&format!("{spring_path}/reports/{file}")),
            "{file}"
        );
        assert!(
            page.contains(&format!("{spring_path}/series/{file}")),
            "{file}"
        );
    }
    let workbook = format!(
        "partnerscope-partnership-{}-{INSTRUMENT}.xlsx",
        spring.partnership_id
    );
    assert!(page.contains(&format!("{spring_path}/series/{workbook}")));
    let (status, _) = browser
        .get(&format!("{spring_path}/series/{workbook}"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = browser
        .get(&format!("{spring_path}/series/comments.csv"))
        .await;
    assert_eq!(status, 404);
}

async fn the_pooled_files_are_what_the_rounds_own_downloads_add_up_to(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let (browser, _, _, autumn_path, spring_path) = demo(&app).await;

    // The rows are each round's rows as it lists them, one round after the other.
    for file in ["raw.csv", "respondents.csv"] {
        let autumn_text = own_text(&browser, &autumn_path, file).await;
        let spring_text = own_text(&browser, &spring_path, file).await;
        let (header, spring_rows) = spring_text.split_once('\n').unwrap();
        assert!(autumn_text.starts_with(header), "{file}");
        assert_eq!(
            series_text(&browser, &spring_path, file).await,
            format!("{autumn_text}{spring_rows}"),
            "{file}"
        );
    }

    // Every pooled table is what scoring the two raw downloads together gives.
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.csv");
    std::fs::write(&raw, series_text(&browser, &spring_path, "raw.csv").await).unwrap();
    let instrument = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("instruments")
        .join(format!("{INSTRUMENT}.toml"));
    let scored = score_in_process(&instrument, &raw, &Options::default());
    for expected in summary_tables(&scored.instrument, &scored.results) {
        if ["waves", "comparisons"].contains(&expected.name) {
            continue;
        }
        let mut bytes = Vec::new();
        write_csv(&expected, &mut bytes).unwrap();
        let file = format!("{}.csv", expected.name);
        let (mut expected, mut pooled) = (
            table(&String::from_utf8(bytes).unwrap()),
            series(&browser, &spring_path, &file).await,
        );
        // Groups come alphabetically in the series, as in a release; in order of first
        // appearance from `partnerscope score`.
        for rows in [&mut expected, &mut pooled] {
            rows.sort_by(|a, b| a.get("group").cmp(&b.get("group")));
        }
        assert_eq!(pooled, expected, "{file}");
    }
}

/// Closes the round at `round_path`.
async fn close(browser: &Browser, round_path: &str) {
    let (status, _, _) = browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;
    assert_eq!(status, 303);
}

/// The next round after the closed round at `round_path`, with the same partners, and their links.
async fn next_round(
    app: &TestApp,
    browser: &Browser,
    round_path: &str,
    wave: &str,
) -> (String, Vec<String>) {
    let (status, location, _) = browser
        .post_checked(&format!("{round_path}/next"), &[("wave", wave)])
        .await;
    assert_eq!(status, 303);
    let next = location.unwrap();
    let links = links(app, &next).await;
    (next, links)
}

async fn a_sector_withheld_in_one_round_adds_nothing_to_the_partnerships_sector(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = crate::web_facilitate::signed_in(&app, "ana@example.org").await;
    let partners: Vec<(String, &str)> = (0..8)
        .map(|i| {
            (
                format!("Partner {i}"),
                if i < 4 { "health" } else { "education" },
            )
        })
        .collect();
    let (first, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    for (i, link) in links.iter().enumerate() {
        submit(&app, link, 2 + (i % 3) as u8, "").await;
    }
    close(&browser, &first).await;
    // The next round: all four in health answer, two in education; education is too small to
    // show, and health alone would leave the two, so neither sector is shown in it.
    let (second, links) = next_round(&app, &browser, &first, "2027 spring").await;
    let mut answered = 0;
    for (link, progress) in links.iter().zip(
        app.store
            .invitation_progress(crate::web_facilitate::id_in(&second))
            .await
            .unwrap(),
    ) {
        let sector = progress.invitation.sector.as_deref().unwrap();
        if sector == "health" || answered < 2 {
            if sector == "education" {
                answered += 1;
            }
            submit(&app, link, 5, "").await;
        }
    }
    close(&browser, &second).await;
    let own_groups = table(&own_text(&browser, &second, "groups.csv").await);
    assert!(
        own_groups.iter().all(|row| row["suppressed"] == "true"),
        "{own_groups:?}"
    );

    // Pooled over both rounds, each sector holds only the first round's partners: the second
    // round's rows list no sector, so the series' sector minus the first round's is nothing.
    let first_groups = table(&own_text(&browser, &first, "groups.csv").await);
    let pooled = series(&browser, &second, "groups.csv").await;
    assert_eq!(pooled, first_groups);
    let summary = series(&browser, &second, "dimensions.csv").await;
    assert!(summary.iter().all(|row| row["n"] == "14"), "{summary:?}");
    let rows = series(&browser, &second, "respondents.csv").await;
    assert_eq!(rows.len(), 14);
    assert!(
        rows.iter()
            .filter(|row| row["wave"] == "2027 spring")
            .all(|row| row["group"].is_empty())
    );
}

async fn rounds_sharing_a_wave_label_are_told_apart_and_a_round_without_figures_is_no_wave(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = crate::web_facilitate::signed_in(&app, "ana@example.org").await;
    let partners: Vec<(String, &str)> =
        (0..3).map(|i| (format!("Partner {i}"), "health")).collect();
    let (first, links) = round_with_partners(&app, &browser, ANONYMOUS, &partners).await;
    for link in &links {
        submit(&app, link, 3, "").await;
    }
    close(&browser, &first).await;
    let (second, links) = next_round(&app, &browser, &first, "2026 spring").await;
    for link in &links {
        submit(&app, link, 4, "").await;
    }
    close(&browser, &second).await;
    // Open, without interim releases: no figures yet.
    let (third, links) = next_round(&app, &browser, &second, "2027 spring").await;
    submit(&app, &links[0], 5, "").await;

    let id = |path: &str| path.rsplit('/').next().unwrap().to_string();
    let waves = series(&browser, &third, "waves.csv").await;
    let labels: Vec<&str> = waves.iter().map(|row| row["wave"].as_str()).collect();
    let expected = [
        format!("2026 spring (round {})", id(&first)),
        format!("2026 spring (round {})", id(&second)),
    ];
    assert_eq!(labels.len() % 2, 0);
    assert!(
        labels[..labels.len() / 2].iter().all(|l| *l == expected[0]),
        "{labels:?}"
    );
    assert!(
        labels[labels.len() / 2..].iter().all(|l| *l == expected[1]),
        "{labels:?}"
    );
    let comparisons = series(&browser, &third, "comparisons.csv").await;
    assert!(!comparisons.is_empty());
    let mean = |wave: &str, dimension: &str| -> f64 {
        let row = waves
            .iter()
            .find(|row| row["wave"] == wave && row["dimension"] == dimension)
            .unwrap();
        row["mean"].parse().unwrap()
    };
    for row in &comparisons {
        assert_eq!(
            (&row["from_wave"], &row["to_wave"]),
            (&expected[0], &expected[1])
        );
        let dimension = &row["dimension"];
        let diff: f64 = row["mean_diff"].parse().unwrap();
        assert_eq!(
            diff,
            mean(&expected[1], dimension) - mean(&expected[0], dimension)
        );
        // Every partner answered alike in each round: no spread, so no test.
        assert_eq!(
            (row["t"].as_str(), row["cohens_d"].as_str()),
            ("", ""),
            "{row:?}"
        );
    }
    let rows = series(&browser, &third, "respondents.csv").await;
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|row| expected.contains(&row["wave"])));
}

async fn a_round_of_a_translated_version_compares_with_the_rounds_before_the_translation(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = crate::web_facilitate::signed_in(&app, "ana@example.org").await;
    let (status, location, _) = browser
        .post_checked("/facilitator/partnerships", &[("name", "Harbour Alliance")])
        .await;
    assert_eq!(status, 303);
    let partnership_id = crate::web_facilitate::id_in(&location.unwrap());
    // A round from before the Spanish texts: version 1.0.0, English only, as a server that has
    // run for a while has it stored.
    let old = partnerscope::instrument::load_file(&crate::support::fixture(
        "instruments/collaboration-factors-1.0.0.toml",
    ))
    .unwrap();
    let first = app
        .store
        .create_round(&partnerscope::survey::NewRound {
            partnership_id,
            instrument: &old,
            wave: "2026 spring",
            min_group_size: 3,
            open_link: false,
            identified: false,
            details: &Default::default(),
        })
        .await
        .unwrap();
    let first = format!("/facilitator/rounds/{}", first.id);
    let list = "organisation,sector\nA,health\nB,health\nC,health\n";
    let (status, _, _) = browser
        .post_checked(&format!("{first}/partners"), &[("list", list)])
        .await;
    assert_eq!(status, 303);
    for link in links(&app, &first).await {
        submit(&app, &link, 2, "").await;
    }
    close(&browser, &first).await;

    // The next round takes the loaded 1.1.0, which scores alike, so it has the Spanish texts.
    let (second, links) = next_round(&app, &browser, &first, "2026 autumn").await;
    let second_id = crate::web_facilitate::id_in(&second);
    let stored = app.store.round(second_id).await.unwrap().unwrap();
    assert_eq!(stored.instrument_version, "1.1.0");
    assert!(stored.instrument().unwrap().texts_in("es").is_some());
    for link in &links {
        submit(&app, link, 4, "").await;
    }
    close(&browser, &second).await;

    // Its dashboard shows the change since the 1.0.0 round, and the series holds both.
    let (status, page) = browser.get(&second).await;
    assert_eq!(status, 200);
    assert!(page.contains("Since 2026 spring:"), "{page}");
    let comparisons = series(&browser, &second, "comparisons.csv").await;
    assert_eq!(comparisons.len(), old.dimensions.len());
    assert!(
        comparisons
            .iter()
            .all(|row| (row["from_wave"].as_str(), row["to_wave"].as_str())
                == ("2026 spring", "2026 autumn")),
        "{comparisons:?}"
    );
    // Trust has no reverse-keyed statement: every answer went from 2 to 4.
    let trust = comparisons
        .iter()
        .find(|row| row["dimension"] == "trust")
        .unwrap();
    assert_eq!(trust["mean_diff"].parse::<f64>().unwrap(), 2.0);
}

crate::on_both_engines!(
    a_round_of_a_translated_version_compares_with_the_rounds_before_the_translation,
    a_partnerships_waves_and_comparisons_are_its_rounds_as_their_dashboards_show_them,
    the_pooled_files_are_what_the_rounds_own_downloads_add_up_to,
    a_sector_withheld_in_one_round_adds_nothing_to_the_partnerships_sector,
    rounds_sharing_a_wave_label_are_told_apart_and_a_round_without_figures_is_no_wave,
);
