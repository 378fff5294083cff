//! Bringing answers collected elsewhere (on paper, with another tool) into a round: each row of a
//! responses file, read as `partnerscope score` reads it, checked against the round as the web
//! form checks a submission, and turned into the answers a submission stores.
//!
//! The file's group is the response's sector, and its wave must be blank or the round's own. An
//! anonymous round keeps nothing of the file's respondent ids (they may be e-mail addresses): the
//! store gives each response a fresh pseudonym. An identified round keeps each id as the
//! organisation that answered.

use std::collections::BTreeMap;

use super::{Field, FileProblem, ResponsesError, ResponsesReader};
use crate::instrument::Instrument;
use crate::survey::Round;
use crate::survey::answers::{Answer, Answers};
use crate::survey::text::{self, Kind};

/// The round a file is imported into, as far as checking its rows needs it.
#[derive(Debug, Clone, Copy)]
pub struct ImportTarget<'a> {
    /// The round's instrument.
    pub instrument: &'a Instrument,
    /// The round's wave label: a row's wave must be blank or this.
    pub wave: &'a str,
    /// Whether the round is identified, so respondent ids are kept as organisations.
    pub identified: bool,
}

impl<'a> ImportTarget<'a> {
    /// The round `round`, whose instrument is `instrument`: what `partnerscope import` and the
    /// round's upload both import into.
    pub fn of(round: &'a Round, instrument: &'a Instrument) -> Self {
        ImportTarget {
            instrument,
            wave: round.wave.trim(),
            identified: round.is_identified(),
        }
    }
}

/// One response to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Who answered, kept only in an identified round.
    pub organisation: Option<String>,
    /// What was answered; `sector` is the row's group.
    pub answers: Answers,
}

/// Streams the rows of a responses file as responses to store, stopping at the first problem.
pub struct Importer<'r, 'a> {
    reader: ResponsesReader<'r>,
    target: ImportTarget<'a>,
    failed: bool,
}

impl<'r, 'a> Importer<'r, 'a> {
    /// Imports the rows `reader` reads into the round `target`.
    pub fn new(reader: ResponsesReader<'r>, target: ImportTarget<'a>) -> Self {
        Importer {
            reader,
            target,
            failed: false,
        }
    }

    /// The next response, or `None` at the end of the file.
    fn next_response(&mut self) -> Result<Option<Imported>, ResponsesError> {
        let instrument = self.target.instrument;
        let mut items = BTreeMap::new();
        let Some(row) = self.reader.next_row()? else {
            return Ok(None);
        };
        for (item, answer) in instrument.items.iter().zip(row.answers) {
            if let Some(value) = answer {
                items.insert(item.id.clone(), Answer::Value(*value));
            }
        }
        // The row borrows the reader, whose errors place a problem: keep what is checked below.
        let [wave, group, respondent] = [row.wave, row.group, row.respondent].map(str::to_string);
        for (index, code) in self.reader.missing_options() {
            items.insert(
                instrument.items[*index].id.clone(),
                Answer::Code(code.clone()),
            );
        }
        if !wave.is_empty() && wave != self.target.wave {
            return Err(self.reader.row_error(
                Some(Field::Wave),
                FileProblem::WaveNotRound {
                    wave,
                    round: self.target.wave.to_string(),
                },
            ));
        }
        let sector = self.sector(&group)?;
        let organisation = match self.target.identified {
            true => Some(self.organisation(&respondent)?),
            false => None,
        };
        if items.is_empty() {
            return Err(self.reader.row_error(None, FileProblem::NoAnswer));
        }
        Ok(Some(Imported {
            organisation,
            answers: Answers {
                items,
                comments: BTreeMap::new(),
                // Whoever collected the answers elsewhere asked for consent there.
                consent: true,
                sector,
                language: None,
            },
        }))
    }

    /// The sector a group names: one of the profile question's options where the instrument
    /// has one (matched ignoring case, as partner lists are), otherwise a label; blank is none.
    fn sector(&self, group: &str) -> Result<Option<String>, ResponsesError> {
        if group.is_empty() {
            return Ok(None);
        }
        let problem = match &self.target.instrument.profile {
            Some(profile) => match profile
                .options
                .iter()
                .find(|code| code.eq_ignore_ascii_case(group))
            {
                Some(code) => return Ok(Some(code.clone())),
                None => FileProblem::NotASector {
                    group: group.to_string(),
                    sectors: profile.options.clone(),
                },
            },
            None => match text::check(Kind::Label, group) {
                Ok(()) => return Ok(Some(group.to_string())),
                Err(problem) => FileProblem::GroupText(problem),
            },
        };
        Err(self.reader.row_error(Some(Field::Group), problem))
    }

    /// The organisation an identified round keeps for a respondent id.
    fn organisation(&self, respondent: &str) -> Result<String, ResponsesError> {
        text::check(Kind::Organisation, respondent)
            .map(|()| respondent.to_string())
            .map_err(|problem| {
                self.reader.row_error(
                    Some(Field::Respondent),
                    FileProblem::OrganisationText(problem),
                )
            })
    }
}

impl Iterator for Importer<'_, '_> {
    type Item = Result<Imported, ResponsesError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_response().transpose();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}
