//! Command-line interface: the subcommands and their flags.

mod delete;
mod export;
mod facilitator;
mod instruments;
mod rounds;
mod score;
mod serve;

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use partnerscope::responses::{Layout, encoding_for_label};
use partnerscope::store::{Store, shown_url};
use partnerscope::survey::Round;

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
    /// Serve the survey forms over HTTP.
    Serve(ServeArgs),
    /// Add facilitator accounts or reset their passwords.
    #[command(subcommand)]
    Facilitator(FacilitatorCommand),
    /// Write the submitted responses of a round as CSV: the raw export, which `score` reads.
    Export {
        /// The round's id (shown in its address, /facilitator/rounds/ID).
        #[arg(long)]
        round: i64,
        /// File to write (replaced only when complete); standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Add partners to a round from a list file.
    #[command(subcommand)]
    Partners(PartnersCommand),
    /// Load a responses file (answers collected on paper or with another tool) into a round as
    /// submitted responses: every value checked, all or nothing.
    Import(ImportArgs),
    /// Delete a round, a partnership or a partner for good, and print what was deleted.
    #[command(subcommand)]
    Delete(DeleteCommand),
    /// Copy every partnership, round, invitation and response into a new, empty database
    /// (e.g. from the SQLite file to PostgreSQL).
    MigrateData {
        /// The database to copy from, e.g. sqlite://partnerscope.db.
        #[arg(long)]
        from: String,
        /// The empty database to copy into, e.g. postgres://user@host/partnerscope.
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
enum PartnersCommand {
    /// Invite every partner of a CSV list (columns organisation, sector and optionally email and
    /// language), each on a fresh personal link: all of them or, with any problem, none.
    Add {
        /// The round's id (shown in its address, /facilitator/rounds/ID).
        #[arg(long)]
        round: i64,
        /// The partner list (CSV, UTF-8).
        file: PathBuf,
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum FacilitatorCommand {
    /// Add a facilitator; the password is asked for (or read from standard input).
    Add {
        /// Their e-mail address, used to sign in.
        email: String,
        /// Administrators see every partnership.
        #[arg(long)]
        admin: bool,
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Set a new password for a facilitator, end their sessions and forget their failed sign-ins.
    ResetPassword {
        /// Their e-mail address.
        email: String,
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
        database_url: String,
    },
}

#[derive(Debug, Subcommand)]
enum DeleteCommand {
    /// A round with its partners, responses, comments and releases.
    Round(DeleteArgs),
    /// A partnership with all its rounds.
    Partnership(DeleteArgs),
    /// A partner (an invitation) with their draft, if any.
    Partner(DeleteArgs),
    /// A submitted response of a round, by the pseudonym its rows show: its answers are erased
    /// and it leaves the figures at the next release that qualifies.
    Response(DeleteResponseArgs),
}

/// Arguments of `partnerscope delete response`.
#[derive(Debug, clap::Args)]
struct DeleteResponseArgs {
    /// The round's id (/facilitator/rounds/ID).
    round: i64,
    /// The response's pseudonym, as `respondents.csv` and `raw.csv` show it.
    pseudonym: String,
    /// Database URL.
    #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
    database_url: String,
}

/// Arguments of every `partnerscope delete` command.
#[derive(Debug, clap::Args)]
struct DeleteArgs {
    /// The id: shown in the address of its page or of its delete button's page
    /// (/facilitator/rounds/ID, /facilitator/partnerships/ID, /facilitator/partners/ID/delete).
    id: i64,
    /// Database URL.
    #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
    database_url: String,
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
    /// Check an instrument file, then serve its form as partners will see it (nothing is stored).
    Preview {
        /// Instrument file (TOML).
        file: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

/// Arguments of `partnerscope score`.
#[derive(Debug, clap::Args)]
struct ScoreArgs {
    /// Instrument file (TOML), or the id of a shipped instrument.
    #[arg(long)]
    instrument: String,
    /// Responses file (CSV; `,`, `;` or tab separated): ours, with header
    /// `respondent,group,wave,<item ids…>`, or another tool's export (see docs/other-tools.md).
    #[arg(long)]
    responses: PathBuf,
    /// Folder for the report files (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Group and wave cells with fewer respondents than this report only their size.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    min_group_size: u64,
    /// The order to compare waves in, e.g. `--waves 2024,2025,2026` (every wave once)
    /// [default: natural order of the labels, `wave 2` before `wave 10`].
    #[arg(long, value_name = "A,B,…", value_delimiter = ',')]
    waves: Option<Vec<String>>,
    /// How the file is laid out.
    #[command(flatten)]
    layout: LayoutArgs,
}

/// How a responses file is laid out: the flags `score` and `import` share.
#[derive(Debug, clap::Args)]
struct LayoutArgs {
    /// The column of respondent ids [default: respondent; without it rows are numbered].
    #[arg(long, value_name = "NAME")]
    respondent_column: Option<String>,
    /// The column of groups (e.g. sector) [default: group; without it there are no groups].
    #[arg(long, value_name = "NAME")]
    group_column: Option<String>,
    /// The column of waves [default: wave; without it all rows are one wave].
    #[arg(long, value_name = "NAME")]
    wave_column: Option<String>,
    /// The file has one row per answer: respondent, `item`, `value` (plus group and wave).
    #[arg(long)]
    long: bool,
    /// Refuse columns that are neither items nor respondent, group or wave, instead of
    /// ignoring and listing them.
    #[arg(long)]
    strict: bool,
    /// The file's encoding when it is not UTF-8, e.g. windows-1252 (Excel's "CSV" on Windows).
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// Rows of headings at the top of the file; the first names the columns (Qualtrics: 3).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    header_rows: u64,
}

impl LayoutArgs {
    /// The layout the flags describe.
    fn layout(&self) -> anyhow::Result<Layout> {
        Ok(Layout {
            respondent: self.respondent_column.clone(),
            group: self.group_column.clone(),
            wave: self.wave_column.clone(),
            long: self.long,
            strict: self.strict,
            header_rows: self.header_rows,
            encoding: self
                .encoding
                .as_deref()
                .map(encoding_for_label)
                .transpose()?,
        })
    }
}

/// Arguments of `partnerscope import`.
#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// The round's id (shown in its address, /facilitator/rounds/ID).
    #[arg(long)]
    round: i64,
    /// Responses file (CSV), laid out as `score` reads it; its `group` is the sector, its `wave`
    /// blank or the round's.
    file: PathBuf,
    /// How the file is laid out.
    #[command(flatten)]
    layout: LayoutArgs,
    /// Database URL.
    #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
    database_url: String,
}

/// Arguments of `partnerscope serve`.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PARTNERSCOPE_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Database URL; the default is a SQLite file in the working directory.
    #[arg(long, env = "DATABASE_URL", default_value = partnerscope::store::DEFAULT_DATABASE_URL)]
    database_url: String,
    /// Folder of extra instrument files (`*.toml`) to offer beside the shipped ones.
    #[arg(long, value_name = "DIR")]
    instruments: Option<PathBuf>,
    /// The address partners reach the site at, for the links in downloads (default: the host
    /// each request came to).
    #[arg(long, env = "PARTNERSCOPE_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Send the session cookie only over HTTPS (set this behind a TLS proxy).
    #[arg(long, env = "PARTNERSCOPE_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Create a demo partnership with answered rounds (once) and print a respondent link.
    #[arg(long)]
    demo: bool,
    /// Open-link submissions one client address may make per hour (per server process).
    #[arg(long, env = "PARTNERSCOPE_OPEN_LINK_BUDGET", value_name = "N",
          default_value_t = partnerscope::web::open_links::DEFAULT_BUDGET,
          value_parser = clap::value_parser!(u32).range(1..))]
    open_link_budget: u32,
    /// Take the client address from the last `X-Forwarded-For` entry: set this only behind a
    /// reverse proxy that sets it, or clients choose their own address.
    #[arg(long, env = "PARTNERSCOPE_TRUST_PROXY")]
    trust_proxy: bool,
    /// Delete drafts never submitted once they were last saved this many days ago (checked at
    /// start and then every hour, with expired sessions and old sign-in failures).
    #[arg(
        long,
        env = "PARTNERSCOPE_DRAFT_RETENTION_DAYS",
        default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..=36_500)
    )]
    draft_retention_days: u32,
    /// Seconds a client has to send a request's complete head (request line and headers), after
    /// connecting or after its previous response; then the connection is closed.
    #[arg(
        long,
        env = "PARTNERSCOPE_HEADER_TIMEOUT_SECS",
        value_name = "SECONDS",
        default_value_t = partnerscope::web::limits::DEFAULT_HEADER_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3_600)
    )]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's whole body after its head; then it gets 408 and
    /// the connection is closed.
    #[arg(
        long,
        env = "PARTNERSCOPE_BODY_TIMEOUT_SECS",
        value_name = "SECONDS",
        default_value_t = partnerscope::web::limits::DEFAULT_BODY_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3_600)
    )]
    body_timeout_secs: u64,
    /// Connections served at once; further clients wait to be accepted until one closes.
    #[arg(
        long,
        env = "PARTNERSCOPE_MAX_CONNECTIONS",
        value_name = "N",
        default_value_t = partnerscope::web::limits::DEFAULT_MAX_CONNECTIONS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000)
    )]
    max_connections: usize,
    /// The time zone a round's closing date is in (a name of the IANA time zone database, such
    /// as America/Chicago): the round closes by itself at the end of that day there.
    #[arg(
        long,
        env = "PARTNERSCOPE_TIME_ZONE",
        value_name = "ZONE",
        default_value = "UTC",
        value_parser = time_zone
    )]
    time_zone: jiff::tz::TimeZone,
    /// The SMTP server the server sends e-mail through (password reset links), such as
    /// smtp://localhost:25, smtp://user:password@host:587?tls=required or smtps://user:password@host;
    /// without it no e-mail is sent.
    #[arg(
        long,
        env = "PARTNERSCOPE_SMTP_URL",
        value_name = "URL",
        requires = "mail_from"
    )]
    smtp_url: Option<String>,
    /// The sender of that e-mail, such as "Riverside Partnership <survey@example.org>".
    #[arg(long, env = "PARTNERSCOPE_MAIL_FROM", value_name = "ADDRESS")]
    mail_from: Option<String>,
    /// At most this many invitations and reminders a minute, spaced out evenly (mail providers
    /// limit how fast an account sends).
    #[arg(
        long,
        env = "PARTNERSCOPE_MAIL_RATE",
        value_name = "PER_MINUTE",
        default_value_t = partnerscope::survey::mailing::DEFAULT_MAIL_RATE
    )]
    mail_rate: NonZeroU32,
}

