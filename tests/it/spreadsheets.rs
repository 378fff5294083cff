//! Downloads a spreadsheet opens safely: no text cell runs as a formula in any locale, and the
//! apostrophe that keeps it text is added on the way out only, so a raw export read back scores
//! the labels as they were typed.

use calamine::{Data, Reader};

use crate::engines::Engine;
use crate::privacy::{ANONYMOUS, INSTRUMENT, round_with_partners, submit};
use crate::server::spawn_app;
use crate::support::{partnerscope, read_csv, score_in_process, stderr, workbook_of};
use crate::web_facilitate::signed_in;

/// A payload a spreadsheet whose list separator is `;` splits into a second, live cell.
const SEMICOLON: &str = "x;=1+1";
/// A wave label a spreadsheet reads as a formula.
const FORMULA_WAVE: &str = "-2+3";

async fn semicolons_are_quoted_and_a_raw_export_scores_its_labels_as_typed(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let browser = signed_in(&app, "ana@example.org").await;
    let mut settings = ANONYMOUS.to_vec();
    settings.push(("wave", FORMULA_WAVE));
    let partners: Vec<(String, &str)> =
        (0..3).map(|i| (format!("Partner {i}"), "health")).collect();
    let (round_path, links) = round_with_partners(&app, &browser, &settings, &partners).await;
    for link in &links {
        submit(&app, link, 4, SEMICOLON).await;
    }
    browser
        .post_checked(&format!("{round_path}/close"), &[])
        .await;

    let (status, comments) = browser
        .get(&format!("{round_path}/reports/comments.csv"))
        .await;
    assert_eq!(status, 200);
    assert!(
        comments.contains(&format!("\"{SEMICOLON}\"")),
        "a cell with `;` is quoted: {comments}"
    );
    let (status, raw) = browser.get(&format!("{round_path}/reports/raw.csv")).await;
    assert_eq!(status, 200);
    assert!(
        raw.contains(&format!("\"'{FORMULA_WAVE}\"")),
        "the wave is neutralised and quoted: {raw}"
    );

    // The raw export read back: one apostrophe in the CSV reports, none in the data.
    let dir = tempfile::tempdir().unwrap();
    let raw_path = dir.path().join("raw.csv");
    std::fs::write(&raw_path, &raw).unwrap();
    let reports = dir.path().join("reports");
    let scored = partnerscope(&[
        "score",
        "--instrument",
        INSTRUMENT,
        "--responses",
        raw_path.to_str().unwrap(),
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert!(scored.status.success(), "{}", stderr(&scored));
    let (_, respondents) = read_csv(&reports.join("respondents.csv"));
    assert_eq!(respondents.len(), 3);
    let formula_wave = format!("'{FORMULA_WAVE}");
    assert!(respondents.iter().all(|row| row[2] == formula_wave));
    let (_, waves) = read_csv(&reports.join("waves.csv"));
    assert_eq!(waves[0][0], formula_wave);

    let instrument = std::path::Path::new("instruments").join(format!("{INSTRUMENT}.toml"));
    let scored = score_in_process(&instrument, &raw_path, &Default::default());
    assert!(
        scored
            .rows
            .iter()
            .all(|(_, _, wave, _)| wave == FORMULA_WAVE)
    );
    let mut book = workbook_of(&scored);
    let sheet = book.worksheet_range("respondents").unwrap();
    assert_eq!(
        sheet.get_value((1, 2)),
        Some(&Data::String(FORMULA_WAVE.to_string()))
    );
}

crate::on_both_engines!(semicolons_are_quoted_and_a_raw_export_scores_its_labels_as_typed);
