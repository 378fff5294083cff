//! Command-line interface: the subcommands and their flags.

mod instruments;
mod score;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// partnerscope: partnership self-assessment surveys, scored.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check, list or inspect instrument files.
    #[command(subcommand)]
    Instruments(InstrumentsCommand),
    /// Score a CSV file of responses and write the report files.
    Score(ScoreArgs),
}

#[derive(Debug, Subcommand)]
enum InstrumentsCommand {
    /// Check instrument files and print every problem with file, line and column.
    Check {
        /// Instrument files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the instruments shipped with partnerscope.
    List,
}

/// Arguments of `partnerscope score`.
#[derive(Debug, clap::Args)]
struct ScoreArgs {
    /// Instrument file (TOML), or the id of a shipped instrument.
    #[arg(long)]
    instrument: String,
    /// Responses CSV: header `respondent,group,wave,<item ids…>`.
    #[arg(long)]
    responses: PathBuf,
    /// Folder for the report files (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Group and wave cells with fewer respondents than this report only their size.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    min_group_size: u64,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Instruments(InstrumentsCommand::Check { files }) => Ok(instruments::check(&files)),
        Command::Instruments(InstrumentsCommand::List) => instruments::list(),
        Command::Score(args) => score::run(&args).map(|()| ExitCode::SUCCESS),
    }
}
