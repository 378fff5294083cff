//! `partnerscope score` end to end: report files, suppression, and bad input that names its place
//! and leaves nothing behind.

use std::path::Path;

use crate::support::{
    fixture, partnerscope, read_csv, score, score_refused, score_sequentially, stderr,
};

const INSTRUMENT: &str = "reference/basic.toml";
const HEADER: &str = "respondent,group,wave,t1,t2,t3,t4,t5,g1,g2,g3,g4,e1,e2,e3";

fn write_responses(dir: &Path, body: &[u8]) -> std::path::PathBuf {
    let path = dir.join("responses.csv");
    std::fs::write(&path, body).unwrap();
    path
}

/// Runs `score` on `body` and asserts it fails with a message containing `expected`, leaving the
/// output folder exactly as it was.
fn fails_cleanly(body: &[u8], expected: &[&str]) {
    fails_cleanly_with(body, &[], expected);
}

/// [`fails_cleanly`] with `extra` flags.
fn fails_cleanly_with(body: &[u8], extra: &[&str], expected: &[&str]) {
    let input = tempfile::tempdir().unwrap();
    let responses = write_responses(input.path(), body);
    score_refused(&fixture(INSTRUMENT), &responses, extra, expected);
}

#[test]
fn writes_the_seven_reports_with_the_design_columns() {
    let (dir, output) = score(&fixture(INSTRUMENT), &fixture("reference/basic.csv"), &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let headers = [
        (
            "respondents",
            "respondent,group,wave,trust,governance,engagement,respect,reliability,decisions,roles",
        ),
        (
            "dimensions",
            "dimension,n,mean,sd,se,ci_low,ci_high,median,min,max,alpha,alpha_ci_low,alpha_ci_high,std_alpha,average_r,band,suppressed",
        ),
        (
            "factors",
            "factor,dimension,n,mean,sd,ci_low,ci_high,alpha,band,suppressed",
        ),
        (
            "items",
            "item,dimension,factor,reverse,n,mean,sd,r_drop,alpha_if_deleted,agree,disagree,suppressed",
        ),
        (
            "groups",
            "group,dimension,n,mean,sd,ci_low,ci_high,median,rwg_j,band,suppressed",
        ),
        (
            "waves",
            "wave,dimension,n,mean,sd,ci_low,ci_high,alpha,band,suppressed",
        ),
        (
            "comparisons",
            "dimension,from_wave,to_wave,n_from,n_to,mean_diff,t,df,p,cohens_d",
        ),
    ];
    for (name, header) in headers {
        let (got, _) = read_csv(&dir.path().join(format!("{name}.csv")));
        assert_eq!(got.join(","), header, "{name}.csv");
    }
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, 7, "exactly the seven reports, no scratch folder");
    let (_, dimensions) = read_csv(&dir.path().join("dimensions.csv"));
    let bands: Vec<&str> = dimensions.iter().map(|r| r[15].as_str()).collect();
    assert!(
        bands
            .iter()
            .all(|b| ["Strength", "Borderline", "Concern"].contains(b)),
        "{bands:?}"
    );
}

#[test]
fn small_groups_report_only_their_size() {
    let body = format!(
        "{HEADER}\n\
         a,big,w1,4,4,2,4,4,4,2,4,4,4,4,4\n\
         b,big,w1,5,4,1,5,4,4,2,4,5,4,5,4\n\
         c,big,w1,3,4,2,4,3,3,3,4,4,2,4,4\n\
         d,small,w1,1,2,5,2,1,2,4,2,1,2,2,1\n\
         e,small,w1,2,1,4,1,2,1,5,2,2,1,1,2\n"
    );
    let input = tempfile::tempdir().unwrap();
    let responses = write_responses(input.path(), body.as_bytes());
    let (dir, output) = score(&fixture(INSTRUMENT), &responses, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, groups) = read_csv(&dir.path().join("groups.csv"));
    for row in &groups {
        // `small` has 2 (primary suppression). `big` has 3, but the overall row minus `big`
        // would be `small`'s two, so it is withheld too (complementary suppression).
        let n = if row[0] == "small" { "2" } else { "3" };
        assert_eq!((row[2].as_str(), row[10].as_str()), (n, "true"));
        assert!(
            row[3..10].iter().all(String::is_empty),
            "suppressed row carries a statistic: {row:?}"
        );
    }
    // The overall rows of five respondents are published.
    let (_, dimensions) = read_csv(&dir.path().join("dimensions.csv"));
    assert!(dimensions.iter().all(|r| r[1] == "5" && r[16] == "false"));
    // With a threshold of 2 the small group is shown.
    let (dir, _) = score(&fixture(INSTRUMENT), &responses, &["--min-group-size", "2"]);
    let (_, groups) = read_csv(&dir.path().join("groups.csv"));
    assert!(groups.iter().all(|r| r[10] == "false"));
}

