//! Scoring responses: per-respondent scores and the statistics of design section 3.
//!
//! Scoring streams. A [`Scorer`] takes one response at a time, returns its scores and folds it into
//! per-cell accumulators; [`Scorer::finish`] turns those into [`Results`]. Memory grows with the
//! number of groups and waves, never with the number of responses, because answers are small
//! integers: covariances are kept as exact integer sums, and score distributions as counts per
//! possible score (a score is `sum / answered`, so it takes finitely many values). Exact sums also
//! make the results independent of row order and of how the rows were split between threads.

pub mod release;
mod results;
pub mod stats;
pub mod suppression;
mod waves;

use std::collections::HashMap;

use crate::instrument::Instrument;

pub use waves::{WaveOrder, WaveOrderError, natural_cmp};

pub use results::{
    Breakdown, CellStats, Comparison, CompositeStats, Counted, ItemStats, Options,
    POLES_MIN_POINTS, Reported, Results,
};

/// A respondent's answer to one item: the scale value, or `None` when missing or non-substantive.
pub type Answer = Option<i16>;

/// A respondent's score on a dimension or factor: the sum of the (reverse-keyed) answered items
/// over how many were answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    /// Sum of the answered items, after reverse keying.
    pub sum: i32,
    /// Number of answered items (at least one).
    pub answered: u16,
}

impl Score {
    /// The score as a number: the mean of the answered items.
    pub fn value(self) -> f64 {
        f64::from(self.sum) / f64::from(self.answered)
    }
}

/// Reverse keying with the scale's own bounds: `x' = min + max − x`.
pub fn reverse_key(value: i16, min: i16, max: i16) -> i16 {
    min + max - value
}

/// A dimension or factor: the items it averages and its answered rule.
#[derive(Debug, Clone)]
struct Composite {
    items: Vec<usize>,
    /// By `answered` (0..=k): `None` when that many answered items are not enough for a score,
    /// else where in a cell's histogram a score's sum counts, less the sum.
    origins: Vec<Option<i64>>,
    lo: i32,
    hi: i32,
    /// Start of the counts for `answered = c` in this composite's histogram, at index c − 1.
    offsets: Vec<usize>,
    /// Start of this composite's histogram in a cell's histogram vector.
    base: usize,
}

impl Composite {
    /// The score of `answered` items summing to `sum`, when they are enough, counted in `cell`.
    fn record(&self, sum: i64, answered: u16, cell: &mut Cell) -> Option<Score> {
        let origin = self.origins[usize::from(answered)]?;
        // The slot is `slot(score)`, from one table: this runs for every score of every row.
        cell.histogram[(origin + sum) as usize] += 1;
        Some(Score {
            // At most a few dozen items of values within ±1000: the sum fits.
            sum: sum as i32,
            answered,
        })
    }

    fn slot(&self, score: Score) -> usize {
        let c = usize::from(score.answered);
        self.base + self.offsets[c - 1] + (score.sum - c as i32 * self.lo) as usize
    }

    /// Respondents with a score on this composite, in a cell's histogram.
    fn scored(&self, histogram: &[u64]) -> u64 {
        histogram[self.base..self.base + self.histogram_len()]
            .iter()
            .sum()
    }

    fn histogram_len(&self) -> usize {
        let k = self.items.len();
        self.offsets[k - 1] + k * (self.hi - self.lo) as usize + 1
    }

    /// `(value, count)` pairs of the composite's histogram in a cell, by ascending value.
    fn distribution(&self, histogram: &[u64]) -> Vec<(f64, u64)> {
        let mut values = Vec::new();
        for c in 1..=self.items.len() {
            let start = self.base + self.offsets[c - 1];
            for (i, &count) in histogram[start..start + c * (self.hi - self.lo) as usize + 1]
                .iter()
                .enumerate()
            {
                if count > 0 {
                    let sum = c as i32 * self.lo + i as i32;
                    let score = Score {
                        sum,
                        answered: c as u16,
                    };
                    values.push((score.value(), count));
                }
            }
        }
        // Equal fractions (2/1, 4/2) divide to the same double, so they merge into one value.
        values.sort_by(|a, b| a.0.total_cmp(&b.0));
        values.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        values
    }
}

