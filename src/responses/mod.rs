//! Responses as rows to score: one row per respondent with its group, wave and answers in item
//! order. They come from a responses file (ours, header `respondent,group,wave,<item ids…>`, or
//! another tool's export, see [`Layout`]) or straight from a round's stored responses, and are
//! written back out as the raw export, the file `partnerscope score` reads. [`score`] is the
//! pipeline every report is scored through; [`score_file`] scores a file with it, or, when the
//! file is large, in chunks on every core with the same outcome.

mod chunked;
mod file;
mod import;
mod input;
mod listing;
mod problem;
mod raw;
mod read;
mod score;
mod stored;

pub use chunked::Chunking;
pub use file::{ScoredFile, score_file};
pub use import::{ImportTarget, Imported, Importer};
pub use input::{InputError, encoding_for_label};
pub use listing::Listing;
pub use problem::{Field, FileProblem, HeaderProblem, MissingItem, ResponsesError};
pub use raw::{RawCsv, RawRow, encode_page};
pub use read::{Columns, Layout, ResponsesReader};
pub use score::{Accumulated, ScoreFailure, accumulate, score, statistics};
pub use stored::StoredRows;

use crate::scoring::Answer;

/// One row, borrowed from its source until the next call.
#[derive(Debug)]
pub struct Row<'a> {
    /// The respondent's id (never blank).
    pub respondent: &'a str,
    /// The group, or blank.
    pub group: &'a str,
    /// The wave, or blank.
    pub wave: &'a str,
    /// The language it was answered in, or blank (a responses file says none).
    pub language: &'a str,
    /// Answers in instrument item order.
    pub answers: &'a [Answer],
}

/// A source of checked rows, in order.
pub trait Rows {
    /// Why a row could not be read.
    type Error: std::error::Error + Send + 'static;

    /// The next row, or `None` at the end.
    fn next_row(&mut self) -> Result<Option<Row<'_>>, Self::Error>;

    /// How far the source has got, for progress reports (bytes, for a file).
    fn position(&self) -> u64;
}
