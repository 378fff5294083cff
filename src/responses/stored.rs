//! A round's stored responses as rows to score: the respondent is the response's pseudonym, and
//! non-substantive codes are missing. A release is scored from rows whose group is the sector and
//! whose wave is the batch (the release that first included the response, then `-` and the one
//! that first left it out, if one did); rows as listed in a
//! download carry the round's wave and only the groups the release shows, exactly as the raw
//! download reads back.

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
    pages: P,
    labels: Labels,
    wave: String,
    /// Item id to position in the instrument.
    items: HashMap<String, usize>,
    page: std::vec::IntoIter<ReleasedResponse>,
    respondent: String,
    group: String,
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
        Self::labelled(pages, instrument, Labels::Batches)
    }

    /// Rows as a download lists them.
    pub fn listed(pages: P, instrument: &Instrument, listing: Listing) -> StoredRows<P> {
        Self::labelled(pages, instrument, Labels::Listed(listing))
    }

    fn labelled(pages: P, instrument: &Instrument, labels: Labels) -> StoredRows<P> {
        StoredRows {
            pages,
            labels,
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
            match self.pages.next().transpose()? {
                Some(page) => self.page = page.into_iter(),
                None => return Ok(None),
            }
        };
        self.read += 1;
        self.respondent.clear();
        self.group.clear();
        self.wave.clear();
        match &self.labels {
            Labels::Batches => {
                let sector = response.sector.as_deref().unwrap_or_default();
                self.group.push_str(sector.trim());
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
            answers: &self.answers,
        }))
    }

    /// Responses read so far.
    fn position(&self) -> u64 {
        self.read
    }
}
