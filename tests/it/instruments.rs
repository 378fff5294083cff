//! Instrument files: the shipped ones load, and a bad file gets every problem with its place.

use partnerscope::instrument::{Library, SHIPPED};
use partnerscope::instrument::{LoadError, load_str};

use crate::support::{fixture, partnerscope, stderr};

#[test]
fn every_shipped_instrument_scores_trust_governance_and_engagement() {
    let instruments = Library::shipped().expect("shipped instruments load");
    assert_eq!(instruments.len(), 3);
    for instrument in &instruments {
        for id in ["trust", "governance", "engagement"] {
            assert!(
                instrument.dimensions.iter().any(|d| d.id == id),
                "{} has no {id} dimension",
                instrument.id
            );
        }
        assert!(
            instrument.items.iter().any(|i| i.reverse),
            "{} has no reverse-keyed item",
            instrument.id
        );
        assert!(!instrument.bands.is_empty());
        assert!(instrument.profile.is_some());
        // Every one in English (the default) and Spanish, each statement in its own words.
        let languages: Vec<&str> = instrument.translations().iter().map(|t| t.lang()).collect();
        assert_eq!(languages, ["en", "es"], "{}", instrument.id);
        let es = instrument.texts_in("es").unwrap();
        for item in &instrument.items {
            assert!(!instrument.texts().item_text(item).is_empty());
            assert_ne!(instrument.texts().item_text(item), es.item_text(item));
        }
    }
    let ids: Vec<&str> = instruments.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "collaboration-factors",
            "partnership-synergy",
            "coalition-effectiveness"
        ]
    );
}

#[test]
fn the_collaboration_factors_instrument_follows_wilders_twenty_factors_and_forty_items() {
    let instrument = Library::shipped()
        .unwrap()
        .get("collaboration-factors")
        .unwrap()
        .clone();
    assert_eq!(instrument.factors.len(), 20);
    assert_eq!(instrument.items.len(), 40);
    let bands: Vec<(String, f64)> = instrument
        .bands
        .iter()
        .map(|b| (instrument.texts().band_label(b).to_string(), b.min))
        .collect();
    assert_eq!(
        bands,
        [
            ("Strength".to_string(), 4.0),
            ("Borderline".to_string(), 3.0),
            ("Concern".to_string(), 1.0)
        ]
    );
    // 3.95 is not rounded up into Strength.
    assert_eq!(instrument.band_of(3.95), Some(1));
    assert_eq!(instrument.band_of(4.0), Some(0));
}

const BAD: &str = r#"id = "Bad Id"
version = "1"
title = "x"
description = "y"
colour = "red"
min_answered = 1.5

[scales.agree5]
values = [1, 2, 4]
labels = ["a", "b"]

[scales.four]
values = [1, 2, 3, 4]
labels = ["a", "b", "c", "d"]

[scales.five]
values = [1, 2, 3, 4, 5]
labels = ["a", "b", "c", "d", "e"]

[[dimensions]]
id = "trust"
title = "Trust"

[[dimensions]]
id = "empty"
title = "Empty"

[[factors]]
id = "f1"
dimension = "nope"
title = "F"

[[items]]
id = "t1"
text = "x"
scale = "four"
dimension = "trust"

[[items]]
id = "t1"
text = "y"
scale = "five"
dimension = "trust"
reverse = "yes"

[[items]]
id = "t3"
text = "y"
scale = "four"
factor = "f1"

[[bands]]
label = "High"
min = 7
"#;

