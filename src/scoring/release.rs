//! Releases: a round's figures published as numbered snapshots, never recomputed per view
//! (design section 3, *Releases* and *No solvable respondent*).
//!
//! A response joins the figures in the release that first includes it (its *batch*). A new
//! release is scored over every batch so far, then three rules make it safe to put beside the
//! earlier ones:
//! - **Carry.** A published cell whose `n` grew by 1 to threshold − 1 since the last release that
//!   published it repeats that release's figures: the difference of two releases is then never
//!   the answers of fewer than the threshold.
//! - **Audit.** Respondents with the same membership in every published cell form a class
//!   (their group and batch). For each variable, no class of fewer than the threshold may have
//!   its indicator vector in the row space of the published cells' membership matrix, over every
//!   release: the sum of its members' scores would be determined. (The design asks this of
//!   classes of one respondent; two partners' sum is not much safer, so the threshold applies.)
//!   While one does, a further cell of the new release repeats its earlier figures, or is
//!   withheld if it has none.
//! - **Rows.** Respondent-level rows are listed only up to a batch at which every label class
//!   (a published group, or no group shown, with a published language, or none shown) grew by 0
//!   or at least the threshold.
//!
//! Languages are a breakdown like groups: a class is a group, a language and a batch, and the
//! language cells count in the carry and the audit as the group cells do, so subtracting a
//! language from a sector isolates nobody either.
//!
//! Membership is over classes, not respondents, so the audit costs the same for ten responses or
//! a million. Ranks are computed exactly in arithmetic modulo the prime 2⁶¹ − 1: a combination
//! over the rationals survives reduction modulo a prime, so no solvable respondent is missed
//! unless the prime divides one of the elimination's denominators (at most one chance in 2⁵⁰ for
//! the matrices of a round); an error the other way only withholds one cell more.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{
    Breakdown, Breakdowns, CellCounts, CellKey, CellStats, CompositeStats, ItemStats, Labels,
    Options, Reported, Results, Scorer,
};
use crate::instrument::Instrument;

/// Where a published cell is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Place {
    /// Everyone.
    Overall,
    /// One group (sector).
    Group(String),
    /// One wave: in a round, everyone again.
    Wave(String),
    /// The responses answered in one language (a tag).
    Language(String),
}

/// A cell of a release: one variable (dimensions, factors, then items, in instrument order) in
/// one place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellId {
    /// Index of the variable: dimensions, then factors, then items.
    pub variable: usize,
    /// Where.
    pub place: Place,
}

/// One publication of a round's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// 1 for the first release of a round, then 2, …
    pub number: i64,
    /// What is published.
    pub figures: Results,
    /// Every published cell with the release whose respondents its figures are about: this one,
    /// or an earlier one whose figures it repeats.
    pub as_of: Vec<(CellId, i64)>,
    /// Respondent-level rows and comments are listed for the responses of batches up to this
    /// release number (0: none).
    pub rows_through: i64,
    /// Responses in this release's batches so far.
    pub responses: u64,
}

impl Release {
    /// The release whose respondents the cell `id` is about, if it is published.
    pub fn as_of(&self, id: &CellId) -> Option<i64> {
        self.as_of.iter().find(|(c, _)| c == id).map(|&(_, r)| r)
    }

    /// The last of `earlier` releases that published the cell `id` (its index), with the release
    /// its figures are about.
    fn last_publishing(earlier: &[Release], id: &CellId) -> Option<(usize, i64)> {
        (0..earlier.len())
            .rev()
            .find_map(|i| Some((i, earlier[i].as_of(id)?)))
    }

    /// The groups a respondent's row may show: those published in every dimension and factor,
    /// or in an identified round every group.
    pub fn row_groups(&self, identified: bool) -> BTreeSet<String> {
        row_labels(&self.figures.groups, identified)
    }

    /// The languages a respondent's row may show, as [`Release::row_groups`] the groups.
    pub fn row_languages(&self, identified: bool) -> BTreeSet<String> {
        row_labels(&self.figures.languages, identified)
    }
}

/// The labels of `breakdown` a row may show: every one in an identified round, else those
/// published in every dimension and factor.
fn row_labels(breakdown: &Breakdown, identified: bool) -> BTreeSet<String> {
    if identified {
        breakdown.names.iter().cloned().collect()
    } else {
        shown(breakdown)
    }
}