/// Sums over the rows that answered both items of a pair, kept exactly as integers.
///
/// Sums of squares are not needed: an item's variance is the diagonal pair (i, i), and the
/// correlations of design section 3 come from rescaling the covariance matrix by its diagonal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PairSums {
    n: i64,
    sx: i64,
    sy: i64,
    sxy: i64,
}

impl PairSums {
    fn add(&mut self, other: &PairSums) {
        self.n += other.n;
        self.sx += other.sx;
        self.sy += other.sy;
        self.sxy += other.sxy;
    }

    /// Covariance with denominator n − 1: `(n·Σxy − Σx·Σy) / (n(n − 1))`, numerator exact.
    fn covariance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = i128::from(self.n);
        let numerator = n * i128::from(self.sxy) - i128::from(self.sx) * i128::from(self.sy);
        Some(numerator as f64 / (n * (n - 1)) as f64)
    }
}

/// How one item's raw answer is read.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// The bounds of its scale when it is reverse-keyed.
    flip: Option<(i16, i16)>,
    /// The highest raw answer that disagrees: the bottom two points of its scale.
    disagrees: i16,
    /// The lowest raw answer that agrees: the top two points.
    agrees: i16,
}

/// Where the items of one dimension are in the pair accumulators.
#[derive(Debug, Clone)]
struct DimensionLayout {
    /// Items of the dimension, in order; positions in this list index the pair triangle.
    items: Vec<usize>,
    /// Start of the dimension's upper triangle (with diagonal) in a cell's pair vector.
    pair_base: usize,
    /// Start of the dimension's items, by position, in a cell's per-item `poles`: contiguous, so
    /// the scoring loop walks them beside the items without an index check.
    item_base: usize,
    points: u32,
    /// Per item: how its answer is read.
    readings: Vec<Reading>,
    /// The dimension's factors: each one's composite index and its items' positions here.
    factors: Vec<(usize, Vec<usize>)>,
}

impl DimensionLayout {
    fn k(&self) -> usize {
        self.items.len()
    }

    /// Index of the pair (a, b), a ≤ b, in the dimension's upper triangle.
    fn tri(&self, a: usize, b: usize) -> usize {
        // Row a of the triangle holds b = a..k, so it starts after Σ_{r<a} (k − r) entries.
        let row_start = a * self.k() - a * a.saturating_sub(1) / 2;
        self.pair_base + row_start + (b - a)
    }
}

/// The instrument rearranged for fast scoring.
#[derive(Debug, Clone)]
struct Layout {
    /// Per item: scale bounds, reverse flag, dimension and position within it.
    items: Vec<ItemLayout>,
    dimensions: Vec<DimensionLayout>,
    /// Dimensions first (same indices), then factors.
    composites: Vec<Composite>,
    histogram_len: usize,
    pairs_len: usize,
}

#[derive(Debug, Clone, Copy)]
struct ItemLayout {
    dimension: usize,
    position: usize,
}

