//! The six summary reports as typed tables: their columns, and their rows computed from the
//! [`Results`], so each output format (CSV, workbook) renders the same cells.

use super::SummaryReport;
use crate::instrument::Instrument;
use crate::scoring::{Breakdown, CellStats, Counted, Reported, Results};

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

    /// The column names.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            SummaryReport::Dimensions => DIMENSIONS,
            SummaryReport::Factors => FACTORS,
            SummaryReport::Items => ITEMS,
            SummaryReport::Groups => GROUPS,
            SummaryReport::Waves => WAVES,
            SummaryReport::Comparisons => COMPARISONS,
        }
    }

    /// The report's table.
    pub fn table(self, instrument: &Instrument, results: &Results) -> Table {
        let header = self.header();
        let rows = match self {
            SummaryReport::Dimensions => dimensions_rows(instrument, results),
            SummaryReport::Factors => factors_rows(instrument, results),
            SummaryReport::Items => items_rows(instrument, results),
            SummaryReport::Groups => cell_rows(instrument, header, &results.groups, |s| {
                vec![s.summary.median, s.rwg_j]
            }),
            SummaryReport::Waves => {
                cell_rows(instrument, header, &results.waves, |s| vec![s.alpha])
            }
            SummaryReport::Comparisons => comparisons_rows(instrument, results),
        };
        Table {
            name: self.name(),
            header,
            rows,
        }
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
    "suppressed",
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
    "suppressed",
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
    "agree",
    "disagree",
    "suppressed",
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
        band.map(|b| {
            instrument
                .texts()
                .band_label(&instrument.bands[b])
                .to_string()
        })
        .unwrap_or_default(),
    )
}

/// A row of a table with the columns `header`, ending in `suppressed`: its labels, then `n` and
/// the statistics when the cell is shown, or `n` and blanks up to the flag when it is suppressed.
fn reported_row<T: Counted>(
    header: &[&str],
    labels: Vec<Cell>,
    reported: &Reported<T>,
    statistics: impl FnOnce(&T) -> Vec<Cell>,
) -> Vec<Cell> {
    // The statistics lie between `n` and the flag.
    let width = header.len() - labels.len() - 2;
    let mut row = labels;
    match reported {
        Reported::Suppressed { n } => {
            row.push(Cell::Count(*n));
            row.extend(std::iter::repeat_n(Cell::Number(None), width));
        }
        Reported::Shown(stats) => {
            row.push(Cell::Count(stats.n()));
            let stats = statistics(stats);
            debug_assert_eq!(stats.len(), width);
            row.extend(stats);
        }
    }
    row.push(Cell::Bool(reported.is_suppressed()));
    row
}

/// Statistics as number cells, then the band of the mean.
fn numbers_and_band(
    instrument: &Instrument,
    numbers: impl IntoIterator<Item = Option<f64>>,
    band: Option<usize>,
) -> Vec<Cell> {
    let mut row: Vec<Cell> = numbers.into_iter().map(Cell::Number).collect();
    row.push(band_cell(instrument, band));
    row
}

fn dimensions_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
        .dimensions
        .iter()
        .zip(&results.dimensions)
        .map(|(d, reported)| {
            reported_row(DIMENSIONS, vec![id(&d.id)], reported, |stats| {
                let (s, r) = (&stats.summary, &stats.reliability);
                let numbers = [s.mean, s.sd, s.se, s.ci_low, s.ci_high, s.median]
                    .into_iter()
                    .chain([s.min, s.max, r.alpha, r.ci_low, r.ci_high])
                    .chain([r.std_alpha, r.average_r]);
                numbers_and_band(instrument, numbers, stats.band)
            })
        })
        .collect()
}

fn factors_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
        .factors
        .iter()
        .zip(&results.factors)
        .map(|(f, reported)| {
            let labels = vec![id(&f.id), id(&instrument.dimensions[f.dimension].id)];
            reported_row(FACTORS, labels, reported, |stats| {
                let s = &stats.summary;
                let numbers = [s.mean, s.sd, s.ci_low, s.ci_high, stats.reliability.alpha];
                numbers_and_band(instrument, numbers, stats.band)
            })
        })
        .collect()
}

fn items_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
        .items
        .iter()
        .zip(&results.items)
        .map(|(item, reported)| {
            let labels = vec![
                id(&item.id),
                id(&instrument.dimensions[item.dimension].id),
                Cell::Text(
                    item.factor
                        .map(|f| instrument.factors[f].id.clone())
                        .unwrap_or_default(),
                ),
                Cell::Bool(item.reverse),
            ];
            reported_row(ITEMS, labels, reported, |stats| {
                [stats.mean, stats.sd, stats.r_drop, stats.alpha_if_deleted]
                    .into_iter()
                    .chain([stats.agree, stats.disagree])
                    .map(Cell::Number)
                    .collect()
            })
        })
        .collect()
}

fn cell_rows(
    instrument: &Instrument,
    header: &[&str],
    breakdown: &Breakdown,
    extra: impl Fn(&CellStats) -> Vec<Option<f64>> + Copy,
) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for (label, per_dimension) in breakdown.names.iter().zip(&breakdown.dimensions) {
        for (d, cell) in instrument.dimensions.iter().zip(per_dimension) {
            let labels = vec![id(label), id(&d.id)];
            rows.push(reported_row(header, labels, cell, |stats| {
                let s = &stats.summary;
                let numbers = [s.mean, s.sd, s.ci_low, s.ci_high]
                    .into_iter()
                    .chain(extra(stats));
                numbers_and_band(instrument, numbers, stats.band)
            }));
        }
    }
    rows
}

fn comparisons_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    results
        .comparisons
        .iter()
        .map(|c| {
            let ch = &c.change;
            let mut row = vec![
                id(&instrument.dimensions[c.dimension].id),
                id(&results.waves.names[c.from_wave]),
                id(&results.waves.names[c.to_wave]),
                Cell::Count(c.n_from),
                Cell::Count(c.n_to),
            ];
            row.extend([ch.mean_diff, ch.t, ch.df, ch.p, ch.cohens_d].map(Cell::Number));
            row
        })
        .collect()
}

/// The six summary tables, in [`SummaryReport::ALL`] order.
pub fn summary_tables(instrument: &Instrument, results: &Results) -> Vec<Table> {
    SummaryReport::ALL
        .map(|report| report.table(instrument, results))
        .into()
}
