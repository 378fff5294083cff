//! The report files of design section 4, written to any `io::Write`.
//!
//! The command line and the dashboard downloads both write through these functions, so the same
//! responses give the same bytes wherever they are scored.

pub mod chart;
pub mod dashboard;
pub mod meeting;
mod tables;
mod workbook;

pub use tables::{Cell, Table, summary_tables};
pub use workbook::WorkbookWriter;

use std::borrow::Cow;
use std::io::Write;

use crate::instrument::Instrument;
use crate::scoring::Score;

/// The report files, in the order the design describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `respondents.csv`: every respondent's scores, written row by row while scoring.
    Respondents,
    /// One of the six summary tables.
    Summary(SummaryReport),
}

/// The summary reports: one table each, computed from the [`Results`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryReport {
    /// `dimensions.csv`.
    Dimensions,
    /// `factors.csv`.
    Factors,
    /// `items.csv`.
    Items,
    /// `groups.csv`.
    Groups,
    /// `waves.csv`.
    Waves,
    /// `comparisons.csv`.
    Comparisons,
}

impl Report {
    /// Every report, in order.
    pub const ALL: [Report; 7] = [
        Report::Respondents,
        Report::Summary(SummaryReport::Dimensions),
        Report::Summary(SummaryReport::Factors),
        Report::Summary(SummaryReport::Items),
        Report::Summary(SummaryReport::Groups),
        Report::Summary(SummaryReport::Waves),
        Report::Summary(SummaryReport::Comparisons),
    ];

    /// The file name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Report::Respondents => "respondents",
            Report::Summary(report) => report.name(),
        }
    }

    /// The report whose name (without `.csv`) is `name`.
    pub fn named(name: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Writes a number with full precision (shortest representation that reads back to the same
/// double); an undefined value is an empty cell.
pub fn number(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => {
            let magnitude = v.abs();
            if magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
                format!("{v}")
            } else {
                // Plain notation would spell out hundreds of zeros for a tiny p-value.
                format!("{v:e}")
            }
        }
        _ => String::new(),
    }
}

/// The characters that make a spreadsheet read a cell as a formula when they lead it.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` starts with an apostrophe that [`neutralise`] put there (or would have to add
/// to keep such an apostrophe of the text itself): one followed by a formula character or by
/// another apostrophe.
fn starts_with_protection(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('\'')
        && chars
            .next()
            .is_some_and(|c| c == '\'' || FORMULA_START.contains(&c))
}

/// A text cell a spreadsheet will not run as a formula: a cell starting with `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading apostrophe, which spreadsheets show as nothing but text.
///
/// Output only: stored text keeps what was typed. A text that itself starts with an apostrophe
/// followed by one of those characters (or by another apostrophe) gets one too, so [`restore`]
/// gives back exactly the text, and a raw export read back in scores the labels it wrote.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) || starts_with_protection(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The text a cell of ours was written from: [`neutralise`] undone. A cell from another tool
/// reads the same way, as spreadsheets read an apostrophe at its start: "this is text".
pub fn restore(cell: &str) -> &str {
    if starts_with_protection(cell) {
        &cell[1..]
    } else {
        cell
    }
}

/// Writes `respondents.csv` one row at a time, as responses are scored.
///
/// Rows are written straight to the output rather than through `csv::Writer`: with a million
/// respondents this file is hundreds of megabytes, and only the three text cells can need quoting.
pub struct RespondentsWriter<W: Write> {
    out: W,
    lines: RespondentLines,
    line: Vec<u8>,
}

/// Formats the lines of `respondents.csv` into a buffer, so threads scoring parts of a file can
/// each format theirs, for [`RespondentsWriter::write_lines`] to write in order.
#[derive(Clone)]
pub struct RespondentLines {
    texts: Vec<ScoreTexts>,
}

/// The text of every score a composite can take, formatted on first use: a score is
/// `sum / answered` with few possible values, and formatting doubles dominates a large report.
#[derive(Clone)]
struct ScoreTexts {
    lo: i32,
    width: usize,
    /// Per possible score: 1 + its index in `texts`, or 0 before its first use.
    cache: Vec<u32>,
    texts: Vec<ScoreText>,
}

