//! From accumulated cells to the statistics of every report: overall, per factor, per item, per
//! group, per wave and between consecutive waves, with small-cell suppression applied.

use serde::{Deserialize, Serialize};

use super::stats::{self, Change, Covariance, Moments, Reliability, Summary};
use super::{Breakdowns, Cell, CellKey, Composite, Labels, Scorer, suppression};
use crate::instrument::Instrument;

/// Settings of a scoring run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Cells (and overall rows) with fewer respondents than this report only their size.
    pub min_group_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_group_size: 3 }
    }
}

/// Statistics of a cell, or only its size when they may not be published: the cell is below the
/// threshold, or publishing it would let the others be subtracted down to a few respondents.
///
/// A suppressed cell has no field for any statistic, so none can leak into a report or chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reported<T> {
    /// Only the number of respondents is reported.
    Suppressed {
        /// Number of respondents (with a score, or with an answer for an item).
        n: u64,
    },
    /// Published.
    Shown(T),
}

/// Statistics that know how many respondents they are about.
pub trait Counted {
    /// Respondents with a score (or, for an item, with an answer).
    fn n(&self) -> u64;
}

impl Counted for u64 {
    fn n(&self) -> u64 {
        *self
    }
}

impl<T> Reported<T> {
    /// The statistics, if the cell is shown.
    pub fn shown(&self) -> Option<&T> {
        match self {
            Reported::Shown(t) => Some(t),
            Reported::Suppressed { .. } => None,
        }
    }

    /// Whether the cell is withheld.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Reported::Suppressed { .. })
    }
}

impl<T: Counted> Reported<T> {
    /// The cell's size, which is reported either way.
    pub fn n(&self) -> u64 {
        match self {
            Reported::Shown(t) => t.n(),
            Reported::Suppressed { n } => *n,
        }
    }

    /// `stats` when `published`, else only their size.
    fn decide(published: bool, stats: T) -> Self {
        if published {
            Reported::Shown(stats)
        } else {
            Reported::Suppressed { n: stats.n() }
        }
    }
}

/// Statistics of one dimension or factor over everyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeStats {
    /// Distribution of respondent scores.
    pub summary: Summary,
    /// Reliability over all rows.
    pub reliability: Reliability,
    /// Index into the instrument's bands of the band of the mean.
    pub band: Option<usize>,
}

/// Statistics of one item over everyone (after reverse keying).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Share of the answers in the top two points of the scale, as the statement is worded
    /// (before reverse keying); blank on scales of fewer than [`POLES_MIN_POINTS`] points.
    /// Releases stored before it existed have none.
    #[serde(default)]
    pub agree: Option<f64>,
    /// Share of the answers in the bottom two points of the scale, as worded; blank like `agree`.
    #[serde(default)]
    pub disagree: Option<f64>,
}

/// The fewest scale points with `agree` and `disagree`: below four, the top two and the bottom
/// two points overlap, and a middle answer would count as both.
pub const POLES_MIN_POINTS: u32 = 4;

impl Counted for CompositeStats {
    fn n(&self) -> u64 {
        self.summary.n
    }
}

impl Counted for ItemStats {
    fn n(&self) -> u64 {
        self.n
    }
}

impl Counted for CellStats {
    fn n(&self) -> u64 {
        self.summary.n
    }
}

/// Statistics of a dimension in one group or wave cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The respondents split one way (by group, wave or language), with what may be published of
/// each cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    /// Cell labels, in order of first appearance.
    pub names: Vec<String>,
    /// Per cell (as `names`), per dimension.
    pub dimensions: Vec<Vec<Reported<CellStats>>>,
    /// Per cell, per factor: the cell's size, shown or suppressed by the same rules. No report
    /// breaks factors down, but a respondent's factor scores beside their group would.
    pub factors: Vec<Vec<Reported<u64>>>,
}

