//! From accumulated cells to the statistics of every report: overall, per factor, per item, per
//! group, per wave and between consecutive waves, with small-cell suppression applied.

use super::stats::{self, Change, Covariance, Moments, Reliability, Summary};
use super::{Cell, Composite, Labels, Scorer};
use crate::instrument::Instrument;

/// Settings of a scoring run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Group and wave cells with fewer respondents (with a score) than this are suppressed.
    pub min_group_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_group_size: 3 }
    }
}

/// A statistic of a group or wave cell, or only its size when the cell is too small to report.
///
/// A suppressed cell has no field for any statistic, so none can leak into a report or chart.
#[derive(Debug, Clone, PartialEq)]
pub enum Reported<T> {
    /// Fewer respondents than the threshold: only their number is reported.
    Suppressed {
        /// Number of respondents with a score.
        n: u64,
    },
    /// Large enough to report.
    Shown(T),
}

impl<T> Reported<T> {
    /// The statistics, if the cell is shown.
    pub fn shown(&self) -> Option<&T> {
        match self {
            Reported::Shown(t) => Some(t),
            Reported::Suppressed { .. } => None,
        }
    }
}

/// Statistics of one dimension or factor over everyone.
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeStats {
    /// Distribution of respondent scores.
    pub summary: Summary,
    /// Reliability over all rows.
    pub reliability: Reliability,
    /// Index into the instrument's bands of the band of the mean.
    pub band: Option<usize>,
}

/// Statistics of one item over everyone (after reverse keying).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    /// Number of answers.
    pub n: u64,
    /// Mean answer.
    pub mean: Option<f64>,
    /// Standard deviation of the answers.
    pub sd: Option<f64>,
    /// Corrected item-total correlation within its dimension.
    pub r_drop: Option<f64>,
    /// Alpha of its dimension without it.
    pub alpha_if_deleted: Option<f64>,
}

/// Statistics of a dimension in one group or wave cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellStats {
    /// Distribution of respondent scores.
    pub summary: Summary,
    /// Within-group agreement (group cells only).
    pub rwg_j: Option<f64>,
    /// Alpha over all rows of the cell (wave cells only).
    pub alpha: Option<f64>,
    /// Index into the instrument's bands of the band of the mean.
    pub band: Option<usize>,
}

/// Change of one dimension between two consecutive waves.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Index of the dimension.
    pub dimension: usize,
    /// Index of the earlier wave.
    pub from_wave: usize,
    /// Index of the later wave.
    pub to_wave: usize,
    /// Respondents with a score in the earlier wave.
    pub n_from: u64,
    /// Respondents with a score in the later wave.
    pub n_to: u64,
    /// The change; all blank when either wave is suppressed.
    pub change: Change,
}

/// Everything the reports show.
#[derive(Debug, Clone, PartialEq)]
pub struct Results {
    /// Per dimension, in instrument order.
    pub dimensions: Vec<CompositeStats>,
    /// Per factor, in instrument order.
    pub factors: Vec<CompositeStats>,
    /// Per item, in instrument order.
    pub items: Vec<ItemStats>,
    /// Group labels, in order of first appearance.
    pub group_names: Vec<String>,
    /// Per group (as `group_names`), per dimension.
    pub groups: Vec<Vec<Reported<CellStats>>>,
    /// Wave labels, in order of first appearance.
    pub wave_names: Vec<String>,
    /// Per wave (as `wave_names`), per dimension.
    pub waves: Vec<Vec<Reported<CellStats>>>,
    /// Per dimension and pair of consecutive waves.
    pub comparisons: Vec<Comparison>,
}

/// What one cell knows about one dimension: its score distribution and covariance matrix.
struct DimensionView {
    summary: Summary,
    covariance: Option<Covariance>,
}

