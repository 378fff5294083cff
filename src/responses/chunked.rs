//! Scoring a large responses file on every core.
//!
//! The rows after the header are cut into chunks of about [`Chunking::chunk_bytes`] at record
//! boundaries. Worker threads each take whole chunks: they read and check the rows, score them
//! into a scorer of the chunk's own, and format the chunk's lines of `respondents.csv`. The
//! calling thread takes the chunks' results in file order: it checks every respondent id against
//! all earlier ones, joins the scorers (exact integer sums, so the statistics are those of one
//! pass) and writes the lines. At most a few chunks per worker are in flight, so memory is
//! bounded by them plus the set of respondent ids, which any check for repeated ids needs.
//!
//! A chunk must end where a record ends, and a line break inside a quoted cell does not end one.
//! Where the bytes since the last cut hold no quote at all, every line break ends a record;
//! otherwise the cutter follows the CSV grammar over those bytes. A cut also never follows a
//! blank line: the CSV reader numbers a record that follows blank lines from the first of them,
//! so the line just before a chunk must end a record for the chunk to number its rows alone.
//!
//! Everything a reader of the whole file would say comes out the same: the row and column of
//! the first problem in file order, a respondent repeated in another chunk, respondents numbered
//! across chunks, every score and statistic. The tests score files both ways and compare.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::io::{self, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::input::guess_encoding;
use super::problem::{FileProblem, ResponsesError};
use super::read::{Column, Header, cell_error, not_utf8};
use super::score::{Accumulated, ScoreFailure};
use crate::instrument::{Cell, Instrument, NotAnAnswer};
use crate::report::{RespondentLines, RespondentsWriter, restore};
use crate::scoring::{Answer, CellKey, Labels, Score, Scorer};

/// How a responses file is cut for scoring on several threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    /// About how many bytes a chunk holds (more when a single record is longer).
    pub chunk_bytes: usize,
    /// Threads that score chunks.
    pub workers: usize,
    /// Files smaller than this are read on one thread, as rows: for them, threads and chunks
    /// cost more than they save.
    pub min_file_bytes: usize,
}

impl Default for Chunking {
    /// Chunks of 1 MiB, one worker per core, files from 8 MiB.
    fn default() -> Self {
        Chunking {
            chunk_bytes: 1 << 20,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            min_file_bytes: 8 << 20,
        }
    }
}

/// A chunk of the file on its way to a worker.
struct Work {
    /// Its place in the file: 0 for the first chunk after the header.
    index: usize,
    bytes: Vec<u8>,
    /// Whether it is the end of the file, where the last record may lack its line break.
    last: bool,
    /// The position in the file just after it, for progress reports.
    end: u64,
    /// Reading the file failed here.
    failed: Option<io::Error>,
}

/// A chunk read, checked and scored.
struct Done {
    index: usize,
    end: u64,
    /// Line breaks in the chunk: how far the rows of the next chunk are numbered on.
    lines: u64,
    /// Rows scored.
    rows: u64,
    /// The rows' lines of `respondents.csv`; without their respondent ids when the file has
    /// none, since only the calling thread knows how many rows came before.
    out: Vec<u8>,
    /// Where each row's line starts in `out`, when the file has no respondent ids.
    starts: Vec<usize>,
    ids: Ids,
    scorer: Scorer,
    groups: Labels,
    waves: Labels,
    /// The first problem in the chunk, its row counted from the chunk's first line (0). The
    /// rows before it are scored, and `ids` ends with its row's id when the problem was found
    /// after its id.
    error: Option<ResponsesError>,
    /// The chunk's bytes, handed back for reuse.
    input: Vec<u8>,
}

/// The respondent ids of a chunk's rows, back to back.
#[derive(Default)]
struct Ids {
    text: Vec<u8>,
    ends: Vec<usize>,
    hashes: Vec<u64>,
    /// Each id's row, counted from the chunk's first line (0).
    lines: Vec<u64>,
}

impl Ids {
    fn iter(&self) -> impl Iterator<Item = (&[u8], u64, u64)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .zip(self.hashes.iter().zip(&self.lines))
            .map(|((start, &end), (&hash, &line))| (&self.text[start..end], hash, line))
    }
}

/// Buffers of each kind handed back for reuse.
#[derive(Default)]
struct Pools {
    /// Chunks of the file.
    chunks: Pool,
    /// Chunks of `respondents.csv`.
    lines: Pool,
}

/// Buffers handed back for reuse: a new megabyte for every chunk would have its pages faulted
/// in and zeroed every time.
#[derive(Default)]
struct Pool(Mutex<Vec<Vec<u8>>>);

impl Pool {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut buffers| buffers.pop())
            .unwrap_or_default()
    }

    fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut buffers) = self.0.lock() {
            buffers.push(buffer);
        }
    }
}

