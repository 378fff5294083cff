//! Reading a list of partners for a round: a CSV with the columns `organisation`, `sector` and,
//! optionally, `email` and `language`, in any order.
//!
//! The whole list is checked before anything is stored, and every problem is reported with its
//! row (the header is row 1) and column, so a facilitator fixes the file once rather than once
//! per mistake. Every cell meets the rule of its kind of text ([`text::check`]: no control
//! characters, one line, a bounded length); a cell that does not is reported as such and never
//! quoted.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use super::text::{self, Kind, TextError};
use crate::accounts::is_email;
use crate::instrument::{self, Instrument};

/// One partner organisation to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    /// The organisation's name.
    pub organisation: String,
    /// The sector: a profile option code of the instrument when it has a profile question.
    pub sector: String,
    /// Where the facilitator will send the link, for the mail merge.
    pub email: Option<String>,
    /// The language tag of the form, when fixed.
    pub language: Option<String>,
}

/// A problem in a partner list, or in the one partner typed into the form. It is data, so that
/// each reader gets it in their own words; `Display` gives the command line's English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PartnerError {
    /// 1-based row, counting the header as row 1; 0 for the form, whose problems name their
    /// field in words.
    pub row: u64,
    /// The column, when the problem is in one cell.
    pub column: Option<Column>,
    /// What is wrong.
    pub problem: PartnerProblem,
}

/// A column of a partner list, and the field of the partner form that holds the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `organisation`.
    Organisation,
    /// `sector`.
    Sector,
    /// `email`.
    Email,
    /// `language`.
    Language,
}

impl Column {
    /// Every column, in the order the cells of a row are checked.
    pub const ALL: [Column; 4] = [
        Column::Organisation,
        Column::Sector,
        Column::Email,
        Column::Language,
    ];

    /// The column's heading in a list, which is also its field's name in the form.
    pub fn name(self) -> &'static str {
        match self {
            Column::Organisation => "organisation",
            Column::Sector => "sector",
            Column::Email => "email",
            Column::Language => "language",
        }
    }

    /// The rule the column's text meets.
    fn kind(self) -> Kind {
        match self {
            Column::Organisation => Kind::Organisation,
            Column::Email => Kind::Email,
            Column::Sector | Column::Language => Kind::Label,
        }
    }

    /// The column in the command line's words.
    fn words(self) -> &'static str {
        match self {
            Column::Organisation => "the organisation",
            Column::Sector => "the sector",
            Column::Email => "the e-mail address",
            Column::Language => "the language",
        }
    }
}

/// What is wrong with a partner list or a partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerProblem {
    /// The list has not even a header row.
    Empty,
    /// The CSV reader cannot read a row; its own words.
    Unreadable(String),
    /// The text is not UTF-8.
    NotUtf8,
    /// A heading (1-based position) holds a control character.
    HeadingControlCharacter(usize),
    /// A column's heading appears twice.
    ColumnTwice(&'static str),
    /// A heading (1-based position, as given) that names no column.
    UnknownColumn(usize, String),
    /// A required column is not in the header.
    NoColumn(&'static str),
    /// The list has a header but no partner.
    NoPartners,
    /// The cell breaks the rule of its text.
    Text(TextError),
    /// A required cell is blank.
    Blank,
    /// The sector is none of the survey's (which follow).
    UnknownSector(String, Vec<String>),
    /// The e-mail address is none.
    NotEmail(String),
    /// The language is not a language tag.
    NotLanguageTag(String),
}

impl fmt::Display for PartnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.row > 0 {
            write!(f, "row {}", self.row)?;
            if let Some(column) = self.column {
                write!(f, ", column {}", column.name())?;
            }
            f.write_str(": ")?;
        }
        let words = self.column.map_or("the cell", Column::words);
        match &self.problem {
            PartnerProblem::Empty => f.write_str(
                "the list is empty; it needs a header row `organisation,sector,email,language`",
            ),
            PartnerProblem::Unreadable(reason) => f.write_str(reason),
            PartnerProblem::NotUtf8 => f.write_str(
                "the text is not UTF-8: save the list as UTF-8 (in Excel: \"CSV UTF-8\")",
            ),
            PartnerProblem::HeadingControlCharacter(at) => {
                write!(f, "column {at} contains a control character")
            }
            PartnerProblem::ColumnTwice(name) => write!(f, "column `{name}` appears twice"),
            PartnerProblem::UnknownColumn(at, name) => write!(
                f,
                "column {at} (`{name}`) is not one of organisation, sector, email, language"
            ),
            PartnerProblem::NoColumn(name) => write!(f, "there is no `{name}` column"),
            PartnerProblem::NoPartners => f.write_str("the list has no partners"),
            PartnerProblem::Text(problem) => write!(f, "{words} {problem}"),
            PartnerProblem::Blank => write!(f, "{words} is blank"),
            PartnerProblem::UnknownSector(sector, options) => write!(
                f,
                "`{sector}` is not a sector of this survey ({})",
                options.join(", ")
            ),
            PartnerProblem::NotEmail(email) => write!(f, "`{email}` is not an e-mail address"),
            PartnerProblem::NotLanguageTag(language) => write!(
                f,
                "`{language}` is not a language tag such as `en` or `fr-CA`"
            ),
        }
    }
}