/// A score's text after its comma, kept in a fixed-size slot: copying a constant number of
/// bytes is a few moves, where a copy of each text's own length is a call (18 of them per
/// respondent).
#[derive(Clone, Copy)]
struct ScoreText {
    bytes: [u8; 1 + SCORE_TEXT],
    len: u8,
}

/// Room for a score's text: a mean of values within ±1000 has at most 17 significant digits,
/// a sign, a point and (from 1e-5 on) four zeros after it.
const SCORE_TEXT: usize = 32;

impl ScoreTexts {
    fn new(lo: i16, hi: i16, items: usize) -> Self {
        let width = (hi - lo) as usize;
        // Σ over answered = 1..=items of the (answered · width + 1) possible sums.
        let len = width * items * (items + 1) / 2 + items;
        ScoreTexts {
            lo: i32::from(lo),
            width,
            cache: vec![0; len],
            texts: Vec::new(),
        }
    }

    /// Appends a comma and the text of `score` to `line`.
    fn push(&mut self, score: Score, line: &mut Vec<u8>) {
        let c = usize::from(score.answered);
        let start = self.width * c * (c - 1) / 2 + (c - 1);
        let slot = start + (score.sum - c as i32 * self.lo) as usize;
        if self.cache[slot] == 0 {
            let text = number(Some(score.value()));
            let mut bytes = [b','; 1 + SCORE_TEXT];
            let Some(room) = bytes.get_mut(1..1 + text.len()) else {
                // Longer than any score's text can be: written as it is, never kept.
                line.push(b',');
                line.extend_from_slice(text.as_bytes());
                return;
            };
            room.copy_from_slice(text.as_bytes());
            self.texts.push(ScoreText {
                bytes,
                len: 1 + text.len() as u8,
            });
            self.cache[slot] = self.texts.len() as u32;
        }
        let text = &self.texts[self.cache[slot] as usize - 1];
        let end = line.len() + usize::from(text.len);
        line.extend_from_slice(&text.bytes);
        line.truncate(end);
    }
}

impl RespondentLines {
    /// Lines for the scores of `instrument`.
    pub fn new(instrument: &Instrument) -> Self {
        let scale = |dimension: usize| &instrument.scales[instrument.dimensions[dimension].scale];
        let texts = instrument
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, dim)| (d, dim.items.len()))
            .chain(
                instrument
                    .factors
                    .iter()
                    .map(|f| (f.dimension, f.items.len())),
            )
            .map(|(d, items)| ScoreTexts::new(scale(d).min, scale(d).max, items))
            .collect();
        RespondentLines { texts }
    }

    /// Appends one respondent's line (scores: dimensions then factors; blank where missing).
    pub fn push(
        &mut self,
        line: &mut Vec<u8>,
        respondent: &str,
        group: &str,
        wave: &str,
        scores: &[Option<Score>],
    ) {
        push_text(line, respondent);
        line.push(b',');
        push_text(line, group);
        line.push(b',');
        push_text(line, wave);
        line.reserve(scores.len() * (1 + SCORE_TEXT) + 1);
        for (score, texts) in scores.iter().zip(&mut self.texts) {
            match score {
                Some(s) => texts.push(*s, line),
                None => line.push(b','),
            }
        }
        line.push(b'\n');
    }
}

impl<W: Write> RespondentsWriter<W> {
    /// Starts the file with its header: `respondent,group,wave,<dimension ids…>,<factor ids…>`.
    pub fn new(mut out: W, instrument: &Instrument) -> std::io::Result<Self> {
        let header = ["respondent", "group", "wave"]
            .into_iter()
            .chain(instrument.dimensions.iter().map(|d| d.id.as_str()))
            .chain(instrument.factors.iter().map(|f| f.id.as_str()));
        let mut line = Vec::new();
        push_line(&mut line, header);
        out.write_all(&line)?;
        Ok(RespondentsWriter {
            out,
            lines: RespondentLines::new(instrument),
            line,
        })
    }

    /// Writes one respondent's scores (dimensions then factors; blank where missing).
    pub fn write(
        &mut self,
        respondent: &str,
        group: &str,
        wave: &str,
        scores: &[Option<Score>],
    ) -> std::io::Result<()> {
        self.line.clear();
        self.lines
            .push(&mut self.line, respondent, group, wave, scores);
        self.out.write_all(&self.line)
    }

