//! The report files of design section 4, written to any `io::Write`.
//!
//! The command line and the dashboard downloads both write through these functions, so the same
//! responses give the same bytes wherever they are scored.

pub mod chart;
pub mod dashboard;
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

/// A text cell a spreadsheet will not run as a formula: cells starting with `=`, `+`, `-`, `@`,
/// tab or carriage return get a leading apostrophe.
pub fn text(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Writes `respondents.csv` one row at a time, as responses are scored.
///
/// Rows are written straight to the output rather than through `csv::Writer`: with a million
/// respondents this file is hundreds of megabytes, and only the three text cells can need quoting.
pub struct RespondentsWriter<W: Write> {
    out: W,
    texts: Vec<ScoreTexts>,
    line: Vec<u8>,
}

/// The text of every score a composite can take, formatted on first use: a score is
/// `sum / answered` with few possible values, and formatting doubles dominates a large report.
struct ScoreTexts {
    lo: i32,
    width: usize,
    cache: Vec<Option<Box<str>>>,
}

impl ScoreTexts {
    fn new(lo: i16, hi: i16, items: usize) -> Self {
        let width = (hi - lo) as usize;
        // Σ over answered = 1..=items of the (answered · width + 1) possible sums.
        let len = width * items * (items + 1) / 2 + items;
        ScoreTexts {
            lo: i32::from(lo),
            width,
            cache: vec![None; len],
        }
    }

    fn get(&mut self, score: Score) -> &str {
        let c = usize::from(score.answered);
        let start = self.width * c * (c - 1) / 2 + (c - 1);
        let slot = start + (score.sum - c as i32 * self.lo) as usize;
        self.cache[slot].get_or_insert_with(|| number(Some(score.value())).into_boxed_str())
    }
}

impl<W: Write> RespondentsWriter<W> {
    /// Starts the file with its header: `respondent,group,wave,<dimension ids…>,<factor ids…>`.
    pub fn new(mut out: W, instrument: &Instrument) -> std::io::Result<Self> {
        let mut line = Vec::new();
        let header = ["respondent", "group", "wave"]
            .into_iter()
            .chain(instrument.dimensions.iter().map(|d| d.id.as_str()))
            .chain(instrument.factors.iter().map(|f| f.id.as_str()));
        for (i, name) in header.enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_text(&mut line, name);
        }
        line.push(b'\n');
        out.write_all(&line)?;
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
        Ok(RespondentsWriter { out, texts, line })
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
        push_text(&mut self.line, respondent);
        self.line.push(b',');
        push_text(&mut self.line, group);
        self.line.push(b',');
        push_text(&mut self.line, wave);
        for (score, texts) in scores.iter().zip(&mut self.texts) {
            self.line.push(b',');
            if let Some(s) = score {
                self.line.extend_from_slice(texts.get(*s).as_bytes());
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)
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

/// Appends a neutralised text cell, quoted as the csv crate quotes (only when it holds a comma,
/// quote or line break), so this file reads exactly like the others.
pub(crate) fn push_text(line: &mut Vec<u8>, s: &str) {
    let s = text(s);
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
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

/// Writes a summary report as CSV.
pub fn write_csv<W: Write>(table: &Table, out: W) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(table.header)?;
    for row in &table.rows {
        csv.write_record(row.iter().map(|cell| match cell {
            Cell::Text(s) => text(s).into_owned(),
            Cell::Number(x) => number(*x),
            Cell::Count(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
        }))?;
    }
    csv.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(())
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
    fn respondent_rows_quote_text_like_the_csv_crate() {
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
        assert_eq!(text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text("+1"), "'+1");
        assert_eq!(text("-x"), "'-x");
        assert_eq!(text("@me"), "'@me");
        assert_eq!(text("\tx"), "'\tx");
        assert_eq!(text("\rx"), "'\rx");
        assert_eq!(text("health"), "health");
        assert_eq!(text(""), "");
    }
}
