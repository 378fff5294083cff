//! Reading a responses file, as partnerscope writes it or as another tool exports it.
//!
//! Wide files have one row per respondent: a respondent, group and wave column (any of them may
//! be named otherwise, or be absent) and one column per item, found by the item's id or its
//! `column`. Long files (`long`) have one row per answer: respondent, `item`, `value`, plus the
//! group and wave. Cells read through each item's [`CellReader`] (numbers, labels, codes), so
//! every row handed on can be scored without further checks.
//!
//! Columns that are none of these are ignored and listed ([`Columns::ignored`]), or refused when
//! the layout is `strict`. Columns partnerscope itself writes beside the answers (the comment and
//! profile questions, the raw export's `language`, `source` and `submitted_on`, `submitted_at`
//! in older exports) are known and never listed, so a raw export scores as it is. This one reader
//! serves `partnerscope score`, and every file it reads is one the server could import.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;

use foldhash::fast::RandomState;

use super::input::{self, InputError, Utf8Reader, guess_encoding};
use super::problem::{Field, FileProblem, HeaderProblem, MissingItem, ResponsesError};
use super::{Row, Rows};
use crate::instrument::{Cell, CellReader, Instrument, fold};
use crate::report::restore;
use crate::scoring::Answer;

impl From<InputError> for ResponsesError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::NotUtf8 { line, guess } => not_utf8(line, None, guess),
            InputError::Io(error) => {
                ResponsesError::of_row(1, FileProblem::Unopened(error.to_string()))
            }
            InputError::UnknownEncoding { label } => {
                ResponsesError::of_row(1, FileProblem::UnknownEncoding { label })
            }
        }
    }
}

/// Text that is not UTF-8 at `row` (and `column`), with the encoding the file looks like.
pub(super) fn not_utf8(
    row: u64,
    column: Option<(usize, String)>,
    guess: &'static encoding_rs::Encoding,
) -> ResponsesError {
    ResponsesError {
        row,
        column,
        problem: FileProblem::NotUtf8 { guess },
    }
}

/// Columns the raw export adds after the answers; they describe the response, not its scores.
/// `submitted_at` is the time column of exports made before releases.
const EXPORT_COLUMNS: [&str; 4] = ["language", "source", "submitted_on", "submitted_at"];

/// How a responses file is laid out. The default is the file partnerscope writes: one row per
/// respondent, columns `respondent`, `group` and `wave` (each optional), comma-separated UTF-8.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The column of respondent ids (`respondent` when not given). Without one, respondents are
    /// numbered 1, 2, … in row order.
    pub respondent: Option<String>,
    /// The column of groups (`group` when not given). Without one, there are no groups.
    pub group: Option<String>,
    /// The column of waves (`wave` when not given). Without one, every row is of one wave.
    pub wave: Option<String>,
    /// One row per answer (respondent, `item`, `value`) instead of one per respondent.
    pub long: bool,
    /// Columns that are neither items nor the above are refused instead of ignored.
    pub strict: bool,
    /// Rows of headings at the top (at least 1): the first names the columns, the others (such
    /// as the question texts Qualtrics adds) are skipped.
    pub header_rows: u64,
    /// The file's encoding when it is not UTF-8 (e.g. windows-1252).
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            respondent: None,
            group: None,
            wave: None,
            long: false,
            strict: false,
            header_rows: 1,
            encoding: None,
        }
    }
}

/// Which columns of the file were read as what: for the summary `partnerscope score` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The respondent column's name, or `None` when respondents are numbered.
    pub respondent: Option<String>,
    /// The group column's name, if any.
    pub group: Option<String>,
    /// The wave column's name, if any.
    pub wave: Option<String>,
    /// Columns neither read nor known, in file order.
    pub ignored: Vec<String>,
    /// The delimiter found.
    pub delimiter: u8,
    /// The encoding read.
    pub encoding: &'static str,
}

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Respondent,
    Group,
    Wave,
    Item(usize),
    Ignored,
}

/// The respondent, group and wave of the row being read (long files: of the respondent whose
/// rows are being gathered).
#[derive(Debug, Default)]
struct Who {
    respondent: String,
    group: String,
    wave: String,
    /// The row it started on.
    row: u64,
}