/// Scores the rows after the header: `input`, the file from byte `position` on, where the
/// header ends. Each row's line goes to `out`; `progress` hears the position in the file now and
/// then. Returns what was accumulated and how many rows were scored.
pub(super) fn score_chunks<W: Write>(
    header: &Header,
    input: impl Read + Send,
    position: u64,
    instrument: &Instrument,
    chunking: Chunking,
    progress: impl Fn(u64),
    out: &mut RespondentsWriter<W>,
) -> Result<(Accumulated, u64), ScoreFailure<ResponsesError>> {
    let workers = chunking.workers.max(1);
    // Chunks of the file and chunks of lines have sizes of their own: one pool each, so that a
    // buffer is not grown again every time it changes roles.
    let pool = Pools::default();
    let stop = AtomicBool::new(false);
    // A chunk waits for a token before it is cut and gives it back once written: that bounds
    // the chunks in memory, however far the workers run ahead of the slowest chunk.
    let in_flight = 2 * workers + 2;
    let (tokens, token) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = tokens.send(());
    }
    let (work_sender, work) = sync_channel::<Work>(workers);
    let work = Mutex::new(work);
    let (done_sender, done) = channel::<Done>();
    let hasher = RandomState::default();
    let template = Scorer::new(instrument);
    let lines = out.lines();
    let cutter = Cutter {
        delimiter: header.summary.delimiter,
        chunk_bytes: chunking.chunk_bytes.max(1),
        pool: &pool,
        stop: &stop,
    };
    std::thread::scope(|scope| {
        scope.spawn(move || cutter.run(input, position, &token, &work_sender));
        for _ in 0..workers {
            let mut worker = Worker::new(header, &template, &lines, &hasher);
            let (work, done, pool, stop) = (&work, done_sender.clone(), &pool, &stop);
            scope.spawn(move || worker.run(work, &done, pool, stop));
        }
        drop(done_sender);
        let collector = Collector {
            header,
            total: Accumulated {
                scorer: template.clone(),
                groups: Labels::default(),
                waves: Labels::default(),
                // A responses file says nothing of the language it was answered in.
                languages: Labels::default(),
            },
            seen: Seen::new(),
            line: header.first_line,
            rows: 0,
            numbered: Vec::new(),
        };
        let outcome = collector.run(done, tokens, &pool, progress, out);
        // Tells the cutter and the workers to stop early when a chunk failed.
        stop.store(true, Ordering::Relaxed);
        outcome
    })
}

/// Cuts the file into chunks at record boundaries.
struct Cutter<'a> {
    delimiter: u8,
    chunk_bytes: usize,
    pool: &'a Pools,
    stop: &'a AtomicBool,
}

impl Cutter<'_> {
    fn run(
        &self,
        mut input: impl Read,
        mut position: u64,
        token: &Receiver<()>,
        work: &SyncSender<Work>,
    ) {
        let mut pending = Vec::new();
        let mut eof = false;
        for index in 0.. {
            if self.stop.load(Ordering::Relaxed) || token.recv().is_err() {
                return;
            }
            let mut want = self.chunk_bytes;
            let cut = loop {
                if let Err(failed) = fill(&mut pending, &mut input, want, &mut eof) {
                    let _ = work.send(Work {
                        index,
                        bytes: Vec::new(),
                        last: true,
                        end: position,
                        failed: Some(failed),
                    });
                    return;
                }
                if eof && pending.len() <= want {
                    break pending.len();
                }
                match last_boundary(&pending[..want], self.delimiter) {
                    Some(cut) => break cut,
                    // One record longer than the chunk: take more.
                    None => want = want.saturating_mul(2),
                }
            };
            if cut == 0 {
                return;
            }
            let mut next = self.pool.chunks.take();
            next.extend_from_slice(&pending[cut..]);
            pending.truncate(cut);
            position += cut as u64;
            let last = eof && next.is_empty();
            let chunk = Work {
                index,
                bytes: std::mem::replace(&mut pending, next),
                last,
                end: position,
                failed: None,
            };
            if work.send(chunk).is_err() || last {
                return;
            }
        }
    }
}

/// Reads `input` until `pending` holds `want` bytes or the file ends.
fn fill(
    pending: &mut Vec<u8>,
    input: &mut impl Read,
    want: usize,
    eof: &mut bool,
) -> io::Result<()> {
    if *eof || pending.len() >= want {
        return Ok(());
    }
    let missing = (want - pending.len()) as u64;
    let got = input.by_ref().take(missing).read_to_end(pending)?;
    *eof = (got as u64) < missing;
    Ok(())
}

/// Where the chunk `bytes` (starting where a record starts) may be cut at the latest: just
/// after a line break that ends a record and a line that is not blank.
fn last_boundary(bytes: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        // Without quotes every line break ends a record.
        return memchr::memrchr_iter(b'\n', bytes)
            .find(|&i| ends_line(bytes, i))
            .map(|i| i + 1);
    }
    // The states of the CSV grammar (as `csv_core` reads it) that matter for where records
    // end: a quote opens a quoted cell only at the start of a cell.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        CellStart,
        InCell,
        InQuotes,
        QuoteInQuotes,
    }
    let mut state = State::CellStart;
    let mut last = None;
    for (i, &byte) in bytes.iter().enumerate() {
        state = match (state, byte) {
            (State::InQuotes, b'"') => State::QuoteInQuotes,
            (State::InQuotes, _) => State::InQuotes,
            (State::CellStart | State::QuoteInQuotes, b'"') => State::InQuotes,
            (_, b'\n') => {
                if ends_line(bytes, i) {
                    last = Some(i + 1);
                }
                State::CellStart
            }
            (_, b'\r') => State::CellStart,
            (_, byte) if byte == delimiter => State::CellStart,
            _ => State::InCell,
        };
    }
    last
}

/// Whether the line break at `i` ends a line that is not blank once `\r\n` and a lone `\r`
/// count as line breaks, as the CSV reader sees them.
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match i.checked_sub(1).map(|p| bytes[p]) {
        None | Some(b'\n') => false,
        Some(b'\r') => i >= 2 && !matches!(bytes[i - 2], b'\r' | b'\n'),
        Some(_) => true,
    }
}

/// The bytes as the CSV reader sees them: `\r\n` and a lone `\r` become `\n`, as in
/// `input::Utf8Reader`. A chunk starts after a `\n`, so no `\r\n` is split between two.
fn normalize(bytes: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut after_cr = false;
    for &byte in bytes {
        if byte == b'\n' && after_cr {
            after_cr = false;
            continue;
        }
        after_cr = byte == b'\r';
        out.push(if after_cr { b'\n' } else { byte });
    }
}

