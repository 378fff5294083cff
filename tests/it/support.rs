//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a file under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Runs the `partnerscope` binary with `args`.
pub fn partnerscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Standard error of a finished command, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A CSV file as its header and rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_csv(&bytes)
}

/// Runs `score` on a responses file, returning the output folder (kept alive by the guard).
pub fn score(instrument: &Path, responses: &Path, extra: &[&str]) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "score".to_string(),
        "--instrument".into(),
        instrument.display().to_string(),
        "--responses".into(),
        responses.display().to_string(),
        "--out".into(),
        out.path().display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = partnerscope(&args);
    (out, output)
}

/// Runs `score` and asserts it fails with a message holding every part of `expected`, leaving
/// the output folder empty.
pub fn score_refused(instrument: &Path, responses: &Path, extra: &[&str], expected: &[&str]) {
    let (out, output) = score(instrument, responses, extra);
    let message = stderr(&output);
    assert!(!output.status.success(), "should fail: {message}");
    for part in expected {
        assert!(message.contains(part), "`{part}` not in: {message}");
    }
    let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert!(left.is_empty(), "partial output left behind: {left:?}");
}

/// A CSV text as its header and rows of strings.
pub fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes);
    let mut rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let header = rows.next().expect("a header row");
    (header, rows.collect())
}

/// What a sequential, in-process scoring of a responses file produces.
pub struct Scored {
    pub instrument: partnerscope::instrument::Instrument,
    pub results: partnerscope::scoring::Results,
    /// Respondent, group, wave and scores of every row.
    pub rows: Vec<(
        String,
        String,
        String,
        Vec<Option<partnerscope::scoring::Score>>,
    )>,
}

/// Scores `responses` in this process through the library's pipeline, keeping every row.
pub fn score_in_process(
    instrument: &Path,
    responses: &Path,
    options: &partnerscope::scoring::Options,
) -> Scored {
    use partnerscope::responses::{self, ResponsesReader};

    let instrument = partnerscope::instrument::load_file(instrument).unwrap();
    let file = std::fs::File::open(responses).unwrap();
    let reader = ResponsesReader::new(file, &instrument, &Default::default()).unwrap();
    let mut rows = Vec::new();
    let results = responses::score(
        reader,
        &instrument,
        options,
        &partnerscope::scoring::WaveOrder::Natural,
        |_| {},
        |respondent, group, wave, scores| {
            rows.push((
                respondent.to_string(),
                group.to_string(),
                wave.to_string(),
                scores.to_vec(),
            ));
            Ok(())
        },
    )
    .unwrap();
    Scored {
        instrument,
        results,
        rows,
    }
}

/// The workbook of `scored`, as the download writes it, opened for reading.
pub fn workbook_of(scored: &Scored) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
    use partnerscope::report::{self, WorkbookWriter};

    let mut workbook = WorkbookWriter::new(&scored.instrument).unwrap();
    for (respondent, group, wave, scores) in &scored.rows {
        workbook
            .respondent(respondent, group, wave, scores)
            .unwrap();
    }
    let mut bytes = Vec::new();
    workbook
        .finish(
            &report::summary_tables(&scored.instrument, &scored.results),
            &mut bytes,
        )
        .unwrap();
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap()
}

/// Scores `responses` with the scorer alone, one row after another on one thread: the reference
/// the threaded pipeline is checked against.
fn score_row_by_row(instrument: &Path, responses: &Path) -> Scored {
    use partnerscope::responses::ResponsesReader;
    use partnerscope::scoring::{CellKey, Labels, Options, Scorer, WaveOrder};

    let instrument = partnerscope::instrument::load_file(instrument).unwrap();
    let file = std::fs::File::open(responses).unwrap();
    let mut reader = ResponsesReader::new(file, &instrument, &Default::default()).unwrap();
    let mut scorer = Scorer::new(&instrument);
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut scores = vec![None; scorer.score_count()];
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row().unwrap() {
        let cell = CellKey {
            group: groups.intern(row.group),
            wave: waves.intern(row.wave),
            language: None,
        };
        scorer.add(cell, row.answers, &mut scores);
        rows.push((
            row.respondent.to_string(),
            row.group.to_string(),
            row.wave.to_string(),
            scores.clone(),
        ));
    }
    let (scorer, waves) = WaveOrder::Natural.apply(&scorer, &waves).unwrap();
    let none = Labels::default();
    let labels = partnerscope::scoring::Breakdowns {
        groups: &groups,
        waves: &waves,
        languages: &none,
    };
    let results = scorer.finish(&instrument, &labels, &Options::default());
    Scored {
        instrument,
        results,
        rows,
    }
}

/// Scores `responses` in this process, one row after another, into report bytes by name.
pub fn score_sequentially(instrument: &Path, responses: &Path) -> Vec<(String, Vec<u8>)> {
    use partnerscope::report::{self, RespondentsWriter};

    let scored = score_row_by_row(instrument, responses);
    let mut writer = RespondentsWriter::new(Vec::new(), &scored.instrument).unwrap();
    for (respondent, group, wave, scores) in &scored.rows {
        writer.write(respondent, group, wave, scores).unwrap();
    }
    let mut files = vec![("respondents".to_string(), writer.finish().unwrap())];
    for table in report::summary_tables(&scored.instrument, &scored.results) {
        let mut bytes = Vec::new();
        report::write_csv(&table, &mut bytes).unwrap();
        files.push((table.name.to_string(), bytes));
    }
    files
}
