//! The scoring pipeline: rows in, each respondent's scores handed on in order, the statistics
//! out. `partnerscope score`, every web report and the tests all score through [`score`].
//!
//! Reading and checking rows run on one thread, interning and scoring on the caller's, joined by
//! a bounded channel of batches: a large file takes about the time of the slower half, and memory
//! stays bounded however many rows there are.

use std::io::{self, BufReader, Read, Write};
use std::sync::mpsc::{SyncSender, sync_channel};

use super::chunked::{self, Chunking};
use super::input::{self, InputError, PEEK_BYTES};
use super::read::Header;
use super::{Columns, Layout, ResponsesError, ResponsesReader, Row, Rows};
use crate::instrument::Instrument;
use crate::report::RespondentsWriter;
use crate::scoring::{
    Answer, CellKey, Labels, Options, Results, Score, Scorer, WaveOrder, WaveOrderError,
};

/// Rows per batch handed from the reading thread to the scoring thread.
const BATCH_ROWS: usize = 8192;
/// Batches in flight: bounds memory whatever the input's size.
const BATCHES_IN_FLIGHT: usize = 4;

/// Why [`score`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScoreFailure<E: std::error::Error + 'static> {
    /// The rows could not be read (a bad cell, a failed query).
    #[error(transparent)]
    Input(E),
    /// Handing on a respondent's scores failed.
    #[error("cannot write the scores")]
    Output(#[source] std::io::Error),
    /// The waves of the rows are not those the wave order names.
    #[error(transparent)]
    Waves(WaveOrderError),
}

/// Checked rows on their way from the reader to the scorer.
#[derive(Default)]
struct Batch {
    /// Respondent, group and wave of every row, back to back.
    text: String,
    rows: Vec<BatchRow>,
    /// The answers of every row, one row after another.
    answers: Vec<Answer>,
}

struct BatchRow {
    cell: CellKey,
    /// End offsets in `text` of the respondent, group and wave.
    ends: [usize; 3],
}

impl Batch {
    fn push(&mut self, row: &Row<'_>, cell: CellKey) {
        let mut ends = [0; 3];
        for (end, part) in ends.iter_mut().zip([row.respondent, row.group, row.wave]) {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.answers.extend_from_slice(row.answers);
        self.rows.push(BatchRow { cell, ends });
    }

    /// Every row as (cell, [respondent, group, wave], answers).
    fn rows(&self, items: usize) -> impl Iterator<Item = (CellKey, [&str; 3], &[Answer])> {
        let mut start = 0;
        self.rows
            .iter()
            .zip(self.answers.chunks_exact(items))
            .map(move |(row, answers)| {
                let texts = row.ends.map(|end| {
                    let part = &self.text[start..end];
                    start = end;
                    part
                });
                (row.cell, texts, answers)
            })
    }
}

/// Reads every row into batches, interning groups and waves in order of first appearance, and
/// reports the position after each batch.
fn read_batches<R: Rows>(
    mut rows: R,
    batches: SyncSender<Result<Batch, R::Error>>,
    progress: impl Fn(u64),
) -> (Labels, Labels) {
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut batch = Batch::default();
    loop {
        match rows.next_row() {
            Ok(Some(row)) => {
                let cell = CellKey {
                    group: groups.intern(row.group),
                    wave: waves.intern(row.wave),
                };
                batch.push(&row, cell);
                if batch.rows.len() == BATCH_ROWS {
                    progress(rows.position());
                    if batches.send(Ok(std::mem::take(&mut batch))).is_err() {
                        break;
                    }
                }
            }
            Ok(None) => {
                let _ = batches.send(Ok(batch));
                break;
            }
            Err(e) => {
                let _ = batches.send(Err(e));
                break;
            }
        }
    }
    (groups, waves)
}

/// Scores every row of `rows` in order, handing each respondent's scores to `sink` (respondent,
/// group, wave, scores) as it goes, and returns the statistics, comparing waves in the order
/// `waves` gives. `progress` hears the source's position now and then.
pub fn score<R: Rows + Send>(
    rows: R,
    instrument: &Instrument,
    options: &Options,
    waves: &WaveOrder,
    progress: impl Fn(u64) + Send,
    sink: impl FnMut(&str, &str, &str, &[Option<Score>]) -> std::io::Result<()>,
) -> Result<Results, ScoreFailure<R::Error>> {
    let scored = accumulate(rows, instrument, progress, sink)?;
    statistics(&scored, instrument, options, waves)
}

/// The statistics of everything accumulated, comparing waves in the order `waves` gives.
fn statistics<E: std::error::Error>(
    scored: &Accumulated,
    instrument: &Instrument,
    options: &Options,
    waves: &WaveOrder,
) -> Result<Results, ScoreFailure<E>> {
    let (scorer, ordered) = waves
        .apply(&scored.scorer, &scored.waves)
        .map_err(ScoreFailure::Waves)?;
    Ok(scorer.finish(instrument, &scored.groups, &ordered, options))
}

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
        let body = head.split_off(end);
        let (scored, respondents) = chunked::score_chunks(
            &header, body, input, end as u64, instrument, chunking, progress, out,
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

/// Every row accumulated, before the statistics are chosen: what a release needs to decide
/// what to publish.
pub struct Accumulated {
    /// The cells of every group and wave.
    pub scorer: Scorer,
    /// Group labels, in order of first appearance.
    pub groups: Labels,
    /// Wave labels, in order of first appearance.
    pub waves: Labels,
}

/// [`score`] without the statistics: every row scored into `sink` and accumulated.
pub fn accumulate<R: Rows + Send>(
    rows: R,
    instrument: &Instrument,
    progress: impl Fn(u64) + Send,
    mut sink: impl FnMut(&str, &str, &str, &[Option<Score>]) -> std::io::Result<()>,
) -> Result<Accumulated, ScoreFailure<R::Error>> {
    let mut scorer = Scorer::new(instrument);
    let items = instrument.items.len();
    let mut scores = vec![None; scorer.score_count()];
    let (sender, receiver) = sync_channel(BATCHES_IN_FLIGHT);
    let (outcome, (groups, waves)) = std::thread::scope(|scope| {
        let reading = scope.spawn(move || read_batches(rows, sender, progress));
        let outcome = (|| {
            for batch in &receiver {
                let batch = batch.map_err(ScoreFailure::Input)?;
                for (cell, [respondent, group, wave], answers) in batch.rows(items) {
                    scorer.add(cell, answers, &mut scores);
                    sink(respondent, group, wave, &scores).map_err(ScoreFailure::Output)?;
                }
            }
            Ok(())
        })();
        // Dropping the receiver stops the reader early when scoring failed.
        drop(receiver);
        (
            outcome,
            reading.join().expect("the reading thread does not panic"),
        )
    });
    outcome?;
    Ok(Accumulated {
        scorer,
        groups,
        waves,
    })
}