/// Asserts `found` holds exactly the `expect`ed problems, each by line, column and a part of its
/// message.
fn assert_problems(found: &[(usize, usize, &str)], expect: &[(usize, usize, &str)]) {
    for &(line, column, text) in expect {
        assert!(
            found
                .iter()
                .any(|&(l, c, m)| l == line && c == column && m.contains(text)),
            "missing {line}:{column} {text} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn a_bad_instrument_gets_every_problem_with_line_and_column() {
    let Err(LoadError::Invalid { file, problems }) = load_str("bad.toml", BAD) else {
        panic!("the file must be rejected");
    };
    assert_eq!(file, "bad.toml");
    let found: Vec<(usize, usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    let expect = [
        (1, 6, "instrument id `Bad Id` must start"),
        (5, 1, "unknown key `colour`"),
        (6, 16, "`min_answered` must be a fraction"),
        (
            9,
            17,
            "values must be ascending consecutive integers: 4 follows 2",
        ),
        (10, 10, "has 3 values but 2 labels"),
        (25, 6, "dimension `empty` has no items"),
        (30, 13, "unknown dimension `nope`"),
        (40, 6, "duplicate id `t1` (first used at line 34, column 6)"),
        (
            42,
            9,
            "uses scale `five` (1..5) but dimension `trust` already uses scale `four` (1..4)",
        ),
        (44, 11, "`reverse` must be true or false"),
        (50, 10, "unknown factor `f1`"),
        (54, 7, "band `High` starts at 7, outside the range 1..4"),
    ];
    assert_problems(&found, &expect);
}

#[test]
fn syntax_errors_are_all_reported_with_their_place() {
    let Err(LoadError::Invalid { problems, .. }) =
        load_str("x.toml", "id = \"x\"\nversion = \n[[items]\n")
    else {
        panic!("must fail");
    };
    let places: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.column)).collect();
    assert_eq!(places, [(2, 11), (3, 9)]);
}

#[test]
fn check_command_exits_non_zero_and_prints_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, BAD).unwrap();
    let output = partnerscope(&["instruments", "check", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains(&format!("{}:5:1: unknown key `colour`", bad.display())));
    let shipped: Vec<String> = SHIPPED
        .iter()
        .map(|(file, _)| format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
        .collect();
    let mut args = vec!["instruments", "check"];
    args.extend(shipped.iter().map(String::as_str));
    let output = partnerscope(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        report.matches(", in en, es)").count(),
        SHIPPED.len(),
        "{report}"
    );
}

#[test]
fn list_command_names_the_shipped_instruments() {
    let output = partnerscope(&["instruments", "list"]);
    let listing = String::from_utf8(output.stdout).unwrap();
    for id in [
        "collaboration-factors",
        "partnership-synergy",
        "coalition-effectiveness",
    ] {
        assert!(listing.contains(id), "{listing}");
    }
}

#[test]
fn preview_refuses_a_bad_file_with_its_places_and_serves_a_good_one() {
    use std::io::{BufRead, BufReader};

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, BAD).unwrap();
    let output = partnerscope(&["instruments", "preview", bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains(&format!("{}:5:1: unknown key `colour`", bad.display())));

    let good = format!(
        "{}/instruments/coalition-effectiveness.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(["instruments", "preview", &good, "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(
        line.starts_with("Preview of Coalition Effectiveness Check: http://"),
        "{line}"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body) = runtime.block_on(async {
        let response = reqwest::get(&url).await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("Nothing you enter here is stored."));
}

/// Rounds keep the instrument source they were created with, so every loader from now on must
/// still accept what a released version stored. Later loader changes must keep this test passing:
/// a failure here means a stored round would no longer open. The database was written by release
/// 0ed64ef with `scripts/fixtures/make-release-db 0ed64ef tests/fixtures/release-0ed64ef.db`.
#[tokio::test]
async fn every_instrument_stored_by_release_0ed64ef_still_loads() {
    // A copy, opened read-only, so the committed file never changes.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("release.db");
    std::fs::copy(fixture("release-0ed64ef.db"), &db).unwrap();
    let url = format!("sqlite://{}?mode=ro", db.display());
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let rounds: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, instrument_id, instrument_source FROM rounds ORDER BY id")
            .fetch_all(&mut connection)
            .await
            .unwrap();
    for (round, id, source) in &rounds {
        let instrument = load_str(&format!("round {round}"), source)
            .unwrap_or_else(|e| panic!("round {round} no longer loads:\n{e}"));
        assert_eq!(&instrument.id, id);
    }
    // Two demo rounds, then one per shipped instrument and per fixture instrument of the release.
    assert_eq!(rounds.len(), 8);
}

#[test]
fn a_scale_value_at_the_end_of_the_integer_range_is_a_problem_at_its_place_not_a_crash() {
    // Found by fuzzing: the check that values are consecutive computed i64::MAX + 1.
    let src =
        std::fs::read_to_string(fixture("fuzz/instrument_load/scale-value-i64-max.toml")).unwrap();
    let Err(LoadError::Invalid { problems, .. }) = load_str("max.toml", &src) else {
        panic!("the file must be rejected");
    };
    let found: Vec<(usize, usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    assert!(
        found.iter().any(|&(line, _, m)| line == 2
            && m.contains("must be ascending consecutive integers: 2 follows 9223372036854775807")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|&(line, _, m)| line == 2
            && m.contains("value 9223372036854775807 is outside -1000..1000")),
        "{found:#?}"
    );
}

/// Items named as other tools name their columns, with the mistakes an author makes mapping them.
const OTHER_TOOLS: &str = r#"id = "mapped"
version = "1"
title = "Mapped"
description = "Columns of other tools."

[scales.agree3]
values = [1, 2, 3]
labels = ["Disagree", "Neutral", "DISAGREE"]
missing = [{ code = "dk", label = "Don't know" }]
codes = { "D" = 1, "X" = 9, "?" = "nope", "NA" = 2 }

[[dimensions]]
id = "trust"
title = "Trust"

[[items]]
id = "A1"
text = "One."
scale = "agree3"
dimension = "trust"
column = "Q1[SQ001]"

[[items]]
id = "a1"
text = "Two."
scale = "agree3"
dimension = "trust"

[[items]]
id = "-b"
text = "Three."
scale = "agree3"
dimension = "trust"

[[items]]
id = "group_trust.q4"
text = "Four."
scale = "agree3"
dimension = "trust"
column = "A1"

[[items]]
id = "Q5_1"
text = "Five."
scale = "agree3"
dimension = "trust"
column = " wave"
codes = { "y" = 3, "Y" = 1 }

[[bands]]
label = "Fine"
min = 1
"#;

#[test]
fn other_tools_column_names_load_and_their_mapping_mistakes_are_reported_in_place() {
    let Err(LoadError::Invalid { problems, .. }) = load_str("mapped.toml", OTHER_TOOLS) else {
        panic!("the file must be rejected");
    };
    let found: Vec<(usize, usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.column, p.message.as_str()))
        .collect();
    let expect = [
        (8, 10, "`Disagree` and `DISAGREE` would read alike"),
        (10, 26, "code `X` maps to 9, outside the scale's 1..3"),
        (
            10,
            35,
            "maps to `nope`, which is not a missing option of the scale (it has: dk)",
        ),
        (10, 43, "code `NA` would never be read"),
        (24, 6, "duplicate id `a1` (first used at line 17, column 6)"),
        (30, 6, "item id `-b` may contain only letters"),
        (
            40,
            10,
            "column `A1` of item `group_trust.q4` is also `A1` at line 17",
        ),
        (
            47,
            10,
            "column ` wave` of item `Q5_1` must be a header as it reads",
        ),
        (48, 20, "item `Q5_1`: `Y` and `y` would read alike"),
    ];
    assert_problems(&found, &expect);

    let fixed = OTHER_TOOLS
        .replace(r#""DISAGREE"]"#, r#""Agree"]"#)
        .replace(r#", "X" = 9, "?" = "nope", "NA" = 2"#, r#", "?" = "dk""#)
        .replace("id = \"a1\"", "id = \"A2\"")
        .replace("id = \"-b\"", "id = \"b-3\"")
        .replace("column = \"A1\"", "column = \"group_trust/q4\"")
        .replace("column = \" wave\"", "column = \"Q5_1\"")
        .replace(r#"codes = { "y" = 3, "Y" = 1 }"#, r#"codes = { "y" = 3 }"#);
    let instrument = load_str("mapped.toml", &fixed).unwrap_or_else(|e| panic!("{e}"));
    let headers: Vec<Vec<&str>> = instrument
        .items
        .iter()
        .map(|i| i.headers().collect())
        .collect();
    assert_eq!(
        headers,
        [
            vec!["A1", "Q1[SQ001]"],
            vec!["A2"],
            vec!["b-3"],
            vec!["group_trust.q4", "group_trust/q4"],
            vec!["Q5_1", "Q5_1"],
        ]
    );
}
