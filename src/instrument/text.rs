//! The text catalogue of an instrument: every human-readable string, keyed by a stable path.

use std::collections::BTreeMap;

/// Human-readable texts keyed by paths such as `item.t1.text` or `scale.agree5.label.3`.
///
/// Keys are derived from ids, never from positions in a translation, so replacing the catalogue
/// with a translated one changes what people read and nothing that is scored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Texts {
    entries: BTreeMap<String, String>,
}

impl Texts {
    /// Stores `text` under `key`, replacing any earlier text.
    pub fn insert(&mut self, key: impl Into<String>, text: impl Into<String>) {
        self.entries.insert(key.into(), text.into());
    }

    /// The text under `key`, or an empty string.
    pub fn get(&self, key: &str) -> &str {
        self.entries.get(key).map(String::as_str).unwrap_or("")
    }

    /// All keys and texts, ordered by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