/// Reads, checks and scores chunks.
struct Worker<'a> {
    header: &'a Header,
    template: &'a Scorer,
    lines: RespondentLines,
    hasher: RandomState,
    /// Reads the records that hold quotes.
    csv: csv_core::Reader,
    /// What to do with each column's cells in a record without quotes.
    actions: Vec<Action>,
    normalized: Vec<u8>,
    /// Each cell of the record being read: its start and end in the text it is read from.
    spans: Vec<(usize, usize)>,
    /// The cells of a record read by `csv`, back to back: the first `unquoted_len` bytes.
    unquoted: Vec<u8>,
    unquoted_len: usize,
    ends: Vec<usize>,
    answers: Vec<Answer>,
    scores: Vec<Option<Score>>,
}

/// What [`Worker::plain`] does with a column's cells, decided once from the header.
#[derive(Clone, Copy)]
enum Action {
    /// Reads the answers to item `item`; `digits` are what the cells `0` to `9` read as when
    /// they are a value of its scale as they stand
    /// ([`crate::instrument::CellReader::one_digit`]).
    Item { item: usize, digits: [Answer; 10] },
    /// Keeps the respondent (0), group (1) or wave (2).
    Role(usize),
    /// Ignores the column.
    Skip,
}

impl Action {
    fn of(header: &Header) -> Vec<Action> {
        header
            .columns
            .iter()
            .map(|column| match *column {
                Column::Item(item) => Action::Item {
                    item,
                    digits: std::array::from_fn(|d| {
                        match header.cells[item].one_digit(&[b'0' + d as u8]) {
                            Some(Cell::Value(v)) => Some(v),
                            _ => None,
                        }
                    }),
                },
                Column::Respondent => Action::Role(0),
                Column::Group => Action::Role(1),
                Column::Wave => Action::Role(2),
                Column::Ignored => Action::Skip,
            })
            .collect()
    }
}

/// A record without quotes, read by [`Worker::plain`].
struct Plain {
    /// Where it ends: its line break, or the end of the text.
    end: usize,
    /// How many cells it has.
    cells: usize,
    /// Where its respondent, group and wave cells are (empty where the file has none).
    roles: [(usize, usize); 3],
    /// Its first cell, in file order, that is no answer, and why.
    problem: Option<(usize, NotAnAnswer)>,
}

impl<'a> Worker<'a> {
    fn new(
        header: &'a Header,
        template: &'a Scorer,
        lines: &RespondentLines,
        hasher: &RandomState,
    ) -> Self {
        Worker {
            header,
            template,
            lines: lines.clone(),
            hasher: hasher.clone(),
            csv: mid_file_reader(header.summary.delimiter),
            actions: Action::of(header),
            normalized: Vec::new(),
            spans: Vec::new(),
            unquoted: Vec::new(),
            unquoted_len: 0,
            ends: Vec::new(),
            answers: vec![None; header.cells.len()],
            scores: vec![None; template.score_count()],
        }
    }

    fn run(
        &mut self,
        work: &Mutex<Receiver<Work>>,
        done: &Sender<Done>,
        pool: &Pools,
        stop: &AtomicBool,
    ) {
        loop {
            let next = match work.lock() {
                Ok(work) => work.recv(),
                Err(_) => return,
            };
            let Ok(chunk) = next else {
                return;
            };
            if stop.load(Ordering::Relaxed) {
                continue;
            }
            let mut result = Done {
                index: chunk.index,
                end: chunk.end,
                lines: 0,
                rows: 0,
                out: pool.lines.take(),
                starts: Vec::new(),
                ids: Ids::default(),
                scorer: self.template.clone(),
                groups: Labels::default(),
                waves: Labels::default(),
                error: None,
                input: Vec::new(),
            };
            match chunk.failed {
                Some(failed) => {
                    result.error = Some(ResponsesError::of_row(
                        0,
                        FileProblem::Unreadable(failed.to_string()),
                    ));
                }
                None => self.score(&chunk.bytes, chunk.last, &mut result),
            }
            result.input = chunk.bytes;
            // When the calling thread has stopped taking results, `stop` is set: the chunks
            // still to come are taken and dropped, so that the cutter never waits for a worker.
            let _ = done.send(result);
        }
    }

    /// Reads, checks and scores the records of `bytes` into `done`, stopping at the first
    /// problem.
    fn score(&mut self, bytes: &[u8], last: bool, done: &mut Done) {
        let mut normalized = std::mem::take(&mut self.normalized);
        let text = if memchr::memchr(b'\r', bytes).is_some() {
            normalize(bytes, &mut normalized);
            &normalized[..]
        } else {
            bytes
        };
        // One check of the whole chunk instead of one per cell: the cells of every record
        // before the first byte that is not UTF-8 are UTF-8.
        let valid = match std::str::from_utf8(text) {
            Ok(valid) => valid,
            Err(e) => std::str::from_utf8(&text[..e.valid_up_to()])
                .expect("the text is UTF-8 up to where the check stopped"),
        };
        let mut at = 0;
        let mut line = 0;
        while at < text.len() {
            // The CSV reader numbers a record from the line after the previous record, blank
            // lines before it included.
            let row = line;
            while text.get(at) == Some(&b'\n') {
                at += 1;
                line += 1;
            }
            if at == text.len() {
                break;
            }
            let (next, checked) = match self.plain(text, valid, at) {
                Some(plain) => {
                    let next = if plain.end < text.len() {
                        line += 1;
                        plain.end + 1
                    } else {
                        plain.end
                    };
                    (next, self.plain_row(text, valid, at, &plain, row, done))
                }
                None => {
                    let read = self.unquote(&text[at..], last);
                    line += memchr::memchr_iter(b'\n', &text[at..at + read]).count() as u64;
                    let cells = std::mem::take(&mut self.unquoted);
                    let checked = self.quoted_row(&cells[..self.unquoted_len], row, done);
                    self.unquoted = cells;
                    (at + read, checked)
                }
            };
            at = next;
            if let Err(error) = checked {
                done.error = Some(error);
                break;
            }
        }
        done.lines = line;
        self.normalized = normalized;
    }

