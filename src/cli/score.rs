//! `partnerscope score`: responses CSV in, the seven report files out, all or nothing.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use partnerscope::instrument::Library;
use partnerscope::report::{Report, RespondentsWriter, SummaryReport, write_csv};
use partnerscope::responses::{self, Chunking, Columns, ScoreFailure, ScoredFile};
use partnerscope::scoring::{Options, Results, WaveOrder};

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
    let layout = args.layout.layout()?;
    let waves = match &args.waves {
        Some(order) => WaveOrder::Given(order.iter().map(|w| w.trim().to_string()).collect()),
        None => WaveOrder::Natural,
    };
    let mut respondents =
        RespondentsWriter::new(create(scratch.path(), Report::Respondents)?, &instrument)
            .with_context(cannot_write)?;
    // The file itself, unbuffered: the scoring reads it in large blocks of its own.
    let scored = responses::score_file(
        input,
        &instrument,
        &layout,
        &options,
        &waves,
        Chunking::default(),
        |position| {
            if let Some(bar) = &progress {
                bar.set_position(position);
            }
        },
        &mut respondents,
    )
    .map_err(|failure| match failure {
        ScoreFailure::Input(e) => anyhow::Error::new(e).context(file_name.clone()),
        ScoreFailure::Output(e) => anyhow::Error::new(e).context(cannot_write()),
        ScoreFailure::Waves(e) => anyhow::Error::new(e).context(format!(
            "{file_name}: the waves of the file do not match --waves"
        )),
    })?;
    let ScoredFile {
        results,
        respondents: respondents_read,
        columns,
    } = scored;
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
    print!(
        "{}",
        summary(
            &Reading {
                file: &file_name,
                instrument: &instrument.id,
                items: instrument.items.len(),
                respondents: respondents_read,
                columns: &columns,
                waves: &args.waves,
            },
            &results,
        )
    );
    println!("Wrote the reports to {}.", args.out.display());
    Ok(())
}

/// What was read, for the summary.
struct Reading<'a> {
    file: &'a str,
    instrument: &'a str,
    items: usize,
    respondents: u64,
    columns: &'a Columns,
    waves: &'a Option<Vec<String>>,
}

/// What the run read and how: which columns were what, which were ignored, and the order waves
/// were compared in, each with the flag that changes it.
fn summary(read: &Reading<'_>, results: &Results) -> String {
    let columns = read.columns;
    let delimiter = match columns.delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    };
    let mut out = format!(
        "Scored {} respondents of {} with instrument {} ({} items); the file is {}, {delimiter}-separated.\n",
        read.respondents, read.file, read.instrument, read.items, columns.encoding
    );
    let role = |column: &Option<String>, default: &str, without: &str| match column {
        Some(name) => format!("column `{name}`"),
        None => {
            format!("none, {without} (no column `{default}`; name one with --{default}-column)")
        }
    };
    out.push_str(&format!(
        "Respondents: {}. Groups: {}. Waves: {}.\n",
        role(&columns.respondent, "respondent", "numbered by row"),
        role(&columns.group, "group", "no breakdown"),
        role(&columns.wave, "wave", "one wave"),
    ));
    if !columns.ignored.is_empty() {
        let ignored: Vec<String> = columns.ignored.iter().map(|c| format!("`{c}`")).collect();
        let what = if ignored.len() == 1 {
            "1 column that is not an item".to_string()
        } else {
            format!("{} columns that are not items", ignored.len())
        };
        out.push_str(&format!(
            "Ignored {what}: {} (--strict refuses such columns).\n",
            ignored.join(", ")
        ));
    }
    let waves = &results.waves.names;
    if waves.len() > 1 {
        let how = if read.waves.is_some() {
            "in the order --waves gives"
        } else {
            "in natural order of their labels (--waves A,B,… sets another)"
        };
        out.push_str(&format!("Waves compared {how}: {}.\n", waves.join(" → ")));
    }
    out
}

fn create(dir: &Path, report: Report) -> anyhow::Result<BufWriter<File>> {
    let path = dir.join(format!("{}.csv", report.name()));
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}
