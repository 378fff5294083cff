//! What a facilitator's dashboard shows, computed and formatted for display.
//!
//! Templates receive finished numbers (two decimals, intervals, p-values) and typed notices
//! ([`Warning`], [`Transition`]) which they put into words from the message catalogue, so no
//! interface sentence lives here.

use super::chart::{BandMark, ChartRow, interval_chart};
use crate::instrument::{Instrument, Texts};
use crate::scoring::stats::Summary;
use crate::scoring::{Breakdown, Comparison, Reported, Results};

/// Alpha below this suggests the items of a dimension do not measure one thing.
pub const LOW_ALPHA: f64 = 0.7;
/// Alpha from this on: the items of a dimension go together well.
pub const GOOD_ALPHA: f64 = 0.8;
/// Fewer scored respondents than this make an interval wide.
pub const SMALL_SAMPLE: u64 = 10;
/// A corrected item-total correlation below this marks an item that fits its dimension poorly.
pub const WEAK_ITEM: f64 = 0.3;

/// Something the facilitator should know before trusting a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// Cronbach's alpha is low (formatted value).
    LowAlpha(String),
    /// Few respondents have a score.
    SmallSample(u64),
}

/// How well the answers to a dimension's statements go together, when that is not a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    /// Alpha of at least [`GOOD_ALPHA`].
    Good,
    /// Alpha from [`LOW_ALPHA`] to [`GOOD_ALPHA`].
    Enough,
}

/// How a dimension's band changed since the previous round.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    /// Reached the top band (e.g. "became a strength").
    BecameTop(String),
    /// Left the top band.
    LeftTop(String),
    /// Moved to a higher band.
    Up(String, String),
    /// Moved to a lower band.
    Down(String, String),
}

/// One dimension's headline.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionCard {
    /// Dimension id.
    pub id: String,
    /// Dimension title.
    pub title: String,
    /// Respondents with a score.
    pub n: u64,
    /// Mean, two decimals (empty without scores).
    pub mean: String,
    /// 95 % interval, e.g. "3.58–3.86" (empty when undefined).
    pub ci: String,
    /// The interval's ends, two decimals each (empty when undefined).
    pub ci_ends: (String, String),
    /// Band label (empty without one).
    pub band: String,
    /// Band description.
    pub band_description: String,
    /// The averages the band covers: its lower bound and the next band's (or the scale's top),
    /// e.g. ("3", "4") (empty without a band).
    pub band_range: (String, String),
    /// Alpha, two decimals.
    pub alpha: String,
    /// How well the statements go together, when alpha is not low (a low one is a warning).
    pub consistency: Option<Consistency>,
    /// Notices about this dimension.
    pub warnings: Vec<Warning>,
    /// Factor rows of this dimension.
    pub factors: Vec<FactorRow>,
    /// Change since the previous round, if there is one to compare.
    pub change: Option<ChangeRow>,
    /// Fewer respondents than the round's minimum group size: nothing but n is shown.
    pub suppressed: bool,
}

/// A factor's line.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorRow {
    /// Factor title.
    pub title: String,
    /// Respondents with a score.
    pub n: u64,
    /// Mean, two decimals.
    pub mean: String,
    /// 95 % interval.
    pub ci: String,
    /// Band label.
    pub band: String,
    /// Fewer respondents than the round's minimum group size: nothing but n is shown.
    pub suppressed: bool,
}

/// Change of a dimension since the previous round.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// Label of the previous round.
    pub from_wave: String,
    /// Previous mean, two decimals.
    pub from_mean: String,
    /// Signed difference, e.g. "+0.32".
    pub diff: String,
    /// Welch p-value, e.g. "0.012" or "< 0.001".
    pub p: String,
    /// Cohen's d, two decimals.
    pub d: String,
    /// Band change, if the band changed.
    pub transition: Option<Transition>,
    /// Whether either round was too small to compare (then only sizes are shown).
    pub suppressed: bool,
}