impl Layout {
    fn new(instrument: &Instrument) -> Self {
        let mut items: Vec<ItemLayout> = instrument
            .items
            .iter()
            .map(|item| ItemLayout {
                dimension: item.dimension,
                position: 0,
            })
            .collect();
        let mut dimensions = Vec::new();
        let mut pairs_len = 0;
        let mut items_len = 0;
        for (index, d) in instrument.dimensions.iter().enumerate() {
            for (position, &item) in d.items.iter().enumerate() {
                items[item].position = position;
            }
            let k = d.items.len();
            let factors = instrument
                .factors
                .iter()
                .enumerate()
                .filter(|(_, f)| f.dimension == index)
                .map(|(f, factor)| {
                    let positions = factor
                        .items
                        .iter()
                        .map(|item| d.items.iter().position(|i| i == item))
                        .collect::<Option<Vec<usize>>>()
                        .expect("the loader puts a factor's items in its dimension");
                    (instrument.dimensions.len() + f, positions)
                })
                .collect();
            dimensions.push(DimensionLayout {
                items: d.items.clone(),
                pair_base: pairs_len,
                item_base: items_len,
                points: instrument.scales[d.scale].points(),
                readings: d
                    .items
                    .iter()
                    .map(|&i| {
                        let item = &instrument.items[i];
                        let scale = &instrument.scales[item.scale];
                        Reading {
                            flip: item.reverse.then_some((scale.min, scale.max)),
                            disagrees: scale.min + 1,
                            agrees: scale.max - 1,
                        }
                    })
                    .collect(),
                factors,
            });
            pairs_len += k * (k + 1) / 2;
            items_len += k;
        }
        let members = instrument
            .dimensions
            .iter()
            .map(|d| (&d.items, d.min_answered, d.scale))
            .chain(instrument.factors.iter().map(|f| {
                let d = &instrument.dimensions[f.dimension];
                (&f.items, f.min_answered, d.scale)
            }));
        let mut composites = Vec::new();
        let mut histogram_len = 0;
        for (items, min_answered, scale) in members {
            let scale = &instrument.scales[scale];
            let (lo, hi) = (i32::from(scale.min), i32::from(scale.max));
            let mut offsets = Vec::with_capacity(items.len());
            let mut next = 0;
            for c in 1..=items.len() {
                offsets.push(next);
                next += c * (hi - lo) as usize + 1;
            }
            let k = items.len();
            let mut composite = Composite {
                items: items.clone(),
                origins: Vec::new(),
                lo,
                hi,
                offsets,
                base: histogram_len,
            };
            composite.origins = (0..=k)
                .map(|answered| {
                    // Floating division, not `answered >= ceil(min * k)`: ceil(0.7 * 10) is 8 in
                    // doubles.
                    let enough = answered > 0 && answered as f64 / k as f64 >= min_answered;
                    enough.then(|| {
                        let lowest = Score {
                            sum: answered as i32 * lo,
                            answered: answered as u16,
                        };
                        composite.slot(lowest) as i64 - i64::from(lowest.sum)
                    })
                })
                .collect();
            histogram_len += composite.histogram_len();
            composites.push(composite);
        }
        Layout {
            items,
            dimensions,
            composites,
            histogram_len,
            pairs_len,
        }
    }
}

/// Identifies a cell of respondents: one wave, one group and one language (each may be absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellKey {
    /// Index of the wave in the scorer's [`Labels`], if the row has one.
    pub wave: Option<u32>,
    /// Index of the group in the scorer's [`Labels`], if the row has one.
    pub group: Option<u32>,
    /// Index of the language the row was answered in, in the scorer's [`Labels`], if known.
    pub language: Option<u32>,
}

/// The labels the keys of a scorer's cells index: what its results are broken down by.
#[derive(Debug, Clone, Copy)]
pub struct Breakdowns<'a> {
    /// Groups (sectors).
    pub groups: &'a Labels,
    /// Waves, in the order they are compared.
    pub waves: &'a Labels,
    /// Languages the rows were answered in.
    pub languages: &'a Labels,
}

/// Interns group or wave labels in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    names: Vec<String>,
    index: HashMap<String, u32, foldhash::fast::RandomState>,
}

impl Labels {
    /// The index of `label`, adding it if new; blank labels have none.
    pub fn intern(&mut self, label: &str) -> Option<u32> {
        if label.is_empty() {
            return None;
        }
        if let Some(&i) = self.index.get(label) {
            return Some(i);
        }
        let i = self.names.len() as u32;
        self.names.push(label.to_string());
        self.index.insert(label.to_string(), i);
        Some(i)
    }

