//! A round's numbers: the dashboard and every download, from the round's latest release
//! ([`crate::releases::latest`], which first publishes waiting responses when the round
//! publishes). Figures come from the release as stored; the respondent-level downloads and the
//! comments list the rows that release lists, scored through the same pipeline as
//! `partnerscope score`. A partnership's series downloads ([`Download::series`]) put its rounds'
//! listed rows one after another, each round as of its latest release.
//!
//! Rows are read page by page ([`crate::store::ReleasedPages`]), so memory stays bounded however
//! large the round; scoring runs on a blocking thread that fetches the pages as it reads. The
//! row-level downloads stream: `raw.csv` page by page, `respondents.csv` row by row from the
//! scoring thread through a short queue, the workbook from a temporary file.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufWriter, Seek};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::AsyncReadExt;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::errors::{AppError, Failure};
use super::language::{self, interface};
use crate::instrument::Instrument;
use crate::releases::{
    Published, latest, latest_and_waiting, listed_pages, listing, options, raw_listing,
    rows_through,
};
use crate::report::dashboard::{self, ChartText, Dashboard, Previous};
use crate::report::{
    Report, RespondentsWriter, SummaryReport, Table, WorkbookWriter, push_line, write_csv,
};
use crate::responses::{self, Listing, RawCsv, ScoreFailure, StoredRows, encode_page};
use crate::scoring::{Options, Results, Score, WaveOrder};
use crate::store::{Store, StoreError};
use crate::survey::{ListedComment, Round};

/// What receives each respondent's scores while a round is scored.
type RowSink<T> = fn(&mut T, &str, &str, &str, &[Option<Score>]) -> std::io::Result<()>;

/// The error of a scoring run: a failed read is the store's, a failed write ours.
fn score_failure<E>(failure: ScoreFailure<E>) -> AppError
where
    E: std::error::Error + 'static,
    AppError: From<E>,
{
    match failure {
        ScoreFailure::Input(e) => AppError::from(e),
        ScoreFailure::Output(e) => Failure::Io(e).into(),
        ScoreFailure::Waves(e) => Failure::Waves(e).into(),
    }
}

/// A round as a download lists it: its latest release, and the wave its rows carry.
struct Part {
    round: Round,
    published: Option<Arc<Published>>,
    wave: String,
}

impl Part {
    /// How the download lists the part's rows.
    fn listing(&self) -> Listing {
        Listing {
            wave: self.wave.clone(),
            ..listing(&self.round, self.published.as_deref())
        }
    }
}

/// What a download is about: one round, or a partnership's *series* (its rounds of one
/// instrument), each round as of its latest release.
///
/// A series publishes nothing its rounds' downloads do not: its rows are the rows each round's
/// release lists, with the groups it shows there, so every pooled figure follows from the
/// rounds' own `respondents.csv` and raw downloads; its waves and comparisons are each round's
/// published wave cells, as the dashboard compares them. Its threshold is the largest of its
/// rounds'.
pub struct Download {
    parts: Vec<Part>,
    /// Whether it is a series.
    series: bool,
    options: Options,
    /// The start of every file name of the download.
    stem: String,
}

impl Download {
    /// The download of `round` alone.
    pub async fn round(
        store: &Arc<dyn Store>,
        instrument: &Arc<Instrument>,
        round: &Round,
    ) -> Result<Download, AppError> {
        let published = latest(store, instrument, round).await?;
        Ok(Download {
            options: options(round),
            series: false,
            stem: round_stem(round),
            parts: vec![Part {
                wave: round.wave.clone(),
                round: round.clone(),
                published,
            }],
        })
    }

    /// The download of the series `round` belongs to: the rounds of `rounds` (its partnership's,
    /// in creation order) whose instrument scores as `round`'s and that have a release, and
    /// `round` itself. A wave label two of them share names each round's number after it.
    pub async fn series(
        store: &Arc<dyn Store>,
        instrument: &Arc<Instrument>,
        round: &Round,
        rounds: &[Round],
    ) -> Result<Download, AppError> {
        let mut parts = Vec::new();
        for r in rounds.iter().filter(|r| scored_alike(instrument, r)) {
            let published = latest(store, instrument, r).await?;
            if published.is_some() || r.id == round.id {
                parts.push(Part {
                    wave: r.wave.trim().to_string(),
                    round: r.clone(),
                    published,
                });
            }
        }
        let shared: Vec<bool> = parts
            .iter()
            .map(|p| parts.iter().filter(|q| q.wave == p.wave).count() > 1)
            .collect();
        for (part, shared) in parts.iter_mut().zip(shared) {
            if shared {
                part.wave = interface()
                    .series_wave
                    .replace("{wave}", &part.wave)
                    .replace("{round}", &part.round.id.to_string());
            }
        }
        let min_group_size = parts.iter().map(|p| p.round.threshold()).max();
        Ok(Download {
            options: Options {
                min_group_size: min_group_size.unwrap_or_else(|| round.threshold()),
            },
            series: true,
            stem: series_stem(round),
            parts,
        })
    }