/// At most this many problems are listed; after that the file needs a fresh look anyway.
const MAX_PROBLEMS: usize = 20;

/// The longest language tag read (the length BCP 47 asks every implementation to support).
pub const MAX_LANGUAGE_TAG: usize = 35;

/// Checks one partner typed into the form (row 0 stands for "the form").
pub fn check(
    instrument: &Instrument,
    organisation: &str,
    sector: &str,
    email: &str,
    language: &str,
) -> Result<Partner, Vec<PartnerError>> {
    let mut problems = Vec::new();
    let partner = read_partner(
        instrument,
        0,
        [organisation, sector, email, language],
        &mut problems,
    );
    match partner {
        Some(partner) if problems.is_empty() => Ok(partner),
        _ => Err(problems),
    }
}

/// Reads a partner list held in memory; either every row is good or the problems are returned.
pub fn parse(input: &str, instrument: &Instrument) -> Result<Vec<Partner>, Vec<PartnerError>> {
    let mut partners = Vec::new();
    let mut problems = Vec::new();
    for read in PartnerList::new(input.as_bytes(), instrument)? {
        match read {
            Ok(partner) => partners.push(partner),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(partners)
    } else {
        Err(problems)
    }
}

/// Streams a partner list of any size from a file or an upload, a row at a time: each partner,
/// or each problem, in row order, at most [`MAX_PROBLEMS`] problems, and a problem at the end
/// when the list has no partner at all. Whoever stores them keeps nothing unless no problem came.
pub struct PartnerList<'i, R: Read> {
    records: csv::StringRecordsIntoIter<BufReader<R>>,
    instrument: &'i Instrument,
    positions: [Option<usize>; 4],
    /// Partners read so far.
    partners: u64,
    /// Problems found so far, counting those still `pending`.
    problems: usize,
    /// Problems of the row last read, not yet handed on.
    pending: VecDeque<PartnerError>,
    done: bool,
}

/// A problem of the whole row `row`, not of one of its cells.
fn problem(row: u64, problem: PartnerProblem) -> PartnerError {
    PartnerError {
        row,
        column: None,
        problem,
    }
}

impl<'i, R: Read> PartnerList<'i, R> {
    /// Reads and checks the header; every problem with it is returned at once.
    pub fn new(input: R, instrument: &'i Instrument) -> Result<Self, Vec<PartnerError>> {
        // A byte-order mark goes (Excel writes one); bytes that are not UTF-8 are reported by
        // row rather than silently replaced.
        let mut input = BufReader::new(input);
        if input
            .fill_buf()
            .is_ok_and(|start| start.starts_with(b"\xef\xbb\xbf"))
        {
            input.consume(3);
        }
        let mut records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input)
            .into_records();
        let header = match records.next() {
            Some(Ok(header)) => header,
            Some(Err(e)) => return Err(vec![problem(1, unreadable(&e))]),
            None => return Err(vec![problem(1, PartnerProblem::Empty)]),
        };
        let positions = read_header(&header)?;
        Ok(PartnerList {
            records,
            instrument,
            positions,
            partners: 0,
            problems: 0,
            pending: VecDeque::new(),
            done: false,
        })
    }
}

/// A row the csv crate cannot read: in our words where they are clearer, else in its own.
fn unreadable(error: &csv::Error) -> PartnerProblem {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => PartnerProblem::NotUtf8,
        _ => PartnerProblem::Unreadable(error.to_string()),
    }
}