/// Streams checked rows from a responses file.
pub struct ResponsesReader<'r> {
    csv: csv::Reader<Utf8Reader<Box<dyn Read + Send + 'r>>>,
    columns: Vec<Column>,
    names: Vec<String>,
    summary: Columns,
    cells: Vec<CellReader>,
    /// Item index by each of its headers (its id and its `column`).
    item_names: HashMap<String, usize, RandomState>,
    /// Long files: the columns of the item a row answers and of its answer.
    answer_columns: Option<[usize; 2]>,
    record: csv::StringRecord,
    answers: Vec<Answer>,
    /// The missing options ("don't know") the row answered, by item index: kept apart from
    /// blanks for an import, which stores them as answered.
    missing: Vec<(usize, String)>,
    /// The first row each respondent id was seen on.
    seen: HashMap<Box<str>, u64, RandomState>,
    /// Columns of the respondent, group and wave (each may be absent).
    fields: [Option<usize>; 3],
    who: Who,
    /// Rows handed on, which numbers respondents when the file has no ids.
    count: u64,
    long: LongState,
}

/// Where a long file's reading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LongState {
    /// Not a long file.
    Wide,
    /// No row of the next respondent read yet.
    Between,
    /// `record` holds the first row of the next respondent, not yet gathered.
    Pending,
    /// The end of the file was reached.
    Done,
}

fn csv_error(e: csv::Error) -> ResponsesError {
    let row = e.position().map_or(0, |p| p.line());
    let problem = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => FileProblem::Cells {
            len: *len,
            expected: *expected_len,
        },
        csv::ErrorKind::Io(io) => FileProblem::Unreadable(io.to_string()),
        _ => FileProblem::Csv(e.to_string()),
    };
    ResponsesError::of_row(row, problem)
}

/// A problem in column `c` (0-based, of those `names`) of the row at `row`.
pub(super) fn cell_error(
    row: u64,
    c: usize,
    names: &[String],
    problem: FileProblem,
) -> ResponsesError {
    ResponsesError {
        row,
        column: Some((c + 1, names[c].clone())),
        problem,
    }
}

/// What reading the rows of a wide file needs of its header: the file's rows after the header
/// can then be read apart from the reader that read it (see `chunked`).
pub(super) struct Header {
    /// The columns' names, as trimmed.
    pub names: Vec<String>,
    /// What each column holds.
    pub columns: Vec<Column>,
    /// Columns of the respondent, group and wave (each may be absent).
    pub fields: [Option<usize>; 3],
    /// How each item's cells read.
    pub cells: Vec<CellReader>,
    /// The line the first row after the header starts on.
    pub first_line: u64,
    /// Which columns were read as what.
    pub summary: Columns,
}

/// The header that reads like one of `wanted` but for case and spacing, if any.
fn did_you_mean<'a>(names: impl IntoIterator<Item = &'a str>, wanted: &[&str]) -> Option<String> {
    let folded: Vec<String> = wanted.iter().map(|w| fold(w)).collect();
    names
        .into_iter()
        .find(|name| folded.contains(&fold(name)))
        .map(str::to_string)
}

impl<'r> ResponsesReader<'r> {
    /// Opens `input` as `layout` says (detecting the delimiter, decoding the encoding) and reads
    /// and checks the header.
    pub fn new(
        input: impl Read + Send + 'r,
        instrument: &Instrument,
        layout: &Layout,
    ) -> Result<Self, ResponsesError> {
        let boxed: Box<dyn Read + Send + 'r> = Box::new(input);
        let opened = input::open(boxed, layout.encoding)?;
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .delimiter(opened.delimiter)
            .from_reader(opened.reader);
        let mut reader = ResponsesReader {
            csv,
            columns: Vec::new(),
            summary: Columns {
                respondent: None,
                group: None,
                wave: None,
                ignored: Vec::new(),
                delimiter: opened.delimiter,
                encoding: opened.encoding.name(),
            },
            names: Vec::new(),
            cells: Vec::new(),
            item_names: HashMap::default(),
            answer_columns: None,
            record: csv::StringRecord::new(),
            answers: vec![None; instrument.items.len()],
            missing: Vec::new(),
            seen: HashMap::default(),
            fields: [None; 3],
            who: Who::default(),
            count: 0,
            long: if layout.long {
                LongState::Between
            } else {
                LongState::Wide
            },
        };
        if !reader.read_record()? {
            return Err(ResponsesError::of_row(1, FileProblem::Empty));
        }
        reader.names = reader
            .record
            .iter()
            .map(|name| name.trim().to_string())
            .collect();
        reader.read_header(instrument, layout)?;
        for _ in 1..layout.header_rows {
            if !reader.read_record()? {
                break;
            }
        }
        Ok(reader)
    }

