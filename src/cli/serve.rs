//! `partnerscope serve`: the web application on one address, until Ctrl-C or SIGTERM, with the
//! retention purge, the closing of rounds past their date and, with e-mail set up, the sender of
//! invitations and reminders running beside it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use partnerscope::accounts::unix_now;
use partnerscope::instrument::{Library, load_file};
use partnerscope::mail::Mailer;
use partnerscope::store::{Store, StoreError, shown_url};
use partnerscope::survey::mailing::Pace;
use partnerscope::web::mail_queue;
use partnerscope::web::open_links::OpenLinks;
use partnerscope::web::{self, AppState, Limits};
use partnerscope::{demo, store};
use tokio::net::TcpListener;

use super::ServeArgs;

/// Runs the server.
pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let mut instruments = Library::shipped()?;
    if let Some(dir) = &args.instruments {
        instruments.add_folder(dir)?;
    }
    let mailer = match (&args.smtp_url, &args.mail_from) {
        (Some(url), Some(from)) => Some(Arc::new(
            Mailer::new(url, from)
                .context("cannot send e-mail as --smtp-url and --mail-from say")?,
        )),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = store::open(&args.database_url)
            .await
            .with_context(|| format!("cannot open the database {}", shown_url(&args.database_url)))?;
        let listener = TcpListener::bind(&args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        if args.demo {
            let instrument = instruments
                .get(demo::INSTRUMENT)
                .context("the demo instrument is missing")?;
            let links = demo::ensure(store.as_ref(), instrument)
                .await
                .context("cannot create the demo partnership")?;
            println!("partnerscope demo running at http://{addr}/");
            let password = demo::ensure_facilitator(store.as_ref())
                .await
                .context("cannot create the demo facilitator")?;
            println!(
                "See the dashboard: http://{addr}/facilitator (sign in as {} with password {password})",
                demo::FACILITATOR
            );
            println!(
                "Answer it as a partner invited in Spanish: http://{addr}/s/{}",
                links.spanish
            );
            // Last, as scripts and tests stop reading standard output at this line.
            println!("Answer the demo survey: http://{addr}/s/{}", links.english);
        } else {
            println!("partnerscope listening on http://{addr}/");
        }
        tracing::info!(%addr, instruments = instruments.len(), "serving");
        tokio::spawn(purge_every_hour(
            Arc::clone(&store),
            args.draft_retention_days,
        ));
        tokio::spawn(close_due_rounds(Arc::clone(&store)));
        if let Some(mailer) = &mailer {
            tokio::spawn(mail_queue::send_queued(
                Arc::clone(&store),
                Arc::clone(mailer),
                Pace::new(args.mail_rate),
            ));
        }
        let state = AppState {
            store,
            instruments: Arc::new(instruments),
            public_url: args.public_url.clone(),
            secure_cookies: args.secure_cookies,
            open_links: Arc::new(OpenLinks::new(args.open_link_budget, args.trust_proxy)),
            sign_ins: Arc::default(),
            invited: Arc::default(),
            time_zone: args.time_zone.clone(),
            mailer,
        };
        let limits = Limits {
            header_timeout: Duration::from_secs(args.header_timeout_secs),
            body_timeout: Duration::from_secs(args.body_timeout_secs),
            max_connections: args.max_connections,
        };
        web::serve_with(listener, state, limits, web::shutdown_signal())
            .await
            .context("the server failed")
    })
}

/// How often the retention purge runs.
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);

/// How often rounds past their closing date are closed. Partners cannot answer such a round
/// even before (the form checks the date), so this only bounds how long it shows as open to a
/// facilitator who does not open it.
const CLOSE_DUE_EVERY: Duration = Duration::from_secs(60);

/// Runs the retention purge now and then every [`PURGE_EVERY`], for as long as the server runs.
/// Every app server runs it: its deletions are idempotent, so the others only find less to do.
async fn purge_every_hour(store: Arc<dyn Store>, draft_retention_days: u32) {
    every(PURGE_EVERY, "retention purge", || async {
        let purged = store.purge(draft_retention_days, unix_now()).await?;
        if !purged.is_empty() {
            tracing::info!(
                drafts = purged.drafts,
                sessions = purged.sessions,
                sign_in_failures = purged.sign_in_failures,
                "retention purge"
            );
        }
        Ok(())
    })
    .await;
}

/// Closes the rounds whose closing date is over, now and then every [`CLOSE_DUE_EVERY`]. Every
/// app server runs it: a round is closed once, by whichever comes first.
async fn close_due_rounds(store: Arc<dyn Store>) {
    every(
        CLOSE_DUE_EVERY,
        "closing rounds past their date",
        || async {
            let closed = store.close_due_rounds(unix_now()).await?;
            if closed > 0 {
                tracing::info!(rounds = closed, "closed rounds past their closing date");
            }
            Ok(())
        },
    )
    .await;
}

/// Runs `job` now and then every `period`, for as long as the server runs. A failure is logged
/// and the job tried again at the next tick.
async fn every<F, Fut>(period: Duration, what: &str, mut job: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = job().await {
            // `{:#}` prints the whole chain: the store's error and the database's cause.
            let error = anyhow::Error::from(error);
            tracing::error!(error = format!("{error:#}"), "{what} failed");
        }
    }
}

/// Serves the form of the instrument in `file` at `/preview/{id}` until Ctrl-C or SIGTERM, on a
/// scratch database that is removed afterwards.
pub fn preview(file: &Path, addr: &str) -> anyhow::Result<()> {
    let instrument = load_file(file)?;
    let scratch = tempfile::tempdir().context("cannot create a scratch folder")?;
    let database_url = format!("sqlite://{}", scratch.path().join("preview.db").display());
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = store::open(&database_url).await?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        println!(
            "Preview of {}: http://{}/preview/{}",
            instrument.texts().title(),
            listener.local_addr()?,
            instrument.id
        );
        let state = AppState {
            store,
            instruments: Arc::new(Library::from(instrument)),
            public_url: None,
            secure_cookies: false,
            open_links: Arc::default(),
            sign_ins: Arc::default(),
            invited: Arc::default(),
            time_zone: jiff::tz::TimeZone::UTC,
            mailer: None,
        };
        web::serve(listener, state, web::shutdown_signal())
            .await
            .context("the server failed")
    })
}