impl Scorer {
    fn covariance(&self, cell: &Cell, dimension: usize) -> Option<Covariance> {
        let layout = &self.layout.dimensions[dimension];
        let k = layout.k();
        let mut entries = vec![0.0; k * k];
        for a in 0..k {
            for b in a..k {
                let c = cell.pairs[layout.tri(a, b)].covariance()?;
                entries[a * k + b] = c;
                entries[b * k + a] = c;
            }
        }
        Some(Covariance::new(k, entries))
    }

    fn view(&self, cell: &Cell, composite: &Composite, dimension: usize) -> DimensionView {
        let distribution = composite.distribution(&cell.histogram);
        DimensionView {
            summary: stats::summarize(&distribution),
            covariance: self.covariance(cell, dimension),
        }
    }

    /// Covariance matrix of a composite's items, a sub-matrix of its dimension's.
    fn composite_covariance(
        &self,
        dimension_covariance: Option<&Covariance>,
        composite: &Composite,
        dimension: usize,
    ) -> Option<Covariance> {
        let items = &self.layout.dimensions[dimension].items;
        let positions: Vec<usize> = composite
            .items
            .iter()
            .map(|i| {
                items
                    .iter()
                    .position(|j| j == i)
                    .expect("a factor's items are its dimension's")
            })
            .collect();
        Some(dimension_covariance?.select(&positions))
    }
}

fn band(instrument: &Instrument, summary: &Summary) -> Option<usize> {
    instrument.band_of(summary.mean?)
}

fn moments(s: &Summary) -> Moments {
    Moments {
        n: s.n,
        mean: s.mean.unwrap_or(0.0),
        var: s.sd.map_or(0.0, |sd| sd * sd),
    }
}

/// The change of dimension `d` from wave `from_wave` to the next, blank when either side is
/// too small to report.
fn comparison(
    d: usize,
    from_wave: usize,
    from: &Summary,
    to: &Summary,
    options: &Options,
) -> Comparison {
    let shown = from.n >= options.min_group_size && to.n >= options.min_group_size;
    Comparison {
        dimension: d,
        from_wave,
        to_wave: from_wave + 1,
        n_from: from.n,
        n_to: to.n,
        change: if shown {
            stats::change(moments(from), moments(to))
        } else {
            Change::default()
        },
    }
}

impl Results {
    /// Per dimension, the change from `earlier` to these results, each scored alone with the same
    /// `options` (as waves 0 and 1): the numbers scoring both together as two waves gives, without
    /// scoring either again.
    pub fn changes_since(&self, earlier: &Results, options: &Options) -> Vec<Comparison> {
        earlier
            .dimensions
            .iter()
            .zip(&self.dimensions)
            .enumerate()
            .map(|(d, (from, to))| comparison(d, 0, &from.summary, &to.summary, options))
            .collect()
    }
}

