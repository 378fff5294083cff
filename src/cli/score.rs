//! `partnerscope score`: responses CSV in, the seven report files out, all or nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use partnerscope::instrument::Instrument;
use partnerscope::report::{self, REPORT_NAMES, RespondentsWriter};
use partnerscope::responses::ResponsesReader;
use partnerscope::scoring::{CellKey, Labels, Options, Scorer};

use super::ScoreArgs;
use super::instruments::resolve;

/// Files smaller than this score too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 16 << 20;

pub fn run(args: &ScoreArgs) -> anyhow::Result<()> {
    let instrument = resolve(&args.instrument)?;
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
    Input(partnerscope::responses::ResponsesError),
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

fn score(
    instrument: &Instrument,
    input: impl std::io::Read,
    dir: &Path,
    options: &Options,
    progress: Option<&ProgressBar>,
) -> Result<(), ScoreError> {
    let mut reader = ResponsesReader::new(input, instrument).map_err(ScoreError::Input)?;
    let mut respondents = RespondentsWriter::new(create(dir, "respondents")?, instrument)?;
    let mut scorer = Scorer::new(instrument);
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut scores = vec![None; scorer.score_count()];
    let mut rows = 0u64;
    loop {
        let row = match reader.next_row() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => return Err(ScoreError::Input(e)),
        };
        let cell = CellKey {
            group: groups.intern(row.group),
            wave: waves.intern(row.wave),
        };
        scorer.add(cell, row.answers, &mut scores);
        respondents.write(row.respondent, row.group, row.wave, &scores)?;
        rows += 1;
        if rows.is_multiple_of(65_536)
            && let Some(bar) = progress
        {
            bar.set_position(reader.bytes_read());
        }
    }
    respondents.finish()?.flush()?;
    let results = scorer.finish(instrument, &groups, &waves, options);
    for name in &REPORT_NAMES[1..] {
        let mut out = create(dir, name)?;
        report::write_summary(name, &mut out, instrument, &results).expect("a summary report")?;
        out.flush()?;
    }
    Ok(())
}