/// The labels of `breakdown` published in every dimension and factor.
fn shown(breakdown: &Breakdown) -> BTreeSet<String> {
    breakdown
        .names
        .iter()
        .zip(breakdown.dimensions.iter().zip(&breakdown.factors))
        .filter(|(_, (dimensions, factors))| {
            dimensions.iter().all(|c| !c.is_suppressed())
                && factors.iter().all(|c| !c.is_suppressed())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// A mutable view of one cell of [`Results`], whichever table it is in.
enum CellMut<'a> {
    Composite(&'a mut Reported<CompositeStats>),
    Cell(&'a mut Reported<CellStats>),
    Size(&'a mut Reported<u64>),
    Item(&'a mut Reported<ItemStats>),
}

impl CellMut<'_> {
    fn n(&self) -> u64 {
        match self {
            CellMut::Composite(r) => r.n(),
            CellMut::Cell(r) => r.n(),
            CellMut::Size(r) => r.n(),
            CellMut::Item(r) => r.n(),
        }
    }

    fn is_suppressed(&self) -> bool {
        match self {
            CellMut::Composite(r) => r.is_suppressed(),
            CellMut::Cell(r) => r.is_suppressed(),
            CellMut::Size(r) => r.is_suppressed(),
            CellMut::Item(r) => r.is_suppressed(),
        }
    }

    fn suppress(&mut self) {
        let n = self.n();
        match self {
            CellMut::Composite(r) => **r = Reported::Suppressed { n },
            CellMut::Cell(r) => **r = Reported::Suppressed { n },
            CellMut::Size(r) => **r = Reported::Suppressed { n },
            CellMut::Item(r) => **r = Reported::Suppressed { n },
        }
    }

    /// Takes the figures of the same cell of an earlier release.
    fn repeat(&mut self, earlier: CellMut<'_>) {
        match (self, earlier) {
            (CellMut::Composite(to), CellMut::Composite(from)) => **to = from.clone(),
            (CellMut::Cell(to), CellMut::Cell(from)) => **to = from.clone(),
            (CellMut::Size(to), CellMut::Size(from)) => **to = from.clone(),
            (CellMut::Item(to), CellMut::Item(from)) => **to = from.clone(),
            _ => unreachable!("one cell id names one table"),
        }
    }
}

/// The variables of `results`: dimensions, factors, items.
fn variable_counts(results: &Results) -> (usize, usize, usize) {
    (
        results.dimensions.len(),
        results.factors.len(),
        results.items.len(),
    )
}

fn position(breakdown: &Breakdown, name: &str) -> Option<usize> {
    breakdown.names.iter().position(|n| n == name)
}

/// The cell `id` of `results`, if it has one.
fn cell<'a>(results: &'a mut Results, id: &CellId) -> Option<CellMut<'a>> {
    let (d, f, _) = variable_counts(results);
    let v = id.variable;
    let breakdown = |table: &'a mut Breakdown, name: &str| {
        let at = position(table, name)?;
        if v < d {
            Some(CellMut::Cell(&mut table.dimensions[at][v]))
        } else if v < d + f {
            Some(CellMut::Size(&mut table.factors[at][v - d]))
        } else {
            None
        }
    };
    match &id.place {
        Place::Overall if v < d => Some(CellMut::Composite(&mut results.dimensions[v])),
        Place::Overall if v < d + f => Some(CellMut::Composite(&mut results.factors[v - d])),
        Place::Overall => results.items.get_mut(v - d - f).map(CellMut::Item),
        Place::Group(name) => breakdown(&mut results.groups, name),
        Place::Wave(name) => breakdown(&mut results.waves, name),
        Place::Language(name) => breakdown(&mut results.languages, name),
    }
}

/// Every cell of `results`.
fn cell_ids(results: &Results) -> Vec<CellId> {
    let (d, f, i) = variable_counts(results);
    let mut ids = Vec::new();
    for variable in 0..d + f + i {
        ids.push(CellId {
            variable,
            place: Place::Overall,
        });
        if variable < d + f {
            for name in &results.groups.names {
                ids.push(CellId {
                    variable,
                    place: Place::Group(name.clone()),
                });
            }
            for name in &results.waves.names {
                ids.push(CellId {
                    variable,
                    place: Place::Wave(name.clone()),
                });
            }
            for name in &results.languages.names {
                ids.push(CellId {
                    variable,
                    place: Place::Language(name.clone()),
                });
            }
        }
    }
    ids
}

/// Respondents who share their membership of every cell of a round: one group, one language,
/// one batch, and removed in the same release or not at all.
#[derive(Debug, Clone)]
struct Class {
    group: Option<String>,
    language: Option<String>,
    batch: i64,
    /// The release that first leaves them out.
    left: Option<i64>,
    counts: CellCounts,
}

impl Class {
    /// Whether the class counts in the figures of release `about`.
    fn counts_in(&self, about: i64) -> bool {
        counts_in(self.batch, self.left, about)
    }
}

/// Whether rows of `batch`, left out from release `left` on, count in release `about`.
fn counts_in(batch: i64, left: Option<i64>, about: i64) -> bool {
    batch <= about && left.is_none_or(|left| about < left)
}

/// A batch label: the release that first included a row, then `-` and the one that first left
/// it out, if any.
fn batch(label: &str) -> (i64, Option<i64>) {
    let parsed = match label.split_once('-') {
        Some((batch, left)) => batch.parse().ok().zip(left.parse().ok().map(Some)),
        None => label.parse().ok().map(|batch| (batch, None)),
    };
    parsed.expect("every row of a release has its batch")
}

/// The classes of a scorer whose cells are keyed by group, language and batch label (the
/// waves of `labels`).
fn classes(scorer: &Scorer, labels: &Breakdowns<'_>) -> Vec<Class> {
    let name = |names: &Labels, i: Option<u32>| i.map(|i| names.names()[i as usize].clone());
    scorer
        .cell_counts()
        .into_iter()
        .map(|(key, counts)| {
            let label = key
                .wave
                .map_or("", |w| labels.waves.names()[w as usize].as_str());
            let (batch, left) = batch(label);
            Class {
                group: name(labels.groups, key.group),
                language: name(labels.languages, key.language),
                batch,
                left,
                counts,
            }
        })
        .collect()
}

/// The round a release is made for.
#[derive(Debug, Clone, Copy)]
pub struct Round<'a> {
    /// The round's wave label.
    pub wave: &'a str,
    /// The number of the new release.
    pub number: i64,
    /// The round's threshold.
    pub options: Options,
    /// Whether answers are linked to organisations: then every row is listed.
    pub identified: bool,
}

/// Scores the new release of `round` from `scorer`, whose cells hold every response of the
/// round's batches so far keyed by group, language and batch (the batch, the number of the
/// release that first includes the row, as the wave label in `labels.waves`), beside the round's
/// `earlier` releases. `None` when it would publish nothing new: no cell whose figures are new,
/// and no new rows.
pub fn publish(
    instrument: &Instrument,
    scorer: &Scorer,
    labels: &Breakdowns<'_>,
    earlier: &[Release],
    round: &Round<'_>,
) -> Option<Release> {
    let (options, number, wave) = (&round.options, round.number, round.wave);
    let threshold = options.min_group_size;
    let classes = classes(scorer, labels);
    let batches = labels.waves;
    let (sorted, position) = labels.groups.sorted();
    let (languages, language_position) = labels.languages.sorted();
    let mut waves = Labels::default();
    let round_wave = waves.intern(wave);
    // Rows removed by this release are in the classes, for the audit, not in its figures.
    let current: Vec<bool> = batches
        .names()
        .iter()
        .map(|label| {
            let (batch, left) = batch(label);
            counts_in(batch, left, number)
        })
        .collect();
    let whole = scorer.rekeyed(|key| {
        key.wave
            .is_none_or(|w| current[w as usize])
            .then(|| CellKey {
                group: key.group.and_then(|g| position[g as usize]),
                wave: round_wave,
                language: key.language.and_then(|l| language_position[l as usize]),
            })
    });
    let published_labels = Breakdowns {
        groups: &sorted,
        waves: &waves,
        languages: &languages,
    };
    let mut figures = whole.finish(instrument, &published_labels, options);

    let mut published: Vec<Results> = earlier.iter().map(|r| r.figures.clone()).collect();
    let mut as_of = Vec::new();
    for id in cell_ids(&figures) {
        let Some(mut current) = cell(&mut figures, &id) else {
            continue;
        };
        if current.is_suppressed() {
            continue;
        }
        let Some((i, about)) = Release::last_publishing(earlier, &id) else {
            as_of.push((id, number));
            continue;
        };
        let before = cell(&mut published[i], &id).expect("a published cell exists");
        if current.n().abs_diff(before.n()) < threshold {
            current.repeat(before);
            as_of.push((id, about));
        } else {
            as_of.push((id, number));
        }
    }
    let mut release = Release {
        number,
        figures,
        as_of,
        rows_through: 0,
        responses: classes
            .iter()
            .filter(|c| c.counts_in(number))
            .map(|c| c.counts.rows)
            .sum(),
    };
    audit(&mut release, earlier, &classes, threshold);
    let previous_rows = earlier.last().map_or(0, |r| r.rows_through);
    release.rows_through = if round.identified {
        number
    } else {
        rows_through(&release, previous_rows, &classes, threshold)
    };
    let fresh = release.as_of.iter().any(|&(_, r)| r == number);
    (fresh || release.rows_through != previous_rows).then_some(release)
}

/// The last batch whose rows may be listed: `number` when every label class (each group shown
/// beside its rows, or none, with each language shown beside them, or none) grew by 0 or at
/// least the threshold since the rows last listed, and there are at least the threshold in all;
/// else as before.
fn rows_through(release: &Release, previous: i64, classes: &[Class], threshold: u64) -> i64 {
    let groups = shown(&release.figures.groups);
    let languages = shown(&release.figures.languages);
    let mut added: HashMap<(Option<&str>, Option<&str>), u64> = HashMap::new();
    let mut total = 0;
    for class in classes.iter().filter(|c| c.counts_in(release.number)) {
        total += class.counts.rows;
        if class.batch > previous {
            let group = class.group.as_deref().filter(|g| groups.contains(*g));
            let language = class.language.as_deref().filter(|l| languages.contains(*l));
            *added.entry((group, language)).or_default() += class.counts.rows;
        }
    }
    // Only new rows move the listing on: removed rows leave it at once, whatever the release.
    let grows = added.values().any(|&n| n > 0);
    let qualifies =
        grows && total >= threshold && added.values().all(|&n| n == 0 || n >= threshold);
    if qualifies { release.number } else { previous }
}

/// Withholds cells of the new release until no sum of fewer than `threshold` respondents' scores
/// of any variable is determined by the cells published in all releases.
fn audit(release: &mut Release, earlier: &[Release], classes: &[Class], threshold: u64) {
    let variables = classes.first().map_or(0, |c| c.counts.values.len());
    // Variables with the same memberships and counts give the same answer: most dimensions of a
    // round without missing answers.
    let mut clean: Vec<(Memberships, Vec<u64>)> = Vec::new();
    for variable in 0..variables {
        loop {
            let published = memberships(release, earlier, variable);
            let counts: Vec<u64> = classes.iter().map(|c| c.counts.values[variable]).collect();
            let key = (published, counts);
            if clean.contains(&key) {
                break;
            }
            let (published, counts) = &key;
            let Some(few) = solvable(published, classes, counts, threshold) else {
                clean.push(key);
                break;
            };
            if !withhold(release, earlier, variable, &classes[few]) {
                // Only earlier releases determine it; they are published already.
                break;
            }
        }
    }
}

/// Published cells by who they are about: a place, and the release whose batches they cover.
type Memberships = Vec<(Place, i64)>;

/// The distinct memberships of the published cells of `variable`.
fn memberships(release: &Release, earlier: &[Release], variable: usize) -> Memberships {
    let mut set = BTreeSet::new();
    for r in earlier.iter().chain(std::iter::once(release)) {
        for (id, about) in &r.as_of {
            if id.variable == variable {
                let place = match &id.place {
                    // A round has one wave: its cell is everyone, like the overall one.
                    Place::Wave(_) => Place::Overall,
                    other => other.clone(),
                };
                set.insert((place, *about));
            }
        }
    }
    set.into_iter().collect()
}

fn member(place: &Place, about: i64, class: &Class) -> bool {
    class.counts_in(about)
        && match place {
            Place::Group(g) => class.group.as_deref() == Some(g.as_str()),
            Place::Language(l) => class.language.as_deref() == Some(l.as_str()),
            Place::Overall | Place::Wave(_) => true,
        }
}

/// A class of fewer than `threshold` respondents whose indicator lies in the span of the
/// published memberships.
fn solvable(
    published: &[(Place, i64)],
    classes: &[Class],
    counts: &[u64],
    threshold: u64,
) -> Option<usize> {
    let columns: Vec<usize> = (0..classes.len()).filter(|&c| counts[c] > 0).collect();
    let mut span = Span::default();
    for (place, about) in published {
        span.insert(
            columns
                .iter()
                .map(|&c| u64::from(member(place, *about, &classes[c])))
                .collect(),
        );
    }
    columns
        .iter()
        .enumerate()
        .filter(|&(_, &c)| counts[c] < threshold)
        .find(|&(j, _)| {
            let mut unit = vec![0; columns.len()];
            unit[j] = 1;
            span.contains(unit)
        })
        .map(|(_, &c)| c)
}

/// Takes a new cell of the new release of `variable` back to the figures of the last release
/// that published it, or suppresses it if none did: the smallest that contains `class` (on a tie,
/// the place that sorts first), else the smallest of all, since a cell without the class can
/// single it out too (the total of an earlier release minus a new group). `false` when the new
/// release has no new cell of `variable` left.
fn withhold(release: &mut Release, earlier: &[Release], variable: usize, class: &Class) -> bool {
    let number = release.number;
    let figures = &mut release.figures;
    let candidate = release
        .as_of
        .iter()
        .filter(|(id, about)| *about == number && id.variable == variable)
        .map(|(id, _)| id.clone())
        .min_by_key(|id| {
            let n = cell(figures, id).map_or(0, |c| c.n());
            (!member(&id.place, number, class), n, id.place.clone())
        });
    let Some(id) = candidate else {
        return false;
    };
    release.as_of.retain(|(c, _)| *c != id);
    let Some(mut current) = cell(&mut release.figures, &id) else {
        return true;
    };
    match Release::last_publishing(earlier, &id) {
        Some((i, about)) => {
            let mut published = earlier[i].figures.clone();
            current.repeat(cell(&mut published, &id).expect("a published cell exists"));
            release.as_of.push((id, about));
        }
        None => current.suppress(),
    }
    true
}

/// The prime of the exact rank computations.
const PRIME: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(PRIME)) as u64
}