/// Everything the reports show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Per dimension, in instrument order; suppressed when the total is below the threshold.
    pub dimensions: Vec<Reported<CompositeStats>>,
    /// Per factor, in instrument order; suppressed like dimensions, by its own `n`.
    pub factors: Vec<Reported<CompositeStats>>,
    /// Per item, in instrument order; suppressed when it has fewer answers than the threshold.
    pub items: Vec<Reported<ItemStats>>,
    /// By group.
    pub groups: Breakdown,
    /// By wave.
    pub waves: Breakdown,
    /// By the language the responses were answered in. Releases stored before languages were
    /// broken down have none.
    #[serde(default)]
    pub languages: Breakdown,
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
                let c = cell.pair(&self.layout, dimension, a, b).covariance()?;
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

/// The change of dimension `d` from wave `from_wave` to the next. `published` holds both sides'
/// summaries when both may be shown; otherwise only the sizes are reported, because the change
/// of a suppressed side would reveal its mean.
fn comparison(
    d: usize,
    from_wave: usize,
    (n_from, n_to): (u64, u64),
    published: Option<(&Summary, &Summary)>,
) -> Comparison {
    Comparison {
        dimension: d,
        from_wave,
        to_wave: from_wave + 1,
        n_from,
        n_to,
        change: published
            .map(|(from, to)| stats::change(moments(from), moments(to)))
            .unwrap_or_default(),
    }
}

impl Results {
    /// Per dimension, the change from `earlier` to these results, each scored alone (as waves 0
    /// and 1): the numbers scoring both together as two waves gives, without scoring either again.
    pub fn changes_since(&self, earlier: &Results) -> Vec<Comparison> {
        earlier
            .dimensions
            .iter()
            .zip(&self.dimensions)
            .enumerate()
            .map(|(d, (from, to))| {
                let published = from
                    .shown()
                    .zip(to.shown())
                    .map(|(from, to)| (&from.summary, &to.summary));
                comparison(d, 0, (from.n(), to.n()), published)
            })
            .collect()
    }

    /// These results with the waves of others in their place: each of `rounds` (a label, and
    /// results holding one wave) gives one wave, its cells as those results publish them, and
    /// the comparisons pair consecutive waves as [`Results::changes_since`] pairs two rounds. How
    /// a partnership's download shows every round exactly as the round's own release does.
    pub fn with_waves_of(mut self, rounds: &[(String, &Results)]) -> Results {
        let mut waves = Breakdown {
            names: Vec::new(),
            dimensions: Vec::new(),
            factors: Vec::new(),
        };
        for (label, results) in rounds {
            let own = &results.waves;
            if let (Some(dimensions), Some(factors)) = (own.dimensions.first(), own.factors.first())
            {
                waves.names.push(label.clone());
                waves.dimensions.push(dimensions.clone());
                waves.factors.push(factors.clone());
            }
        }
        let mut comparisons = Vec::new();
        for d in 0..self.dimensions.len() {
            for w in 1..waves.names.len() {
                let (from, to) = (&waves.dimensions[w - 1][d], &waves.dimensions[w][d]);
                let published = from
                    .shown()
                    .zip(to.shown())
                    .map(|(from, to)| (&from.summary, &to.summary));
                comparisons.push(comparison(d, w - 1, (from.n(), to.n()), published));
            }
        }
        self.waves = waves;
        self.comparisons = comparisons;
        self
    }
}

/// What the breakdowns need from the overall cell: each composite's `n`, and the threshold.
struct Totals {
    scored: Vec<u64>,
    threshold: u64,
}

/// A breakdown's cells, with their views of every dimension, before statistics are chosen.
struct Split {
    cells: Vec<Cell>,
    /// Per cell, per dimension.
    views: Vec<Vec<DimensionView>>,
    /// Per cell, per composite (dimensions then factors): whether it may be published.
    published: Vec<Vec<bool>>,
}