/// The columns of `[organisation, sector, email, language]` in the header.
fn read_header(header: &csv::StringRecord) -> Result<[Option<usize>; 4], Vec<PartnerError>> {
    let mut positions: [Option<usize>; 4] = [None; 4];
    let mut problems = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if text::has_control_character(name) {
            problems.push(problem(1, PartnerProblem::HeadingControlCharacter(i + 1)));
            continue;
        }
        let name = name.trim().to_lowercase();
        match Column::ALL.iter().position(|c| c.name() == name) {
            Some(c) if positions[c].is_some() => {
                let twice = PartnerProblem::ColumnTwice(Column::ALL[c].name());
                problems.push(problem(1, twice));
            }
            Some(c) => positions[c] = Some(i),
            None => problems.push(problem(1, PartnerProblem::UnknownColumn(i + 1, name))),
        }
    }
    for required in [Column::Organisation, Column::Sector] {
        if positions[required as usize].is_none() {
            problems.push(problem(1, PartnerProblem::NoColumn(required.name())));
        }
    }
    if problems.is_empty() {
        Ok(positions)
    } else {
        Err(problems)
    }
}

impl<R: Read> Iterator for PartnerList<'_, R> {
    type Item = Result<Partner, PartnerError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(problem) = self.pending.pop_front() {
                return Some(Err(problem));
            }
            if self.done || self.problems >= MAX_PROBLEMS {
                return None;
            }
            let Some(record) = self.records.next() else {
                self.done = true;
                if self.partners == 0 && self.problems == 0 {
                    self.problems += 1;
                    return Some(Err(problem(2, PartnerProblem::NoPartners)));
                }
                return None;
            };
            // Rows count records from the header's 1, whatever line breaks quoted cells hold.
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    self.problems += 1;
                    let row = e.position().map_or(0, |p| p.record() + 1);
                    return Some(Err(problem(row, unreadable(&e))));
                }
            };
            let row = record.position().map_or(0, |p| p.record() + 1);
            if record.iter().all(|cell| cell.trim().is_empty()) {
                continue;
            }
            let cells = self
                .positions
                .map(|p| p.and_then(|p| record.get(p)).unwrap_or(""));
            let mut problems = Vec::new();
            if let Some(partner) = read_partner(self.instrument, row, cells, &mut problems) {
                self.partners += 1;
                return Some(Ok(partner));
            }
            self.problems += problems.len();
            self.pending.extend(problems);
        }
    }
}

/// Checks the cells `[organisation, sector, email, language]` of one row.
fn read_partner(
    instrument: &Instrument,
    row: u64,
    cells: [&str; 4],
    problems: &mut Vec<PartnerError>,
) -> Option<Partner> {
    let before = problems.len();
    let cells = cells.map(str::trim);
    let mut complain = |column: Column, problem: PartnerProblem| {
        problems.push(PartnerError {
            row,
            column: Some(column),
            problem,
        });
    };
    // A cell that breaks the rule of its text is reported for that alone: the checks below
    // would quote it.
    let mut fits = [true; 4];
    for (column, cell) in Column::ALL.into_iter().zip(cells) {
        if let Err(problem) = text::check(column.kind(), cell) {
            complain(column, PartnerProblem::Text(problem));
            fits[column as usize] = false;
        }
    }
    let [organisation, sector, email, language] = cells;
    if organisation.is_empty() {
        complain(Column::Organisation, PartnerProblem::Blank);
    }
    let sector = match &instrument.profile {
        _ if !fits[Column::Sector as usize] => String::new(),
        _ if sector.is_empty() => {
            complain(Column::Sector, PartnerProblem::Blank);
            String::new()
        }
        Some(profile) => match profile
            .options
            .iter()
            .find(|code| code.eq_ignore_ascii_case(sector))
        {
            Some(code) => code.clone(),
            None => {
                let unknown = PartnerProblem::UnknownSector(sector.into(), profile.options.clone());
                complain(Column::Sector, unknown);
                String::new()
            }
        },
        None => sector.to_string(),
    };
    if fits[Column::Email as usize] && !email.is_empty() && !is_email(email) {
        complain(Column::Email, PartnerProblem::NotEmail(email.into()));
    }
    if fits[Column::Language as usize] && !language.is_empty() && !is_language_tag(language) {
        complain(
            Column::Language,
            PartnerProblem::NotLanguageTag(language.into()),
        );
    }
    (problems.len() == before).then(|| Partner {
        organisation: organisation.to_string(),
        sector,
        email: (!email.is_empty()).then(|| email.to_string()),
        language: (!language.is_empty()).then(|| language.to_string()),
    })
}