fn inverse(a: u64) -> u64 {
    // Fermat: a^(p−2) is a's inverse modulo the prime p.
    let (mut base, mut exponent, mut result) = (a, PRIME - 2, 1);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul(result, base);
        }
        base = mul(base, base);
        exponent >>= 1;
    }
    result
}

/// The span of rows over the integers modulo [`PRIME`], in echelon form: each row has a
/// leading 1 in its pivot column, and a 0 in the pivot columns of the rows before it.
#[derive(Default)]
struct Span {
    rows: Vec<(usize, Vec<u64>)>,
}

impl Span {
    /// Subtracts the rows from `v` in order, clearing their pivot columns.
    fn reduce(&self, v: &mut [u64]) {
        for (pivot, row) in &self.rows {
            let factor = v[*pivot];
            if factor != 0 {
                for (x, &r) in v.iter_mut().zip(row) {
                    *x = (*x + PRIME - mul(factor, r)) % PRIME;
                }
            }
        }
    }

    fn insert(&mut self, mut v: Vec<u64>) {
        self.reduce(&mut v);
        if let Some(pivot) = v.iter().position(|&x| x != 0) {
            let scale = inverse(v[pivot]);
            for x in &mut v {
                *x = mul(*x, scale);
            }
            self.rows.push((pivot, v));
        }
    }