    /// Labels in order of first appearance.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The index of `label`, if it was interned.
    pub fn index(&self, label: &str) -> Option<u32> {
        self.index.get(label).copied()
    }

    /// The same labels in alphabetical order, and where each of these labels went. Published
    /// groups are in this order: the order of first appearance would tell which sector answered
    /// first.
    pub fn sorted(&self) -> (Labels, Vec<Option<u32>>) {
        let mut names = self.names.clone();
        names.sort();
        let mut sorted = Labels::default();
        for name in &names {
            sorted.intern(name);
        }
        let position = self.names.iter().map(|n| sorted.index(n)).collect();
        (sorted, position)
    }
}

/// How many rows a cell has, and how many of them have a value on each variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellCounts {
    /// Rows.
    pub rows: u64,
    /// Per variable (dimensions, factors, then items): rows with a score or an answer.
    pub values: Vec<u64>,
}

/// Everything the statistics need about the rows of one cell.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    rows: u64,
    /// Counts per possible score, for every composite.
    histogram: Vec<u64>,
    /// Pair sums over the upper triangle of every dimension.
    pairs: Vec<PairSums>,
    /// Per item (by dimension, then position): answers in the top two and in the bottom two
    /// points of its scale, as the statement is worded (before reverse keying).
    poles: Vec<(u64, u64)>,
    /// Per dimension: members who answered every item (for rwg(j)).
    complete: Vec<u64>,
    /// Per item: sum and sum of squares over the complete members of its dimension.
    complete_sums: Vec<(i64, i64)>,
    /// Over the complete members of each dimension, the sum of the products of each pair of
    /// its items (the upper triangle, laid out like `pairs`; the diagonal is `complete_sums`).
    /// Together with `complete` and `complete_sums` this is a complete member's share of the
    /// pair sums, which `pairs` then leaves out: one product per pair instead of four sums.
    complete_products: Vec<i64>,
}

impl Cell {
    fn new(layout: &Layout) -> Self {
        Cell {
            rows: 0,
            histogram: vec![0; layout.histogram_len],
            pairs: vec![PairSums::default(); layout.pairs_len],
            poles: vec![(0, 0); layout.items.len()],
            complete: vec![0; layout.dimensions.len()],
            complete_sums: vec![(0, 0); layout.items.len()],
            complete_products: vec![0; layout.pairs_len],
        }
    }

    /// The sums over the rows that answered both items `a` ≤ `b` (positions within dimension
    /// `d`): the incomplete rows' share kept in `pairs` plus the complete members' share.
    fn pair(&self, layout: &Layout, d: usize, a: usize, b: usize) -> PairSums {
        let dimension = &layout.dimensions[d];
        let slot = dimension.tri(a, b);
        let (sa, squares) = self.complete_sums[dimension.items[a]];
        let (sb, _) = self.complete_sums[dimension.items[b]];
        let mut sums = self.pairs[slot];
        sums.add(&PairSums {
            n: self.complete[d] as i64,
            sx: sa,
            sy: sb,
            sxy: if a == b {
                squares
            } else {
                self.complete_products[slot]
            },
        });
        sums
    }

    fn add(&mut self, other: &Cell) {
        self.rows += other.rows;
        for (a, b) in self.histogram.iter_mut().zip(&other.histogram) {
            *a += b;
        }
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.add(b);
        }
        for (a, b) in self.poles.iter_mut().zip(&other.poles) {
            a.0 += b.0;
            a.1 += b.1;
        }
        for (a, b) in self.complete.iter_mut().zip(&other.complete) {
            *a += b;
        }
        for (a, b) in self.complete_sums.iter_mut().zip(&other.complete_sums) {
            a.0 += b.0;
            a.1 += b.1;
        }
        for (a, b) in self
            .complete_products
            .iter_mut()
            .zip(&other.complete_products)
        {
            *a += b;
        }
    }
}