    /// Which columns were read as what.
    pub fn columns(&self) -> &Columns {
        &self.summary
    }

    /// A problem with the row last handed on (a long file: with its respondent's first row), in
    /// the column of `field`, or of the row alone with no field or no such column.
    pub fn row_error(&self, field: Option<Field>, problem: FileProblem) -> ResponsesError {
        let column = field
            .and_then(|field| self.fields[field as usize])
            .map(|c| (c + 1, self.names[c].clone()));
        ResponsesError {
            row: self.who.row,
            column,
            problem,
        }
    }

    /// The missing options (such as `dk`) the row last handed on answered, as (item index,
    /// option code); its answers show them as missing.
    pub fn missing_options(&self) -> &[(usize, String)] {
        &self.missing
    }

    /// Finds every column's role, or says everything wrong with the header at once.
    fn read_header(
        &mut self,
        instrument: &Instrument,
        layout: &Layout,
    ) -> Result<(), ResponsesError> {
        let mut problems = Vec::new();
        let names = &self.names;
        let mut columns = vec![Column::Ignored; names.len()];
        let roles = [
            (&layout.respondent, Field::Respondent, Column::Respondent),
            (&layout.group, Field::Group, Column::Group),
            (&layout.wave, Field::Wave, Column::Wave),
        ];
        for (i, (given, field, role)) in roles.into_iter().enumerate() {
            let wanted = given.as_deref().unwrap_or(field.default_name());
            let found: Vec<usize> = (0..names.len()).filter(|&c| names[c] == wanted).collect();
            match found[..] {
                [c] => {
                    columns[c] = role;
                    self.fields[i] = Some(c);
                }
                [] => {
                    let near = did_you_mean(names.iter().map(String::as_str), &[wanted]);
                    let required = given.is_some() || (layout.long && role == Column::Respondent);
                    if required || near.is_some() {
                        problems.push(HeaderProblem::NoColumn {
                            field,
                            name: wanted.to_string(),
                            near,
                        });
                    }
                }
                [first, second, ..] => problems.push(HeaderProblem::SameName {
                    first: first + 1,
                    second: second + 1,
                    name: wanted.to_string(),
                }),
            }
        }
        [
            self.summary.respondent,
            self.summary.group,
            self.summary.wave,
        ] = self.fields.map(|c| c.map(|c| names[c].clone()));

        for (index, item) in instrument.items.iter().enumerate() {
            for header in item.headers() {
                self.item_names.insert(header.to_string(), index);
            }
        }
        let known: Vec<&str> = instrument
            .comments
            .iter()
            .map(|c| c.id.as_str())
            .chain(instrument.profile.as_ref().map(|p| p.id.as_str()))
            .chain(EXPORT_COLUMNS)
            .collect();
        let mut item_column: Vec<Option<usize>> = vec![None; instrument.items.len()];
        let mut unknown = Vec::new();
        for (c, name) in names.iter().enumerate() {
            if columns[c] != Column::Ignored {
                continue;
            }
            if layout.long {
                match name.as_str() {
                    "item" | "value" => {}
                    _ if known.contains(&name.as_str()) => {}
                    _ => unknown.push(c),
                }
                continue;
            }
            match self.item_names.get(name.as_str()) {
                Some(&item) => match item_column[item] {
                    Some(earlier) => problems.push(HeaderProblem::SameItem {
                        first: (earlier + 1, names[earlier].clone()),
                        second: (c + 1, name.clone()),
                        item: instrument.items[item].id.clone(),
                    }),
                    None => {
                        item_column[item] = Some(c);
                        columns[c] = Column::Item(item);
                    }
                },
                None if known.contains(&name.as_str()) => {}
                None => unknown.push(c),
            }
        }
        if layout.long {
            let [item, value] = ["item", "value"].map(|wanted| {
                let found = names.iter().position(|name| name == wanted);
                if found.is_none() {
                    let near = did_you_mean(names.iter().map(String::as_str), &[wanted]);
                    problems.push(HeaderProblem::LongColumn { name: wanted, near });
                }
                found
            });
            self.answer_columns = item.zip(value).map(|(item, value)| [item, value]);
        } else {
            let absent: Vec<MissingItem> = instrument
                .items
                .iter()
                .zip(&item_column)
                .filter(|(_, column)| column.is_none())
                .map(|(item, _)| {
                    let headers: Vec<&str> = item.headers().collect();
                    MissingItem {
                        id: item.id.clone(),
                        column: item.column.clone(),
                        near: did_you_mean(names.iter().map(String::as_str), &headers),
                    }
                })
                .collect();
            if !absent.is_empty() {
                problems.push(HeaderProblem::MissingItems(absent));
            }
        }
        if layout.strict && !unknown.is_empty() {
            problems.push(HeaderProblem::Strict(
                unknown.iter().map(|&c| (c + 1, names[c].clone())).collect(),
            ));
        }
        if !problems.is_empty() {
            return Err(ResponsesError::of_row(1, FileProblem::Header(problems)));
        }
        self.summary.ignored = unknown.iter().map(|&c| names[c].clone()).collect();
        self.cells = (0..instrument.items.len())
            .map(|index| {
                CellReader::for_item(instrument, index)
                    .expect("the loader refuses an instrument with ambiguous spellings")
            })
            .collect();
        self.columns = columns;
        Ok(())
    }

