//! Loading an instrument from TOML, reporting every problem at once with file, line and column.
//!
//! The file is parsed into toml's spanned tree (which recovers from syntax errors), then read by
//! hand rather than through serde: serde stops at the first unknown key or wrong type, and an
//! instrument author wants the whole list in one run. Two passes: [`read`] takes the document as
//! written (keys and types, with spans), [`build`] gives it meaning (ids, references, ranges).

mod build;
mod check;
mod read;

use std::fmt;
use std::path::Path;

use toml::de::DeTable;

use super::Instrument;
use read::{Reader, read_document};

/// One problem in an instrument file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in words an instrument author understands.
    pub message: String,
}

/// Why an instrument could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The file's path as given.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid instrument.
    #[error("{}", ProblemList { file, problems })]
    Invalid {
        /// The file's path as given.
        file: String,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
    /// Another instrument of the library already has this id.
    #[error("{file}: an instrument with id `{id}` is already loaded")]
    DuplicateId {
        /// The file's path as given.
        file: String,
        /// The id both instruments have.
        id: String,
    },
}

struct ProblemList<'a> {
    file: &'a str,
    problems: &'a [Problem],
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

/// Reads and loads the instrument file at `path`.
pub fn load_file(path: &Path) -> Result<Instrument, LoadError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(src) => load_str(&file, &src),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let src = String::from_utf8_lossy(e.as_bytes());
                let (line, column) = line_column(&src, offset);
                Err(LoadError::Invalid {
                    file,
                    problems: vec![Problem {
                        line,
                        column,
                        message: "the file is not valid UTF-8".into(),
                    }],
                })
            }
        },
        Err(source) => Err(LoadError::Io { file, source }),
    }
}

/// Loads an instrument from TOML source; `file` names it in error messages.
pub fn load_str(file: &str, src: &str) -> Result<Instrument, LoadError> {
    let mut reader = Reader::default();
    let (root, syntax) = DeTable::parse_recoverable(src);
    for e in &syntax {
        reader.problem(e.span().unwrap_or(0..0), e.message().trim().to_string());
    }
    let raw = if syntax.is_empty() {
        read_document(&mut reader, root.get_ref(), root.span())
    } else {
        None
    };
    let instrument = raw.and_then(|raw| build::build(&mut reader, raw, src));
    match instrument {
        Some(instrument) if !reader.has_problems() => Ok(instrument),
        _ => Err(reader.into_error(file, src)),
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `src`.
fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..src.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