/// Scores responses one at a time and accumulates what the statistics need.
#[derive(Debug, Clone)]
pub struct Scorer {
    layout: Layout,
    cells: HashMap<CellKey, Cell, foldhash::fast::RandomState>,
    /// The reverse-keyed values of one dimension's items in the current row, 0 where missing
    /// (kept to avoid an allocation per row).
    row: Vec<i64>,
    /// Per item of `row`: 1 when answered, else 0.
    answered: Vec<u16>,
}

impl Scorer {
    /// A scorer for `instrument`.
    pub fn new(instrument: &Instrument) -> Self {
        let layout = Layout::new(instrument);
        Scorer {
            row: Vec::new(),
            answered: Vec::new(),
            layout,
            cells: HashMap::default(),
        }
    }

    /// Number of scores per respondent: dimensions, then factors, in instrument order.
    pub fn score_count(&self) -> usize {
        self.layout.composites.len()
    }

    /// Scores one response (raw answers in instrument item order, values already checked against
    /// their scales) into `scores` (dimensions then factors) and adds it to `cell`.
    pub fn add(&mut self, cell: CellKey, answers: &[Answer], scores: &mut [Option<Score>]) {
        let layout = &self.layout;
        debug_assert_eq!(answers.len(), layout.items.len());
        let acc = self.cells.entry(cell).or_insert_with(|| Cell::new(layout));
        acc.rows += 1;
        let (row, answered) = (&mut self.row, &mut self.answered);
        for (d, dimension) in layout.dimensions.iter().enumerate() {
            let k = dimension.k();
            row.resize(k, 0);
            answered.resize(k, 0);
            let poles = &mut acc.poles[dimension.item_base..dimension.item_base + k];
            for ((((&i, reading), value), present), poles) in dimension
                .items
                .iter()
                .zip(&dimension.readings)
                .zip(row.iter_mut())
                .zip(answered.iter_mut())
                .zip(poles)
            {
                // A missing answer is the value 0 answered 0 times, so the sums below need no
                // branch on each answer: answers missing at random would mispredict often.
                let answer = answers[i];
                let v = answer.unwrap_or(0);
                let keyed = reading
                    .flip
                    .map_or(v, |(min, max)| reverse_key(v, min, max));
                let given = u16::from(answer.is_some());
                *present = given;
                *value = i64::from(keyed) * i64::from(given);
                // Agreement is with the statement as worded: the raw answer, not the keyed one.
                poles.0 += u64::from(given & u16::from(v >= reading.agrees));
                poles.1 += u64::from(given & u16::from(v <= reading.disagrees));
            }
            let count: u16 = answered.iter().sum();
            scores[d] = layout.composites[d].record(row.iter().sum(), count, acc);
            for (c, positions) in &dimension.factors {
                let (mut sum, mut n) = (0, 0);
                for &p in positions {
                    sum += row[p];
                    n += answered[p];
                }
                scores[*c] = layout.composites[*c].record(sum, n, acc);
            }
            if usize::from(count) == k {
                // Most rows answer every item: their pair sums follow from the per-item sums
                // and one product per pair (see `Cell::pair`).
                acc.complete[d] += 1;
                for (&i, &v) in dimension.items.iter().zip(row.iter()) {
                    let sums = &mut acc.complete_sums[i];
                    sums.0 += v;
                    sums.1 += v * v;
                }
                for (a, &va) in row.iter().enumerate() {
                    let start = dimension.tri(a, a);
                    let products = &mut acc.complete_products[start + 1..start + k - a];
                    for (product, &vb) in products.iter_mut().zip(&row[a + 1..]) {
                        *product += va * vb;
                    }
                }
                continue;
            }
            for (a, &va) in row.iter().enumerate() {
                if answered[a] == 0 {
                    continue;
                }
                // Row a of the triangle: pairs (a, a..k), indexed by b − a.
                let start = dimension.tri(a, a);
                let pairs = &mut acc.pairs[start..start + k - a];
                for ((pair, &vb), &both) in pairs.iter_mut().zip(&row[a..]).zip(&answered[a..]) {
                    // Branch-free: a pair with a missing answer adds zeros.
                    let both = i64::from(both);
                    pair.n += both;
                    pair.sx += va * both;
                    pair.sy += vb;
                    pair.sxy += va * vb;
                }
            }
        }
    }

