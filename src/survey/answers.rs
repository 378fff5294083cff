//! What one partner answered: a value or a non-substantive code per item, comments, consent and
//! the sector chosen on an open link.
//!
//! [`Answers`] are built only from input already checked against the round's instrument (see
//! `web::form`), so the store keeps them as they are and scoring can trust them.

use std::collections::BTreeMap;

use crate::instrument::Instrument;

/// The answer to one Likert item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A value on the item's scale.
    Value(i16),
    /// One of the scale's non-substantive codes (e.g. `dk`): answered, scored as missing.
    Code(String),
}

impl Answer {
    /// Reads `raw` as a value of the scale of item `index` or one of its codes.
    pub fn parse(instrument: &Instrument, index: usize, raw: &str) -> Option<Answer> {
        let scale = instrument.item_scale(index);
        if let Ok(value) = raw.parse::<i16>() {
            return scale.contains(value).then_some(Answer::Value(value));
        }
        scale
            .missing
            .iter()
            .any(|code| code == raw)
            .then(|| Answer::Code(raw.to_string()))
    }

    /// The form value of the answer (`3`, `dk`).
    pub fn as_form_value(&self) -> String {
        match self {
            Answer::Value(value) => value.to_string(),
            Answer::Code(code) => code.clone(),
        }
    }
}

/// Everything a partner entered on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    /// Answers by item id; an unanswered item is absent.
    pub items: BTreeMap<String, Answer>,
    /// Non-empty comments by comment question id.
    pub comments: BTreeMap<String, String>,
    /// Whether the partner confirmed the consent statement.
    pub consent: bool,
    /// The profile option (sector) chosen on the form, where the invitation does not fix it.
    pub sector: Option<String>,
    /// The language the form was shown in.
    pub language: Option<String>,
}