#[test]
fn text_cells_that_look_like_formulas_are_neutralised() {
    let body = format!("{HEADER}\n=HYPERLINK(\"x\"),@grp,+w,4,4,2,4,4,4,2,4,4,4,4,4\n");
    let input = tempfile::tempdir().unwrap();
    let responses = write_responses(input.path(), body.as_bytes());
    let (dir, output) = score(&fixture(INSTRUMENT), &responses, &["--min-group-size", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, rows) = read_csv(&dir.path().join("respondents.csv"));
    assert_eq!(&rows[0][..3], ["'=HYPERLINK(\"x\")", "'@grp", "'+w"]);
    let (_, groups) = read_csv(&dir.path().join("groups.csv"));
    assert_eq!(groups[0][0], "'@grp");
}

#[test]
fn a_value_off_the_scale_names_its_row_and_column() {
    fails_cleanly(
        format!("{HEADER}\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\nr2,a,w,1,2,3,4,5,1,2,9,4,1,2,3\n")
            .as_bytes(),
        &[
            "row 3, column 11 (g3)",
            "`9` is not an answer on the item's scale (accepted: 1..5",
        ],
    );
}

#[test]
fn a_column_that_is_no_item_is_listed_and_refused_with_strict() {
    let input = tempfile::tempdir().unwrap();
    let body = format!("{HEADER},x9\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3,4\n");
    let responses = write_responses(input.path(), body.as_bytes());
    let (_, output) = score(&fixture(INSTRUMENT), &responses, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed
            .contains("Ignored 1 column that is not an item: `x9` (--strict refuses such columns)"),
        "{printed}"
    );
    fails_cleanly_with(
        body.as_bytes(),
        &["--strict"],
        &[
            "row 1",
            "neither items nor respondent, group or wave (refused by --strict): 16 (`x9`)",
        ],
    );
}

#[test]
fn a_column_that_reads_like_a_wanted_one_is_named_with_a_suggestion() {
    fails_cleanly(
        b"Respondent,group,wave,T1,t2,t3,t4,t5,g1,g2,g3,g4,e1,e2,e3\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\n",
        &[
            "row 1",
            "there is no respondent column `respondent` (did you mean `Respondent`?)",
            "item columns are missing: `t1` (did you mean `T1`?)",
        ],
    );
    fails_cleanly_with(
        format!("{HEADER}\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\n").as_bytes(),
        &["--group-column", "sector"],
        &["row 1", "there is no group column `sector`"],
    );
}

#[test]
fn a_duplicate_respondent_names_both_rows() {
    fails_cleanly(
        format!("{HEADER}\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\nr2,a,w,1,2,3,4,5,1,2,3,4,1,2,3\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\n").as_bytes(),
        &["row 4, column 1 (respondent)", "already appears on row 2"],
    );
}

#[test]
fn text_that_is_not_utf8_names_its_row_and_column() {
    let mut body = format!("{HEADER}\nr1,a,w,1,2,3,4,5,1,2,3,4,1,2,3\nr2,").into_bytes();
    body.extend_from_slice(b"caf\xe9,w,1,2,3,4,5,1,2,3,4,1,2,3\n");
    fails_cleanly(&body, &["row 3", "not UTF-8", "looks like windows-1252"]);
    // Past the start the opening checks, the cell itself is named.
    let mut body = format!("{HEADER}\n").into_bytes();
    for i in 0..3000 {
        body.extend_from_slice(format!("r{i},a,w,1,2,3,4,5,1,2,3,4,1,2,3\n").as_bytes());
    }
    body.extend_from_slice(b"late,caf\xe9,w,1,2,3,4,5,1,2,3,4,1,2,3\n");
    fails_cleanly(
        &body,
        &[
            "row 3002, column 2 (group)",
            "not UTF-8",
            "--encoding windows-1252",
        ],
    );
}

#[test]
fn a_short_row_is_named() {
    fails_cleanly(
        format!("{HEADER}\nr1,a,w,1,2,3\n").as_bytes(),
        &["row 2", "the row has 6 cells but the header has 15"],
    );
}

#[test]
fn a_failed_run_keeps_the_previous_reports() {
    let (dir, output) = score(&fixture(INSTRUMENT), &fixture("reference/basic.csv"), &[]);
    assert!(output.status.success());
    let before = std::fs::read(dir.path().join("dimensions.csv")).unwrap();
    let input = tempfile::tempdir().unwrap();
    let bad = write_responses(
        input.path(),
        format!("{HEADER}\nr1,a,w,7,2,3,4,5,1,2,3,4,1,2,3\n").as_bytes(),
    );
    let output = partnerscope(&[
        "score",
        "--instrument",
        fixture(INSTRUMENT).to_str().unwrap(),
        "--responses",
        bad.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert_eq!(
        std::fs::read(dir.path().join("dimensions.csv")).unwrap(),
        before
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 7);
}

#[test]
fn non_substantive_codes_and_a_byte_order_mark_are_accepted() {
    let toml = std::fs::read_to_string(fixture(INSTRUMENT))
        .unwrap()
        .replace(
            "[scales.agree5]",
            "[scales.agree5]\nmissing = [{ code = \"dk\", label = \"Don't know\" }]",
        );
    let input = tempfile::tempdir().unwrap();
    let instrument = input.path().join("dk.toml");
    std::fs::write(&instrument, toml).unwrap();
    let responses = write_responses(
        input.path(),
        format!("\u{feff}{HEADER}\nr1,a,w,4,DK,dk,dk,dk,4,4,4,4,4,4,4\n").as_bytes(),
    );
    let (dir, output) = score(&instrument, &responses, &["--min-group-size", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, rows) = read_csv(&dir.path().join("respondents.csv"));
    // Trust: one of five answered is below the 0.5 rule; governance has g2 reverse-keyed (4 → 2).
    assert_eq!(&rows[0][3..6], ["", "3.5", "4"]);
}

#[test]
fn the_threaded_command_writes_the_same_bytes_as_a_sequential_pass() {
    // Enough rows for several batches between the reading and the scoring thread.
    let mut body = format!("{HEADER}\n");
    let mut state = 7u32;
    for row in 0..30_000 {
        let mut next = || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) % 6
        };
        let group = ["gov", "health", "residents", "tiny"][(row % 97 % 4) as usize];
        let wave = ["w1", "w2", "w3"][(row / 10_000) as usize];
        body.push_str(&format!("r{row},{group},{wave}"));
        for _ in 0..12 {
            match next() {
                0 => body.push(','),
                v => body.push_str(&format!(",{v}")),
            }
        }
        body.push('\n');
    }
    let input = tempfile::tempdir().unwrap();
    let responses = write_responses(input.path(), body.as_bytes());
    let (dir, output) = score(&fixture(INSTRUMENT), &responses, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    for (name, expected) in score_sequentially(&fixture(INSTRUMENT), &responses) {
        let written = std::fs::read(dir.path().join(format!("{name}.csv"))).unwrap();
        assert!(
            written == expected,
            "{name}.csv differs from the sequential pass"
        );
    }
}

#[test]
fn the_raw_exports_own_columns_old_and_new_are_ignored() {
    for (tail, first, second) in [
        (
            "language,source,submitted_on",
            "en,paper,2026-03-01",
            ",,2026-03-01",
        ),
        ("language,submitted_on", "en,2026-03-01", ",2026-03-01"),
        (
            "language,submitted_at",
            "en,2026-03-01",
            ",2026-03-01T10:00:00Z",
        ),
    ] {
        let body = format!(
            "{HEADER},{tail}\n\
             a,big,w1,4,4,2,4,4,4,2,4,4,4,4,4,{first}\n\
             b,big,w1,5,4,1,5,4,4,2,4,5,4,5,4,{second}\n"
        );
        let input = tempfile::tempdir().unwrap();
        let responses = write_responses(input.path(), body.as_bytes());
        let (dir, output) = score(&fixture(INSTRUMENT), &responses, &["--min-group-size", "1"]);
        assert!(output.status.success(), "{tail}: {}", stderr(&output));
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(&output)
        );
        assert!(!said.contains("Ignored"), "{tail}: {said}");
        let (_, respondents) = read_csv(&dir.path().join("respondents.csv"));
        assert_eq!(respondents.len(), 2, "{tail}");
    }
}