/// A sector's line for one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorRow {
    /// Sector label.
    pub sector: String,
    /// Respondents with a score.
    pub n: u64,
    /// Mean (empty when suppressed).
    pub mean: String,
    /// 95 % interval (empty when suppressed).
    pub ci: String,
    /// Within-group agreement rwg(j), two decimals.
    pub rwg: String,
    /// Band label.
    pub band: String,
    /// Fewer respondents than the round's minimum group size: nothing but n is shown.
    pub suppressed: bool,
}

/// The sector breakdown of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorTable {
    /// Dimension title.
    pub title: String,
    /// One row per sector.
    pub rows: Vec<SectorRow>,
    /// The rows as a chart.
    pub chart: String,
}

/// An item's line of the item analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    /// Item id.
    pub id: String,
    /// Item text.
    pub text: String,
    /// Dimension title.
    pub dimension: String,
    /// Whether it is reverse-keyed.
    pub reverse: bool,
    /// Answers.
    pub n: u64,
    /// Mean after reverse keying.
    pub mean: String,
    /// Standard deviation.
    pub sd: String,
    /// Corrected item-total correlation.
    pub r_drop: String,
    /// Alpha of its dimension without it.
    pub alpha_if_deleted: String,
    /// Share agreeing with the statement as worded, a whole percent (e.g. "64 %").
    pub agree: String,
    /// Share disagreeing with the statement as worded, a whole percent.
    pub disagree: String,
    /// It relates weakly to the rest of its dimension.
    pub weak: bool,
    /// Fewer answers than the round's minimum group size: nothing but n is shown.
    pub suppressed: bool,
}

/// Everything on a round's dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// One card per dimension.
    pub dimensions: Vec<DimensionCard>,
    /// Dimension means with intervals and bands.
    pub chart: String,
    /// One table per dimension.
    pub sectors: Vec<SectorTable>,
    /// One table per dimension, by the language responses were answered in (no charts).
    pub languages: Vec<SectorTable>,
    /// Item analysis.
    pub items: Vec<ItemRow>,
}

/// A number with two decimals, or empty.
pub fn two(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// A share (0..1) as a whole percent, e.g. "64 %" (with a no-break space), or empty.
pub fn percent(x: Option<f64>) -> String {
    x.map(|v| format!("{:.0}\u{a0}%", v * 100.0))
        .unwrap_or_default()
}

fn interval(lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{lo:.2}–{hi:.2}"),
        _ => String::new(),
    }
}

/// A p-value for display.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => String::new(),
    }
}

/// The averages band `band` of dimension `d` covers: from its lower bound to the next higher
/// band's, or to the top of the dimension's scale.
fn band_range(instrument: &Instrument, d: usize, band: Option<usize>) -> (String, String) {
    let Some(b) = band else {
        return Default::default();
    };
    let top = instrument.scales[instrument.dimensions[d].scale].max;
    // Bands are sorted by descending lower bound: the one before is the next higher.
    let to = b
        .checked_sub(1)
        .map_or(f64::from(top), |higher| instrument.bands[higher].min);
    // Written as the chart's band marks write them ("Strength ≥ 4").
    (instrument.bands[b].min.to_string(), to.to_string())
}

/// A group as partners saw it: the label in `texts` (one of `instrument`'s languages) of the
/// profile option with that code, or the group's own text when it is none of them (a sector
/// typed in on a partner list or a file).
pub fn group_label(instrument: &Instrument, texts: &Texts, group: &str) -> String {
    instrument
        .profile
        .as_ref()
        .and_then(|profile| {
            texts
                .profile_options(profile)
                .find(|(code, _)| *code == group)
        })
        .map_or_else(|| group.to_string(), |(_, label)| label.to_string())
}

fn band_text(instrument: &Instrument, band: Option<usize>) -> (String, String) {
    band.map(|b| {
        let band = &instrument.bands[b];
        (
            instrument.texts().band_label(band).to_string(),
            instrument
                .texts()
                .band_description(band)
                .unwrap_or_default()
                .to_string(),
        )
    })
    .unwrap_or_default()
}

