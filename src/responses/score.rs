//! The scoring pipeline: rows in, each respondent's scores handed on in order, the statistics
//! out. Every web report and the tests score through [`score`]; `partnerscope score` scores a
//! file through `score_file`, which cuts a large file into chunks for every core (`chunked`)
//! and reads any other as rows through [`accumulate`].
//!
//! Reading and checking rows run on one thread, interning and scoring on the caller's, joined by
//! a bounded channel of batches: a large file takes about the time of the slower half, and memory
//! stays bounded however many rows there are.

use std::sync::mpsc::{SyncSender, sync_channel};

use super::{Row, Rows};
use crate::instrument::Instrument;
use crate::scoring::{
    Answer, Breakdowns, CellKey, Labels, Options, Results, Score, Scorer, WaveOrder, WaveOrderError,
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

/// Reads every row into batches, interning groups, waves and languages in order of first
/// appearance, and reports the position after each batch.
fn read_batches<R: Rows>(
    mut rows: R,
    batches: SyncSender<Result<Batch, R::Error>>,
    progress: impl Fn(u64),
) -> (Labels, Labels, Labels) {
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut languages = Labels::default();
    let mut batch = Batch::default();
    loop {
        match rows.next_row() {
            Ok(Some(row)) => {
                let cell = CellKey {
                    group: groups.intern(row.group),
                    wave: waves.intern(row.wave),
                    language: languages.intern(row.language),
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
    (groups, waves, languages)
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
pub fn statistics<E: std::error::Error>(
    scored: &Accumulated,
    instrument: &Instrument,
    options: &Options,
    waves: &WaveOrder,
) -> Result<Results, ScoreFailure<E>> {
    let (scorer, ordered) = waves
        .apply(&scored.scorer, &scored.waves)
        .map_err(ScoreFailure::Waves)?;
    let labels = Breakdowns {
        groups: &scored.groups,
        waves: &ordered,
        languages: &scored.languages,
    };
    Ok(scorer.finish(instrument, &labels, options))
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
    /// Language labels, in order of first appearance.
    pub languages: Labels,
}

impl Accumulated {
    /// The same rows with the groups in alphabetical order, as a release publishes them.
    pub fn sort_groups(&mut self) {
        let (groups, position) = self.groups.sorted();
        self.scorer = self.scorer.rekeyed(|key| {
            Some(CellKey {
                group: key.group.and_then(|g| position[g as usize]),
                ..key
            })
        });
        self.groups = groups;
    }
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
    let (outcome, (groups, waves, languages)) = std::thread::scope(|scope| {
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
        languages,
    })
}
