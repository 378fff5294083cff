//! `partnerscope score`: responses CSV in, the seven report files out, all or nothing.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use partnerscope::instrument::Library;
use partnerscope::report::{Report, RespondentsWriter, SummaryReport, write_csv};
use partnerscope::responses::{self, ResponsesReader, ScoreFailure};
use partnerscope::scoring::Options;

use super::ScoreArgs;

/// Files smaller than this score too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 16 << 20;

pub fn run(args: &ScoreArgs) -> anyhow::Result<()> {
    let instrument = Library::resolve(&args.instrument)?;
    let file_name = args.responses.display().to_string();
    let input = File::open(&args.responses).with_context(|| format!("cannot open {file_name}"))?;
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
    let cannot_write = || format!("cannot write the reports in {}", args.out.display());
    let reader = ResponsesReader::new(BufReader::with_capacity(1 << 20, input), &instrument)
        .with_context(|| file_name.clone())?;
    let mut respondents =
        RespondentsWriter::new(create(scratch.path(), Report::Respondents)?, &instrument)
            .with_context(cannot_write)?;
    let results = responses::score(
        reader,
        &instrument,
        &options,
        |position| {
            if let Some(bar) = &progress {
                bar.set_position(position);
            }
        },
        |respondent, group, wave, scores| respondents.write(respondent, group, wave, scores),
    )
    .map_err(|failure| match failure {
        ScoreFailure::Input(e) => anyhow::Error::new(e).context(file_name.clone()),
        ScoreFailure::Output(e) => anyhow::Error::new(e).context(cannot_write()),
    })?;
    respondents
        .finish()
        .and_then(|mut out| out.flush())
        .with_context(cannot_write)?;
    for report in SummaryReport::ALL {
        let mut out = create(scratch.path(), Report::Summary(report))?;
        write_csv(&report.table(&instrument, &results), &mut out)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(out.flush()?))
            .with_context(cannot_write)?;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    for report in Report::ALL {
        let file = format!("{}.csv", report.name());
        std::fs::rename(scratch.path().join(&file), args.out.join(&file))
            .with_context(|| format!("cannot move {file} into {}", args.out.display()))?;
    }
    Ok(())
}

fn create(dir: &Path, report: Report) -> anyhow::Result<BufWriter<File>> {
    let path = dir.join(format!("{}.csv", report.name()));
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}
