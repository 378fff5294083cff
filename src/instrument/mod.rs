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

pub use cells::{Ambiguity, Cell, CellReader, Coded, fold};
pub use library::{Library, SHIPPED};
pub use load::{LoadError, Problem, load_file, load_str};
pub use parsed::parsed;
pub use text::{TextKey, Texts};

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
}
