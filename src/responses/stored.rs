//! A round's stored responses as rows to score: the respondent is the response's pseudonym, and
//! non-substantive codes are missing. A release is scored from rows whose group is the sector,
//! whose language is the one it was answered in, and whose wave is the batch (the release that
//! first included the response, then `-` and the one that first left it out, if one did); rows
//! as listed in a download carry the round's wave and only the groups and languages the release
//! shows, exactly as the raw download reads back. A partnership's download lists the rows of several rounds one after
//! another, each as its own release lists them.

use std::collections::HashMap;

use super::{Listing, Row, Rows};
use crate::instrument::Instrument;
use crate::scoring::Answer;
use crate::survey::ReleasedResponse;
use crate::survey::answers::Answer as Given;

/// What a row's group and wave are.
enum Labels {
    /// Scoring a release: the sector, and the numbers of the releases that first included it and
    /// first left it out.
    Batches,
    /// Listing: as the release lists the rows.
    Listed(Listing),
}

/// Rows from pages of stored responses.
pub struct StoredRows<P> {
    /// The pages being read; `None` once every part is read.
    pages: Option<P>,
    labels: Labels,
    /// The parts still to read after `pages`, last first.
    rest: Vec<(P, Listing)>,
    wave: String,
    /// Item id to position in the instrument.
    items: HashMap<String, usize>,
    page: std::vec::IntoIter<ReleasedResponse>,
    respondent: String,
    group: String,
    language: String,
    answers: Vec<Answer>,
    /// Rows handed out so far.
    read: u64,
}

impl<P, E> StoredRows<P>
where
    P: Iterator<Item = Result<Vec<ReleasedResponse>, E>>,
{
    /// Rows to score a release from: grouped by sector, each in the wave of its batch.
    pub fn batches(pages: P, instrument: &Instrument) -> StoredRows<P> {
        Self::labelled(Some(pages), instrument, Labels::Batches)
    }

    /// Rows as a download lists them: the pages of each part in turn, listed as that part says.
    pub fn listed(
        parts: impl IntoIterator<Item = (P, Listing)>,
        instrument: &Instrument,
    ) -> StoredRows<P> {
        let mut rest: Vec<(P, Listing)> = parts.into_iter().collect();
        rest.reverse();
        // Each part's labels come with its pages, the first part's too, before any row is read.
        let mut rows = Self::labelled(None, instrument, Labels::Batches);
        rows.rest = rest;
        rows
    }

    fn labelled(pages: Option<P>, instrument: &Instrument, labels: Labels) -> StoredRows<P> {
        StoredRows {
            pages,
            labels,
            rest: Vec::new(),
            wave: String::new(),
            items: instrument
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| (item.id.clone(), i))
                .collect(),
            page: Vec::new().into_iter(),
            respondent: String::new(),
            group: String::new(),
            language: String::new(),
            answers: vec![None; instrument.items.len()],
            read: 0,
        }
    }
}

impl<P, E> Rows for StoredRows<P>
where
    P: Iterator<Item = Result<Vec<ReleasedResponse>, E>>,
    E: std::error::Error + Send + 'static,
{
    type Error = E;

    fn next_row(&mut self) -> Result<Option<Row<'_>>, E> {
        let response = loop {
            if let Some(response) = self.page.next() {
                break response;
            }
            match self.pages.as_mut().and_then(Iterator::next).transpose()? {
                Some(page) => self.page = page.into_iter(),
                None => match self.rest.pop() {
                    Some((pages, listing)) => {
                        self.pages = Some(pages);
                        self.labels = Labels::Listed(listing);
                    }
                    None => return Ok(None),
                },
            }
        };
        self.read += 1;
        self.respondent.clear();
        self.group.clear();
        self.wave.clear();
        self.language.clear();
        match &self.labels {
            Labels::Batches => {
                let sector = response.sector.as_deref().unwrap_or_default();
                self.group.push_str(sector.trim());
                let language = response.language.as_deref().unwrap_or_default();
                self.language.push_str(language.trim());
                if let Some(batch) = response.released_in {
                    self.wave.push_str(&batch.to_string());
                }
                if let Some(left) = response.removed_in {
                    self.wave.push_str(&format!("-{left}"));
                }
            }
            Labels::Listed(listing) => {
                // A CSV reader trims cells; so does this, to read what the raw download reads.
                self.respondent
                    .push_str(listing.respondent(&response).trim());
                self.group.push_str(listing.group(&response));
                self.wave.push_str(listing.wave.trim());
                self.language.push_str(listing.language(&response));
            }
        }
        self.answers.fill(None);
        for (id, given) in &response.items {
            if let (Some(&i), Given::Value(value)) = (self.items.get(id), given) {
                self.answers[i] = Some(*value);
            }
        }
        Ok(Some(Row {
            respondent: &self.respondent,
            group: &self.group,
            wave: &self.wave,
            language: &self.language,
            answers: &self.answers,
        }))
    }

    /// Responses read so far.
    fn position(&self) -> u64 {
        self.read
    }
}
