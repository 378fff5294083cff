//! Responses files laid out as people have them, each scored by the real command: waves in any
//! row order, long files, other delimiters and encodings, answer labels, and files without
//! respondent, group or wave columns. Each is built from the `basic` reference file and must
//! give exactly the reports that file gives, or differ only as the layout says.

use std::path::{Path, PathBuf};

use crate::support::{fixture, parse_csv, read_csv, score, score_refused, stderr};

const INSTRUMENT: &str = "reference/basic.toml";

/// The `basic` reference file as header and rows of cells.
fn basic() -> (Vec<String>, Vec<Vec<String>>) {
    read_csv(&fixture("reference/basic.csv"))
}

/// Writes `bytes` as a file in `dir`.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `rows` as CSV text with `delimiter` and `\r\n` line ends when `crlf`.
fn csv_text(header: &[String], rows: &[Vec<String>], delimiter: &str, crlf: bool) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut text = header.join(delimiter) + end;
    for row in rows {
        text.push_str(&row.join(delimiter));
        text.push_str(end);
    }
    text
}

/// Every report file of a finished run, by name.
fn reports(dir: &Path) -> Vec<(String, Vec<u8>)> {
    partnerscope::report::Report::ALL
        .map(|r| {
            let name = format!("{}.csv", r.name());
            let bytes = std::fs::read(dir.join(&name)).unwrap();
            (name, bytes)
        })
        .to_vec()
}

/// Scores `file` with `extra` flags, asserting success; its reports and what it printed.
fn scored(file: &Path, extra: &[&str]) -> (Vec<(String, Vec<u8>)>, String) {
    let (dir, output) = score(&fixture(INSTRUMENT), file, extra);
    assert!(output.status.success(), "{}", stderr(&output));
    (
        reports(dir.path()),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// Scores `file` with `extra` flags, asserting it fails with every one of `expected` in the
/// message and writes nothing.
fn refused(file: &Path, extra: &[&str], expected: &[&str]) {
    score_refused(&fixture(INSTRUMENT), file, extra, expected);
}

/// The reference file's reports, scored from the committed file itself.
fn reference_reports() -> Vec<(String, Vec<u8>)> {
    scored(&fixture("reference/basic.csv"), &[]).0
}

/// The `basic` file with its seasons renamed to years and its rows newest first.
fn years_newest_first(dir: &Path) -> PathBuf {
    let (header, mut rows) = basic();
    for row in &mut rows {
        row[2] = match row[2].as_str() {
            "2025 spring" => "2024",
            "2025 autumn" => "2025",
            "2026 spring" => "2026",
            other => panic!("unexpected wave {other}"),
        }
        .to_string();
    }
    rows.sort_by(|a, b| b[2].cmp(&a[2]));
    assert_eq!(rows[0][2], "2026");
    write(
        dir,
        "years.csv",
        csv_text(&header, &rows, ",", false).as_bytes(),
    )
}

/// The rows of report `name` among `reports`.
fn report_rows(reports: &[(String, Vec<u8>)], name: &str) -> Vec<Vec<String>> {
    let (_, bytes) = reports.iter().find(|(n, _)| n == name).unwrap();
    parse_csv(bytes).1
}

/// `comparisons.csv` as (dimension, from, to, mean_diff).
fn comparisons(reports: &[(String, Vec<u8>)]) -> Vec<(String, String, String, f64)> {
    report_rows(reports, "comparisons.csv")
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                r[1].clone(),
                r[2].clone(),
                r[5].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn waves_are_compared_from_the_earliest_whatever_row_comes_first_and_waves_reverses_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = years_newest_first(dir.path());
    let (natural, printed) = scored(&file, &[]);
    assert!(
        printed.contains(
            "Waves compared in natural order of their labels (--waves A,B,… sets another): 2024 → 2025 → 2026."
        ),
        "{printed}"
    );
    let forward = comparisons(&natural);
    let pairs: Vec<(&str, &str)> = forward
        .iter()
        .filter(|c| c.0 == "trust")
        .map(|c| (c.1.as_str(), c.2.as_str()))
        .collect();
    assert_eq!(pairs, [("2024", "2025"), ("2025", "2026")]);

    let (reversed, printed) = scored(&file, &["--waves", "2026,2025,2024"]);
    assert!(
        printed.contains("Waves compared in the order --waves gives: 2026 → 2025 → 2024."),
        "{printed}"
    );
    let backward = comparisons(&reversed);
    assert_eq!(backward.len(), forward.len());
    for (dimension, from, to, diff) in &forward {
        let (.., back) = backward
            .iter()
            .find(|c| c.0 == *dimension && c.1 == *to && c.2 == *from)
            .unwrap_or_else(|| panic!("{dimension} {to} → {from} missing"));
        assert!((diff + back).abs() < 1e-12, "{dimension}: {diff} vs {back}");
    }
}

#[test]
fn a_wave_order_must_name_every_wave_of_the_file_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let file = years_newest_first(dir.path());
    refused(
        &file,
        &["--waves", "2024,2025"],
        &["the rows have a wave that the wave order does not name: `2026`"],
    );
    refused(
        &file,
        &["--waves", "2024,2025,2026,2027"],
        &["the wave order names a wave that no row has: `2027`"],
    );
    refused(
        &file,
        &["--waves", "2024,2025,2024,2026"],
        &["the wave order names `2024` twice"],
    );
}

/// The `basic` file in long form: one row per answer, items of a respondent in reverse order,
/// blanks left out.
fn long_form() -> (Vec<String>, Vec<Vec<String>>) {
    let (header, rows) = basic();
    let long_header = ["respondent", "group", "wave", "item", "value"].map(String::from);
    let mut long = Vec::new();
    for row in &rows {
        for c in (3..header.len()).rev() {
            if !row[c].is_empty() {
                let cells = [&row[0], &row[1], &row[2], &header[c], &row[c]];
                long.push(cells.map(String::clone).to_vec());
            }
        }
    }
    (long_header.to_vec(), long)
}

#[test]
fn a_long_file_scores_exactly_as_the_wide_one() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = long_form();
    let file = write(
        dir.path(),
        "long.csv",
        csv_text(&header, &rows, ",", false).as_bytes(),
    );
    let (long, _) = scored(&file, &["--long"]);
    assert_eq!(long, reference_reports());
}

