//! The responses file: one row per respondent, header `respondent,group,wave,<item ids…>`.
//! Its two sides live together: the reader that `partnerscope score` and every report feed on,
//! and the raw export a round's submitted responses are written as.

mod raw;
mod read;

pub use raw::{RawCsv, RawRow, encode_page, respondent_id};
pub use read::{ResponsesError, ResponsesReader, Row, ScoreFailure, score};
