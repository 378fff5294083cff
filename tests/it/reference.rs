//! Every report value against reference values from R psych/multilevel and scipy/pingouin.
//!
//! The fixtures and the scripts that made them are in `tests/fixtures/reference/` and
//! `scripts/fixtures/`; agreement is required to 1e-9 relative, and to 1e-12 for the shares
//! `agree` and `disagree`, which are one division of two counts.

use serde_json::Value;

use crate::support::{fixture, read_csv, score};

/// Agreement within `relative` tolerance (the design note's 1e-9, or 1e-12 for the shares), with
/// an absolute floor for reference values of zero.
fn agrees(ours: f64, reference: f64, relative: f64) -> bool {
    (ours - reference).abs() <= relative * reference.abs() + 1e-12
}

/// Columns that are a ratio of two counts: nothing but rounding of one division may differ.
const SHARES: &[&str] = &["agree", "disagree"];

/// Key columns identify a row; every other expected column is compared.
const KEYS: &[&str] = &[
    "respondent",
    "dimension",
    "factor",
    "item",
    "group",
    "wave",
    "from_wave",
    "to_wave",
];

fn check_report(name: &str, dataset: &str, dir: &std::path::Path, expected: &Value) {
    let (header, rows) = read_csv(&dir.join(format!("{name}.csv")));
    let expected_rows = expected[name]
        .as_array()
        .unwrap_or_else(|| panic!("{name} in fixture"));
    assert_eq!(
        rows.len(),
        expected_rows.len(),
        "{dataset} {name}.csv: number of rows"
    );
    let column = |key: &str| header.iter().position(|h| h == key);
    let mut compared = 0;
    for (i, (row, want)) in rows.iter().zip(expected_rows).enumerate() {
        let want = want.as_object().unwrap();
        for (key, value) in want {
            let c = column(key).unwrap_or_else(|| panic!("{name}.csv has no column {key}"));
            let cell = &row[c];
            let at = format!("{dataset} {name}.csv row {} column {key}", i + 2);
            match value {
                Value::Null => assert_eq!(cell, "", "{at}: expected blank"),
                Value::Bool(b) => assert_eq!(cell, &b.to_string(), "{at}"),
                Value::String(s) => {
                    assert!(
                        KEYS.contains(&key.as_str()) || key == "factor",
                        "{at}: unexpected text"
                    );
                    assert_eq!(cell, s, "{at}");
                }
                Value::Number(n) => {
                    let reference = n.as_f64().unwrap();
                    let ours: f64 = cell
                        .parse()
                        .unwrap_or_else(|_| panic!("{at}: `{cell}` is not a number"));
                    let relative = if SHARES.contains(&key.as_str()) {
                        1e-12
                    } else {
                        1e-9
                    };
                    assert!(
                        agrees(ours, reference, relative),
                        "{at}: ours {ours}, reference {reference}"
                    );
                    compared += 1;
                }
                other => panic!("{at}: unexpected fixture value {other}"),
            }
        }
    }
    assert!(compared > 0, "{dataset} {name}: nothing compared");
}

/// Scores `folder/dataset.csv` with `folder/dataset.toml` and `extra` flags, checks every report
/// the fixture has values for, and returns the fixture.
fn check_dataset(folder: &str, dataset: &str, extra: &[&str]) -> Value {
    let instrument = fixture(&format!("{folder}/{dataset}.toml"));
    let responses = fixture(&format!("{folder}/{dataset}.csv"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("{folder}/{dataset}.expected.json"))).unwrap(),
    )
    .unwrap();
    // The fixtures carry no suppression: every cell is reported.
    let args = [&["--min-group-size", "1"], extra].concat();
    let (dir, output) = score(&instrument, &responses, &args);
    assert!(
        output.status.success(),
        "{}",
        crate::support::stderr(&output)
    );
    let mut checked = 0;
    for name in partnerscope::report::Report::ALL.map(partnerscope::report::Report::name) {
        if expected.get(name).is_some() {
            check_report(name, dataset, dir.path(), &expected);
            checked += 1;
        }
    }
    assert!(checked >= 2, "{dataset}: the fixture has too few reports");
    expected
}

#[test]
fn basic_data_set_matches_r_psych_multilevel_and_scipy() {
    // Its waves are seasons, which no sort puts in time order: the fixture compares them as
    // they happened.
    check_dataset(
        "reference",
        "basic",
        &["--waves", "2025 spring,2025 autumn,2026 spring"],
    );
}

#[test]
fn seven_point_data_set_with_a_stricter_answered_rule_matches_the_references() {
    check_dataset("reference", "wide7", &[]);
}

#[test]
fn the_bfi_data_set_scored_by_its_own_column_names_matches_psych() {
    // psych's bfi as Rdatasets publishes it: items A1…O5, R's row names in `rownames`, and
    // gender, education and age, which are not items and are ignored.
    let expected = check_dataset("bfi", "bfi", &["--respondent-column", "rownames"]);
    let alphas: Vec<(String, f64)> = expected["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["dimension"].as_str().unwrap().to_string(),
                d["alpha"].as_f64().unwrap(),
            )
        })
        .collect();
    // The values the issue names, to two decimals, from the fixture psych made.
    let rounded: Vec<(&str, String)> = alphas
        .iter()
        .map(|(d, a)| (d.as_str(), format!("{a:.2}")))
        .collect();
    assert_eq!(
        rounded,
        [
            ("agreeableness", "0.70".to_string()),
            ("conscientiousness", "0.73".to_string()),
            ("extraversion", "0.76".to_string()),
            ("neuroticism", "0.81".to_string()),
            ("openness", "0.60".to_string()),
        ]
    );
}
