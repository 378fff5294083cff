//! The instrument model: scales, dimensions, factors, items, bands and the texts that describe them.
//!
//! An [`Instrument`] is loaded once from a TOML file (see [`load`]) and is immutable afterwards. All
//! cross references are resolved to indices while loading, so scoring never looks anything up by name.
//! Every human-readable text lives in a [`Texts`] catalogue per language, keyed by a stable path,
//! so a translation changes what people read and never an id or a score; callers read texts
//! through typed accessors such as [`Texts::item_text`], on [`Instrument::texts`] (the default
//! language) or [`Instrument::texts_in`].

mod cells;
mod library;
mod load;
mod parsed;
mod text;

pub use cells::{Accepted, Ambiguity, Cell, CellReader, Coded, NotAnAnswer, fold};
pub use library::{Library, SHIPPED};
pub use load::{LoadError, Problem, load_file, load_str};
pub use parsed::parsed;
pub use text::{TextKey, Texts, is_language_tag};

/// The fraction of a composite's items that must be answered for a score (in (0, 1]).
pub const DEFAULT_MIN_ANSWERED: f64 = 0.5;

/// A loaded, validated instrument.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// Stable identifier, e.g. `collaboration-factors`.
    pub id: String,
    /// Version of the definition, e.g. `1.0.0`.
    pub version: String,
    /// Instrument-wide minimum fraction of answered items.
    pub min_answered: f64,
    /// Response scales, in file order.
    pub scales: Vec<Scale>,
    /// Top-level scores, in file order.
    pub dimensions: Vec<Dimension>,
    /// Sub-scales of dimensions, in file order.
    pub factors: Vec<Factor>,
    /// Likert items, in file order.
    pub items: Vec<Item>,
    /// Interpretation bands, ordered by descending lower bound.
    pub bands: Vec<Band>,
    /// Open-text questions (never scored).
    pub comments: Vec<CommentQuestion>,
    /// The question that assigns a respondent's group, if any.
    pub profile: Option<Profile>,
    /// Every human-readable text of the instrument, one catalogue per declared language, the
    /// default first (never empty). Private, so an instrument is only ever made by the loader,
    /// which guarantees the required texts in every language (see `text`).
    texts: Vec<Texts>,
    /// The exact TOML source the instrument was loaded from; rounds store it so later edits of the
    /// file never change the meaning of stored answers.
    pub source: String,
}

/// An ordered set of consecutive integer values with a label each, plus non-substantive options.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// Name of the scale (`[scales.NAME]`).
    pub name: String,
    /// Smallest value.
    pub min: i16,
    /// Largest value.
    pub max: i16,
    /// Codes of the non-substantive options ("don't know", "not applicable"): stored, scored as missing.
    pub missing: Vec<String>,
    /// Spellings other tools write for the scale's answers (`codes = { "SA" = 5 }`), in file order.
    pub codes: Vec<(String, Coded)>,
}

impl Scale {
    /// The values of the scale, ascending.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = i16> + use<> {
        self.min..=self.max
    }

    /// Number of scale points (the `A` of the rwg null variance).
    pub fn points(&self) -> u32 {
        (self.max - self.min) as u32 + 1
    }

    /// Whether `value` is one of the scale's values.
    pub fn contains(&self, value: i16) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// A top-level score such as trust, governance or engagement.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    /// Identifier.
    pub id: String,
    /// Minimum fraction of answered items for a score.
    pub min_answered: f64,
    /// Indices of its items (directly or through a factor), in file order.
    pub items: Vec<usize>,
    /// Indices of its factors, in file order.
    pub factors: Vec<usize>,
    /// Index of a scale all its items share the range of.
    pub scale: usize,
}

/// A named sub-scale inside one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Identifier.
    pub id: String,
    /// Index of its dimension.
    pub dimension: usize,
    /// Minimum fraction of answered items for a score.
    pub min_answered: f64,
    /// Indices of its items, in file order.
    pub items: Vec<usize>,
}

/// A Likert question.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Identifier, the column name in the files partnerscope writes and one it reads.
    pub id: String,
    /// The column of another tool's export it is also read from (`column = "Q1[SQ001]"`).
    pub column: Option<String>,
    /// Index of its scale.
    pub scale: usize,
    /// Index of its dimension.
    pub dimension: usize,
    /// Index of its factor, if it belongs to one.
    pub factor: Option<usize>,
    /// Whether a high answer means a low score.
    pub reverse: bool,
    /// Spellings of answers to this item alone, over its scale's (`codes = { "SA" = 5 }`).
    pub codes: Vec<(String, Coded)>,
}

impl Item {
    /// The column names a responses file may give this item: its id, and its `column` if any.
    pub fn headers(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.column.as_deref())
    }
}

/// An interpretation band: scores at or above `min` (and below the next band's) fall in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Position of the band in the file, which keys its texts.
    pub key: usize,
    /// Inclusive lower bound on the score scale.
    pub min: f64,
}

/// An open-text question.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentQuestion {
    /// Identifier.
    pub id: String,
}

/// The question that assigns a respondent's group (e.g. sector).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Identifier, e.g. `sector`.
    pub id: String,
    /// Codes of the options, in file order.
    pub options: Vec<String>,
}