/// Reads a `--time-zone`, naming what it takes when the name is not known.
fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        format!(
            "unknown time zone `{name}`: give a name of the IANA time zone database, such as \
             UTC, America/Chicago or Europe/Madrid"
        )
    })
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Instruments(InstrumentsCommand::Check { files }) => Ok(instruments::check(&files)),
        Command::Instruments(InstrumentsCommand::List) => instruments::list(),
        Command::Instruments(InstrumentsCommand::Preview { file, addr }) => {
            serve::preview(&file, &addr).map(|()| ExitCode::SUCCESS)
        }
        Command::Score(args) => score::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Facilitator(command) => facilitator::run(&command).map(|()| ExitCode::SUCCESS),
        Command::Export {
            round,
            out,
            database_url,
        } => export::run(round, out.as_deref(), &database_url).map(|()| ExitCode::SUCCESS),
        Command::Partners(PartnersCommand::Add {
            round,
            file,
            database_url,
        }) => rounds::add_partners(round, &file, &database_url),
        Command::Import(args) => rounds::import(&args),
        Command::Delete(command) => delete::run(&command).map(|()| ExitCode::SUCCESS),
        Command::MigrateData { from, to } => migrate_data(&from, &to).map(|()| ExitCode::SUCCESS),
    }
}

/// Opens the database at `database_url` and finds round `round_id` in it.
async fn open_round(database_url: &str, round_id: i64) -> anyhow::Result<(Arc<dyn Store>, Round)> {
    let store = partnerscope::store::open(database_url)
        .await
        .with_context(|| format!("cannot open the database {}", shown_url(database_url)))?;
    let round = store.round(round_id).await?.with_context(|| {
        format!(
            "there is no round {round_id} in {}",
            shown_url(database_url)
        )
    })?;
    Ok((store, round))
}

/// Copies one database into another and prints what was copied.
fn migrate_data(from: &str, to: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let report = runtime
        .block_on(partnerscope::store::copy_database(from, to))
        .with_context(|| format!("cannot copy {} into {}", shown_url(from), shown_url(to)))?;
    for (table, rows) in report {
        println!("{table}: {rows} rows");
    }
    Ok(())
}