impl Scorer {
    /// Splits the rows by `labels`, `member(key, i)` saying whether a row is in cell i, and decides
    /// for every composite which cells may be published.
    fn split(
        &self,
        labels: &Labels,
        member: impl Fn(&CellKey, u32) -> bool,
        totals: &Totals,
    ) -> Split {
        let layout = &self.layout;
        let cells: Vec<Cell> = (0..labels.names().len() as u32)
            .map(|i| self.merged(|k| member(k, i)))
            .collect();
        let views = cells
            .iter()
            .map(|cell| {
                (0..layout.dimensions.len())
                    .map(|d| self.view(cell, &layout.composites[d], d))
                    .collect()
            })
            .collect();
        let mut published = vec![Vec::new(); cells.len()];
        for (c, composite) in layout.composites.iter().enumerate() {
            let sizes: Vec<(u64, &str)> = cells
                .iter()
                .zip(labels.names())
                .map(|(cell, name)| (composite.scored(&cell.histogram), name.as_str()))
                .collect();
            let decided = suppression::published(&sizes, totals.scored[c], totals.threshold);
            for (cell, shown) in published.iter_mut().zip(decided) {
                cell.push(shown);
            }
        }
        Split {
            cells,
            views,
            published,
        }
    }

    /// The published form of a split: dimension statistics from `stats`, factor sizes.
    fn breakdown(
        &self,
        labels: &Labels,
        split: &Split,
        stats: impl Fn(&Cell, usize, &DimensionView) -> CellStats,
    ) -> Breakdown {
        let dimension_count = self.layout.dimensions.len();
        let factors = &self.layout.composites[dimension_count..];
        Breakdown {
            names: labels.names().to_vec(),
            dimensions: split
                .cells
                .iter()
                .zip(&split.views)
                .zip(&split.published)
                .map(|((cell, views), published)| {
                    views
                        .iter()
                        .enumerate()
                        .map(|(d, view)| Reported::decide(published[d], stats(cell, d, view)))
                        .collect()
                })
                .collect(),
            factors: split
                .cells
                .iter()
                .zip(&split.published)
                .map(|(cell, published)| {
                    factors
                        .iter()
                        .zip(&published[dimension_count..])
                        .map(|(f, &shown)| Reported::decide(shown, f.scored(&cell.histogram)))
                        .collect()
                })
                .collect(),
        }
    }
}

