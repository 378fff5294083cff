//! A round's stored responses as rows to score, exactly as the raw export would read back: the
//! respondent is `R<response id>`, the group the response's sector, the wave the round's label,
//! and non-substantive codes are missing. Scoring them directly skips writing and re-reading CSV
//! text, and gives the same reports byte for byte.

use std::collections::HashMap;

use super::{Row, Rows, respondent_id};
use crate::instrument::Instrument;
use crate::scoring::Answer;
use crate::survey::StoredResponse;
use crate::survey::answers::Answer as Given;

/// Rows from pages of stored responses (each page in id order, as the store delivers them).
pub struct StoredRows<P> {
    pages: P,
    wave: String,
    /// Item id to position in the instrument.
    items: HashMap<String, usize>,
    page: std::vec::IntoIter<StoredResponse>,
    respondent: String,
    group: String,
    answers: Vec<Answer>,
    /// Rows handed out so far.
    read: u64,
}

impl<P, E> StoredRows<P>
where
    P: Iterator<Item = Result<Vec<StoredResponse>, E>>,
{
    /// Rows of the responses in `pages`, all of the wave `wave`, answering `instrument`.
    pub fn new(pages: P, instrument: &Instrument, wave: &str) -> StoredRows<P> {
        StoredRows {
            pages,
            // A CSV reader trims cells; so does this, to read exactly what the raw export reads.
            wave: wave.trim().to_string(),
            items: instrument
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| (item.id.clone(), i))
                .collect(),
            page: Vec::new().into_iter(),
            respondent: String::new(),
            group: String::new(),
            answers: vec![None; instrument.items.len()],
            read: 0,
        }
    }
}

impl<P, E> Rows for StoredRows<P>
where
    P: Iterator<Item = Result<Vec<StoredResponse>, E>>,
    E: std::error::Error + Send + 'static,
{
    type Error = E;

    fn next_row(&mut self) -> Result<Option<Row<'_>>, E> {
        let response = loop {
            if let Some(response) = self.page.next() {
                break response;
            }
            match self.pages.next().transpose()? {
                Some(page) => self.page = page.into_iter(),
                None => return Ok(None),
            }
        };
        self.read += 1;
        self.respondent = respondent_id(response.id);
        self.group.clear();
        self.group.push_str(
            response
                .answers
                .sector
                .as_deref()
                .unwrap_or_default()
                .trim(),
        );
        self.answers.fill(None);
        for (id, given) in &response.answers.items {
            if let (Some(&i), Given::Value(value)) = (self.items.get(id), given) {
                self.answers[i] = Some(*value);
            }
        }
        Ok(Some(Row {
            respondent: &self.respondent,
            group: &self.group,
            wave: &self.wave,
            answers: &self.answers,
        }))
    }

    /// Responses read so far.
    fn position(&self) -> u64 {
        self.read
    }
}
