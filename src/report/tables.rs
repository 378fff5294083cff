//! The six summary reports as typed tables: their columns, and their rows computed from the
//! [`Results`], so each output format (CSV, workbook) renders the same cells.

use super::SummaryReport;
use crate::instrument::Instrument;
use crate::scoring::stats::Summary;
use crate::scoring::{CellStats, CompositeStats, Reported, Results};

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
            SummaryReport::Groups => cell_rows(
                instrument,
                header,
                &results.group_names,
                &results.groups,
                |s| vec![s.summary.median, s.rwg_j],
            ),
            SummaryReport::Waves => cell_rows(
                instrument,
                header,
                &results.wave_names,
                &results.waves,
                |s| vec![s.alpha],
            ),
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

fn dimensions_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
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
        .collect()
}

fn factors_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
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
        .collect()
}

fn items_rows(instrument: &Instrument, results: &Results) -> Vec<Vec<Cell>> {
    instrument
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
        .collect()
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

fn cell_rows(
    instrument: &Instrument,
    header: &[&str],
    labels: &[String],
    cells: &[Vec<Reported<CellStats>>],
    extra: impl Fn(&CellStats) -> Vec<Option<f64>> + Copy,
) -> Vec<Vec<Cell>> {
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
                id(&results.wave_names[c.from_wave]),
                id(&results.wave_names[c.to_wave]),
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