#[test]
fn a_long_file_keeps_each_respondent_together_and_every_answer_once() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = long_form();
    let with = |name: &str, rows: &[Vec<String>]| {
        write(
            dir.path(),
            name,
            csv_text(&header, rows, ",", false).as_bytes(),
        )
    };
    // r001's rows, then r002's, then one more of r001's (row 2 is r001's first).
    let r001 = rows.iter().filter(|r| r[0] == "r001").count();
    let mut split = rows.clone();
    let stray = split.remove(0);
    split.insert(r001 + 3, stray);
    refused(
        &with("split.csv", &split),
        &["--long"],
        &[
            &format!("row {}, column 1 (respondent)", r001 + 5),
            "respondent `r001` already appears from row 2",
            "sort it by respondent",
        ],
    );
    let mut twice = rows.clone();
    twice.insert(1, twice[0].clone());
    refused(
        &with("twice.csv", &twice),
        &["--long"],
        &[
            "row 3, column 4 (item)",
            &format!("item `{}` is already answered on row 2", rows[0][3]),
        ],
    );
    let mut moved = rows.clone();
    moved[1][1] = "another sector".into();
    refused(
        &with("moved.csv", &moved),
        &["--long"],
        &["row 3, column 2 (group)", "differs from", "on row 2"],
    );
    let mut unknown = rows.clone();
    unknown[2][3] = "T1".into();
    refused(
        &with("unknown.csv", &unknown),
        &["--long"],
        &[
            "row 4, column 4 (item)",
            "`T1` is not an item",
            "did you mean `t1`?",
        ],
    );
    refused(
        &with("wide.csv", &rows),
        &[],
        &["row 1", "item columns are missing"],
    );
}