    /// Reads the record at `at` of `text` when it holds no quote, splitting it and reading each
    /// item's cell into `answers` in one pass; `None` when it holds a quote. `valid` is `text` up
    /// to its first byte that is not UTF-8.
    fn plain(&mut self, text: &[u8], valid: &str, at: usize) -> Option<Plain> {
        let header = self.header;
        let delimiter = header.summary.delimiter;
        self.answers.fill(None);
        let mut plain = Plain {
            end: text.len(),
            cells: 0,
            roles: [(at, at); 3],
            problem: None,
        };
        let (mut start, mut i) = (at, at);
        loop {
            let byte = text.get(i).copied();
            match byte {
                Some(b'"') => return None,
                Some(byte) if byte != delimiter && byte != b'\n' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let c = plain.cells;
            plain.cells += 1;
            match self.actions.get(c) {
                Some(&Action::Item { item, digits }) if plain.problem.is_none() => {
                    let quick = match text[start..i] {
                        [] => Some(None),
                        [digit @ b'0'..=b'9'] => digits[usize::from(digit - b'0')].map(Some),
                        _ => None,
                    };
                    let read = match quick {
                        Some(answer) => Ok(answer),
                        None if i <= valid.len() => {
                            header.cells[item].read(&valid[start..i]).map(Cell::score)
                        }
                        // The record is refused as not UTF-8 before any of its cells.
                        None => Ok(None),
                    };
                    match read {
                        Ok(answer) => self.answers[item] = answer,
                        Err(refused) => plain.problem = Some((c, refused)),
                    }
                }
                Some(&Action::Role(role)) => plain.roles[role] = (start, i),
                _ => {}
            }
            if byte != Some(delimiter) {
                plain.end = i;
                return Some(plain);
            }
            i += 1;
            start = i;
        }
    }

    /// Checks and scores the record [`Worker::plain`] read at `at`, in the order the reader of
    /// the whole file checks a row: its number of cells, its text, its respondent id, then its
    /// cells.
    fn plain_row(
        &mut self,
        text: &[u8],
        valid: &str,
        at: usize,
        plain: &Plain,
        row: u64,
        done: &mut Done,
    ) -> Result<(), ResponsesError> {
        let header = self.header;
        if plain.cells != header.names.len() {
            return Err(ResponsesError::of_row(
                row,
                FileProblem::Cells {
                    len: plain.cells as u64,
                    expected: header.names.len() as u64,
                },
            ));
        }
        if plain.end > valid.len() {
            plain_record(text, at, header.summary.delimiter, &mut self.spans);
            return Err(self.not_utf8(text, row));
        }
        let [respondent, group, wave] = plain
            .roles
            .map(|(start, end)| restore(valid[start..end].trim()));
        let respondent = self.respondent(respondent, row, done)?;
        if let Some((c, refused)) = &plain.problem {
            let problem = FileProblem::NotAnAnswer(refused.clone());
            return Err(cell_error(row, *c, &header.names, problem));
        }
        self.accept(respondent, group, wave, done);
        Ok(())
    }

    /// Checks the respondent id of a row and keeps it for the check against repeats: `""` for
    /// a file without ids, whose rows the calling thread numbers.
    fn respondent<'t>(
        &self,
        id: &'t str,
        row: u64,
        done: &mut Done,
    ) -> Result<&'t str, ResponsesError> {
        let Some(c) = self.header.fields[0] else {
            return Ok("");
        };
        if id.is_empty() {
            return Err(cell_error(row, c, &self.header.names, FileProblem::BlankId));
        }
        let ids = &mut done.ids;
        ids.text.extend_from_slice(id.as_bytes());
        ids.ends.push(ids.text.len());
        ids.hashes.push(self.hasher.hash_one(id.as_bytes()));
        ids.lines.push(row);
        Ok(id)
    }

    /// Scores a checked row whose answers are in `answers`, and formats its line.
    fn accept(&mut self, respondent: &str, group: &str, wave: &str, done: &mut Done) {
        let key = CellKey {
            group: done.groups.intern(group),
            wave: done.waves.intern(wave),
            language: None,
        };
        done.scorer.add(key, &self.answers, &mut self.scores);
        if self.header.fields[0].is_none() {
            done.starts.push(done.out.len());
        }
        self.lines
            .push(&mut done.out, respondent, group, wave, &self.scores);
        done.rows += 1;
    }

    /// Reads the record at the start of `text` (which holds a quote) by the CSV grammar into
    /// `unquoted` and `spans`; returns the bytes it took.
    fn unquote(&mut self, text: &[u8], last: bool) -> usize {
        use csv_core::ReadRecordResult;
        if self.unquoted.len() < 1024 {
            self.unquoted.resize(1024, 0);
        }
        if self.ends.len() < self.header.names.len() + 1 {
            self.ends.resize(self.header.names.len() + 1, 0);
        }
        let (mut read, mut written, mut ended) = (0, 0, 0);
        let mut at_end = false;
        loop {
            let (result, nin, nout, nend) = self.csv.read_record(
                &text[read..],
                &mut self.unquoted[written..],
                &mut self.ends[ended..],
            );
            read += nin;
            written += nout;
            ended += nend;
            match result {
                ReadRecordResult::Record | ReadRecordResult::End => break,
                // The cutter cuts where records end, so only the end of the file leaves one
                // open; the next call's empty input tells the reader the input is over.
                ReadRecordResult::InputEmpty => {
                    debug_assert!(last, "only the last chunk ends inside a record");
                    at_end = true;
                }
                ReadRecordResult::OutputFull => {
                    let len = self.unquoted.len();
                    self.unquoted.resize(len * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len();
                    self.ends.resize(len * 2, 0);
                }
            }
        }
        if at_end {
            // A reader told the input is over reads nothing more.
            self.csv = mid_file_reader(self.header.summary.delimiter);
        }
        self.unquoted_len = written;
        self.spans.clear();
        let mut start = 0;
        for &end in &self.ends[..ended] {
            self.spans.push((start, end));
            start = end;
        }
        read
    }

    /// Checks and scores a record that holds quotes, whose cells `spans` locate in `cells`
    /// (as the CSV grammar read them). `row` counts from the chunk's first line.
    fn quoted_row(
        &mut self,
        cells: &[u8],
        row: u64,
        done: &mut Done,
    ) -> Result<(), ResponsesError> {
        let header = self.header;
        let names = &header.names;
        if self.spans.len() != names.len() {
            return Err(ResponsesError::of_row(
                row,
                FileProblem::Cells {
                    len: self.spans.len() as u64,
                    expected: names.len() as u64,
                },
            ));
        }
        let Ok(source) = std::str::from_utf8(cells) else {
            return Err(self.not_utf8(cells, row));
        };
        let spans = &self.spans;
        let cell = |c: usize| {
            let (start, end) = spans[c];
            &source[start..end]
        };
        let label = |c: Option<usize>| c.map_or("", |c| restore(cell(c).trim()));
        let respondent = self.respondent(label(header.fields[0]), row, done)?;
        let (group, wave) = (label(header.fields[1]), label(header.fields[2]));
        self.answers.fill(None);
        for (c, column) in header.columns.iter().enumerate() {
            if let Column::Item(item) = *column {
                let read = header.cells[item].read(cell(c)).map_err(|refused| {
                    cell_error(row, c, names, FileProblem::NotAnAnswer(refused))
                })?;
                self.answers[item] = read.score();
            }
        }
        self.accept(respondent, group, wave, done);
        Ok(())
    }

    /// Text that is not UTF-8 in the record whose cells `spans` locate in `source`, placed at
    /// its first such cell as the CSV reader places it.
    fn not_utf8(&self, source: &[u8], row: u64) -> ResponsesError {
        let cell = |&(start, end): &(usize, usize)| &source[start..end];
        let c = self
            .spans
            .iter()
            .position(|span| std::str::from_utf8(cell(span)).is_err())
            .unwrap_or(0);
        let record: Vec<u8> = self.spans.iter().flat_map(cell).copied().collect();
        not_utf8(
            row,
            Some((c + 1, self.header.names[c].clone())),
            guess_encoding(&record),
        )
    }
}