pub(super) fn compute(
    scorer: &Scorer,
    instrument: &Instrument,
    labels: &Breakdowns<'_>,
    options: &Options,
) -> Results {
    let Breakdowns {
        groups,
        waves,
        languages,
    } = *labels;
    let layout = &scorer.layout;
    let everyone = scorer.merged(|_| true);
    let dimension_count = layout.dimensions.len();
    let threshold = options.min_group_size;
    let large = |n: u64| n >= threshold;

    let mut dimensions = Vec::with_capacity(dimension_count);
    let mut dimension_covariances = Vec::with_capacity(dimension_count);
    for (d, composite) in layout.composites[..dimension_count].iter().enumerate() {
        let view = scorer.view(&everyone, composite, d);
        let stats = CompositeStats {
            reliability: view
                .covariance
                .as_ref()
                .map(|c| stats::reliability(c, everyone.rows))
                .unwrap_or_default(),
            band: band(instrument, &view.summary),
            summary: view.summary,
        };
        dimensions.push(Reported::decide(large(stats.summary.n), stats));
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
            let stats = CompositeStats {
                reliability: covariance
                    .map(|c| stats::reliability(&c, everyone.rows))
                    .unwrap_or_default(),
                band: band(instrument, &summary),
                summary,
            };
            Reported::decide(large(stats.summary.n), stats)
        })
        .collect();

    let items = (0..layout.items.len())
        .map(|i| {
            let item = layout.items[i];
            let diagonal = everyone.pair(layout, item.dimension, item.position, item.position);
            let n = diagonal.n as u64;
            let covariance = dimension_covariances[item.dimension].as_ref();
            let wide = instrument.item_scale(i).points() >= POLES_MIN_POINTS;
            let (agree, disagree) =
                everyone.poles[layout.dimensions[item.dimension].item_base + item.position];
            let share = |count: u64| (wide && n > 0).then(|| count as f64 / n as f64);
            let stats = ItemStats {
                n,
                mean: (n > 0).then(|| diagonal.sx as f64 / n as f64),
                sd: diagonal.covariance().map(f64::sqrt),
                r_drop: covariance.and_then(|c| stats::r_drop(c, item.position)),
                alpha_if_deleted: covariance
                    .and_then(|c| stats::alpha_if_deleted(c, item.position)),
                agree: share(agree),
                disagree: share(disagree),
            };
            Reported::decide(large(n), stats)
        })
        .collect();

    let totals = Totals {
        scored: layout
            .composites
            .iter()
            .map(|c| c.scored(&everyone.histogram))
            .collect(),
        threshold,
    };
    let by_group = scorer.split(groups, |k, g| k.group == Some(g), &totals);
    let groups_breakdown = scorer.breakdown(groups, &by_group, |cell, d, view| CellStats {
        summary: view.summary,
        rwg_j: rwg(scorer, cell, d),
        alpha: None,
        band: band(instrument, &view.summary),
    });
    let by_wave = scorer.split(waves, |k, w| k.wave == Some(w), &totals);
    let waves_breakdown = scorer.breakdown(waves, &by_wave, |cell, _, view| CellStats {
        summary: view.summary,
        rwg_j: None,
        alpha: view
            .covariance
            .as_ref()
            .and_then(|c| stats::reliability(c, cell.rows).alpha),
        band: band(instrument, &view.summary),
    });

    // Languages are split as groups are, and suppressed by the same rules; no agreement, which
    // is about people who work together.
    let by_language = scorer.split(languages, |k, l| k.language == Some(l), &totals);
    let languages_breakdown = scorer.breakdown(languages, &by_language, |_, _, view| CellStats {
        summary: view.summary,
        rwg_j: None,
        alpha: None,
        band: band(instrument, &view.summary),
    });

    let mut comparisons = Vec::new();
    for d in 0..dimension_count {
        for w in 1..by_wave.cells.len() {
            let (from, to) = (&by_wave.views[w - 1][d], &by_wave.views[w][d]);
            let published = (by_wave.published[w - 1][d] && by_wave.published[w][d])
                .then_some((&from.summary, &to.summary));
            comparisons.push(comparison(
                d,
                w - 1,
                (from.summary.n, to.summary.n),
                published,
            ));
        }
    }

    Results {
        dimensions,
        factors,
        items,
        groups: groups_breakdown,
        waves: waves_breakdown,
        languages: languages_breakdown,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::load_str;
    use crate::scoring::{Answer, one_cell};

    /// `trust`: `plain` and reverse-keyed `wasteful` on a 0..4 scale (a missing answer is held
    /// as 0 while scoring, the scale's lowest point); `pace`: `quick` on a 1..3 scale.
    fn instrument() -> Instrument {
        let toml = "id = \"t\"\nversion = \"1\"\ntitle = \"t\"\ndescription = \"t\"\n\
            [scales.five]\nvalues = [0, 1, 2, 3, 4]\nlabels = [\"a\", \"b\", \"c\", \"d\", \"e\"]\n\
            [scales.three]\nvalues = [1, 2, 3]\nlabels = [\"a\", \"b\", \"c\"]\n\
            [[dimensions]]\nid = \"trust\"\ntitle = \"T\"\n\
            [[dimensions]]\nid = \"pace\"\ntitle = \"P\"\n\
            [[bands]]\nlabel = \"High\"\nmin = 2\n[[bands]]\nlabel = \"Low\"\nmin = 1\n\
            [[items]]\nid = \"plain\"\ntext = \"x\"\nscale = \"five\"\ndimension = \"trust\"\n\
            [[items]]\nid = \"wasteful\"\ntext = \"x\"\nscale = \"five\"\ndimension = \"trust\"\n\
            reverse = true\n\
            [[items]]\nid = \"quick\"\ntext = \"x\"\nscale = \"three\"\ndimension = \"pace\"\n";
        load_str("agree.toml", toml).expect("the test instrument is valid")
    }

    fn results(rows: &[[Answer; 3]], min_group_size: u64) -> Results {
        one_cell(&instrument(), rows, &Options { min_group_size })
    }

    fn shares(results: &Results, item: usize) -> (Option<f64>, Option<f64>) {
        let stats = results.items[item].shown().expect("the item is shown");
        (stats.agree, stats.disagree)
    }

    #[test]
    fn agree_and_disagree_are_shares_of_the_answers_as_the_statements_are_worded() {
        let rows = [
            [Some(3), Some(4), Some(3)],
            [Some(4), Some(4), Some(3)],
            [Some(0), Some(3), Some(1)],
            [Some(2), Some(1), Some(2)],
            [None, None, None],
        ];
        let results = results(&rows, 1);
        // plain: 3, 4, 0, 2 of four answers; the missing one is not a 0.
        assert_eq!(shares(&results, 0), (Some(0.5), Some(0.25)));
        // wasteful, reverse-keyed: answered 4, 4, 3, 1 (keyed 0, 0, 1, 3). Three agree that
        // meetings are a waste of time, whatever that does to the trust score.
        assert_eq!(shares(&results, 1), (Some(0.75), Some(0.25)));
        let wasteful = results.items[1].shown().unwrap();
        assert_eq!(wasteful.mean, Some(1.0));
    }

    #[test]
    fn a_scale_of_three_points_has_no_agree_or_disagree() {
        let results = results(&[[Some(3), Some(3), Some(3)]; 4], 1);
        let quick = results.items[2].shown().unwrap();
        assert_eq!((quick.n, quick.mean), (4, Some(3.0)));
        assert_eq!((quick.agree, quick.disagree), (None, None));
    }

    #[test]
    fn an_item_nobody_answered_has_no_shares_even_when_shown() {
        let results = results(&[[Some(1), None, Some(2)]; 3], 0);
        assert_eq!(results.items[1].n(), 0);
        assert_eq!(shares(&results, 1), (None, None));
        assert_eq!(shares(&results, 0), (Some(0.0), Some(1.0)));
    }

    #[test]
    fn an_item_with_fewer_answers_than_the_threshold_publishes_no_shares() {
        let rows = [
            [Some(4), Some(4), Some(3)],
            [Some(4), None, Some(3)],
            [Some(4), None, Some(3)],
        ];
        let results = results(&rows, 3);
        assert!(
            results.items[0]
                .shown()
                .is_some_and(|s| s.agree == Some(1.0))
        );
        assert_eq!(results.items[1], Reported::Suppressed { n: 1 });
    }

    #[test]
    fn figures_stored_before_agree_and_disagree_load_with_them_blank() {
        let rows = [[Some(4), Some(0), Some(2)]; 3];
        let fresh = results(&rows, 1);
        // A release body as stored before the shares existed: every item without them.
        let mut stored = serde_json::to_value(&fresh).unwrap();
        for item in stored["items"].as_array_mut().unwrap() {
            let stats = item["Shown"].as_object_mut().unwrap();
            assert!(stats.remove("agree").is_some() && stats.remove("disagree").is_some());
        }
        let loaded: Results = serde_json::from_value(stored).unwrap();
        let mut expected = fresh.clone();
        for item in &mut expected.items {
            if let Reported::Shown(stats) = item {
                stats.agree = None;
                stats.disagree = None;
            }
        }
        assert_ne!(expected, fresh);
        assert_eq!(loaded, expected);
    }
}