    /// The row being read's position: its physical line (the header is row 1).
    fn row(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// A problem in column `c` of the row being read.
    fn cell_error(&self, c: usize, problem: FileProblem) -> ResponsesError {
        cell_error(self.row(), c, &self.names, problem)
    }

    /// What reading the rows after the header needs, once the header is read (a wide file).
    pub(super) fn into_header(self) -> Header {
        Header {
            first_line: self.csv.position().line(),
            names: self.names,
            columns: self.columns,
            fields: self.fields,
            cells: self.cells,
            summary: self.summary,
        }
    }

    /// The text of column `c` (blank when the file has no such column), as our own export wrote
    /// it before neutralising it.
    fn text(&self, c: Option<usize>) -> &str {
        c.map_or("", |c| restore(self.record[c].trim()))
    }

    /// Reads the next record into `record`; false at the end. Text that is not UTF-8 (past the
    /// start of the file, which opening checked) is placed by row and column.
    fn read_record(&mut self) -> Result<bool, ResponsesError> {
        let mut bytes = std::mem::take(&mut self.record).into_byte_record();
        if !self.csv.read_byte_record(&mut bytes).map_err(csv_error)? {
            return Ok(false);
        }
        match csv::StringRecord::from_byte_record(bytes) {
            Ok(record) => {
                self.record = record;
                Ok(true)
            }
            Err(e) => {
                let c = e.utf8_error().field();
                let bytes = e.into_byte_record();
                Err(not_utf8(
                    bytes.position().map_or(0, |p| p.line()),
                    Some((c + 1, self.names.get(c).cloned().unwrap_or_default())),
                    guess_encoding(bytes.as_slice()),
                ))
            }
        }
    }

    /// Checks the respondent of the row just read is new and keeps it, numbering rows of a file
    /// without respondent ids.
    fn start_respondent(&mut self) -> Result<(), ResponsesError> {
        self.count += 1;
        let row = self.row();
        let respondent = match self.fields[0] {
            Some(c) => {
                let id = self.text(Some(c));
                if id.is_empty() {
                    return Err(self.cell_error(c, FileProblem::BlankId));
                }
                id.to_string()
            }
            None => self.count.to_string(),
        };
        match self.seen.entry(respondent.as_str().into()) {
            Entry::Occupied(earlier) => {
                let c = self.fields[0].unwrap_or(0);
                let earlier = *earlier.get();
                let problem = if self.long == LongState::Wide {
                    FileProblem::Repeated {
                        respondent,
                        earlier,
                    }
                } else {
                    FileProblem::NotTogether {
                        respondent,
                        earlier,
                    }
                };
                return Err(self.cell_error(c, problem));
            }
            Entry::Vacant(slot) => {
                slot.insert(row);
            }
        }
        self.who = Who {
            respondent,
            group: self.text(self.fields[1]).to_string(),
            wave: self.text(self.fields[2]).to_string(),
            row,
        };
        self.answers.fill(None);
        self.missing.clear();
        Ok(())
    }

    fn handed_on(&self) -> Row<'_> {
        Row {
            respondent: &self.who.respondent,
            group: &self.who.group,
            wave: &self.who.wave,
            language: "",
            answers: &self.answers,
        }
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ResponsesError> {
        if self.long != LongState::Wide {
            return self.next_long();
        }
        if !self.read_record()? {
            return Ok(None);
        }
        self.start_respondent()?;
        for c in 0..self.columns.len() {
            if let Column::Item(item) = self.columns[c] {
                let cell = self.cells[item]
                    .read(&self.record[c])
                    .map_err(|refused| self.cell_error(c, FileProblem::NotAnAnswer(refused)))?;
                keep(&mut self.answers, &mut self.missing, item, cell);
            }
        }
        Ok(Some(self.handed_on()))
    }

    /// Gathers the rows of the next respondent of a long file.
    fn next_long(&mut self) -> Result<Option<Row<'_>>, ResponsesError> {
        if self.long == LongState::Done {
            return Ok(None);
        }
        if self.long == LongState::Between && !self.read_record()? {
            self.long = LongState::Done;
            return Ok(None);
        }
        self.start_respondent()?;
        let mut answered: Vec<Option<u64>> = vec![None; self.answers.len()];
        loop {
            self.answer_long(&mut answered)?;
            if !self.read_record()? {
                self.long = LongState::Done;
                break;
            }
            let id = match self.fields[0] {
                Some(c) => self.text(Some(c)),
                None => "",
            };
            if id != self.who.respondent {
                self.long = LongState::Pending;
                break;
            }
            for (c, kept, field) in [
                (self.fields[1], &self.who.group, Field::Group),
                (self.fields[2], &self.who.wave, Field::Wave),
            ] {
                if let Some(c) = c
                    && self.text(Some(c)) != kept
                {
                    let problem = FileProblem::Differs {
                        field,
                        value: self.text(Some(c)).to_string(),
                        kept: kept.clone(),
                        row: self.who.row,
                    };
                    return Err(self.cell_error(c, problem));
                }
            }
        }
        Ok(Some(self.handed_on()))
    }

