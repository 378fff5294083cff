//! The report files of design section 4, written to any `io::Write`.
//!
//! The command line and the dashboard downloads both write through these functions, so the same
//! responses give the same bytes wherever they are scored.

pub mod chart;
pub mod dashboard;
mod workbook;

pub use workbook::WorkbookWriter;

use std::borrow::Cow;
use std::io::Write;

use crate::instrument::Instrument;
use crate::scoring::stats::Summary;
use crate::scoring::{CellStats, CompositeStats, Reported, Results, Score};

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

impl SummaryReport {
    /// Every summary report, in order.
    pub const ALL: [SummaryReport; 6] = [
        SummaryReport::Dimensions,
        SummaryReport::Factors,
        SummaryReport::Items,
        SummaryReport::Groups,
        SummaryReport::Waves,
        SummaryReport::Comparisons,
    ];

    /// The file name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            SummaryReport::Dimensions => "dimensions",
            SummaryReport::Factors => "factors",
            SummaryReport::Items => "items",
            SummaryReport::Groups => "groups",
            SummaryReport::Waves => "waves",
            SummaryReport::Comparisons => "comparisons",
        }
    }

    /// The report's table.
    pub fn table(self, instrument: &Instrument, results: &Results) -> Table {
        match self {
            SummaryReport::Dimensions => dimensions_table(instrument, results),
            SummaryReport::Factors => factors_table(instrument, results),
            SummaryReport::Items => items_table(instrument, results),
            SummaryReport::Groups => cells_table(
                instrument,
                "groups",
                GROUPS,
                &results.group_names,
                &results.groups,
                |s| vec![s.summary.median, s.rwg_j],
            ),
            SummaryReport::Waves => cells_table(
                instrument,
                "waves",
                WAVES,
                &results.wave_names,
                &results.waves,
                |s| vec![s.alpha],
            ),
            SummaryReport::Comparisons => comparisons_table(instrument, results),
        }
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

/// One cell of a summary report, typed so each output format can render it properly.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Free text (ids, labels): neutralised in CSV.
    Text(String),
    /// A statistic; `None` is an empty cell.
    Number(Option<f64>),
    /// A count.
    Count(u64),
    /// A flag.
    Bool(bool),
}

/// A summary report: its file name (without `.csv`), header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Name of the report, e.g. `dimensions`.
    pub name: &'static str,
    /// Column names.
    pub header: &'static [&'static str],
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<Cell>>,
}

const DIMENSIONS: &[&str] = &[
    "dimension",
    "n",
    "mean",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "median",
    "min",
    "max",
    "alpha",
    "alpha_ci_low",
    "alpha_ci_high",
    "std_alpha",
    "average_r",
    "band",
];
const FACTORS: &[&str] = &[
    "factor",
    "dimension",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "alpha",
    "band",
];
const ITEMS: &[&str] = &[
    "item",
    "dimension",
    "factor",
    "reverse",
    "n",
    "mean",
    "sd",
    "r_drop",
    "alpha_if_deleted",
];
const GROUPS: &[&str] = &[
    "group",
    "dimension",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "median",
    "rwg_j",
    "band",
    "suppressed",
];
const WAVES: &[&str] = &[
    "wave",
    "dimension",
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "alpha",
    "band",
    "suppressed",
];
const COMPARISONS: &[&str] = &[
    "dimension",
    "from_wave",
    "to_wave",
    "n_from",
    "n_to",
    "mean_diff",
    "t",
    "df",
    "p",
    "cohens_d",
];

