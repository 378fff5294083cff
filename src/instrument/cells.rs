//! How a cell of a responses file reads as an answer to an item: the scale's numbers, its labels,
//! its missing options' codes and labels, and any codes the instrument maps for other tools'
//! exports (`codes = { "SA" = 5, "DK" = "na" }` on a scale or an item).
//!
//! Files made by other tools spell answers many ways ("Strongly agree", "strongly  agree", `SA`,
//! `A5`, `99`), so every spelling is folded (lower case, no white space) and looked up in one
//! table per item. The loader builds the same table to refuse an instrument in which one spelling
//! would mean two different answers.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::{Instrument, Scale};

/// What a code an instrument maps stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coded {
    /// A value of the scale.
    Value(i16),
    /// A missing option of the scale, by its code.
    Missing(String),
}

/// What a cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Blank or `NA`.
    Blank,
    /// A value of the scale.
    Value(i16),
    /// A missing option ("don't know", "not applicable"), by its code: answered, scored as missing.
    Missing(&'a str),
}

impl Cell<'_> {
    /// The answer as scoring sees it: missing options count as missing.
    pub fn score(self) -> Option<i16> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Blank | Cell::Missing(_) => None,
        }
    }
}

/// The folded form spellings are compared in: lower case, without any white space, so
/// "Strongly agree", "strongly  agree" and "STRONGLY AGREE" are one spelling.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every accepted spelling of the answers to one item, and what each means.
#[derive(Debug, Clone)]
pub struct CellReader {
    min: i16,
    max: i16,
    /// Folded spelling → meaning, for everything but the plain numbers.
    spellings: HashMap<String, Meaning>,
    /// The missing options' codes, which [`Cell::Missing`] borrows.
    missing: Vec<String>,
    /// Whether a code is spelled as a number, which then no longer reads as itself.
    numbers_coded: bool,
    /// The accepted spellings, for a refused cell: gathered once, shared by every refusal.
    accepted: Arc<Accepted>,
}

/// The spellings a cell of an item may have, as a refused cell lists them: each reader of the
/// refusal (the command line, a web page in the reader's language) words them its own way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The scale's lowest value.
    pub min: i16,
    /// The scale's highest value.
    pub max: i16,
    /// The scale's labels, in every language of the instrument.
    pub labels: Vec<String>,
    /// The missing options as (code, label), once per language.
    pub missing: Vec<(String, String)>,
    /// The codes the instrument maps: the item's, then its scale's.
    pub codes: Vec<String>,
}

impl fmt::Display for Accepted {
    /// "1..5 or the labels `Agree`, …, dk or Don't know, the codes `SA`, …, blank or NA".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.min, self.max)?;
        if !self.labels.is_empty() {
            write!(f, " or the labels {}", quoted(&self.labels))?;
        }
        for (code, label) in &self.missing {
            write!(f, ", {code} or {label}")?;
        }
        if !self.codes.is_empty() {
            write!(f, ", the codes {}", quoted(&self.codes))?;
        }
        f.write_str(", blank or NA")
    }
}

/// A cell that is none of the spellings its item accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{cell}` is not an answer on the item's scale (accepted: {accepted})")]
pub struct NotAnAnswer {
    /// The cell, trimmed.
    pub cell: String,
    /// What the item accepts.
    pub accepted: Arc<Accepted>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Value(i16),
    Missing(usize),
}

/// Two spellings that fold alike but mean different answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// The first spelling.
    pub first: String,
    /// The second spelling, which folds like the first.
    pub second: String,
}

impl CellReader {
    /// How the cells of item `index` read, or every pair of spellings that would be ambiguous.
    pub fn for_item(instrument: &Instrument, index: usize) -> Result<CellReader, Vec<Ambiguity>> {
        let item = &instrument.items[index];
        Self::build(instrument, &instrument.scales[item.scale], &item.codes)
    }

    /// How the cells of an item on `scale` of `instrument` read with the extra `codes`.
    pub fn build(
        instrument: &Instrument,
        scale: &Scale,
        codes: &[(String, Coded)],
    ) -> Result<CellReader, Vec<Ambiguity>> {
        // A file may spell answers as the labels of any language the instrument has.
        let texts = instrument.translations();
        Self::from_texts(
            scale,
            texts.iter().flat_map(|t| t.scale_labels(scale)),
            texts.iter().flat_map(|t| t.missing_options(scale)),
            codes,
        )
    }

