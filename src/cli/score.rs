//! `partnerscope score`: responses CSV in, the seven report files out, all or nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use partnerscope::instrument::{Instrument, Library};
use partnerscope::report::{self, REPORT_NAMES, RespondentsWriter};
use partnerscope::responses::{ResponsesError, ResponsesReader};
use partnerscope::scoring::{Answer, CellKey, Labels, Options, Scorer};

use super::ScoreArgs;

/// Files smaller than this score too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 16 << 20;

pub fn run(args: &ScoreArgs) -> anyhow::Result<()> {
    let instrument = Library::resolve(&args.instrument)?;
    let input = File::open(&args.responses)
        .with_context(|| format!("cannot open {}", args.responses.display()))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    // Reports are written into a scratch folder beside their destination and moved in only when
    // all seven are complete, so a failure leaves no partial report behind.
    let scratch = tempfile::Builder::new()
        .prefix(".partnerscope-")
        .tempdir_in(&args.out)
        .with_context(|| format!("cannot write in {}", args.out.display()))?;
    let progress = (std::io::stderr().is_terminal() && size >= PROGRESS_MIN_BYTES).then(|| {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed} left {eta}")
                .expect("the template is valid"),
        );
        bar
    });
    let options = Options {
        min_group_size: args.min_group_size,
    };
    let file_name = args.responses.display().to_string();
    score(
        &instrument,
        BufReader::with_capacity(1 << 20, input),
        scratch.path(),
        &options,
        progress.as_ref(),
    )
    .map_err(|e| match e {
        ScoreError::Input(e) => anyhow::anyhow!("{file_name}: {e}"),
        ScoreError::Output(e) => e.context(format!(
            "cannot write the reports in {}",
            args.out.display()
        )),
    })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    for name in REPORT_NAMES {
        let file = format!("{name}.csv");
        std::fs::rename(scratch.path().join(&file), args.out.join(&file))
            .with_context(|| format!("cannot move {file} into {}", args.out.display()))?;
    }
    Ok(())
}

enum ScoreError {
    Input(ResponsesError),
    Output(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for ScoreError {
    fn from(e: E) -> Self {
        ScoreError::Output(e.into())
    }
}

fn create(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(format!("{name}.csv")))?,
    ))
}

/// Rows per batch handed from the reading thread to the scoring thread.
const BATCH_ROWS: usize = 8192;
/// Batches in flight: bounds memory whatever the file's size.
const BATCHES_IN_FLIGHT: usize = 4;

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

/// Reads and checks the whole file into batches, interning groups and waves in file order.
fn read_batches(
    mut reader: ResponsesReader<impl Read>,
    batches: SyncSender<Result<Batch, ResponsesError>>,
    progress: Option<&ProgressBar>,
) -> (Labels, Labels) {
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut batch = Batch::default();
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                let cell = CellKey {
                    group: groups.intern(row.group),
                    wave: waves.intern(row.wave),
                };
                let mut ends = [0; 3];
                for (end, part) in ends.iter_mut().zip([row.respondent, row.group, row.wave]) {
                    batch.text.push_str(part);
                    *end = batch.text.len();
                }
                batch.answers.extend_from_slice(row.answers);
                batch.rows.push(BatchRow { cell, ends });
                if batch.rows.len() == BATCH_ROWS {
                    if let Some(bar) = progress {
                        bar.set_position(reader.bytes_read());
                    }
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

/// Scores `input` into the seven report files in `dir`. Reading and checking run on one thread,
/// scoring and writing on another, so a large file takes about the time of the slower half.
fn score(
    instrument: &Instrument,
    input: impl Read + Send,
    dir: &Path,
    options: &Options,
    progress: Option<&ProgressBar>,
) -> Result<(), ScoreError> {
    let reader = ResponsesReader::new(input, instrument).map_err(ScoreError::Input)?;
    let mut respondents = RespondentsWriter::new(create(dir, "respondents")?, instrument)?;
    let mut scorer = Scorer::new(instrument);
    let items = instrument.items.len();
    let mut scores = vec![None; scorer.score_count()];
    let (sender, receiver) = sync_channel(BATCHES_IN_FLIGHT);
    let (outcome, (groups, waves)) = std::thread::scope(|scope| {
        let reading = scope.spawn(move || read_batches(reader, sender, progress));
        let outcome = (|| -> Result<(), ScoreError> {
            for batch in &receiver {
                let batch = batch.map_err(ScoreError::Input)?;
                let mut start = 0;
                for (row, answers) in batch.rows.iter().zip(batch.answers.chunks_exact(items)) {
                    let [respondent, group, wave] = row.ends.map(|end| {
                        let part = &batch.text[start..end];
                        start = end;
                        part
                    });
                    scorer.add(row.cell, answers, &mut scores);
                    respondents.write(respondent, group, wave, &scores)?;
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
    respondents.finish()?.flush()?;
    let results = scorer.finish(instrument, &groups, &waves, options);
    for name in &REPORT_NAMES[1..] {
        let mut out = create(dir, name)?;
        report::write_summary(name, &mut out, instrument, &results).expect("a summary report")?;
        out.flush()?;
    }
    Ok(())
}