#[test]
fn semicolons_tabs_crlf_utf16_and_windows_1252_score_as_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let (header, mut rows) = basic();
    // A group with an accent, which Windows-1252 spells in one byte.
    for row in rows.iter_mut().filter(|r| r[1] == "health") {
        row[1] = "santé".into();
    }
    let plain = write(
        dir.path(),
        "plain.csv",
        csv_text(&header, &rows, ",", false).as_bytes(),
    );
    let (expected, printed) = scored(&plain, &[]);
    assert!(
        printed.contains("the file is UTF-8, comma-separated"),
        "{printed}"
    );

    let semicolons = csv_text(&header, &rows, ";", true);
    let file = write(dir.path(), "semicolons.csv", semicolons.as_bytes());
    let (reports, printed) = scored(&file, &[]);
    assert_eq!(reports, expected);
    assert!(printed.contains("semicolon-separated"), "{printed}");

    // Excel's "Unicode text": UTF-16LE with a byte-order mark, tab-separated, CRLF.
    let text = csv_text(&header, &rows, "\t", true);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let file = write(dir.path(), "unicode.txt", &utf16);
    let (reports, printed) = scored(&file, &[]);
    assert_eq!(reports, expected);
    assert!(printed.contains("UTF-16LE, tab-separated"), "{printed}");

    // Excel's "CSV" on Windows: Windows-1252.
    let text = csv_text(&header, &rows, ",", true);
    let (latin, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    let file = write(dir.path(), "ansi.csv", &latin);
    let first = rows.iter().position(|r| r[1] == "santé").unwrap() + 2;
    refused(
        &file,
        &[],
        &[
            &format!("row {first}"),
            "not UTF-8",
            "looks like windows-1252",
            "--encoding windows-1252",
        ],
    );
    let (reports, _) = scored(&file, &["--encoding", "windows-1252"]);
    assert_eq!(reports, expected);
    refused(
        &file,
        &["--encoding", "klingon"],
        &["unknown encoding \"klingon\""],
    );
}

#[test]
fn answer_labels_in_any_case_and_spacing_score_as_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (header, mut rows) = basic();
    let labels = [
        "strongly DISAGREE",
        "Disagree",
        "neither  agree nor disagree",
        " AGREE ",
        "Strongly agree",
    ];
    for row in &mut rows {
        for cell in &mut row[3..] {
            if let Ok(v) = cell.parse::<usize>() {
                *cell = labels[v - 1].to_string();
            }
        }
    }
    let file = write(
        dir.path(),
        "labels.csv",
        csv_text(&header, &rows, ",", false).as_bytes(),
    );
    let (reports, _) = scored(&file, &[]);
    assert_eq!(reports, reference_reports());

    rows[6][5] = "Agreed".into();
    let file = write(
        dir.path(),
        "typo.csv",
        csv_text(&header, &rows, ",", false).as_bytes(),
    );
    refused(
        &file,
        &[],
        &[
            "row 8, column 6 (t3)",
            "`Agreed` is not an answer on the item's scale",
            "the labels `Strongly disagree`, `Disagree`, `Neither agree nor disagree`, `Agree`, `Strongly agree`",
        ],
    );
}

#[test]
fn a_file_without_respondent_group_or_wave_columns_numbers_its_rows_as_one_wave() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = basic();
    let items: Vec<Vec<String>> = rows.iter().map(|r| r[3..].to_vec()).collect();
    let file = write(
        dir.path(),
        "items.csv",
        csv_text(&header[3..], &items, ",", false).as_bytes(),
    );
    let (dir_out, output) = score(&fixture(INSTRUMENT), &file, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("Respondents: none, numbered by row (no column `respondent`; name one with --respondent-column). Groups: none, no breakdown"),
        "{printed}"
    );
    let (_, respondents) = read_csv(&dir_out.path().join("respondents.csv"));
    let ids: Vec<&str> = respondents.iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (1..=rows.len()).map(|n| n.to_string()).collect();
    assert_eq!(ids, expected);
    assert!(
        respondents
            .iter()
            .all(|r| r[1].is_empty() && r[2].is_empty())
    );
    let (_, groups) = read_csv(&dir_out.path().join("groups.csv"));
    let (_, waves) = read_csv(&dir_out.path().join("waves.csv"));
    assert!(groups.is_empty() && waves.is_empty());
    // The overall figures are the reference file's: only the breakdowns are gone.
    let (_, ours) = read_csv(&dir_out.path().join("dimensions.csv"));
    assert_eq!(ours, report_rows(&reference_reports(), "dimensions.csv"));
}