    /// How the cells of an item on `scale` read, given the scale's `scale_labels` (value, label)
    /// and `missing_options` (code, label), with the extra `codes` (which override the scale's own
    /// codes, and every label, spelled alike).
    pub fn from_texts<'t>(
        scale: &Scale,
        scale_labels: impl Iterator<Item = (i16, &'t str)>,
        missing_options: impl Iterator<Item = (&'t str, &'t str)>,
        codes: &[(String, Coded)],
    ) -> Result<CellReader, Vec<Ambiguity>> {
        let mut reader = CellReader {
            min: scale.min,
            max: scale.max,
            spellings: HashMap::new(),
            missing: scale.missing.clone(),
            numbers_coded: false,
            // Settled once every spelling is known, below.
            accepted: Arc::default(),
        };
        let missing_index = |code: &str| scale.missing.iter().position(|m| m == code);
        let mut table = Spellings::default();
        // Codes first, the item's over the scale's: a code is the author's explicit word.
        let scale_codes = scale.codes.iter().filter(|(text, _)| {
            let key = fold(text);
            !codes.iter().any(|(item_text, _)| fold(item_text) == key)
        });
        for (text, coded) in codes.iter().chain(scale_codes) {
            let meaning = match coded {
                Coded::Value(v) => Meaning::Value(*v),
                Coded::Missing(code) => match missing_index(code) {
                    Some(i) => Meaning::Missing(i),
                    // The loader has refused a code naming no missing option.
                    None => continue,
                },
            };
            reader.numbers_coded |= text.trim().parse::<i64>().is_ok();
            table.add(text, meaning);
        }
        // Codes override labels spelled alike.
        let coded: Vec<String> = table.spellings.keys().cloned().collect();
        let uncoded = |spelling: &str| !coded.contains(&fold(spelling));
        let mut labels = Vec::new();
        for (value, label) in scale_labels {
            // A label spelled as a number other than its value would read two ways.
            if let Ok(number) = label.trim().parse::<i64>()
                && number != i64::from(value)
                && !reader.numbers_coded
            {
                table.ambiguities.push(Ambiguity {
                    first: number.to_string(),
                    second: label.to_string(),
                });
            }
            if uncoded(label) {
                table.add(label, Meaning::Value(value));
            }
            labels.push(label.to_string());
        }
        let mut missing = Vec::new();
        for (code, label) in missing_options {
            // Options come once per language: the index is the code's, not the position.
            let Some(i) = missing_index(code) else {
                continue;
            };
            for spelling in [code, label] {
                if uncoded(spelling) {
                    table.add(spelling, Meaning::Missing(i));
                }
            }
            missing.push((code.to_string(), label.to_string()));
        }
        let Spellings {
            spellings,
            ambiguities,
        } = table;
        reader.spellings = spellings
            .into_iter()
            .map(|(key, (meaning, _))| (key, meaning))
            .collect();
        if !ambiguities.is_empty() {
            return Err(ambiguities);
        }
        reader.accepted = Arc::new(Accepted {
            min: scale.min,
            max: scale.max,
            labels,
            missing,
            codes: codes
                .iter()
                .chain(&scale.codes)
                .map(|(text, _)| text.clone())
                .collect(),
        });
        Ok(reader)
    }

    /// What `cell` says, or why it is none of the accepted spellings.
    pub fn read<'s>(&'s self, cell: &str) -> Result<Cell<'s>, NotAnAnswer> {
        // Nearly every cell is one digit or empty: answer those before trimming or folding.
        if let Some(cell) = self.one_digit(cell.as_bytes()) {
            return Ok(cell);
        }
        let cell = cell.trim();
        if let Some(cell) = self.one_digit(cell.as_bytes()) {
            return Ok(cell);
        }
        if cell.is_empty() || cell == "NA" {
            return Ok(Cell::Blank);
        }
        if let Some(meaning) = self.spelling(cell) {
            return Ok(match *meaning {
                Meaning::Value(v) => Cell::Value(v),
                Meaning::Missing(i) => Cell::Missing(&self.missing[i]),
            });
        }
        match cell.parse::<i16>() {
            Ok(v) if (self.min..=self.max).contains(&v) => Ok(Cell::Value(v)),
            _ => Err(NotAnAnswer {
                cell: cell.to_string(),
                accepted: Arc::clone(&self.accepted),
            }),
        }
    }

    /// What `cell` says when it is empty or one digit that is a value of the scale (unless codes
    /// spelled as numbers give digits another meaning), as [`CellReader::read`] would say;
    /// `None` for any other cell. Nearly every cell of a large file is one of these, and its
    /// bytes need no check that they are UTF-8 text first.
    pub fn one_digit(&self, cell: &[u8]) -> Option<Cell<'static>> {
        match *cell {
            [] => Some(Cell::Blank),
            [digit @ b'0'..=b'9'] if !self.numbers_coded => {
                let v = i16::from(digit - b'0');
                (self.min..=self.max).contains(&v).then_some(Cell::Value(v))
            }
            _ => None,
        }
    }

    /// The meaning of a spelling, folded as [`fold`] does. A short ASCII spelling (every label
    /// and code of most instruments) is folded on the stack: folding into a new `String` for
    /// every cell of a large file of labels costs more than the lookup.
    fn spelling(&self, cell: &str) -> Option<&Meaning> {
        const SHORT: usize = 64;
        if cell.len() > SHORT || !cell.is_ascii() {
            return self.spellings.get(&fold(cell));
        }
        let mut folded = [0u8; SHORT];
        let mut len = 0;
        for &byte in cell.as_bytes() {
            // The ASCII characters `char::is_whitespace` accepts.
            if !matches!(byte, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
                folded[len] = byte.to_ascii_lowercase();
                len += 1;
            }
        }
        // Lower-case ASCII is UTF-8.
        let folded = std::str::from_utf8(&folded[..len]).ok()?;
        self.spellings.get(folded)
    }
}