impl Instrument {
    /// The index (into `bands`) of the band a score falls in: the highest lower bound not above
    /// the score, compared on the unrounded value.
    pub fn band_of(&self, score: f64) -> Option<usize> {
        // Bands are sorted by descending `min`, so the first that fits is the highest.
        self.bands.iter().position(|band| score >= band.min)
    }

    /// The item with identifier `id`.
    pub fn item(&self, id: &str) -> Option<(usize, &Item)> {
        self.items
            .iter()
            .enumerate()
            .find(|(_, item)| item.id == id)
    }

    /// The scale of item `index`.
    pub fn item_scale(&self, index: usize) -> &Scale {
        &self.scales[self.items[index].scale]
    }

    /// Whether the same answers get the same scores under `self` and `other`: the same items in
    /// the same order, each on a scale of the same values and non-substantive codes, with the
    /// same keying, factor and dimension, and the same minimum-answered rules. Rounds of two
    /// such instruments compare; texts, translations, the version string, bands, answer
    /// spellings and even the instrument's id play no part in a score, so they do not count.
    pub fn scores_like(&self, other: &Instrument) -> bool {
        self.scoring() == other.scoring()
    }

    /// What a score depends on, with the names of the scales and the positions of the tables
    /// replaced by what they stand for.
    fn scoring(&self) -> Scoring<'_> {
        let composite_ids = |dimension: usize, factor: Option<usize>| {
            (
                self.dimensions[dimension].id.as_str(),
                factor.map(|f| self.factors[f].id.as_str()),
            )
        };
        Scoring {
            min_answered: self.min_answered.to_bits(),
            items: self
                .items
                .iter()
                .map(|item| {
                    let scale = &self.scales[item.scale];
                    (
                        item.id.as_str(),
                        (scale.min, scale.max, scale.missing.as_slice()),
                        item.reverse,
                        composite_ids(item.dimension, item.factor),
                    )
                })
                .collect(),
            dimensions: self
                .dimensions
                .iter()
                .map(|d| (d.id.as_str(), d.min_answered.to_bits()))
                .collect(),
            factors: self
                .factors
                .iter()
                .map(|f| {
                    let (dimension, _) = composite_ids(f.dimension, None);
                    (f.id.as_str(), dimension, f.min_answered.to_bits())
                })
                .collect(),
        }
    }
}

/// What the score of one item depends on: its id, its scale's values and non-substantive
/// codes, its keying, and its dimension's and factor's ids.
type ItemScoring<'a> = (
    &'a str,
    (i16, i16, &'a [String]),
    bool,
    (&'a str, Option<&'a str>),
);

/// What the scores of an instrument depend on, comparable between instruments.
#[derive(Debug, PartialEq)]
struct Scoring<'a> {
    /// The instrument-wide minimum fraction answered, as bits (it is compared, not computed).
    min_answered: u64,
    /// Per item, in order.
    items: Vec<ItemScoring<'a>>,
    /// Per dimension: id and minimum fraction answered.
    dimensions: Vec<(&'a str, u64)>,
    /// Per factor: id, its dimension's id and minimum fraction answered.
    factors: Vec<(&'a str, &'a str, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str =
        include_str!("../../tests/fixtures/instruments/collaboration-factors-1.0.0.toml");
    const NEW: &str = include_str!("../../instruments/collaboration-factors.toml");

    fn load(src: &str) -> Instrument {
        load_str("collaboration-factors.toml", src).unwrap()
    }

    #[test]
    fn a_translation_with_a_new_version_scores_like_the_original() {
        let (old, new) = (load(OLD), load(NEW));
        assert_ne!(old.version, new.version);
        assert_ne!(old.translations().len(), new.translations().len());
        assert!(new.scores_like(&old) && old.scores_like(&new));
        // Reworded texts, other bands and a new id change no score either.
        let reworded = OLD
            .replace("title = \"Trust\"", "title = \"Confidence\"")
            .replace("min = 4.0", "min = 3.9")
            .replace("id = \"collaboration-factors\"", "id = \"our-factors\"");
        assert_ne!(reworded, OLD);
        assert!(load(&reworded).scores_like(&old));
    }

    #[test]
    fn keying_scales_items_and_rules_that_change_a_score_make_instruments_differ() {
        let old = load(OLD);
        let changes = [
            // An item keyed the other way.
            ("factor = \"pace\"\nreverse = true", "factor = \"pace\""),
            // A scale with a "don't know" option: answered as missing, not as a value.
            (
                "values = [1, 2, 3, 4, 5]",
                "values = [1, 2, 3, 4, 5]\nmissing = [{ code = \"dk\", label = \"Don't know\" }]",
            ),
            // A stricter minimum of answered items.
            ("min_answered = 0.5", "min_answered = 0.6"),
            // An item moved to another factor.
            ("factor = \"legitimacy\"", "factor = \"history\""),
        ];
        for (from, to) in changes {
            let src = OLD.replacen(from, to, 1);
            assert_ne!(src, OLD, "{from}");
            assert!(!load(&src).scores_like(&old), "{from} → {to}");
        }
    }
}
