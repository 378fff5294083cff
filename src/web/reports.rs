//! A round's numbers: the dashboard and every download, all computed from the round's submitted
//! responses read as the raw export, through the same reader and scorer as `partnerscope score`,
//! so a report downloaded here is byte for byte what the command line writes from `raw.csv`.
//!
//! Responses are read page by page ([`PAGE`] at a time), so memory stays bounded however large
//! the round; scoring runs on a blocking thread that fetches the pages as it reads.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::runtime::Handle;
use tokio_stream::wrappers::ReceiverStream;

use super::errors::{AppError, Failure};
use super::messages::EN;
use crate::instrument::Instrument;
use crate::report::dashboard::{self, ChartText, Dashboard, Previous};
use crate::report::{self, REPORT_NAMES, RespondentsWriter, WorkbookWriter};
use crate::responses::{self, ResponsesReader, ScoreFailure};
use crate::responses::{RawCsv, encode_page};
use crate::scoring::{Options, Results, Score};
use crate::store::{Store, StoreError};
use crate::survey::{Round, StoredResponse};

/// Responses fetched per query.
const PAGE: i64 = 500;

/// The raw CSV of one or more rounds of one instrument (header once), read from a blocking
/// thread that fetches pages from the store as the reader asks for more.
struct RawReader {
    store: Arc<dyn Store>,
    handle: Handle,
    rounds: VecDeque<(i64, RawCsv)>,
    after: i64,
    buffer: Vec<u8>,
    position: usize,
}

impl RawReader {
    fn new(store: Arc<dyn Store>, instrument: &Instrument, rounds: &[&Round]) -> RawReader {
        let rounds: VecDeque<(i64, RawCsv)> = rounds
            .iter()
            .map(|r| (r.id, RawCsv::new(instrument, &r.wave)))
            .collect();
        let mut buffer = Vec::new();
        if let Some((_, csv)) = rounds.front() {
            csv.header(&mut buffer);
        }
        RawReader {
            store,
            handle: Handle::current(),
            rounds,
            after: 0,
            buffer,
            position: 0,
        }
    }
}

impl Read for RawReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.buffer.len() {
            let Some((round_id, csv)) = self.rounds.front() else {
                return Ok(0);
            };
            let page = self
                .handle
                .block_on(self.store.submitted_page(*round_id, self.after, PAGE))
                .map_err(std::io::Error::other)?;
            self.buffer.clear();
            self.position = 0;
            match page.last() {
                Some(last) => {
                    self.after = last.id;
                    encode_page(csv, &page, &mut self.buffer);
                }
                None => {
                    self.rounds.pop_front();
                    self.after = 0;
                }
            }
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// What receives each respondent's scores while a round is scored.
type RowSink<T> = fn(&mut T, &str, &str, &str, &[Option<Score>]) -> std::io::Result<()>;

/// Scores `rounds` (as waves, in order) on a blocking thread, handing each respondent to `sink`
/// with `target`, which comes back with the results.
pub async fn score<T: Send + 'static>(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    rounds: Vec<Round>,
    min_group_size: i64,
    mut target: T,
    sink: RowSink<T>,
) -> Result<(Results, T), AppError> {
    let options = Options {
        min_group_size: u64::try_from(min_group_size).unwrap_or(1).max(1),
    };
    let scored = tokio::task::spawn_blocking(move || {
        let refs: Vec<&Round> = rounds.iter().collect();
        let reader = ResponsesReader::new(RawReader::new(store, &instrument, &refs), &instrument)
            .map_err(ScoreFailure::Input)?;
        let results = responses::score(reader, &instrument, &options, |r, g, w, scores| {
            sink(&mut target, r, g, w, scores)
        })?;
        Ok::<_, ScoreFailure>((results, target))
    })
    .await
    .map_err(Failure::Join)?;
    Ok(scored.map_err(Failure::Score)?)
}

/// Scores rounds, keeping the statistics and the number of responses.
pub async fn results(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    rounds: Vec<Round>,
    min_group_size: i64,
) -> Result<(Results, u64), AppError> {
    score(
        store,
        instrument,
        rounds,
        min_group_size,
        0,
        |n, _, _, _, _| {
            *n += 1;
            Ok(())
        },
    )
    .await
}

/// Every submitted response of a round, page by page.
pub async fn each_submitted(
    store: &dyn Store,
    round_id: i64,
    mut visit: impl FnMut(&[StoredResponse]),
) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.submitted_page(round_id, after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.id;
        visit(&page);
    }
}

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
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let csv = RawCsv::new(instrument, &round.wave);
    let round_id = round.id;
    tokio::spawn(async move {
        let mut header = Vec::new();
        csv.header(&mut header);
        if sender.send(Ok(header)).await.is_err() {
            return;
        }
        let mut after = 0;
        loop {
            let page = match store.submitted_page(round_id, after, PAGE).await {
                Ok(page) => page,
                Err(error) => {
                    tracing::error!(%error, round_id, "raw export failed");
                    let _ = sender.send(Err(std::io::Error::other(error))).await;
                    return;
                }
            };
            let Some(last) = page.last() else {
                return;
            };
            after = last.id;
            let mut chunk = Vec::new();
            encode_page(&csv, &page, &mut chunk);
            // The client went away: stop reading.
            if sender.send(Ok(chunk)).await.is_err() {
                return;
            }
        }
    });
    attachment(
        CSV,
        &format!("partnerscope-round-{}-raw.csv", round.id),
        Body::from_stream(ReceiverStream::new(receiver)),
    )
}