    /// Adds everything `other` accumulated (from the same instrument) to this scorer.
    pub fn merge(&mut self, other: Scorer) {
        self.absorb(other, |key| key);
    }

    /// Adds everything `other` accumulated (from the same instrument), each of its cells under
    /// the key `key` gives it: how the scorers of the parts of a file, each part with labels of
    /// its own, are joined.
    pub fn absorb(&mut self, other: Scorer, key: impl Fn(CellKey) -> CellKey) {
        for (old, cell) in other.cells {
            match self.cells.entry(key(old)) {
                std::collections::hash_map::Entry::Occupied(mut mine) => mine.get_mut().add(&cell),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(cell);
                }
            }
        }
    }

    /// The statistics of everything added so far, broken down by the `labels` the cells' keys
    /// index.
    pub fn finish(
        &self,
        instrument: &Instrument,
        labels: &Breakdowns<'_>,
        options: &Options,
    ) -> Results {
        results::compute(self, instrument, labels, options)
    }

    /// The same rows under new keys: each cell moves to `key(old)`, and cells that meet merge;
    /// a cell whose new key is `None` is left out.
    pub fn rekeyed(&self, key: impl Fn(CellKey) -> Option<CellKey>) -> Scorer {
        let mut cells: HashMap<CellKey, Cell, _> = HashMap::default();
        for (old, cell) in &self.cells {
            let Some(new) = key(*old) else {
                continue;
            };
            match cells.entry(new) {
                std::collections::hash_map::Entry::Occupied(mut mine) => mine.get_mut().add(cell),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(cell.clone());
                }
            }
        }
        Scorer {
            layout: self.layout.clone(),
            cells,
            row: Vec::new(),
            answered: Vec::new(),
        }
    }

    /// Per cell: its rows, and per variable (dimensions, factors, then items, in instrument
    /// order) how many of them have a value: a score, or an answer.
    pub fn cell_counts(&self) -> Vec<(CellKey, CellCounts)> {
        let layout = &self.layout;
        self.cells
            .iter()
            .map(|(key, cell)| {
                let values = layout
                    .composites
                    .iter()
                    .map(|c| c.scored(&cell.histogram))
                    .chain(layout.items.iter().map(|item| {
                        cell.pair(layout, item.dimension, item.position, item.position)
                            .n as u64
                    }))
                    .collect();
                (
                    *key,
                    CellCounts {
                        rows: cell.rows,
                        values,
                    },
                )
            })
            .collect()
    }

    /// All cells merged whose key satisfies `keep`.
    fn merged(&self, keep: impl Fn(&CellKey) -> bool) -> Cell {
        let mut total = Cell::new(&self.layout);
        for (_, cell) in self.cells.iter().filter(|(k, _)| keep(k)) {
            total.add(cell);
        }
        total
    }
}

/// The statistics of `rows` (answers in instrument item order), everyone in one cell: what the
/// tests of a single table need.
#[cfg(test)]
pub(crate) fn one_cell<const N: usize>(
    instrument: &Instrument,
    rows: &[[Answer; N]],
    options: &Options,
) -> Results {
    let mut scorer = Scorer::new(instrument);
    let mut scores = vec![None; scorer.score_count()];
    let everyone = CellKey {
        wave: None,
        group: None,
        language: None,
    };
    for row in rows {
        scorer.add(everyone, row, &mut scores);
    }
    let none = Labels::default();
    let labels = Breakdowns {
        groups: &none,
        waves: &none,
        languages: &none,
    };
    scorer.finish(instrument, &labels, options)
}