/// A CSV reader for records in the middle of the file. A reader strips a byte-order mark at the
/// start of its first input, which the CSV reader of the whole file does only at its start:
/// this one has read a blank line first.
fn mid_file_reader(delimiter: u8) -> csv_core::Reader {
    let mut csv = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let _ = csv.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
    csv
}

/// Splits the record at `at` of `text` into `spans` when it holds no quote, returning where
/// it ends (its line break, or the end of `text`); `None` when it holds a quote.
fn plain_record(
    text: &[u8],
    at: usize,
    delimiter: u8,
    spans: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    spans.clear();
    let mut start = at;
    for (i, &byte) in text.iter().enumerate().skip(at) {
        if byte == delimiter {
            spans.push((start, i));
            start = i + 1;
        } else if byte == b'\n' {
            spans.push((start, i));
            return Some(i);
        } else if byte == b'"' {
            return None;
        }
    }
    spans.push((start, text.len()));
    Some(text.len())
}

/// Takes the chunks' results in file order.
struct Collector<'a> {
    header: &'a Header,
    total: Accumulated,
    seen: Seen,
    /// The line the next chunk starts on.
    line: u64,
    /// Rows written so far.
    rows: u64,
    /// The lines of a chunk of a file without respondent ids, numbered.
    numbered: Vec<u8>,
}

impl Collector<'_> {
    fn run<W: Write>(
        mut self,
        done: Receiver<Done>,
        tokens: SyncSender<()>,
        pool: &Pools,
        progress: impl Fn(u64),
        out: &mut RespondentsWriter<W>,
    ) -> Result<(Accumulated, u64), ScoreFailure<ResponsesError>> {
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for chunk in done {
            waiting.insert(chunk.index, chunk);
            while let Some(chunk) = waiting.remove(&next) {
                let end = chunk.end;
                self.take(chunk, pool, out)?;
                progress(end);
                next += 1;
                // The cutter may have stopped already; a token then has no one to wait for it.
                let _ = tokens.send(());
            }
        }
        Ok((self.total, self.rows))
    }

    /// Checks the next chunk's respondent ids against all earlier ones, then adds its scores and
    /// writes its lines, or returns its first problem.
    fn take<W: Write>(
        &mut self,
        chunk: Done,
        pool: &Pools,
        out: &mut RespondentsWriter<W>,
    ) -> Result<(), ScoreFailure<ResponsesError>> {
        let header = self.header;
        if let Some(c) = header.fields[0] {
            for (id, hash, line) in chunk.ids.iter() {
                let row = self.line + line;
                if let Some(earlier) = self.seen.insert(hash, id, row) {
                    let problem = FileProblem::Repeated {
                        respondent: String::from_utf8_lossy(id).into_owned(),
                        earlier,
                    };
                    return Err(ScoreFailure::Input(cell_error(
                        row,
                        c,
                        &header.names,
                        problem,
                    )));
                }
            }
        }
        if let Some(mut error) = chunk.error {
            error.row += self.line;
            return Err(ScoreFailure::Input(error));
        }
        let total = &mut self.total;
        let groups: Vec<Option<u32>> = chunk
            .groups
            .names()
            .iter()
            .map(|g| total.groups.intern(g))
            .collect();
        let waves: Vec<Option<u32>> = chunk
            .waves
            .names()
            .iter()
            .map(|w| total.waves.intern(w))
            .collect();
        total.scorer.absorb(chunk.scorer, |key| CellKey {
            group: key.group.and_then(|g| groups[g as usize]),
            wave: key.wave.and_then(|w| waves[w as usize]),
            language: None,
        });
        let written = if header.fields[0].is_some() {
            out.write_lines(&chunk.out)
        } else {
            self.numbered.clear();
            let ends = chunk
                .starts
                .iter()
                .skip(1)
                .copied()
                .chain([chunk.out.len()]);
            for (k, (&start, end)) in chunk.starts.iter().zip(ends).enumerate() {
                let number = self.rows + k as u64 + 1;
                self.numbered
                    .extend_from_slice(number.to_string().as_bytes());
                self.numbered.extend_from_slice(&chunk.out[start..end]);
            }
            out.write_lines(&self.numbered)
        };
        written.map_err(ScoreFailure::Output)?;
        self.rows += chunk.rows;
        self.line += chunk.lines;
        pool.lines.give(chunk.out);
        pool.chunks.give(chunk.input);
        Ok(())
    }
}