    /// Reads the answer on the row just read of a long file into `answers`.
    fn answer_long(&mut self, answered: &mut [Option<u64>]) -> Result<(), ResponsesError> {
        let [item_c, value_c] = self
            .answer_columns
            .expect("the header check refuses a long file without both columns");
        let name = self.record[item_c].trim();
        let Some(&item) = self.item_names.get(name) else {
            let near = did_you_mean(self.item_names.keys().map(String::as_str), &[name]);
            let problem = FileProblem::NotAnItem {
                name: name.to_string(),
                near,
            };
            return Err(self.cell_error(item_c, problem));
        };
        if let Some(row) = answered[item] {
            let problem = FileProblem::AlreadyAnswered {
                item: name.to_string(),
                row,
            };
            return Err(self.cell_error(item_c, problem));
        }
        let cell = self.cells[item]
            .read(&self.record[value_c])
            .map_err(|refused| self.cell_error(value_c, FileProblem::NotAnAnswer(refused)))?;
        answered[item] = Some(self.row());
        keep(&mut self.answers, &mut self.missing, item, cell);
        Ok(())
    }
}

/// Keeps the answer `cell` gives item `item`: its score, and a missing option's code apart.
fn keep(answers: &mut [Answer], missing: &mut Vec<(usize, String)>, item: usize, cell: Cell<'_>) {
    answers[item] = cell.score();
    if let Cell::Missing(code) = cell {
        missing.push((item, code.to_string()));
    }
}

impl Rows for ResponsesReader<'_> {
    type Error = ResponsesError;

    fn next_row(&mut self) -> Result<Option<Row<'_>>, ResponsesError> {
        ResponsesReader::next_row(self)
    }

    /// Bytes of the file read so far.
    fn position(&self) -> u64 {
        self.csv.get_ref().source_position()
    }
}
