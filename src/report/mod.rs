//! The report files of design section 4, written to any `io::Write`.
//!
//! The command line and the dashboard downloads both write through these functions, so the same
//! responses give the same bytes wherever they are scored.

use std::borrow::Cow;
use std::io::Write;

use crate::instrument::Instrument;
use crate::scoring::stats::Summary;
use crate::scoring::{CellStats, CompositeStats, Reported, Results, Score};

/// The report files, in the order they are described.
pub const REPORT_NAMES: [&str; 7] = [
    "respondents",
    "dimensions",
    "factors",
    "items",
    "groups",
    "waves",
    "comparisons",
];

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

fn boolean(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn band_label(instrument: &Instrument, band: Option<usize>) -> String {
    band.map(|b| text(instrument.band_label(&instrument.bands[b])).into_owned())
        .unwrap_or_default()
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

/// Appends a neutralised text cell, quoted as the csv crate quotes (only when it holds a comma,
/// quote or line break), so this file reads exactly like the others.
fn push_text(line: &mut Vec<u8>, s: &str) {
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

fn summary_cells(s: &Summary, with_se: bool, with_median_range: bool) -> Vec<String> {
    let mut cells = vec![s.n.to_string(), number(s.mean), number(s.sd)];
    if with_se {
        cells.push(number(s.se));
    }
    cells.push(number(s.ci_low));
    cells.push(number(s.ci_high));
    if with_median_range {
        cells.push(number(s.median));
        cells.push(number(s.min));
        cells.push(number(s.max));
    }
    cells
}

fn writer<W: Write>(out: W, header: &[&str]) -> csv::Result<csv::Writer<W>> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(header)?;
    Ok(csv)
}

fn done<W: Write>(csv: csv::Writer<W>) -> csv::Result<()> {
    csv.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(())
}

/// Writes `dimensions.csv`.
pub fn write_dimensions<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
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
        ],
    )?;
    for (d, stats) in instrument.dimensions.iter().zip(&results.dimensions) {
        let CompositeStats {
            summary,
            reliability: r,
            band,
        } = stats;
        let mut row = vec![text(&d.id).into_owned()];
        row.extend(summary_cells(summary, true, true));
        row.extend([r.alpha, r.ci_low, r.ci_high, r.std_alpha, r.average_r].map(number));
        row.push(band_label(instrument, *band));
        csv.write_record(&row)?;
    }
    done(csv)
}

/// Writes `factors.csv`.
pub fn write_factors<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
            "factor",
            "dimension",
            "n",
            "mean",
            "sd",
            "ci_low",
            "ci_high",
            "alpha",
            "band",
        ],
    )?;
    for (f, stats) in instrument.factors.iter().zip(&results.factors) {
        let mut row = vec![
            text(&f.id).into_owned(),
            text(&instrument.dimensions[f.dimension].id).into_owned(),
        ];
        row.extend(summary_cells(&stats.summary, false, false));
        row.push(number(stats.reliability.alpha));
        row.push(band_label(instrument, stats.band));
        csv.write_record(&row)?;
    }
    done(csv)
}

/// Writes `items.csv`.
pub fn write_items<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
            "item",
            "dimension",
            "factor",
            "reverse",
            "n",
            "mean",
            "sd",
            "r_drop",
            "alpha_if_deleted",
        ],
    )?;
    for (item, stats) in instrument.items.iter().zip(&results.items) {
        csv.write_record([
            text(&item.id).into_owned(),
            text(&instrument.dimensions[item.dimension].id).into_owned(),
            item.factor
                .map(|f| text(&instrument.factors[f].id).into_owned())
                .unwrap_or_default(),
            boolean(item.reverse).to_string(),
            stats.n.to_string(),
            number(stats.mean),
            number(stats.sd),
            number(stats.r_drop),
            number(stats.alpha_if_deleted),
        ])?;
    }
    done(csv)
}

/// The cells of a group or wave row from its first statistic on; a suppressed cell keeps only n.
fn cell_row(
    instrument: &Instrument,
    cell: &Reported<CellStats>,
    extra: impl Fn(&CellStats) -> Vec<String>,
    blanks: usize,
) -> Vec<String> {
    match cell {
        Reported::Suppressed { n } => {
            let mut row = vec![n.to_string()];
            row.extend(std::iter::repeat_n(String::new(), blanks));
            row.push(boolean(true).to_string());
            row
        }
        Reported::Shown(stats) => {
            let mut row = summary_cells(&stats.summary, false, false);
            row.extend(extra(stats));
            row.push(band_label(instrument, stats.band));
            row.push(boolean(false).to_string());
            row
        }
    }
}

/// Writes `groups.csv`.
pub fn write_groups<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
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
        ],
    )?;
    for (name, cells) in results.group_names.iter().zip(&results.groups) {
        for (d, cell) in instrument.dimensions.iter().zip(cells) {
            let mut row = vec![text(name).into_owned(), text(&d.id).into_owned()];
            row.extend(cell_row(
                instrument,
                cell,
                |s| vec![number(s.summary.median), number(s.rwg_j)],
                7,
            ));
            csv.write_record(&row)?;
        }
    }
    done(csv)
}

/// Writes `waves.csv`.
pub fn write_waves<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
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
        ],
    )?;
    for (name, cells) in results.wave_names.iter().zip(&results.waves) {
        for (d, cell) in instrument.dimensions.iter().zip(cells) {
            let mut row = vec![text(name).into_owned(), text(&d.id).into_owned()];
            row.extend(cell_row(instrument, cell, |s| vec![number(s.alpha)], 6));
            csv.write_record(&row)?;
        }
    }
    done(csv)
}

/// Writes `comparisons.csv`.
pub fn write_comparisons<W: Write>(
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> csv::Result<()> {
    let mut csv = writer(
        out,
        &[
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
        ],
    )?;
    for c in &results.comparisons {
        let ch = &c.change;
        csv.write_record([
            text(&instrument.dimensions[c.dimension].id).into_owned(),
            text(&results.wave_names[c.from_wave]).into_owned(),
            text(&results.wave_names[c.to_wave]).into_owned(),
            c.n_from.to_string(),
            c.n_to.to_string(),
            number(ch.mean_diff),
            number(ch.t),
            number(ch.df),
            number(ch.p),
            number(ch.cohens_d),
        ])?;
    }
    done(csv)
}

/// Writes the summary report `name` (any of [`REPORT_NAMES`] but `respondents`).
pub fn write_summary<W: Write>(
    name: &str,
    out: W,
    instrument: &Instrument,
    results: &Results,
) -> Option<csv::Result<()>> {
    Some(match name {
        "dimensions" => write_dimensions(out, instrument, results),
        "factors" => write_factors(out, instrument, results),
        "items" => write_items(out, instrument, results),
        "groups" => write_groups(out, instrument, results),
        "waves" => write_waves(out, instrument, results),
        "comparisons" => write_comparisons(out, instrument, results),
        _ => return None,
    })
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
        let instrument = crate::shipped::by_id("coalition-effectiveness").unwrap();
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