/// One of the seven report CSVs (`name` from [`REPORT_NAMES`]), or `None` for another name.
pub async fn report_csv(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    name: &str,
) -> Result<Option<Response>, AppError> {
    let Some(&name) = REPORT_NAMES.iter().find(|n| **n == name) else {
        return Ok(None);
    };
    let rounds = vec![round.clone()];
    let body = if name == "respondents" {
        let writer = RespondentsWriter::new(Vec::new(), &instrument).map_err(io_error)?;
        let (_, writer) = score(
            store,
            instrument,
            rounds,
            round.min_group_size,
            writer,
            |w, respondent, group, wave, scores| w.write(respondent, group, wave, scores),
        )
        .await?;
        writer.finish().map_err(io_error)?
    } else {
        let (results, _) =
            results(store, Arc::clone(&instrument), rounds, round.min_group_size).await?;
        let mut out = Vec::new();
        report::write_summary(name, &mut out, &instrument, &results)
            .ok_or(Failure::NoSummary(name))?
            .map_err(Failure::Csv)?;
        out
    };
    Ok(Some(attachment(
        CSV,
        &format!("{name}.csv"),
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
    let (results, writer) = score(
        store,
        Arc::clone(&instrument),
        vec![round.clone()],
        round.min_group_size,
        writer,
        |w, respondent, group, wave, scores| {
            w.respondent(respondent, group, wave, scores)
                .map_err(std::io::Error::other)
        },
    )
    .await?;
    let bytes = writer
        .finish(&report::summary_tables(&instrument, &results))
        .map_err(Failure::Workbook)?;
    Ok(attachment(
        XLSX,
        &format!("partnerscope-round-{}.xlsx", round.id),
        Body::from(bytes),
    ))
}

fn io_error(e: std::io::Error) -> AppError {
    Failure::Io(e).into()
}

/// Comments to one question, without who wrote them.
pub struct CommentList {
    /// The question.
    pub question: String,
    /// The comments, sorted so their order says nothing about who answered when.
    pub bodies: Vec<String>,
}

/// The comments of a round's submitted responses, per question.
pub async fn comments(
    store: &dyn Store,
    instrument: &Instrument,
    round_id: i64,
) -> Result<Vec<CommentList>, AppError> {
    let mut bodies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    each_submitted(store, round_id, |page| {
        for response in page {
            for (question, body) in &response.answers.comments {
                bodies
                    .entry(question.clone())
                    .or_default()
                    .push(body.clone());
            }
        }
    })
    .await?;
    Ok(instrument
        .comments
        .iter()
        .filter_map(|c| {
            let mut bodies = bodies.remove(&c.id)?;
            bodies.sort();
            Some(CommentList {
                question: instrument
                    .text(&format!("comment.{}.text", c.id))
                    .to_string(),
                bodies,
            })
        })
        .collect())
}

/// The dashboard of `round` and its number of submitted responses. The change since the
/// previous round of the partnership (in `rounds`) is shown when that round used the same
/// instrument version under another wave label: both are scored together as two waves.
pub async fn dashboard(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    rounds: &[Round],
) -> Result<(Dashboard, u64), AppError> {
    let (results, submitted) = results(
        Arc::clone(&store),
        Arc::clone(&instrument),
        vec![round.clone()],
        round.min_group_size,
    )
    .await?;
    let previous = rounds.iter().rfind(|r| {
        r.id < round.id
            && r.instrument_id == round.instrument_id
            && r.instrument_version == round.instrument_version
            && r.wave != round.wave
    });
    let combined = match previous {
        Some(previous) => Some(
            results_of(
                store,
                Arc::clone(&instrument),
                vec![previous.clone(), round.clone()],
                round.min_group_size,
            )
            .await?,
        ),
        None => None,
    };
    let dashboard = dashboard::build(
        &instrument,
        &results,
        combined.as_ref().map(|combined| Previous { combined }),
        &ChartText {
            title: EN.chart_title.to_string(),
            by_sector: EN.chart_by_sector.to_string(),
            too_few: EN.chart_too_few.to_string(),
        },
    );
    Ok((dashboard, submitted))
}

async fn results_of(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    rounds: Vec<Round>,
    min_group_size: i64,
) -> Result<Results, AppError> {
    Ok(results(store, instrument, rounds, min_group_size).await?.0)
}
