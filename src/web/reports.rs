//! A round's numbers: the dashboard and every download, scored straight from the round's stored
//! responses through the same pipeline as `partnerscope score`, so a report downloaded here is
//! byte for byte what the command line writes from `raw.csv`.
//!
//! Responses are read page by page ([`SubmittedPages`]), so memory stays bounded however large
//! the round; scoring runs on a blocking thread that fetches the pages as it reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, TryStreamExt};
use tokio::runtime::Handle;

use super::errors::{AppError, Failure};
use super::messages::EN;
use crate::instrument::Instrument;
use crate::report::dashboard::{self, ChartText, Dashboard, Previous};
use crate::report::{Report, RespondentsWriter, WorkbookWriter, summary_tables, write_csv};
use crate::responses::{self, RawCsv, ScoreFailure, StoredRows, encode_page};
use crate::scoring::{Options, Results, Score};
use crate::store::{Store, SubmittedPages};
use crate::survey::Round;

/// What receives each respondent's scores while a round is scored.
type RowSink<T> = fn(&mut T, &str, &str, &str, &[Option<Score>]) -> std::io::Result<()>;

/// The scoring options of a round: its threshold.
fn options(round: &Round) -> Options {
    Options {
        min_group_size: round.threshold(),
    }
}

/// Comment bodies by question id, gathered while a round is read for scoring.
type Comments = BTreeMap<String, Vec<String>>;

/// A scored round: the statistics, the target that received every respondent, and the comments
/// when they were asked for.
struct Scored<T> {
    results: Results,
    target: T,
    comments: Option<Comments>,
}

/// Scores the submitted responses of `round` on a blocking thread, handing each respondent to
/// `sink` with `target`. With `comments`, the same single read of the round also gathers every
/// comment into it, so a page that shows both reads the round once.
async fn score<T: Send + 'static>(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    options: Options,
    mut target: T,
    sink: RowSink<T>,
    mut comments: Option<Comments>,
) -> Result<Scored<T>, AppError> {
    let pages = SubmittedPages::new(store, round.id).blocking(Handle::current());
    let wave = round.wave.clone();
    let scored = tokio::task::spawn_blocking(move || {
        let pages = pages.inspect(|page| {
            if let (Ok(page), Some(comments)) = (page, comments.as_mut()) {
                for response in page {
                    for (question, body) in &response.answers.comments {
                        comments
                            .entry(question.clone())
                            .or_default()
                            .push(body.clone());
                    }
                }
            }
        });
        let rows = StoredRows::new(pages, &instrument, &wave);
        let results = responses::score(
            rows,
            &instrument,
            &options,
            |_| {},
            |respondent, group, wave, scores| sink(&mut target, respondent, group, wave, scores),
        )?;
        Ok::<_, ScoreFailure<_>>(Scored {
            results,
            target,
            comments,
        })
    })
    .await
    .map_err(Failure::Join)?;
    scored.map_err(|failure| match failure {
        ScoreFailure::Input(e) => AppError::from(e),
        ScoreFailure::Output(e) => Failure::Io(e).into(),
    })
}

/// Counts the respondents of a round being scored.
const COUNT: RowSink<u64> = |n, _, _, _, _| {
    *n += 1;
    Ok(())
};

