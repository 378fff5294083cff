//! `partnerscope partners add` and `partnerscope import`: filling a round from files, each all or
//! nothing, with every problem placed by row and column.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use partnerscope::responses::{ImportTarget, Importer, ResponsesReader};
use partnerscope::survey::partners::PartnerList;

use super::{ImportArgs, open_round};

/// Reads files in large pieces: a list or a responses file may run to hundreds of megabytes.
const READ_BUFFER: usize = 1 << 20;

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(BufReader::with_capacity(READ_BUFFER, file))
}

/// Invites the partners listed in `path` to round `round_id`; prints the problems and fails,
/// adding none, if the list has any.
pub fn add_partners(round_id: i64, path: &Path, database_url: &str) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (store, round) = open_round(database_url, round_id).await?;
        let instrument = round.instrument()?;
        let added = match PartnerList::new(open(path)?, &instrument) {
            Ok(mut list) => store.add_partner_list(round.id, &mut list).await?,
            Err(problems) => Err(problems),
        };
        match added {
            Ok(count) => {
                println!(
                    "Added {count} partners to round {round_id} ({}).",
                    round.wave
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(problems) => {
                for problem in &problems {
                    eprintln!("{}: {problem}", path.display());
                }
                eprintln!("No partner was added.");
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

/// Imports the responses file of `args` into its round.
pub fn import(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let layout = args.layout.layout()?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (store, round) = open_round(&args.database_url, args.round).await?;
        let instrument = round.instrument()?;
        let shown = args.file.display().to_string();
        let reader = ResponsesReader::new(open(&args.file)?, &instrument, &layout)
            .with_context(|| shown.clone())?;
        let mut importer = Importer::new(reader, ImportTarget::of(&round, &instrument));
        let count = store
            .import_responses(round.id, &mut importer)
            .await
            .with_context(|| format!("cannot import into round {}", round.id))?
            .with_context(|| format!("{shown} (nothing was imported)"))?;
        println!(
            "Imported {count} responses into round {} ({}); they count from the round's next release.",
            round.id, round.wave
        );
        Ok(ExitCode::SUCCESS)
    })
}
