//! What can be wrong with a responses file, as data: the place (row and column) and the kind of
//! problem with what its words need (names, numbers, the encoding the file looks like, the
//! spellings an item accepts).
//!
//! The problems are found in this pure layer but read by people in two places: `partnerscope
//! score` and `partnerscope import` print them in English through [`fmt::Display`], and the web
//! words them in the facilitator's language from the interface catalogue. Keeping them typed
//! lets the web do so without parsing English sentences.

use std::fmt;

use encoding_rs::Encoding;

use crate::instrument::NotAnAnswer;
use crate::survey::text::TextError;

/// A problem in a responses file, at a row (1-based, the header is row 1) and possibly a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", Location(*row, column))]
pub struct ResponsesError {
    /// 1-based row, counting the header as row 1.
    pub row: u64,
    /// 1-based column and its name, where the problem is in one cell.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub problem: FileProblem,
}

impl ResponsesError {
    /// `problem` of the row at `row` as a whole, in no one column.
    pub fn of_row(row: u64, problem: FileProblem) -> Self {
        ResponsesError {
            row,
            column: None,
            problem,
        }
    }
}

/// "row 3, column 5 (t1): ", as the command line places a problem.
struct Location<'a>(u64, &'a Option<(usize, String)>);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Location(row, column) = self;
        match column {
            Some((index, name)) if !name.is_empty() => {
                write!(f, "row {row}, column {index} ({name}): ")
            }
            Some((index, _)) => write!(f, "row {row}, column {index}: "),
            None => write!(f, "row {row}: "),
        }
    }
}

/// The kinds of problem a responses file can have, each with what its words need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The start of the file could not be read: the system's words.
    Unopened(String),
    /// Reading the file failed further on: the system's words.
    Unreadable(String),
    /// The text is not UTF-8, and no encoding was given.
    NotUtf8 {
        /// The encoding the file most likely is in (never UTF-8).
        guess: &'static Encoding,
    },
    /// An encoding label that names no encoding we can decode.
    UnknownEncoding {
        /// The label as given.
        label: String,
    },
    /// Any other problem the CSV reader finds: its own words.
    Csv(String),
    /// The file has no header row.
    Empty,
    /// The header row cannot be used, for every one of these reasons.
    Header(Vec<HeaderProblem>),
    /// A row has another number of cells than the header.
    Cells {
        /// The row's cells.
        len: u64,
        /// The header's cells.
        expected: u64,
    },
    /// The respondent id is blank.
    BlankId,
    /// A respondent id of a wide file is on an earlier row too.
    Repeated {
        /// The id.
        respondent: String,
        /// The row it was first on.
        earlier: u64,
    },
    /// A respondent of a long file comes back after other respondents' rows.
    NotTogether {
        /// The id.
        respondent: String,
        /// The row its rows started on.
        earlier: u64,
    },
    /// A row of a long file gives its respondent another group or wave than their first row.
    Differs {
        /// Which of the two: [`Field::Group`] or [`Field::Wave`].
        field: Field,
        /// What this row says.
        value: String,
        /// What the respondent's first row said.
        kept: String,
        /// The respondent's first row.
        row: u64,
    },
    /// A long file's `item` cell names no item.
    NotAnItem {
        /// The cell.
        name: String,
        /// An item header it reads like but for case and spacing.
        near: Option<String>,
    },
    /// A long file answers an item twice for one respondent.
    AlreadyAnswered {
        /// The item, as the file names it.
        item: String,
        /// The row of the first answer.
        row: u64,
    },
    /// A cell that is none of its item's accepted spellings.
    NotAnAnswer(NotAnAnswer),
    /// An import's row is of another wave than the round's.
    WaveNotRound {
        /// The row's wave.
        wave: String,
        /// The round's wave.
        round: String,
    },
    /// An import's group is none of the profile question's sectors.
    NotASector {
        /// The row's group.
        group: String,
        /// The sectors there are.
        sectors: Vec<String>,
    },
    /// An import's group, stored as a free-text sector, breaks the text rules.
    GroupText(TextError),
    /// An import's respondent id, stored as the organisation, breaks the text rules.
    OrganisationText(TextError),
    /// An import's row answers no item.
    NoAnswer,
}

/// One reason the header row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderProblem {
    /// The respondent, group or wave column is required or looks misspelled, and is absent.
    NoColumn {
        /// Which column.
        field: Field,
        /// The name it was looked for by.
        name: String,
        /// A header that reads like it but for case and spacing.
        near: Option<String>,
    },
    /// Two columns have the name of the respondent, group or wave column.
    SameName {
        /// The first column, 1-based.
        first: usize,
        /// The second column, 1-based.
        second: usize,
        /// Their name.
        name: String,
    },
    /// Two columns are the same item (by its id and its `column`).
    SameItem {
        /// The first column, 1-based, and its name.
        first: (usize, String),
        /// The second column, 1-based, and its name.
        second: (usize, String),
        /// The item's id.
        item: String,
    },
    /// A long file lacks its `item` or `value` column.
    LongColumn {
        /// The column's name.
        name: &'static str,
        /// A header that reads like it but for case and spacing.
        near: Option<String>,
    },
    /// Items without a column.
    MissingItems(Vec<MissingItem>),
    /// Columns a strict layout refuses, 1-based, with their names.
    Strict(Vec<(usize, String)>),
}

