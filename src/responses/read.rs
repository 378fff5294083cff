//! Reading a responses CSV file: header `respondent,group,wave,<item ids…>`, one row per respondent.
//!
//! Values are checked against the item's scale while reading, so every row handed on can be scored
//! without further checks. Blank, `NA` and the scale's non-substantive codes (e.g. `dk`) are missing.
//! Columns of the instrument's comment and profile questions, and the raw export's `language` and
//! `submitted_on` (`submitted_at` in older exports), are accepted and ignored, so a raw export can
//! be scored as it is.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use foldhash::fast::RandomState;
use std::io::Read;

use super::{Row, Rows};
use crate::instrument::Instrument;
use crate::report::restore;
use crate::scoring::Answer;

/// A problem in a responses file, at a row (1-based, the header is row 1) and possibly a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", location(*row, column))]
pub struct ResponsesError {
    /// 1-based row, counting the header as row 1.
    pub row: u64,
    /// 1-based column and its name, where the problem is in one cell.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub message: String,
}

fn location(row: u64, column: &Option<(usize, String)>) -> String {
    match column {
        Some((index, name)) if !name.is_empty() => {
            format!("row {row}, column {index} ({name}): ")
        }
        Some((index, _)) => format!("row {row}, column {index}: "),
        None => format!("row {row}: "),
    }
}

/// Columns the raw export adds after the answers; they describe the response, not its scores.
/// `submitted_at` is the time column of exports made before releases.
const EXPORT_COLUMNS: [&str; 3] = ["language", "submitted_on", "submitted_at"];

/// What a column of the file holds.
#[derive(Debug, Clone, Copy)]
enum Column {
    Respondent,
    Group,
    Wave,
    Item(usize),
    Ignored,
}

/// Per item: how to read a cell.
struct ItemReader {
    min: i16,
    max: i16,
    missing: Vec<String>,
}

/// Streams checked rows from a responses CSV file.
pub struct ResponsesReader<R: Read> {
    csv: csv::Reader<R>,
    columns: Vec<Column>,
    names: Vec<String>,
    items: Vec<ItemReader>,
    record: csv::ByteRecord,
    answers: Vec<Answer>,
    /// The first row each respondent id was seen on.
    seen: HashMap<Box<str>, u64, RandomState>,
    /// Columns of the respondent, group and wave (the latter two may be absent).
    fields: [Option<usize>; 3],
}

fn utf8(bytes: &[u8], row: u64, column: usize, name: &str) -> Result<String, ResponsesError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ResponsesError {
        row,
        column: Some((column + 1, name.to_string())),
        message: "the text is not valid UTF-8 (save the file as UTF-8 CSV)".into(),
    })
}

fn csv_error(e: csv::Error) -> ResponsesError {
    let row = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} cells but the header has {expected_len}"),
        csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("column {}: the text is not valid UTF-8", err.field() + 1)
        }
        _ => e.to_string(),
    };
    ResponsesError {
        row,
        column: None,
        message,
    }
}