/// Every respondent id seen so far, in one buffer, with the row it was first seen on.
struct Seen {
    /// Each id's hash and index into `ends` and `rows`, found by the hash. The hash is kept so
    /// that growing the table does not read every id again.
    table: HashTable<(u64, usize)>,
    text: Vec<u8>,
    ends: Vec<usize>,
    rows: Vec<u64>,
}

impl Seen {
    fn new() -> Self {
        Seen {
            table: HashTable::new(),
            text: Vec::new(),
            ends: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Keeps `id` (whose hash is `hash`) as first seen on `row`, or returns the row it was
    /// first seen on.
    fn insert(&mut self, hash: u64, id: &[u8], row: u64) -> Option<u64> {
        let Seen {
            table,
            text,
            ends,
            rows,
        } = self;
        let entry = table.entry(
            hash,
            |&(h, k)| h == hash && text[span(ends, k)] == *id,
            |&(h, _)| h,
        );
        match entry {
            Entry::Occupied(first) => Some(rows[first.get().1]),
            Entry::Vacant(slot) => {
                slot.insert((hash, rows.len()));
                text.extend_from_slice(id);
                ends.push(text.len());
                rows.push(row);
                None
            }
        }
    }
}

/// Where the `k`th of the ids whose ends are `ends` lies in their buffer.
fn span(ends: &[usize], k: usize) -> std::ops::Range<usize> {
    k.checked_sub(1).map_or(0, |before| ends[before])..ends[k]
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::responses::input::PEEK_BYTES;
    use crate::responses::{Layout, score_file};
    use crate::scoring::{Options, Results, WaveOrder};

    fn mini() -> Instrument {
        let src = include_str!("../../tests/fixtures/web/mini.toml");
        crate::instrument::load_str("mini.toml", src).unwrap()
    }

    /// What scoring `file` says: the lines of `respondents.csv`, how many respondents, and the
    /// statistics; or the error as the command line shows it.
    fn scored(
        file: &[u8],
        layout: &Layout,
        chunking: Chunking,
    ) -> Result<(String, u64, Results), String> {
        let instrument = mini();
        let mut out = RespondentsWriter::new(Vec::new(), &instrument).unwrap();
        let scored = score_file(
            file,
            &instrument,
            layout,
            &Options::default(),
            &WaveOrder::Natural,
            chunking,
            |_| {},
            &mut out,
        )
        .map_err(|e| e.to_string())?;
        let lines = String::from_utf8(out.finish().unwrap()).unwrap();
        Ok((lines, scored.respondents, scored.results))
    }

    /// One reader of the whole file, row by row.
    const WHOLE: Chunking = Chunking {
        chunk_bytes: 1 << 20,
        workers: 1,
        min_file_bytes: usize::MAX,
    };

    fn chunks(chunk_bytes: usize, workers: usize) -> Chunking {
        Chunking {
            chunk_bytes,
            workers,
            min_file_bytes: 0,
        }
    }

    /// Scores `file` with one reader and cut into chunks of many sizes (from a byte up) on one
    /// to three workers, asserts that every way says the same, and returns what it says.
    fn agree(file: &str, layout: &Layout) -> Result<(String, u64, Results), String> {
        let whole = scored(file.as_bytes(), layout, WHOLE);
        for chunk_bytes in [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 1 << 20] {
            for workers in [1, 2, 3] {
                let cut = scored(file.as_bytes(), layout, chunks(chunk_bytes, workers));
                assert_eq!(
                    cut, whole,
                    "chunks of {chunk_bytes} bytes on {workers} workers"
                );
            }
        }
        whole
    }

    const HEADER: &str = "respondent,group,wave,t1,t2,g1,g2,e1,e2,note\n";

    /// A file of `rows` good rows: answers of every spelling, several groups and waves. Row
    /// `r{n}` is on line n + 2.
    fn good_rows(rows: usize) -> String {
        let cells = [
            "1",
            "2",
            "3",
            "4",
            "5",
            "",
            "dk",
            "NA",
            "Agree",
            " 4 ",
            "Strongly  agree",
        ];
        let groups = ["government", "nonprofit", "", "business"];
        let waves = ["2025", "2026 spring", ""];
        let mut file = String::from(HEADER);
        for r in 0..rows {
            file.push_str(&format!("r{r},{},{}", groups[r % 4], waves[r % 3]));
            for i in 0..6 {
                file.push(',');
                file.push_str(cells[(r * 7 + i * 3) % cells.len()]);
            }
            file.push_str(",a note\n");
        }
        file
    }

    /// `file` with its line `row` (the header is row 1) replaced by `line`.
    fn with_line(file: &str, row: usize, line: &str) -> String {
        file.lines()
            .enumerate()
            .map(|(i, old)| format!("{}\n", if i + 1 == row { line } else { old }))
            .collect()
    }

    #[test]
    fn a_file_cut_into_chunks_of_any_size_scores_as_one_reader_reads_it() {
        let file = good_rows(120);
        let (lines, respondents, results) = agree(&file, &Layout::default()).unwrap();
        assert_eq!(respondents, 120);
        assert_eq!(lines.lines().count(), 121);
        assert!(
            lines
                .lines()
                .nth(120)
                .unwrap()
                .starts_with("r119,business,")
        );
        assert_eq!(
            results.groups.names,
            ["government", "nonprofit", "business"]
        );
    }

    #[test]
    fn the_first_problem_in_file_order_is_reported_from_a_later_chunk() {
        let file = with_line(&good_rows(80), 41, "r39,g,w,7,1,1,1,1,1,n");
        let file = with_line(&file, 61, "r59,g,w,x,1,1,1,1,1,n");
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert!(
            error.starts_with("row 41, column 4 (t1): `7` is not an answer"),
            "{error}"
        );
    }

    #[test]
    fn a_respondent_repeated_chunks_apart_is_refused_naming_both_rows() {
        let file = with_line(&good_rows(60), 52, "r3,g,w,1,1,1,1,1,1,n");
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert_eq!(
            error,
            "row 52, column 1 (respondent): respondent `r3` already appears on row 5"
        );
    }

    #[test]
    fn a_repeated_respondent_outranks_a_bad_cell_of_its_row_but_not_an_earlier_problem() {
        let file = with_line(&good_rows(30), 22, "r2,g,w,x,1,1,1,1,1,n");
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert_eq!(
            error,
            "row 22, column 1 (respondent): respondent `r2` already appears on row 4"
        );
        let file = with_line(&file, 12, "r10,g,w,1,1,1,1,1,1,n,extra");
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert_eq!(error, "row 12: the row has 11 cells but the header has 10");
    }

    #[test]
    fn quoted_line_breaks_near_every_cut_score_as_one_reader_reads_them() {
        let mut file = String::from(HEADER);
        let groups = [
            "\"a, b\"",
            "\"two\nlines\"",
            "\"say \"\"hi\"\"\"",
            "plain",
            "\"\r\nx\"",
        ];
        for r in 0..40 {
            let end = if r % 3 == 0 { "\r\n" } else { "\n" };
            file.push_str(&format!(
                "\"r\n{r}\",{},\"w,{}\",{},2,\"3\",4,,dk,\"note\n\"\"quoted\"\"\"{end}",
                groups[r % groups.len()],
                r % 2,
                1 + r % 5,
            ));
            if r % 7 == 0 {
                file.push('\n');
            }
        }
        let (_, respondents, results) = agree(&file, &Layout::default()).unwrap();
        assert_eq!(respondents, 40);
        assert_eq!(results.waves.names, ["w,0", "w,1"]);
    }

    #[test]
    fn every_cut_of_a_file_with_quotes_and_crlf_agrees_with_one_reader() {
        let file = "respondent,group,wave,t1,t2,g1,g2,e1,e2\r\n\
                    p1,\"x\r\ny\",w1,1,2,3,4,5,1\r\n\
                    \r\n\
                    p2,\"\",\"w\"\"1\",\"2\",,3,4,5,dk\r\n\
                    p3,g\"h,w2,5,4,3,2,1,NA\r\n\
                    p4,\"q\n\n\",w2,1,1,1,1,1,1";
        let whole = scored(file.as_bytes(), &Layout::default(), WHOLE);
        assert_eq!(whole.as_ref().map(|scored| scored.1), Ok(4));
        for chunk_bytes in 1..=file.len() + 1 {
            let cut = scored(file.as_bytes(), &Layout::default(), chunks(chunk_bytes, 2));
            assert_eq!(cut, whole, "chunks of {chunk_bytes} bytes");
        }
    }

    #[test]
    fn numbered_respondents_count_on_across_chunks() {
        let file: String = good_rows(50)
            .lines()
            .map(|line| format!("{}\n", line.split_once(',').unwrap().1))
            .collect();
        let (lines, respondents, _) = agree(&file, &Layout::default()).unwrap();
        assert_eq!(respondents, 50);
        for (n, line) in lines.lines().skip(1).enumerate() {
            assert!(line.starts_with(&format!("{},", n + 1)), "{line}");
        }
    }

    #[test]
    fn blank_lines_before_a_bad_row_in_a_later_chunk_number_it_as_one_reader_does() {
        let file = with_line(&good_rows(30), 27, "r25,g,w,9,1,1,1,1,1,n");
        let file = file.replacen("r20,", "\n\n\r\nr20,", 1);
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert!(error.starts_with("row 30, column 4 (t1)"), "{error}");
    }

    #[test]
    fn a_blank_respondent_in_a_later_chunk_is_refused_at_its_row() {
        let file = with_line(&good_rows(30), 29, " ,g,w,1,1,1,1,1,1,n");
        let error = agree(&file, &Layout::default()).unwrap_err();
        assert_eq!(
            error,
            "row 29, column 1 (respondent): the respondent id is blank"
        );
    }

    #[test]
    fn text_that_is_not_utf8_past_the_start_is_placed_as_one_reader_places_it() {
        // Past the start that opening the file checks, so the rows' reader finds it.
        let mut file = good_rows(2500).into_bytes();
        assert!(file.len() > PEEK_BYTES);
        let row_start = file[..file.len() - 30]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        let comma = row_start + file[row_start..].iter().position(|&b| b == b',').unwrap();
        file.insert(comma + 1, 0xE9);
        let whole = scored(&file, &Layout::default(), WHOLE).unwrap_err();
        assert!(
            whole.contains("column 2 (group): the text is not UTF-8"),
            "{whole}"
        );
        for (chunk_bytes, workers) in [(1000, 2), (4096, 3), (1 << 20, 1)] {
            let cut = scored(&file, &Layout::default(), chunks(chunk_bytes, workers));
            assert_eq!(cut, Err(whole.clone()));
        }
    }

    #[test]
    fn more_header_rows_and_a_last_row_without_a_line_break_agree() {
        let mut file = String::from(HEADER);
        file.push_str("\"Question\ntexts\",,,,,,,,,\n");
        file.push_str(&good_rows(20)[HEADER.len()..]);
        file.push_str("last,g,w,1,2,3,4,5,NA,\"open");
        let layout = Layout {
            header_rows: 2,
            ..Layout::default()
        };
        let (_, respondents, _) = agree(&file, &layout).unwrap();
        assert_eq!(respondents, 21);
    }

    #[test]
    fn semicolons_tabs_and_a_byte_order_mark_cut_as_one_reader_reads_them() {
        let rows = good_rows(40);
        let semicolons = rows.replace(',', ";").replace("a note", "\"4,5; or 6\"");
        let (_, respondents, _) = agree(&semicolons, &Layout::default()).unwrap();
        assert_eq!(respondents, 40);
        let tabs = format!("\u{FEFF}{}", rows.replace(',', "\t").replace('\n', "\r\n"));
        let (lines, respondents, _) = agree(&tabs, &Layout::default()).unwrap();
        assert_eq!(respondents, 40);
        assert!(
            lines
                .lines()
                .nth(1)
                .unwrap()
                .starts_with("r0,government,2025,")
        );
    }

    #[test]
    fn long_files_and_other_encodings_are_read_as_rows_whatever_the_chunking() {
        let long = "respondent,item,value\np1,t1,4\np1,t2,2\np2,t1,5\n";
        let layout = Layout {
            long: true,
            ..Layout::default()
        };
        let (_, respondents, _) = agree(long, &layout).unwrap();
        assert_eq!(respondents, 2);
        let latin = b"respondent,group,t1,t2,g1,g2,e1,e2\nr1,Bogot\xE1,1,2,3,4,5,1\n";
        let layout = Layout {
            encoding: Some(encoding_rs::WINDOWS_1252),
            ..Layout::default()
        };
        let whole = scored(latin, &layout, WHOLE).unwrap();
        assert!(whole.0.contains("r1,Bogotá,"), "{}", whole.0);
        assert_eq!(scored(latin, &layout, chunks(3, 2)).unwrap(), whole);
    }

    #[test]
    fn a_cut_never_falls_inside_quotes_or_after_a_blank_line() {
        assert_eq!(last_boundary(b"a,b\nc,d\ne", b','), Some(8));
        assert_eq!(last_boundary(b"a,\"b\nc\",d\ne", b','), Some(10));
        assert_eq!(last_boundary(b"a,\"b\nc\nd", b','), None);
        assert_eq!(last_boundary(b"a\n\n\n", b','), Some(2));
        assert_eq!(last_boundary(b"a\r\n\r\nb", b','), Some(3));
        // A quote inside an unquoted cell is text, and opens nothing.
        assert_eq!(last_boundary(b"a\"b,c\nd\"e\n", b','), Some(10));
        assert_eq!(last_boundary(b"\n", b','), None);
    }

    /// A cell of a generated file: mostly answers, sometimes one to refuse or to quote.
    fn cell() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            8 => prop::sample::select(vec!["1", "2", "3", "4", "5", "", "dk", "NA", " Agree "]),
            1 => prop::sample::select(vec!["7", "x", "\"3\"", "\"a,\nb\"", "é", "\"\"\"\""]),
        ]
    }