/// A BCP 47-shaped tag ([`instrument::is_language_tag`]) no longer than a partner's cell takes.
fn is_language_tag(tag: &str) -> bool {
    tag.len() <= MAX_LANGUAGE_TAG && instrument::is_language_tag(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mini() -> Instrument {
        let src = include_str!("../../tests/fixtures/web/mini.toml");
        crate::instrument::load_str("mini.toml", src).unwrap()
    }

    #[test]
    fn a_good_list_is_read_in_any_column_order_with_optional_columns() {
        let list = "\u{feff}Sector,organisation,email\n\
                    Government, City Housing ,housing@example.org\n\
                    ,,\n\
                    nonprofit,\"Food Bank, Eastside\",\n";
        let partners = parse(list, &mini()).unwrap();
        assert_eq!(
            partners,
            [
                Partner {
                    organisation: "City Housing".into(),
                    sector: "government".into(),
                    email: Some("housing@example.org".into()),
                    language: None,
                },
                Partner {
                    organisation: "Food Bank, Eastside".into(),
                    sector: "nonprofit".into(),
                    email: None,
                    language: None,
                },
            ]
        );
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_row_and_column() {
        let list = "organisation,sector,email,language\n\
                    City Housing,government,not-an-address,en\n\
                    ,nonprofit,,\n\
                    Clinic,martians,,english please\n";
        let problems: Vec<String> = parse(list, &mini())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "row 2, column email: `not-an-address` is not an e-mail address",
                "row 3, column organisation: the organisation is blank",
                "row 4, column sector: `martians` is not a sector of this survey (government, nonprofit)",
                "row 4, column language: `english please` is not a language tag such as `en` or `fr-CA`",
            ]
        );
    }

    #[test]
    fn a_cell_breaking_its_text_rule_is_reported_by_row_and_column_without_quoting_it() {
        let long = "o".repeat(text::MAX_ORGANISATION + 1);
        let list = format!(
            "organisation,sector,email,language\n\
             Food\u{0}Bank,government,,\n\
             {long},nonprofit,x\u{1b}@example.org,en\u{7f}\n\
             \"Two\nlines\",Nonprofit\u{0},,\n\
             City Housing,government,housing@example.org,en\n"
        );
        let problems: Vec<String> = parse(&list, &mini())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "row 2, column organisation: the organisation contains a control character (such as a NUL byte)",
                "row 3, column organisation: the organisation is longer than 200 characters",
                "row 3, column email: the e-mail address contains a control character (such as a NUL byte)",
                "row 3, column language: the language contains a control character (such as a NUL byte)",
                "row 4, column organisation: the organisation must be a single line, without tabs or line breaks",
                "row 4, column sector: the sector contains a control character (such as a NUL byte)",
            ]
        );
        let header = parse("organisation,sector\u{0}\nCity,government\n", &mini()).unwrap_err();
        assert_eq!(
            header[0].to_string(),
            "row 1: column 2 contains a control character"
        );
    }

    #[test]
    fn the_one_partner_of_the_form_is_checked_by_the_same_rules_and_named_in_words() {
        let long = "o".repeat(text::MAX_ORGANISATION + 1);
        let problems = check(&mini(), &long, "nonprofit", "", "").unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "the organisation is longer than 200 characters"
        );
        assert!(
            check(
                &mini(),
                &"o".repeat(text::MAX_ORGANISATION),
                "nonprofit",
                "",
                ""
            )
            .is_ok()
        );
    }

    #[test]
    fn a_header_without_the_required_columns_is_refused() {
        let problems = parse("name,email\nCity,a@b.org\n", &mini()).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "row 1: column 1 (`name`) is not one of organisation, sector, email, language",
                "row 1: there is no `organisation` column",
                "row 1: there is no `sector` column",
            ]
        );
        assert!(parse("", &mini()).is_err());
        assert!(parse("organisation,sector\n", &mini()).is_err());
    }

    #[test]
    fn language_tags_are_checked_for_shape() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("fr-CA"));
        assert!(is_language_tag("zh-Hant-TW"));
        assert!(!is_language_tag("e"));
        assert!(!is_language_tag("english"));
        assert!(!is_language_tag("en-"));
        assert!(is_language_tag("en-a-bbbbbbbb-cccccccc-dddddddd-eee"));
        assert!(!is_language_tag(&format!("en{}", "-a".repeat(20))));
    }
}