pub(super) fn compute(
    scorer: &Scorer,
    instrument: &Instrument,
    groups: &Labels,
    waves: &Labels,
    options: &Options,
) -> Results {
    let layout = &scorer.layout;
    let everyone = scorer.merged(|_| true);
    let dimension_count = layout.dimensions.len();

    let mut dimensions = Vec::with_capacity(dimension_count);
    let mut dimension_covariances = Vec::with_capacity(dimension_count);
    for (d, composite) in layout.composites[..dimension_count].iter().enumerate() {
        let view = scorer.view(&everyone, composite, d);
        dimensions.push(CompositeStats {
            reliability: view
                .covariance
                .as_ref()
                .map(|c| stats::reliability(c, everyone.rows))
                .unwrap_or_default(),
            band: band(instrument, &view.summary),
            summary: view.summary,
        });
        dimension_covariances.push(view.covariance);
    }

    let factors = instrument
        .factors
        .iter()
        .zip(&layout.composites[dimension_count..])
        .map(|(factor, composite)| {
            let distribution = composite.distribution(&everyone.histogram);
            let summary = stats::summarize(&distribution);
            let covariance = scorer.composite_covariance(
                dimension_covariances[factor.dimension].as_ref(),
                composite,
                factor.dimension,
            );
            CompositeStats {
                reliability: covariance
                    .map(|c| stats::reliability(&c, everyone.rows))
                    .unwrap_or_default(),
                band: band(instrument, &summary),
                summary,
            }
        })
        .collect();

    let items = (0..layout.items.len())
        .map(|i| {
            let item = layout.items[i];
            let dimension = &layout.dimensions[item.dimension];
            let diagonal = everyone.pairs[dimension.tri(item.position, item.position)];
            let n = diagonal.n as u64;
            let covariance = dimension_covariances[item.dimension].as_ref();
            ItemStats {
                n,
                mean: (n > 0).then(|| diagonal.sx as f64 / n as f64),
                sd: diagonal.covariance().map(f64::sqrt),
                r_drop: covariance.and_then(|c| stats::r_drop(c, item.position)),
                alpha_if_deleted: covariance
                    .and_then(|c| stats::alpha_if_deleted(c, item.position)),
            }
        })
        .collect();

    let report = |view: &DimensionView, extra: CellStats| -> Reported<CellStats> {
        if view.summary.n < options.min_group_size {
            Reported::Suppressed { n: view.summary.n }
        } else {
            Reported::Shown(extra)
        }
    };

    let groups_stats = (0..groups.names().len() as u32)
        .map(|g| {
            let cell = scorer.merged(|k| k.group == Some(g));
            (0..dimension_count)
                .map(|d| {
                    let view = scorer.view(&cell, &layout.composites[d], d);
                    let rwg = rwg(scorer, &cell, d);
                    report(
                        &view,
                        CellStats {
                            summary: view.summary,
                            rwg_j: rwg,
                            alpha: None,
                            band: band(instrument, &view.summary),
                        },
                    )
                })
                .collect()
        })
        .collect();

    let mut wave_views: Vec<Vec<DimensionView>> = Vec::new();
    let waves_stats = (0..waves.names().len() as u32)
        .map(|w| {
            let cell = scorer.merged(|k| k.wave == Some(w));
            let views: Vec<DimensionView> = (0..dimension_count)
                .map(|d| scorer.view(&cell, &layout.composites[d], d))
                .collect();
            let reported = views
                .iter()
                .map(|view| {
                    let alpha = view
                        .covariance
                        .as_ref()
                        .and_then(|c| stats::reliability(c, cell.rows).alpha);
                    report(
                        view,
                        CellStats {
                            summary: view.summary,
                            rwg_j: None,
                            alpha,
                            band: band(instrument, &view.summary),
                        },
                    )
                })
                .collect();
            wave_views.push(views);
            reported
        })
        .collect::<Vec<Vec<_>>>();

    let mut comparisons = Vec::new();
    for d in 0..dimension_count {
        for w in 1..wave_views.len() {
            let (from, to) = (&wave_views[w - 1][d], &wave_views[w][d]);
            comparisons.push(comparison(d, w - 1, &from.summary, &to.summary, options));
        }
    }

    Results {
        dimensions,
        factors,
        items,
        group_names: groups.names().to_vec(),
        groups: groups_stats,
        wave_names: waves.names().to_vec(),
        waves: waves_stats,
        comparisons,
    }
}

/// rwg(j) of a dimension in a group cell, over members who answered every item.
fn rwg(scorer: &Scorer, cell: &Cell, d: usize) -> Option<f64> {
    let layout = &scorer.layout.dimensions[d];
    let m = cell.complete[d];
    if m < 2 {
        return None;
    }
    let m = i128::from(m as i64);
    let variances: Vec<f64> = layout
        .items
        .iter()
        .map(|&i| {
            let (s, ss) = cell.complete_sums[i];
            let (s, ss) = (i128::from(s), i128::from(ss));
            (m * ss - s * s) as f64 / (m * (m - 1)) as f64
        })
        .collect();
    stats::rwg_j(&variances, layout.points)
}