/// The band change between two band indices (0 is the top band).
pub fn transition(
    instrument: &Instrument,
    from: Option<usize>,
    to: Option<usize>,
) -> Option<Transition> {
    let (from, to) = (from?, to?);
    let label = |b: usize| {
        instrument
            .texts()
            .band_label(&instrument.bands[b])
            .to_string()
    };
    match (from, to) {
        _ if from == to => None,
        (_, 0) => Some(Transition::BecameTop(label(0))),
        (0, _) => Some(Transition::LeftTop(label(0))),
        _ if to < from => Some(Transition::Up(label(from), label(to))),
        _ => Some(Transition::Down(label(from), label(to))),
    }
}

fn note(summary: &Summary, band: &str) -> String {
    let mut note = two(summary.mean);
    let ci = interval(summary.ci_low, summary.ci_high);
    if !ci.is_empty() {
        note.push_str(&format!(" ({ci})"));
    }
    if !band.is_empty() {
        note.push_str(&format!(" · {band}"));
    }
    note.push_str(&format!(" · n = {}", summary.n));
    note
}

/// A chart's row: the summary's mean and interval when shown, else a note of the row's size.
fn chart_row(
    label: String,
    n: u64,
    summary: Option<&Summary>,
    band: &str,
    text: &ChartText,
) -> ChartRow {
    ChartRow {
        label,
        mean: summary.and_then(|s| s.mean),
        ci_low: summary.and_then(|s| s.ci_low),
        ci_high: summary.and_then(|s| s.ci_high),
        note: summary.map_or_else(
            || text.too_few.replace("{n}", &n.to_string()),
            |s| note(s, band),
        ),
    }
}

fn band_marks(instrument: &Instrument) -> Vec<BandMark> {
    instrument
        .bands
        .iter()
        .map(|b| BandMark {
            min: b.min,
            label: instrument.texts().band_label(b).to_string(),
        })
        .collect()
}

/// The words inside the charts, from the interface's message catalogue.
#[derive(Debug, Clone)]
pub struct ChartText {
    /// Title of the dimensions chart.
    pub title: String,
    /// Title of a sector chart; `{dimension}` is replaced by the dimension's title.
    pub by_sector: String,
    /// Note of a suppressed row; `{n}` is replaced by its size.
    pub too_few: String,
    /// A language's name from its tag ("Español" for `es`).
    pub language_name: fn(&str) -> String,
}

/// The previous round to compare with, scored alone with this round's options.
pub struct Previous<'a> {
    /// The previous round's results.
    pub results: &'a Results,
    /// The change of each dimension since then ([`Results::changes_since`]).
    pub changes: &'a [Comparison],
}

