//! Scoring a responses file: the file's rows in, each respondent's line of `respondents.csv`
//! and the statistics out. A large file of one row per respondent in UTF-8 is cut into chunks
//! scored on every core (see `chunked`); any other file is read row by row by a
//! [`ResponsesReader`] through [`accumulate`]. Both say the same, down to the row and column of
//! the first problem.

use std::io::{self, BufReader, Read, Write};

use super::chunked::{self, Chunking};
use super::input::{self, InputError, PEEK_BYTES};
use super::read::Header;
use super::score::{ScoreFailure, accumulate, statistics};
use super::{Columns, Layout, ResponsesError, ResponsesReader};
use crate::instrument::Instrument;
use crate::report::RespondentsWriter;
use crate::scoring::{Options, Results, WaveOrder};

/// What [`score_file`] read and scored.
#[derive(Debug)]
pub struct ScoredFile {
    /// The statistics.
    pub results: Results,
    /// Respondents scored.
    pub respondents: u64,
    /// Which columns were read as what.
    pub columns: Columns,
}

/// Scores a responses file laid out as `layout` says: writes each respondent's line to `out`
/// and returns the statistics, comparing waves in the order `waves` gives. `progress` hears how
/// many bytes of the file have been read now and then.
///
/// A wide UTF-8 file of at least `chunking.min_file_bytes` is cut into chunks scored on
/// `chunking.workers` threads (see `chunked`); any other file is read row by row by a
/// [`ResponsesReader`]. Both say the same, down to the row and column of the first problem.
#[expect(
    clippy::too_many_arguments,
    reason = "the command line's one call, which reads better with the parts named"
)]
pub fn score_file<W: Write>(
    mut input: impl Read + Send,
    instrument: &Instrument,
    layout: &Layout,
    options: &Options,
    waves: &WaveOrder,
    chunking: Chunking,
    progress: impl Fn(u64) + Send,
    out: &mut RespondentsWriter<W>,
) -> Result<ScoredFile, ScoreFailure<ResponsesError>> {
    let mut head = Vec::new();
    input
        .by_ref()
        .take(chunking.min_file_bytes.max(PEEK_BYTES) as u64)
        .read_to_end(&mut head)
        .map_err(|e| ScoreFailure::Input(InputError::Io(e).into()))?;
    if head.len() >= chunking.min_file_bytes
        && let Some((header, end)) = wide_utf8_header(&head, instrument, layout)?
    {
        // The rows already read are read again from memory, a chunk at a time like the rest.
        let mut rows = io::Cursor::new(head);
        rows.set_position(end as u64);
        let (scored, respondents) = chunked::score_chunks(
            &header,
            rows.chain(input),
            end as u64,
            instrument,
            chunking,
            progress,
            out,
        )?;
        return Ok(ScoredFile {
            results: statistics(&scored, instrument, options, waves)?,
            respondents,
            columns: header.summary,
        });
    }
    let whole = io::Cursor::new(head).chain(BufReader::with_capacity(1 << 20, input));
    let reader = ResponsesReader::new(whole, instrument, layout).map_err(ScoreFailure::Input)?;
    let columns = reader.columns().clone();
    let mut respondents = 0;
    let scored = accumulate(
        reader,
        instrument,
        progress,
        |respondent, group, wave, scores| {
            respondents += 1;
            out.write(respondent, group, wave, scores)
        },
    )?;
    Ok(ScoredFile {
        results: statistics(&scored, instrument, options, waves)?,
        respondents,
        columns,
    })
}

/// The header of a wide UTF-8 file that starts with `head`, and where it ends in `head`; `None`
/// for any other file (long, another encoding, a header longer than `head` or ended by a lone
/// `\r`), which is then read row by row.
fn wide_utf8_header(
    head: &[u8],
    instrument: &Instrument,
    layout: &Layout,
) -> Result<Option<(Header, usize)>, ScoreFailure<ResponsesError>> {
    if layout.long {
        return Ok(None);
    }
    // Refuses what the reader of the whole file refuses at its start, such as text that is not
    // UTF-8 in its first rows.
    let opened = input::open(head, layout.encoding).map_err(|e| ScoreFailure::Input(e.into()))?;
    if opened.encoding != encoding_rs::UTF_8 {
        return Ok(None);
    }
    let bom = if head.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let Some(end) = header_end(&head[bom..], layout.header_rows) else {
        return Ok(None);
    };
    let reader = ResponsesReader::new(&head[..bom + end], instrument, layout)
        .map_err(ScoreFailure::Input)?;
    Ok(Some((reader.into_header(), bom + end)))
}

/// Where the first `rows` records of `bytes` (at least one) end, line break included, by the
/// CSV grammar; `None` when they do not all end within `bytes`, or the last ends with a lone
/// `\r`.
fn header_end(bytes: &[u8], rows: u64) -> Option<usize> {
    use csv_core::ReadRecordResult;
    // Where records end does not depend on the delimiter, and the cells are not needed: the
    // same small buffers are handed over again whenever they are full.
    let mut csv = csv_core::Reader::new();
    let (mut cells, mut ends) = ([0; 4096], [0; 256]);
    let (mut read, mut found) = (0, 0);
    while found < rows.max(1) {
        let (result, nin, _, _) = csv.read_record(&bytes[read..], &mut cells, &mut ends);
        read += nin;
        match result {
            ReadRecordResult::Record => found += 1,
            ReadRecordResult::InputEmpty | ReadRecordResult::End => return None,
            ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
        }
    }
    match bytes[..read].last() {
        Some(b'\r') => (bytes.get(read) == Some(&b'\n')).then_some(read + 1),
        _ => Some(read),
    }
}