impl<R: Read> ResponsesReader<R> {
    /// Reads and checks the header.
    pub fn new(input: R, instrument: &Instrument) -> Result<Self, ResponsesError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(false)
            .from_reader(input);
        let mut header = csv::ByteRecord::new();
        if !csv.read_byte_record(&mut header).map_err(csv_error)? {
            return Err(ResponsesError {
                row: 1,
                column: None,
                message:
                    "the file is empty; it needs a header row `respondent,group,wave,<item ids…>`"
                        .into(),
            });
        }
        let mut names = Vec::with_capacity(header.len());
        for (i, field) in header.iter().enumerate() {
            let mut name = utf8(field, 1, i, "")?;
            if i == 0 {
                // Spreadsheets often save a byte-order mark in front of the first header.
                name = name.trim_start_matches('\u{feff}').to_string();
            }
            names.push(name.trim().to_string());
        }
        let item_index: HashMap<&str, usize> = instrument
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.as_str(), i))
            .collect();
        let ignored: Vec<&str> = instrument
            .comments
            .iter()
            .map(|c| c.id.as_str())
            .chain(instrument.profile.as_ref().map(|p| p.id.as_str()))
            .chain(EXPORT_COLUMNS)
            .collect();
        let mut columns = Vec::with_capacity(names.len());
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut problems = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if let Some(earlier) = first.insert(name.as_str(), i) {
                problems.push(format!(
                    "column {} (`{name}`) repeats column {}",
                    i + 1,
                    earlier + 1
                ));
            }
            columns.push(match name.as_str() {
                "respondent" => Column::Respondent,
                "group" => Column::Group,
                "wave" => Column::Wave,
                n if ignored.contains(&n) => Column::Ignored,
                n => match item_index.get(n) {
                    Some(&item) => Column::Item(item),
                    None => {
                        problems.push(format!(
                            "column {} (`{name}`) is not an item of instrument `{}`",
                            i + 1,
                            instrument.id
                        ));
                        Column::Ignored
                    }
                },
            });
        }
        if !first.contains_key("respondent") {
            problems.push("there is no `respondent` column".into());
        }
        let absent: Vec<&str> = instrument
            .items
            .iter()
            .filter(|item| !first.contains_key(item.id.as_str()))
            .map(|item| item.id.as_str())
            .collect();
        if !absent.is_empty() {
            problems.push(format!("item columns are missing: {}", absent.join(", ")));
        }
        if !problems.is_empty() {
            return Err(ResponsesError {
                row: 1,
                column: None,
                message: format!("the header is not usable: {}", problems.join("; ")),
            });
        }
        let fields = ["respondent", "group", "wave"].map(|name| first.get(name).copied());
        let items = instrument
            .items
            .iter()
            .map(|item| {
                let scale = &instrument.scales[item.scale];
                ItemReader {
                    min: scale.min,
                    max: scale.max,
                    missing: scale.missing.clone(),
                }
            })
            .collect();
        Ok(ResponsesReader {
            csv,
            columns,
            names,
            items,
            record: csv::ByteRecord::new(),
            answers: vec![None; instrument.items.len()],
            seen: HashMap::default(),
            fields,
        })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ResponsesError> {
        if !self
            .csv
            .read_byte_record(&mut self.record)
            .map_err(csv_error)?
        {
            return Ok(None);
        }
        let row = self.record.position().map_or(0, |p| p.line());
        for (c, (field, column)) in self.record.iter().zip(&self.columns).enumerate() {
            match *column {
                Column::Item(item) => {
                    self.answers[item] =
                        parse_answer(field, &self.items[item]).map_err(|message| {
                            ResponsesError {
                                row,
                                column: Some((c + 1, self.names[c].clone())),
                                message,
                            }
                        })?;
                }
                Column::Respondent | Column::Group | Column::Wave => {
                    if std::str::from_utf8(field).is_err() {
                        return Err(utf8(field, row, c, &self.names[c]).unwrap_err());
                    }
                }
                Column::Ignored => {}
            }
        }
        let texts = self.fields.map(|column| {
            column.map_or(0..0, |c| {
                self.record.range(c).expect("the header fixed the width")
            })
        });
        // A label our own export neutralised reads back as the label, not with its apostrophe.
        let text = |range: &std::ops::Range<usize>| -> &str {
            restore(
                std::str::from_utf8(&self.record.as_slice()[range.clone()])
                    .expect("checked above")
                    .trim(),
            )
        };
        let respondent = text(&texts[0]);
        let respondent_column =
            || Some((self.fields[0].unwrap_or(0) + 1, "respondent".to_string()));
        if respondent.is_empty() {
            return Err(ResponsesError {
                row,
                column: respondent_column(),
                message: "the respondent id is blank".into(),
            });
        }
        match self.seen.entry(respondent.into()) {
            Entry::Occupied(earlier) => {
                return Err(ResponsesError {
                    row,
                    column: respondent_column(),
                    message: format!(
                        "respondent `{respondent}` already appears on row {}",
                        earlier.get()
                    ),
                });
            }
            Entry::Vacant(slot) => {
                slot.insert(row);
            }
        }
        Ok(Some(Row {
            respondent,
            group: text(&texts[1]),
            wave: text(&texts[2]),
            answers: &self.answers,
        }))
    }
}

fn parse_answer(field: &[u8], item: &ItemReader) -> Result<Answer, String> {
    let trimmed = field.trim_ascii();
    // Nearly every cell is one digit: skip the general parse for it.
    if let [digit @ b'0'..=b'9'] = trimmed {
        let v = i16::from(digit - b'0');
        if (item.min..=item.max).contains(&v) {
            return Ok(Some(v));
        }
    }
    if trimmed.is_empty() || trimmed == b"NA" {
        return Ok(None);
    }
    let value = std::str::from_utf8(trimmed)
        .ok()
        .and_then(|s| s.parse::<i16>().ok());
    match value {
        Some(v) if (item.min..=item.max).contains(&v) => Ok(Some(v)),
        _ => {
            let text = String::from_utf8_lossy(trimmed);
            if item
                .missing
                .iter()
                .any(|code| code.eq_ignore_ascii_case(&text))
            {
                return Ok(None);
            }
            let mut allowed = format!("{}..{}, blank or NA", item.min, item.max);
            for code in &item.missing {
                allowed.push_str(", ");
                allowed.push_str(code);
            }
            Err(format!("`{text}` is not on the item's scale ({allowed})"))
        }
    }
}

impl<R: Read> Rows for ResponsesReader<R> {
    type Error = ResponsesError;

    fn next_row(&mut self) -> Result<Option<Row<'_>>, ResponsesError> {
        ResponsesReader::next_row(self)
    }

    /// Bytes read so far.
    fn position(&self) -> u64 {
        self.csv.position().byte()
    }
}