/// Builds the dashboard of a round from its results (and the previous round's, if comparable).
pub fn build(
    instrument: &Instrument,
    results: &Results,
    previous: Option<Previous<'_>>,
    text: &ChartText,
) -> Dashboard {
    let scale = |d: usize| &instrument.scales[instrument.dimensions[d].scale];
    let mut dimensions = Vec::new();
    let mut chart_rows = Vec::new();
    for (d, (dimension, reported)) in instrument
        .dimensions
        .iter()
        .zip(&results.dimensions)
        .enumerate()
    {
        let stats = reported.shown();
        let summary = stats.map(|s| &s.summary);
        let (band, band_description) = band_text(instrument, stats.and_then(|s| s.band));
        let mut warnings = Vec::new();
        if let Some(alpha) = stats
            .and_then(|s| s.reliability.alpha)
            .filter(|&a| a < LOW_ALPHA)
        {
            warnings.push(Warning::LowAlpha(two(Some(alpha))));
        }
        if stats.is_some() && reported.n() < SMALL_SAMPLE {
            warnings.push(Warning::SmallSample(reported.n()));
        }
        let factors = dimension
            .factors
            .iter()
            .map(|&f| {
                let reported = &results.factors[f];
                let shown = reported.shown();
                FactorRow {
                    title: instrument
                        .texts()
                        .factor_title(&instrument.factors[f])
                        .to_string(),
                    n: reported.n(),
                    mean: two(shown.and_then(|s| s.summary.mean)),
                    ci: shown.map_or_else(String::new, |s| {
                        interval(s.summary.ci_low, s.summary.ci_high)
                    }),
                    band: band_text(instrument, shown.and_then(|s| s.band)).0,
                    suppressed: shown.is_none(),
                }
            })
            .collect();
        let change = previous
            .as_ref()
            .and_then(|p| change_row(instrument, results, p, d));
        let consistency = stats
            .and_then(|s| s.reliability.alpha)
            .and_then(|alpha| match alpha {
                a if a >= GOOD_ALPHA => Some(Consistency::Good),
                a if a >= LOW_ALPHA => Some(Consistency::Enough),
                _ => None,
            });
        let dimension_title = instrument.texts().dimension_title(dimension).to_string();
        chart_rows.push(chart_row(
            dimension_title.clone(),
            reported.n(),
            summary,
            &band,
            text,
        ));
        dimensions.push(DimensionCard {
            id: dimension.id.clone(),
            title: dimension_title,
            n: reported.n(),
            mean: two(summary.and_then(|s| s.mean)),
            ci: summary.map_or_else(String::new, |s| interval(s.ci_low, s.ci_high)),
            ci_ends: summary
                .filter(|s| s.ci_low.is_some() && s.ci_high.is_some())
                .map_or_else(Default::default, |s| (two(s.ci_low), two(s.ci_high))),
            band,
            band_description,
            band_range: band_range(instrument, d, stats.and_then(|s| s.band)),
            alpha: two(stats.and_then(|s| s.reliability.alpha)),
            consistency,
            warnings,
            factors,
            change,
            suppressed: stats.is_none(),
        });
    }
    let marks = band_marks(instrument);
    let (lo, hi) = instrument.dimensions.first().map_or((1.0, 5.0), |_| {
        (f64::from(scale(0).min), f64::from(scale(0).max))
    });
    let chart = interval_chart("chart-dimensions", &text.title, &chart_rows, lo, hi, &marks);
    let sectors = breakdown_tables(
        instrument,
        &results.groups,
        |name| group_label(instrument, instrument.texts(), name),
        Some(text),
        &marks,
    );
    // By language, without charts: a facilitator compares a few languages at a glance.
    let languages = breakdown_tables(
        instrument,
        &results.languages,
        text.language_name,
        None,
        &marks,
    );
    let items = instrument
        .items
        .iter()
        .zip(&results.items)
        .map(|(item, reported)| {
            let stats = reported.shown();
            let r_drop = stats.and_then(|s| s.r_drop);
            ItemRow {
                id: item.id.clone(),
                text: instrument.texts().item_text(item).to_string(),
                dimension: instrument
                    .texts()
                    .dimension_title(&instrument.dimensions[item.dimension])
                    .to_string(),
                reverse: item.reverse,
                n: reported.n(),
                mean: two(stats.and_then(|s| s.mean)),
                sd: two(stats.and_then(|s| s.sd)),
                r_drop: two(r_drop),
                alpha_if_deleted: two(stats.and_then(|s| s.alpha_if_deleted)),
                agree: percent(stats.and_then(|s| s.agree)),
                disagree: percent(stats.and_then(|s| s.disagree)),
                weak: r_drop.is_some_and(|r| r < WEAK_ITEM),
                suppressed: stats.is_none(),
            }
        })
        .collect();
    Dashboard {
        dimensions,
        chart,
        sectors,
        languages,
        items,
    }
}