    /// The name of the workbook file.
    pub fn workbook_name(&self) -> String {
        format!("{}.xlsx", self.stem)
    }

    /// Scoring the rows the download lists, for a blocking thread: it hands each respondent to
    /// `sink` with `target`, fetching the pages as it reads, and returns the target and the
    /// statistics of the rows.
    fn scoring<T: Send + 'static>(
        &self,
        store: &Arc<dyn Store>,
        instrument: Arc<Instrument>,
        mut target: T,
        sink: RowSink<T>,
    ) -> impl FnOnce() -> Result<(T, Results), ScoreFailure<StoreError>> + Send + 'static {
        let parts: Vec<_> = self
            .parts
            .iter()
            .map(|p| {
                let pages = listed_pages(Arc::clone(store), &p.round, p.published.as_deref());
                (pages.blocking(Handle::current()), p.listing())
            })
            .collect();
        // Explicit, as design section 3 asks of the server: its rounds in creation order, trimmed
        // as the rows' waves are read (see `StoredRows`). A release's rows are in batches
        // instead, which `release::publish` orders itself.
        let waves = WaveOrder::Rounds(self.parts.iter().map(|p| p.wave.trim().into()).collect());
        let options = self.options;
        move || {
            let rows = StoredRows::listed(parts, &instrument);
            let mut scored = responses::accumulate(
                rows,
                &instrument,
                |_| {},
                |respondent, group, wave, scores| {
                    sink(&mut target, respondent, group, wave, scores)
                },
            )?;
            scored.sort_groups();
            let results = responses::statistics(&scored, &instrument, &options, &waves)?;
            Ok((target, results))
        }
    }

    /// Scores the rows the download lists on a blocking thread (see [`Download::scoring`]).
    async fn score<T: Send + 'static>(
        &self,
        store: &Arc<dyn Store>,
        instrument: Arc<Instrument>,
        target: T,
        sink: RowSink<T>,
    ) -> Result<(T, Results), AppError> {
        let scoring = self.scoring(store, instrument, target, sink);
        let scored = tokio::task::spawn_blocking(scoring)
            .await
            .map_err(Failure::Join)?;
        scored.map_err(score_failure)
    }

    /// The figures of the tables, `None` before any release: a round's as its release holds
    /// them; a series' from its listed rows, `scored` when they have been, else scored now.
    async fn figures(
        &self,
        store: &Arc<dyn Store>,
        instrument: &Arc<Instrument>,
        scored: Option<Results>,
    ) -> Result<Option<Cow<'_, Results>>, AppError> {
        if !self.series {
            let part = self.parts.first();
            let published = part.and_then(|p| p.published.as_deref());
            return Ok(published.map(|p| Cow::Borrowed(&p.release.figures)));
        }
        if self.parts.iter().all(|p| p.published.is_none()) {
            return Ok(None);
        }
        let scored = match scored {
            Some(scored) => scored,
            None => {
                let none: RowSink<()> = |_, _, _, _, _| Ok(());
                self.score(store, Arc::clone(instrument), (), none).await?.1
            }
        };
        let waves: Vec<(String, &Results)> = self
            .parts
            .iter()
            .filter_map(|p| Some((p.wave.clone(), &p.published.as_deref()?.release.figures)))
            .collect();
        Ok(Some(Cow::Owned(scored.with_waves_of(&waves))))
    }
}

/// Bytes a streamed download hands on at a time.
const STREAM_CHUNK: usize = 64 * 1024;

/// Chunks a streamed download holds for a slow client before its writer waits: with
/// [`STREAM_CHUNK`], what bounds its memory.
const STREAM_QUEUE: usize = 4;

/// A writer on a blocking thread whose bytes become the chunks of a response body; it waits
/// while the client is [`STREAM_QUEUE`] chunks behind, and fails once the client has gone.
struct BodyWriter {
    chunk: Vec<u8>,
    sender: mpsc::Sender<std::io::Result<Bytes>>,
}