fn id(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn band_cell(instrument: &Instrument, band: Option<usize>) -> Cell {
    Cell::Text(
        band.map(|b| instrument.band_label(&instrument.bands[b]).to_string())
            .unwrap_or_default(),
    )
}

fn n_mean_sd(s: &Summary) -> [Cell; 3] {
    [Cell::Count(s.n), Cell::Number(s.mean), Cell::Number(s.sd)]
}

fn dimensions_table(instrument: &Instrument, results: &Results) -> Table {
    let rows = instrument
        .dimensions
        .iter()
        .zip(&results.dimensions)
        .map(
            |(
                d,
                CompositeStats {
                    summary: s,
                    reliability: r,
                    band,
                },
            )| {
                let mut row = vec![id(&d.id)];
                row.extend(n_mean_sd(s));
                row.extend(
                    [s.se, s.ci_low, s.ci_high, s.median, s.min, s.max]
                        .into_iter()
                        .chain([r.alpha, r.ci_low, r.ci_high, r.std_alpha, r.average_r])
                        .map(Cell::Number),
                );
                row.push(band_cell(instrument, *band));
                row
            },
        )
        .collect();
    Table {
        name: "dimensions",
        header: DIMENSIONS,
        rows,
    }
}

fn factors_table(instrument: &Instrument, results: &Results) -> Table {
    let rows = instrument
        .factors
        .iter()
        .zip(&results.factors)
        .map(|(f, stats)| {
            let s = &stats.summary;
            let mut row = vec![id(&f.id), id(&instrument.dimensions[f.dimension].id)];
            row.extend(n_mean_sd(s));
            row.extend([s.ci_low, s.ci_high, stats.reliability.alpha].map(Cell::Number));
            row.push(band_cell(instrument, stats.band));
            row
        })
        .collect();
    Table {
        name: "factors",
        header: FACTORS,
        rows,
    }
}

fn items_table(instrument: &Instrument, results: &Results) -> Table {
    let rows = instrument
        .items
        .iter()
        .zip(&results.items)
        .map(|(item, stats)| {
            vec![
                id(&item.id),
                id(&instrument.dimensions[item.dimension].id),
                Cell::Text(
                    item.factor
                        .map(|f| instrument.factors[f].id.clone())
                        .unwrap_or_default(),
                ),
                Cell::Bool(item.reverse),
                Cell::Count(stats.n),
                Cell::Number(stats.mean),
                Cell::Number(stats.sd),
                Cell::Number(stats.r_drop),
                Cell::Number(stats.alpha_if_deleted),
            ]
        })
        .collect();
    Table {
        name: "items",
        header: ITEMS,
        rows,
    }
}

/// The cells of a group or wave row after its label and dimension; a suppressed cell keeps only n.
fn cell_row(
    instrument: &Instrument,
    cell: &Reported<CellStats>,
    extra: impl Fn(&CellStats) -> Vec<Option<f64>>,
    blanks: usize,
) -> Vec<Cell> {
    match cell {
        Reported::Suppressed { n } => {
            let mut row = vec![Cell::Count(*n)];
            row.extend(std::iter::repeat_n(Cell::Number(None), blanks - 1));
            row.push(Cell::Text(String::new()));
            row.push(Cell::Bool(true));
            row
        }
        Reported::Shown(stats) => {
            let s = &stats.summary;
            let mut row = n_mean_sd(s).to_vec();
            row.extend(
                [s.ci_low, s.ci_high]
                    .into_iter()
                    .chain(extra(stats))
                    .map(Cell::Number),
            );
            row.push(band_cell(instrument, stats.band));
            row.push(Cell::Bool(false));
            row
        }
    }
}

fn cells_table(
    instrument: &Instrument,
    name: &'static str,
    header: &'static [&'static str],
    labels: &[String],
    cells: &[Vec<Reported<CellStats>>],
    extra: impl Fn(&CellStats) -> Vec<Option<f64>> + Copy,
) -> Table {
    // Suppression blanks everything between `n` and the flag: the statistics and the band.
    let blanked = header.len() - 4;
    let mut rows = Vec::new();
    for (label, per_dimension) in labels.iter().zip(cells) {
        for (d, cell) in instrument.dimensions.iter().zip(per_dimension) {
            let mut row = vec![id(label), id(&d.id)];
            row.extend(cell_row(instrument, cell, extra, blanked));
            rows.push(row);
        }
    }
    Table { name, header, rows }
}

fn comparisons_table(instrument: &Instrument, results: &Results) -> Table {
    let rows = results
        .comparisons
        .iter()
        .map(|c| {
            let ch = &c.change;
            let mut row = vec![
                id(&instrument.dimensions[c.dimension].id),
                id(&results.wave_names[c.from_wave]),
                id(&results.wave_names[c.to_wave]),
                Cell::Count(c.n_from),
                Cell::Count(c.n_to),
            ];
            row.extend([ch.mean_diff, ch.t, ch.df, ch.p, ch.cohens_d].map(Cell::Number));
            row
        })
        .collect();
    Table {
        name: "comparisons",
        header: COMPARISONS,
        rows,
    }
}

/// The six summary tables, in [`SummaryReport::ALL`] order.
pub fn summary_tables(instrument: &Instrument, results: &Results) -> Vec<Table> {
    SummaryReport::ALL
        .map(|report| report.table(instrument, results))
        .into()
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