    /// A row of a generated file, with its line end: sometimes too short or too long, with a
    /// repeated id, text that is not UTF-8, or no line end at all.
    fn row() -> impl Strategy<Value = Vec<u8>> {
        (
            0..12u8,
            prop::sample::select(vec!["g", "", "\"h\ni\"", "=x", "gov ernment", " "]),
            prop::sample::select(vec!["2025", "", "\"w\r\n\""]),
            prop::collection::vec(cell(), 5..=7),
            prop::sample::select(vec!["\n", "\n", "\r\n", "\n\n", "\r", ""]),
            prop::bool::weighted(0.03),
        )
            .prop_map(|(id, group, wave, cells, end, latin)| {
                let mut row = format!("r{id},{group},{wave},{}{end}", cells.join(",")).into_bytes();
                if latin {
                    row.insert(1, 0xE9);
                }
                row
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_file_scores_alike_in_chunks_of_any_size(
            rows in prop::collection::vec(row(), 0..25),
            chunk_bytes in 1usize..120,
            workers in 1usize..4,
            numbered in any::<bool>(),
        ) {
            let header = if numbered {
                "id,group,wave,t1,t2,g1,g2,e1,e2\n"
            } else {
                "respondent,group,wave,t1,t2,g1,g2,e1,e2\n"
            };
            let mut file = header.as_bytes().to_vec();
            for row in rows {
                file.extend(row);
            }
            let whole = scored(&file, &Layout::default(), WHOLE);
            let cut = scored(&file, &Layout::default(), chunks(chunk_bytes, workers));
            prop_assert_eq!(cut, whole);
        }
    }
}