/// A download with its content type and file name.
fn attachment(content_type: &str, file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The raw responses CSV, streamed page by page as the store delivers them.
pub fn raw(store: Arc<dyn Store>, instrument: &Instrument, round: &Round) -> Response {
    let csv = RawCsv::new(instrument, &round.wave);
    let mut header = Vec::new();
    csv.header(&mut header);
    let round_id = round.id;
    let rows = SubmittedPages::new(store, round.id)
        .into_stream()
        .map_ok(move |page| {
            let mut chunk = Vec::new();
            encode_page(&csv, &page, &mut chunk);
            Bytes::from(chunk)
        })
        .inspect_err(move |error| tracing::error!(%error, round_id, "raw export failed"));
    let body = futures_util::stream::once(async { Ok(Bytes::from(header)) }).chain(rows);
    attachment(
        CSV,
        &format!("partnerscope-round-{}-raw.csv", round.id),
        Body::from_stream(body),
    )
}

/// One of the seven report CSVs (`name` without `.csv`), or `None` for another name.
pub async fn report_csv(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    name: &str,
) -> Result<Option<Response>, AppError> {
    let Some(report) = Report::named(name) else {
        return Ok(None);
    };
    let options = options(round);
    let body = match report {
        Report::Respondents => {
            let writer = RespondentsWriter::new(Vec::new(), &instrument).map_err(Failure::Io)?;
            let sink: RowSink<RespondentsWriter<Vec<u8>>> =
                |w, respondent, group, wave, scores| w.write(respondent, group, wave, scores);
            let scored = score(store, instrument, round, options, writer, sink, None).await?;
            scored.target.finish().map_err(Failure::Io)?
        }
        Report::Summary(summary) => {
            let scored = score(
                store,
                Arc::clone(&instrument),
                round,
                options,
                0,
                COUNT,
                None,
            );
            let results = scored.await?.results;
            let mut out = Vec::new();
            write_csv(&summary.table(&instrument, &results), &mut out).map_err(Failure::Csv)?;
            out
        }
    };
    Ok(Some(attachment(
        CSV,
        &format!("{}.csv", report.name()),
        Body::from(body),
    )))
}

/// The workbook of every report.
pub async fn workbook(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
) -> Result<Response, AppError> {
    let writer = WorkbookWriter::new(&instrument).map_err(Failure::Workbook)?;
    let scored = score(
        store,
        Arc::clone(&instrument),
        round,
        options(round),
        writer,
        |w, respondent, group, wave, scores| {
            w.respondent(respondent, group, wave, scores)
                .map_err(std::io::Error::other)
        },
        None,
    )
    .await?;
    let bytes = scored
        .target
        .finish(&summary_tables(&instrument, &scored.results))
        .map_err(Failure::Workbook)?;
    Ok(attachment(
        XLSX,
        &format!("partnerscope-round-{}.xlsx", round.id),
        Body::from(bytes),
    ))
}

/// Comments to one question, without who wrote them.
pub struct CommentList {
    /// The question.
    pub question: String,
    /// The comments, sorted so their order says nothing about who answered when.
    pub bodies: Vec<String>,
}

/// The gathered comments per question of `instrument`, in its order.
fn comment_lists(instrument: &Instrument, mut bodies: Comments) -> Vec<CommentList> {
    instrument
        .comments
        .iter()
        .filter_map(|c| {
            let mut bodies = bodies.remove(&c.id)?;
            bodies.sort();
            Some(CommentList {
                question: instrument.comment_text(c).to_string(),
                bodies,
            })
        })
        .collect()
}

/// What a round's page shows of its responses.
pub struct RoundNumbers {
    /// The dashboard.
    pub dashboard: Dashboard,
    /// Submitted responses.
    pub submitted: u64,
    /// The comments, per question.
    pub comments: Vec<CommentList>,
}

/// The dashboard of `round`, its number of submitted responses and its comments. The change
/// since the previous round of the partnership (in `rounds`) is shown when that round used the
/// same instrument version under another wave label. Each round is read and scored once.
pub async fn round_numbers(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    rounds: &[Round],
) -> Result<RoundNumbers, AppError> {
    // The previous round is held to this round's threshold, as both are shown side by side.
    let options = options(round);
    let this = score(
        Arc::clone(&store),
        Arc::clone(&instrument),
        round,
        options,
        0,
        COUNT,
        Some(Comments::new()),
    )
    .await?;
    let results = this.results;
    let previous = rounds.iter().rfind(|r| {
        r.id < round.id
            && r.instrument_id == round.instrument_id
            && r.instrument_version == round.instrument_version
            && r.wave != round.wave
    });
    let earlier = match previous {
        Some(previous) => {
            let earlier = score(
                store,
                Arc::clone(&instrument),
                previous,
                options,
                0,
                COUNT,
                None,
            );
            let earlier = earlier.await?.results;
            let changes = results.changes_since(&earlier);
            Some((earlier, changes))
        }
        None => None,
    };
    let dashboard = dashboard::build(
        &instrument,
        &results,
        earlier
            .as_ref()
            .map(|(results, changes)| Previous { results, changes }),
        &ChartText {
            title: EN.chart_title.to_string(),
            by_sector: EN.chart_by_sector.to_string(),
            too_few: EN.chart_too_few.to_string(),
        },
    );
    // Below the threshold a comment is one partner's words among too few to hide in.
    let comments = if this.target >= options.min_group_size {
        comment_lists(&instrument, this.comments.unwrap_or_default())
    } else {
        Vec::new()
    };
    Ok(RoundNumbers {
        dashboard,
        submitted: this.target,
        comments,
    })
}