impl BodyWriter {
    /// A writer and the body it feeds.
    fn new() -> (BodyWriter, Body) {
        let (sender, receiver) = mpsc::channel(STREAM_QUEUE);
        let writer = BodyWriter {
            chunk: Vec::with_capacity(STREAM_CHUNK),
            sender,
        };
        (writer, Body::from_stream(ReceiverStream::new(receiver)))
    }
}

impl std::io::Write for BodyWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.chunk.extend_from_slice(bytes);
        if self.chunk.len() >= STREAM_CHUNK {
            self.flush()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(STREAM_CHUNK));
        self.sender
            .blocking_send(Ok(Bytes::from(chunk)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// `respondents.csv`, streamed: scored on a blocking thread that writes each row on to the
/// response as it goes, so memory stays bounded however large the download. A failure after the
/// first bytes is logged and ends the body with an error.
fn respondents_csv(
    store: &Arc<dyn Store>,
    instrument: Arc<Instrument>,
    download: &Download,
) -> Result<Body, AppError> {
    let (out, body) = BodyWriter::new();
    // Ends the body with an error if scoring fails, so the client sees an incomplete download
    // rather than a short file that looks whole.
    let abort = out.sender.clone();
    let writer = RespondentsWriter::new(out, &instrument).map_err(Failure::Io)?;
    let sink: RowSink<RespondentsWriter<BodyWriter>> =
        |w, respondent, group, wave, scores| w.write(respondent, group, wave, scores);
    let scoring = download.scoring(store, instrument, writer, sink);
    let stem = download.stem.clone();
    tokio::task::spawn_blocking(move || match scoring() {
        Ok((writer, _)) => {
            if let Err(error) = writer.finish() {
                tracing::error!(%error, stem, "respondents download failed");
            }
        }
        Err(failure) => {
            tracing::error!(error = %failure, stem, "respondents download failed");
            // A client that already went away needs no telling.
            let _ = abort.blocking_send(Err(std::io::Error::other("scoring failed")));
        }
    });
    Ok(body)
}

/// The start of the file names of `round`'s downloads.
pub fn round_stem(round: &Round) -> String {
    format!("partnerscope-round-{}", round.id)
}

/// The start of the file names of the downloads of `round`'s series.
pub fn series_stem(round: &Round) -> String {
    format!(
        "partnerscope-partnership-{}-{}",
        round.partnership_id, round.instrument_id
    )
}

/// The names a download's files are asked for by (the last part of their URL), with the
/// workbook's last: the seven reports, the raw responses and the workbook.
pub fn file_names(stem: &str) -> Vec<String> {
    Report::ALL
        .iter()
        .map(|report| format!("{}.csv", report.name()))
        .chain(["raw.csv".to_string(), format!("{stem}.xlsx")])
        .collect()
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

/// The raw responses CSV of the rows the download lists, streamed page by page, each round's
/// rows showing their source where that round's listing shows sources.
pub async fn raw(
    store: Arc<dyn Store>,
    instrument: &Instrument,
    download: Download,
) -> Result<Response, AppError> {
    let mut header = Vec::new();
    let mut parts = Vec::new();
    for part in &download.parts {
        let published = part.published.as_deref();
        let listing = raw_listing(store.as_ref(), &part.round, published).await?;
        let csv = RawCsv::new(
            instrument,
            Listing {
                wave: part.wave.clone(),
                ..listing
            },
        );
        if header.is_empty() {
            csv.header(&mut header);
        }
        parts.push((
            csv,
            listed_pages(Arc::clone(&store), &part.round, published),
        ));
    }
    let stem = download.stem.clone();
    let logged = stem.clone();
    let rows = futures_util::stream::iter(parts)
        .flat_map(|(csv, pages)| {
            let csv = Arc::new(csv);
            pages.into_stream().map_ok(move |page| {
                let mut chunk = Vec::new();
                encode_page(&csv, &page, &mut chunk);
                Bytes::from(chunk)
            })
        })
        .inspect_err(move |error| tracing::error!(%error, stem = logged, "raw export failed"));
    let body = futures_util::stream::once(async { Ok(Bytes::from(header)) }).chain(rows);
    Ok(attachment(
        CSV,
        &format!("{stem}-raw.csv"),
        Body::from_stream(body),
    ))
}

/// A summary table of `figures`; only its header before the first release.
fn summary_table(
    instrument: &Instrument,
    summary: SummaryReport,
    figures: Option<&Results>,
) -> Table {
    match figures {
        Some(figures) => summary.table(instrument, figures),
        None => Table {
            name: summary.name(),
            header: summary.header(),
            rows: Vec::new(),
        },
    }
}

/// One of the seven report CSVs (`name` without `.csv`), or `None` for another name.
pub async fn report_csv(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    download: Download,
    name: &str,
) -> Result<Option<Response>, AppError> {
    let Some(report) = Report::named(name) else {
        return Ok(None);
    };
    let body = match report {
        Report::Respondents => respondents_csv(&store, instrument, &download)?,
        Report::Summary(summary) => {
            let figures = download.figures(&store, &instrument, None).await?;
            let mut out = Vec::new();
            let table = summary_table(&instrument, summary, figures.as_deref());
            write_csv(&table, &mut out).map_err(Failure::Io)?;
            Body::from(out)
        }
    };
    let file_name = if download.series {
        format!("{}-{}.csv", download.stem, report.name())
    } else {
        format!("{}.csv", report.name())
    };
    Ok(Some(attachment(CSV, &file_name, body)))
}

/// The workbook of every report.
pub async fn workbook(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    download: Download,
) -> Result<Response, AppError> {
    let writer = WorkbookWriter::new(&instrument).map_err(Failure::Workbook)?;
    let (writer, scored) = download
        .score(
            &store,
            Arc::clone(&instrument),
            writer,
            |w, respondent, group, wave, scores| {
                w.respondent(respondent, group, wave, scores)
                    .map_err(std::io::Error::other)
            },
        )
        .await?;
    let figures = download.figures(&store, &instrument, Some(scored)).await?;
    let tables: Vec<Table> = SummaryReport::ALL
        .iter()
        .map(|&summary| summary_table(&instrument, summary, figures.as_deref()))
        .collect();
    let stem = download.stem.clone();
    // Zipping a large round's workbook takes seconds, so it runs on a blocking thread, and it
    // goes to an unnamed temporary file rather than memory: the response streams that file, which
    // disappears when the response is done with it.
    let (file, length) = tokio::task::spawn_blocking(move || {
        let mut file = tempfile::tempfile().map_err(Failure::Io)?;
        let mut out = BufWriter::new(&mut file);
        writer
            .finish(&tables, &mut out)
            .map_err(Failure::Workbook)?;
        out.into_inner().map_err(|e| Failure::Io(e.into_error()))?;
        let length = file.stream_position().map_err(Failure::Io)?;
        file.rewind().map_err(Failure::Io)?;
        Ok::<_, Failure>((file, length))
    })
    .await
    .map_err(Failure::Join)??;
    let mut response = attachment(
        XLSX,
        &format!("{stem}.xlsx"),
        file_body(tokio::fs::File::from_std(file), stem.clone()),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, header::HeaderValue::from(length));
    Ok(response)
}

/// Bytes a file body reads at a time.
const FILE_CHUNK: usize = 64 * 1024;

/// Streams `file` (the download `stem`'s) from where it stands to its end as a response body.
fn file_body(file: tokio::fs::File, stem: String) -> Body {
    let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
        let mut chunk = vec![0; FILE_CHUNK];
        let read = file.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        chunk.truncate(read);
        Ok::<_, std::io::Error>(Some((Bytes::from(chunk), file)))
    })
    .inspect_err(move |error| tracing::error!(%error, stem, "workbook download failed"));
    Body::from_stream(chunks)
}

/// Comments to one question, without who wrote them.
pub struct CommentList {
    /// The question.
    pub question: String,
    /// The comments, sorted so their order says nothing about who answered when.
    pub comments: Vec<ListedComment>,
}

/// The comments of the rows `published` lists, per question of `instrument` in its order, each
/// list sorted.
async fn comment_lists(
    store: &dyn Store,
    instrument: &Instrument,
    round: &Round,
    published: Option<&Published>,
) -> Result<Vec<CommentList>, AppError> {
    let through = rows_through(published);
    let mut by_question: BTreeMap<String, Vec<ListedComment>> = BTreeMap::new();
    for comment in store.listed_comments(round.id, through).await? {
        by_question
            .entry(comment.question.clone())
            .or_default()
            .push(comment);
    }
    Ok(instrument
        .comments
        .iter()
        .filter_map(|c| {
            let mut comments = by_question.remove(&c.id)?;
            // By text, and equal texts by their random handles: the same order on both engines,
            // and nothing of when each was written.
            comments.sort_by(|a, b| (&a.body, &a.handle).cmp(&(&b.body, &b.handle)));
            Some(CommentList {
                question: instrument.texts().comment_text(c).to_string(),
                comments,
            })
        })
        .collect())
}

/// `comments.csv`: `question,comment`, the comments the latest release lists, sorted within
/// each question, with neither pseudonym nor group.
pub async fn comments_csv(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
) -> Result<Response, AppError> {
    let published = latest(&store, &instrument, round).await?;
    let mut out = Vec::new();
    push_line(&mut out, ["question", "comment"]);
    for list in comment_lists(store.as_ref(), &instrument, round, published.as_deref()).await? {
        for comment in &list.comments {
            push_line(&mut out, [comment.question.as_str(), comment.body.as_str()]);
        }
    }
    Ok(attachment(
        CSV,
        &format!("partnerscope-round-{}-comments.csv", round.id),
        Body::from(out),
    ))
}

/// What a round's page shows of its responses.
pub struct RoundNumbers {
    /// The latest release and its dashboard, once there is one.
    pub published: Option<(Arc<Published>, Dashboard)>,
    /// Submitted responses, live.
    pub submitted: u64,
    /// The comments the release lists, per question.
    pub comments: Vec<CommentList>,
}

/// Whether the answers of round `other` are scored as `instrument` scores them, so its figures
/// compare with a round of `instrument` whatever the two instruments' texts, languages or
/// version strings (see [`Instrument::scores_like`]).
fn scored_alike(instrument: &Instrument, other: &Round) -> bool {
    other
        .instrument()
        .is_ok_and(|theirs| theirs.scores_like(instrument))
}

/// The latest release of `round` with its dashboard, its number of submitted responses and its
/// comments, with the instrument's texts in the reader's language. The change since the previous
/// round of the partnership (in `rounds`) is shown when that round's instrument scores alike
/// under another wave label, from its own latest release.
pub async fn round_numbers(
    store: Arc<dyn Store>,
    instrument: Arc<Instrument>,
    round: &Round,
    rounds: &[Round],
) -> Result<RoundNumbers, AppError> {
    let (published, unreleased) = latest_and_waiting(&store, &instrument, round).await?;
    let submitted = published.as_deref().map_or(0, |p| p.release.responses) + unreleased;
    let shown = language::for_reader(&instrument);
    let comments = comment_lists(store.as_ref(), &shown, round, published.as_deref()).await?;
    let Some(published) = published else {
        return Ok(RoundNumbers {
            published: None,
            submitted,
            comments,
        });
    };
    let previous = rounds
        .iter()
        .rfind(|r| r.id < round.id && r.wave != round.wave && scored_alike(&instrument, r));
    let earlier = match previous {
        Some(previous) => latest(&store, &instrument, previous).await?,
        None => None,
    };
    let figures = &published.release.figures;
    let changes = earlier
        .as_ref()
        .map(|e| figures.changes_since(&e.release.figures));
    let dashboard = dashboard::build(
        &shown,
        figures,
        earlier
            .as_ref()
            .zip(changes.as_deref())
            .map(|(e, changes)| Previous {
                results: &e.release.figures,
                changes,
            }),
        &ChartText {
            title: interface().chart_title.to_string(),
            by_sector: interface().chart_by_sector.to_string(),
            too_few: interface().chart_too_few.to_string(),
            language_name: language::name_of,
        },
    );
    Ok(RoundNumbers {
        published: Some((published, dashboard)),
        submitted,
        comments,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{ErrorKind, Write};

    use super::*;

    #[tokio::test]
    async fn a_body_writer_hands_on_every_byte_in_order_and_fails_once_the_client_is_gone() {
        let (mut writer, body) = BodyWriter::new();
        let written = tokio::task::spawn_blocking(move || {
            for i in 0..100_000u32 {
                writer.write_all(i.to_string().as_bytes())?;
            }
            writer.flush()
        });
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        written.await.unwrap().unwrap();
        let expected: String = (0..100_000u32).map(|i| i.to_string()).collect();
        assert_eq!(bytes, expected.as_bytes());

        let (mut writer, body) = BodyWriter::new();
        drop(body);
        let error = tokio::task::spawn_blocking(move || writer.write_all(&[0; STREAM_CHUNK]))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BrokenPipe);
    }
}