/// An item without a column in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingItem {
    /// The item's id, one header it may have.
    pub id: String,
    /// The instrument's `column` for it, the other.
    pub column: Option<String>,
    /// A header that reads like one of them but for case and spacing.
    pub near: Option<String>,
}

/// " (did you mean `X`?)" after a name that reads like `near`.
struct Near<'a>(&'a Option<String>);

impl fmt::Display for Near<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(near) => write!(f, " (did you mean `{near}`?)"),
            None => Ok(()),
        }
    }
}

/// What the command line says about an encoding label that names no encoding: for an
/// [`InputError`](super::InputError) too.
pub(super) struct UnknownLabel<'a>(pub &'a str);

impl fmt::Display for UnknownLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown encoding {:?}: give an encoding label such as windows-1252 (also latin1), \
             utf-8, utf-16le, utf-16be, iso-8859-15 or macintosh",
            self.0
        )
    }
}

/// The columns that say who answered, in the order of [`ResponsesReader`]'s `fields`.
///
/// [`ResponsesReader`]: super::ResponsesReader
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The respondent id.
    Respondent = 0,
    /// The group.
    Group = 1,
    /// The wave.
    Wave = 2,
}

impl Field {
    /// The column's name when the layout gives no other, which is also what the command line
    /// calls it ("there is no group column …").
    pub fn default_name(self) -> &'static str {
        match self {
            Field::Respondent => "respondent",
            Field::Group => "group",
            Field::Wave => "wave",
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::Unopened(error) => write!(f, "could not read the responses file: {error}"),
            FileProblem::Unreadable(error) => write!(f, "cannot read the file: {error}"),
            FileProblem::NotUtf8 { guess } => {
                let guess = guess.name();
                write!(
                    f,
                    "the text is not UTF-8; the file looks like {guess}: save it as UTF-8 (in Excel: \"CSV UTF-8\") or pass --encoding {guess}"
                )
            }
            FileProblem::UnknownEncoding { label } => write!(f, "{}", UnknownLabel(label)),
            FileProblem::Csv(error) => f.write_str(error),
            FileProblem::Empty => {
                f.write_str("the file is empty; it needs a header row naming its columns")
            }
            FileProblem::Header(problems) => {
                f.write_str("the header is not usable: ")?;
                for (i, problem) in problems.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{problem}")?;
                }
                Ok(())
            }
            FileProblem::Cells { len, expected } => {
                let cells = if *len == 1 { "cell" } else { "cells" };
                write!(f, "the row has {len} {cells} but the header has {expected}")
            }
            FileProblem::BlankId => f.write_str("the respondent id is blank"),
            FileProblem::Repeated {
                respondent,
                earlier,
            } => write!(
                f,
                "respondent `{respondent}` already appears on row {earlier}"
            ),
            FileProblem::NotTogether {
                respondent,
                earlier,
            } => write!(
                f,
                "respondent `{respondent}` already appears from row {earlier}; a long file needs each respondent's rows together (sort it by respondent)"
            ),
            FileProblem::Differs {
                field,
                value,
                kept,
                row,
            } => write!(
                f,
                "the {} `{value}` differs from `{kept}` on row {row} of the same respondent",
                field.default_name()
            ),
            FileProblem::NotAnItem { name, near } => {
                write!(f, "`{name}` is not an item of the instrument{}", Near(near))
            }
            FileProblem::AlreadyAnswered { item, row } => write!(
                f,
                "item `{item}` is already answered on row {row} for this respondent"
            ),
            FileProblem::NotAnAnswer(refused) => write!(f, "{refused}"),
            FileProblem::WaveNotRound { wave, round } => write!(
                f,
                "the wave `{wave}` is not this round's (`{round}`): leave it blank or import the row into its own round"
            ),
            FileProblem::NotASector { group, sectors } => write!(
                f,
                "`{group}` is not a sector of this survey ({})",
                sectors.join(", ")
            ),
            FileProblem::GroupText(problem) => write!(f, "the group {problem}"),
            FileProblem::OrganisationText(problem) => {
                write!(f, "the respondent, kept as the organisation, {problem}")
            }
            FileProblem::NoAnswer => f.write_str("no item is answered on this row"),
        }
    }
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::NoColumn { field, name, near } => write!(
                f,
                "there is no {} column `{name}`{}",
                field.default_name(),
                Near(near)
            ),
            HeaderProblem::SameName {
                first,
                second,
                name,
            } => write!(f, "columns {first} and {second} are both named `{name}`"),
            HeaderProblem::SameItem {
                first,
                second,
                item,
            } => write!(
                f,
                "columns {} (`{}`) and {} (`{}`) are both item `{item}`",
                first.0, first.1, second.0, second.1
            ),
            HeaderProblem::LongColumn { name, near } => {
                write!(f, "a long file needs a column `{name}`{}", Near(near))
            }
            HeaderProblem::MissingItems(items) => {
                f.write_str("item columns are missing: ")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{}`", item.id)?;
                    if let Some(column) = &item.column {
                        write!(f, " or `{column}`")?;
                    }
                    write!(f, "{}", Near(&item.near))?;
                }
                Ok(())
            }
            HeaderProblem::Strict(columns) => {
                f.write_str("columns that are neither items nor respondent, group or wave (refused by --strict): ")?;
                for (i, (c, name)) in columns.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c} (`{name}`)")?;
                }
                Ok(())
            }
        }
    }
}