    /// A formatter of this file's lines, for another thread.
    pub fn lines(&self) -> RespondentLines {
        self.lines.clone()
    }

    /// Writes lines a [`RespondentLines`] of this writer formatted.
    pub fn write_lines(&mut self, lines: &[u8]) -> std::io::Result<()> {
        self.out.write_all(lines)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Appends one CSV line of text cells.
pub(crate) fn push_line<'a>(out: &mut Vec<u8>, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_text(out, cell);
    }
    out.push(b'\n');
}

/// Appends a neutralised text cell, quoted when it holds a comma, quote or line break, and also
/// when it holds a semicolon or was neutralised: a spreadsheet in a locale whose list separator
/// is `;` would otherwise split `x;=1+1` into a second, live cell.
pub(crate) fn push_text(line: &mut Vec<u8>, s: &str) {
    let s = neutralise(s);
    let quote = matches!(s, Cow::Owned(_))
        || s.bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r' | b';'));
    if quote {
        line.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                line.push(b'"');
            }
            line.push(b);
        }
        line.push(b'"');
    } else {
        line.extend_from_slice(s.as_bytes());
    }
}

/// Writes a summary report as CSV, its text quoted as [`push_text`] quotes it.
pub fn write_csv<W: Write>(table: &Table, mut out: W) -> std::io::Result<()> {
    let mut line = Vec::new();
    push_line(&mut line, table.header.iter().copied());
    for row in &table.rows {
        out.write_all(&line)?;
        line.clear();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            match cell {
                Cell::Text(s) => push_text(&mut line, s),
                Cell::Number(x) => line.extend_from_slice(number(*x).as_bytes()),
                Cell::Count(n) => line.extend_from_slice(n.to_string().as_bytes()),
                Cell::Bool(b) => line.extend_from_slice(b.to_string().as_bytes()),
            }
        }
        line.push(b'\n');
    }
    out.write_all(&line)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_undefined_values_are_empty() {
        for v in [0.1, 1.0 / 3.0, 4.0, -2.5e-7, 123456.789, 1e-300, 0.0] {
            let s = number(Some(v));
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
        assert_eq!(number(Some(4.0)), "4");
        assert_eq!(number(Some(f64::NAN)), "");
        assert_eq!(number(Some(f64::INFINITY)), "");
        assert_eq!(number(None), "");
    }

    #[test]
    fn respondent_rows_read_back_through_a_csv_reader() {
        let instrument = crate::instrument::Library::shipped()
            .unwrap()
            .get("coalition-effectiveness")
            .unwrap()
            .clone();
        let mut writer = RespondentsWriter::new(Vec::new(), &instrument).unwrap();
        let scores = vec![None; instrument.dimensions.len() + instrument.factors.len()];
        writer
            .write("a,\"b\"", "line\nbreak", "-w", &scores)
            .unwrap();
        let bytes = writer.finish().unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(
            (&row[0], &row[1], &row[2]),
            ("a,\"b\"", "line\nbreak", "'-w")
        );
        assert_eq!(row.len(), 3 + scores.len());
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-x"), "'-x");
        assert_eq!(neutralise("@me"), "'@me");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("'=x"), "''=x");
        assert_eq!(neutralise("''"), "'''");
        assert_eq!(neutralise("'health'"), "'health'");
        assert_eq!(neutralise("health"), "health");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn restoring_a_neutralised_cell_gives_back_the_text() {
        for s in [
            "=SUM(A1)", "-2+3", "'=x", "''", "'", "'health", "''=", "@", "plain", "", "'\t",
        ] {
            assert_eq!(restore(&neutralise(s)), s, "{s:?}");
        }
        assert_eq!(restore("'-2+3"), "-2+3");
        assert_eq!(restore("'health"), "'health");
    }

    #[test]
    fn cells_with_a_semicolon_or_a_formula_start_are_quoted() {
        let mut line = Vec::new();
        push_line(&mut line, ["x;=1+1", "-2+3", "plain", "a,b"]);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "\"x;=1+1\",\"'-2+3\",plain,\"a,b\"\n"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_survives_neutralising_and_restoring(s in "['=+@\\-\t\r]{0,3}.{0,6}") {
            let written = neutralise(&s);
            proptest::prop_assert_eq!(restore(&written), s.as_str());
            proptest::prop_assert!(!written.starts_with(FORMULA_START));
        }
    }
}