    fn contains(&self, mut v: Vec<u64>) -> bool {
        self.reduce(&mut v);
        v.iter().all(|&x| x == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(rows: &[&[u64]]) -> Span {
        let mut span = Span::default();
        for row in rows {
            span.insert(row.to_vec());
        }
        span
    }

    #[test]
    fn a_difference_of_two_published_sums_is_in_their_span() {
        // Everyone (a, b, c) and a group (a, b): c alone is their difference.
        let span = span(&[&[1, 1, 1], &[1, 1, 0]]);
        assert!(span.contains(vec![0, 0, 1]));
        assert!(!span.contains(vec![1, 0, 0]));
        assert!(span.contains(vec![2, 2, 0]));
    }

    #[test]
    fn overlapping_groups_isolate_what_only_they_share() {
        // {a, b}, {b, c}, {a, c}: the three sums determine each of a, b and c.
        let span = span(&[&[1, 1, 0], &[0, 1, 1], &[1, 0, 1]]);
        for i in 0..3 {
            let mut unit = vec![0; 3];
            unit[i] = 1;
            assert!(span.contains(unit), "{i}");
        }
    }

    #[test]
    fn inverses_are_inverses() {
        for a in [1, 2, 3, 12345, PRIME - 1] {
            assert_eq!(mul(a, inverse(a)), 1);
        }
    }
}