/// Per dimension, a table of the cells of `breakdown`, each labelled by `label` of its name,
/// with a chart of them when `charts` gives the chart texts.
fn breakdown_tables(
    instrument: &Instrument,
    breakdown: &Breakdown,
    label: impl Fn(&str) -> String,
    charts: Option<&ChartText>,
    marks: &[BandMark],
) -> Vec<SectorTable> {
    let scale = |d: usize| &instrument.scales[instrument.dimensions[d].scale];
    instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dimension)| {
            let rows: Vec<SectorRow> = breakdown
                .names
                .iter()
                .zip(&breakdown.dimensions)
                .map(|(name, cells)| match &cells[d] {
                    Reported::Suppressed { n } => SectorRow {
                        sector: label(name),
                        n: *n,
                        mean: String::new(),
                        ci: String::new(),
                        rwg: String::new(),
                        band: String::new(),
                        suppressed: true,
                    },
                    Reported::Shown(c) => SectorRow {
                        sector: label(name),
                        n: c.summary.n,
                        mean: two(c.summary.mean),
                        ci: interval(c.summary.ci_low, c.summary.ci_high),
                        rwg: two(c.rwg_j),
                        band: band_text(instrument, c.band).0,
                        suppressed: false,
                    },
                })
                .collect();
            let dimension_title = instrument.texts().dimension_title(dimension).to_string();
            let chart = charts.map_or_else(String::new, |text| {
                let chart_rows: Vec<ChartRow> = breakdown
                    .dimensions
                    .iter()
                    .zip(&rows)
                    .map(|(cells, row)| {
                        let summary = cells[d].shown().map(|c| &c.summary);
                        chart_row(row.sector.clone(), row.n, summary, &row.band, text)
                    })
                    .collect();
                let (lo, hi) = (f64::from(scale(d).min), f64::from(scale(d).max));
                interval_chart(
                    &format!("chart-sectors-{}", dimension.id),
                    &text.by_sector.replace("{dimension}", &dimension_title),
                    &chart_rows,
                    lo,
                    hi,
                    marks,
                )
            });
            SectorTable {
                chart,
                title: dimension_title,
                rows,
            }
        })
        .collect()
}

/// The change of dimension `d`, when both rounds have responses.
fn change_row(
    instrument: &Instrument,
    results: &Results,
    previous: &Previous<'_>,
    d: usize,
) -> Option<ChangeRow> {
    let from_wave = previous.results.waves.names.first()?;
    let from = previous.results.waves.dimensions.first()?[d].shown();
    let to = results.waves.dimensions.first()?[d].shown();
    let ch = &previous.changes.iter().find(|c| c.dimension == d)?.change;
    Some(ChangeRow {
        from_wave: from_wave.clone(),
        from_mean: two(from.and_then(|c| c.summary.mean)),
        diff: ch.mean_diff.map(|x| format!("{x:+.2}")).unwrap_or_default(),
        p: p_value(ch.p),
        d: two(ch.cohens_d),
        transition: transition(
            instrument,
            from.and_then(|c| c.band),
            to.and_then(|c| c.band),
        ),
        suppressed: from.is_none() || to.is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_transitions_name_the_direction() {
        let instrument = crate::instrument::Library::shipped()
            .unwrap()
            .get("collaboration-factors")
            .unwrap()
            .clone();
        let strength = instrument.bands[0].min;
        assert_eq!(strength, 4.0);
        assert_eq!(
            transition(&instrument, Some(1), Some(0)),
            Some(Transition::BecameTop("Strength".into()))
        );
        assert_eq!(
            transition(&instrument, Some(0), Some(1)),
            Some(Transition::LeftTop("Strength".into()))
        );
        assert_eq!(
            transition(&instrument, Some(2), Some(1)),
            Some(Transition::Up("Concern".into(), "Borderline".into()))
        );
        assert_eq!(
            transition(&instrument, Some(1), Some(2)),
            Some(Transition::Down("Borderline".into(), "Concern".into()))
        );
        assert_eq!(transition(&instrument, Some(1), Some(1)), None);
        assert_eq!(transition(&instrument, None, Some(1)), None);
    }

    #[test]
    fn shares_are_shown_as_whole_percents_or_not_at_all() {
        assert_eq!(percent(Some(29.0 / 55.0)), "53\u{a0}%");
        assert_eq!(percent(Some(0.0)), "0\u{a0}%");
        assert_eq!(percent(Some(1.0)), "100\u{a0}%");
        assert_eq!(percent(None), "");
    }

    #[test]
    fn p_values_are_shown_to_three_places_or_as_a_bound() {
        assert_eq!(p_value(Some(0.0123)), "0.012");
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(p_value(None), "");
    }
}