/// Spellings while they are gathered, each with the first spelling that claimed its folded form.
#[derive(Default)]
struct Spellings {
    spellings: HashMap<String, (Meaning, String)>,
    ambiguities: Vec<Ambiguity>,
}

impl Spellings {
    fn add(&mut self, spelling: &str, meaning: Meaning) {
        match self.spellings.get(&fold(spelling)) {
            Some((earlier, first)) if *earlier != meaning => self.ambiguities.push(Ambiguity {
                first: first.clone(),
                second: spelling.to_string(),
            }),
            Some(_) => {}
            None => {
                self.spellings
                    .insert(fold(spelling), (meaning, spelling.to_string()));
            }
        }
    }
}

/// `texts` as "`a`, `b`".
fn quoted(texts: &[String]) -> String {
    texts
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::load_str;

    fn instrument(extra_scale: &str, extra_item: &str) -> Result<Instrument, String> {
        let src = format!(
            r#"
id = "cells"
version = "1"
title = "Cells"
description = "Cell spellings."

[scales.agree5]
values = [1, 2, 3, 4, 5]
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
missing = [{{ code = "dk", label = "Don't know" }}]
{extra_scale}

[[dimensions]]
id = "trust"
title = "Trust"

[[items]]
id = "t1"
text = "We trust each other."
scale = "agree5"
dimension = "trust"
{extra_item}

[[items]]
id = "t2"
text = "We keep our word."
scale = "agree5"
dimension = "trust"
"#
        );
        load_str("cells.toml", &src).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_labels_and_missing_options_read_in_any_case_and_spacing() {
        let i = instrument("", "").unwrap();
        let r = CellReader::for_item(&i, 0).unwrap();
        assert_eq!(r.read("4"), Ok(Cell::Value(4)));
        assert_eq!(r.read(" 05 "), Ok(Cell::Value(5)));
        assert_eq!(r.read("Strongly agree"), Ok(Cell::Value(5)));
        assert_eq!(r.read("  STRONGLY   agree "), Ok(Cell::Value(5)));
        assert_eq!(r.read("neither agree nor DISAGREE"), Ok(Cell::Value(3)));
        assert_eq!(r.read("DK"), Ok(Cell::Missing("dk")));
        assert_eq!(r.read("don't know"), Ok(Cell::Missing("dk")));
        assert_eq!(r.read(""), Ok(Cell::Blank));
        assert_eq!(r.read("NA"), Ok(Cell::Blank));
    }

    #[test]
    fn anything_else_is_refused_with_every_accepted_spelling() {
        let i = instrument("", "").unwrap();
        let r = CellReader::for_item(&i, 0).unwrap();
        let error = r.read("Strongly agre").unwrap_err().to_string();
        assert!(error.contains("`Strongly agre`"), "{error}");
        assert!(error.contains("1..5"), "{error}");
        assert!(error.contains("`Strongly agree`"), "{error}");
        assert!(error.contains("dk or Don't know"), "{error}");
        assert!(r.read("6").unwrap_err().to_string().contains("`6`"));
        assert!(r.read("na").is_err(), "only `NA` itself is the blank code");
    }

    #[test]
    fn an_items_codes_override_the_scales_and_numbers_and_labels() {
        let i = instrument(
            r#"codes = { "SA" = 5, "A" = 4, "99" = "dk" }"#,
            r#"codes = { "SA" = 1, "1" = 5 }"#,
        )
        .unwrap();
        let item = CellReader::for_item(&i, 0).unwrap();
        assert_eq!(item.read("sa"), Ok(Cell::Value(1)));
        assert_eq!(
            item.read("1"),
            Ok(Cell::Value(5)),
            "the code wins over the number"
        );
        assert_eq!(item.read("2"), Ok(Cell::Value(2)));
        assert_eq!(item.read("99"), Ok(Cell::Missing("dk")));
        let other = CellReader::for_item(&i, 1).unwrap();
        assert_eq!(other.read("SA"), Ok(Cell::Value(5)));
        assert_eq!(other.read("1"), Ok(Cell::Value(1)));
        assert_eq!(other.read("a"), Ok(Cell::Value(4)));
    }

    #[test]
    fn missing_options_score_as_missing() {
        assert_eq!(Cell::Missing("dk").score(), None);
        assert_eq!(Cell::Value(3).score(), Some(3));
        assert_eq!(Cell::Blank.score(), None);
    }

    #[test]
    fn fold_ignores_case_and_every_white_space() {
        assert_eq!(fold(" Strongly\u{a0}Agree\t"), "stronglyagree");
        assert_eq!(fold("ÉTÉ"), "été");
    }
}
