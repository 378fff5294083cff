//! Other survey tools' CSV exports, scored as `docs/other-tools.md` shows: each example export in
//! `tests/fixtures/other-tools/` (made by `scripts/fixtures/make_other_tools.py` to the tool's
//! documented format) scores to the `respondents.csv` the script computed without partnerscope,
//! and a mistyped label stops the run at its row and column.

use crate::support::{fixture, read_csv, score, score_refused, stderr};

/// Scores `other-tools/<tool>.csv` with `other-tools/<tool>.toml` and `flags`, and checks
/// `respondents.csv` against `other-tools/<tool>.expected.csv`; returns standard output.
fn scores_as_expected(tool: &str, flags: &[&str]) -> String {
    let instrument = fixture(&format!("other-tools/{tool}.toml"));
    let responses = fixture(&format!("other-tools/{tool}.csv"));
    let (dir, output) = score(&instrument, &responses, flags);
    assert!(output.status.success(), "{tool}: {}", stderr(&output));
    let (header, rows) = read_csv(&dir.path().join("respondents.csv"));
    let (want_header, want_rows) = read_csv(&fixture(&format!("other-tools/{tool}.expected.csv")));
    assert_eq!(header, want_header, "{tool}: respondents.csv header");
    assert_eq!(rows.len(), want_rows.len(), "{tool}: one row per response");
    for (row, want) in rows.iter().zip(&want_rows) {
        // Respondent, group and wave are text; the scores are compared as numbers.
        assert_eq!(row[..3], want[..3], "{tool}: respondent, group, wave");
        for ((got, expected), column) in row[3..].iter().zip(&want[3..]).zip(&header[3..]) {
            assert!(
                same_score(got, expected),
                "{tool}: respondent {}, {column}: got `{got}`, expected `{expected}`",
                want[0]
            );
        }
    }
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Both blank, or both numbers equal to 1e-12 relative.
fn same_score(got: &str, expected: &str) -> bool {
    if got.is_empty() || expected.is_empty() {
        return got == expected;
    }
    match (got.parse::<f64>(), expected.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() <= 1e-12 * a.abs().max(b.abs()),
        _ => false,
    }
}

#[test]
fn a_limesurvey_export_of_full_answers_scores_as_its_script_computed() {
    let stdout = scores_as_expected(
        "limesurvey",
        &["--respondent-column", "id", "--group-column", "Q8"],
    );
    // LimeSurvey's own columns are not items: ignored, and listed for the user to check.
    assert!(
        stdout.contains("submitdate"),
        "ignored columns not listed: {stdout}"
    );
}

#[test]
fn a_redcap_raw_export_with_99_for_dont_know_scores_as_its_script_computed() {
    scores_as_expected("redcap", &["--respondent-column", "record_id"]);
}

#[test]
fn a_kobotoolbox_export_of_xml_values_with_semicolons_scores_as_its_script_computed() {
    scores_as_expected(
        "kobotoolbox",
        &[
            "--respondent-column",
            "_id",
            "--group-column",
            "about/sector",
        ],
    );
}

#[test]
fn a_qualtrics_export_with_three_header_rows_scores_as_its_script_computed() {
    scores_as_expected(
        "qualtrics",
        &[
            "--header-rows",
            "3",
            "--respondent-column",
            "ResponseId",
            "--group-column",
            "Q8",
        ],
    );
}

#[test]
fn a_mistyped_label_names_its_row_its_column_and_the_accepted_labels() {
    let original = std::fs::read(fixture("other-tools/limesurvey.csv")).unwrap();
    // File row 5 is the fourth response; LimeSurvey ends its lines with CRLF, which must not
    // shift the row number. Its first "Strongly agree" answer becomes "Strongly agre".
    let row = 5;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(original.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let column = records[row - 1]
        .iter()
        .position(|cell| cell == "Strongly agree")
        .expect("the fourth response has a Strongly agree answer");
    let header = records[0][column].to_string();
    assert!(header.starts_with("Q"), "not an item column: {header}");
    let mut lines: Vec<&[u8]> = original.split(|&b| b == b'\n').collect();
    let typo = String::from_utf8(lines[row - 1].to_vec())
        .unwrap()
        .replacen("\"Strongly agree\"", "\"Strongly agre\"", 1);
    lines[row - 1] = typo.as_bytes();
    let input = tempfile::tempdir().unwrap();
    let responses = input.path().join("results-survey.csv");
    std::fs::write(&responses, lines.join(&b'\n')).unwrap();

    score_refused(
        &fixture("other-tools/limesurvey.toml"),
        &responses,
        &["--respondent-column", "id", "--group-column", "Q8"],
        &[&format!("row {row}"), &header, "Strongly agree"],
    );
}
