//! A round's downloads and its series' (every round of the partnership with the same
//! instrument): the report CSVs, the raw responses and the workbook, each written by
//! [`reports`]; a round's comments too.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;

use super::owned_round;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::reports::{self, Download};
use crate::web::session::SignedIn;

/// `GET /facilitator/rounds/{id}/reports/{file}`: a report CSV, the raw responses, the comments
/// or the workbook of the round.
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    if file == "comments.csv" {
        return reports::comments_csv(Arc::clone(&state.store), instrument, &round).await;
    }
    let download = Download::round(&state.store, &instrument, &round).await?;
    serve(&state, instrument, download, &file).await
}

/// `GET /facilitator/rounds/{id}/series/{file}`: a report CSV, the raw responses or the workbook
/// of the round's series.
pub async fn series_download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    let rounds = state.store.rounds(partnership.id).await?;
    let download = Download::series(&state.store, &instrument, &round, &rounds).await?;
    serve(&state, instrument, download, &file).await
}

/// The file `file` of `download`, or 404 for a name it does not have.
async fn serve(
    state: &AppState,
    instrument: Arc<crate::instrument::Instrument>,
    download: Download,
    file: &str,
) -> Result<Response, AppError> {
    let store = Arc::clone(&state.store);
    if file == "raw.csv" {
        return reports::raw(store, &instrument, download).await;
    }
    if file == download.workbook_name() {
        return reports::workbook(store, instrument, download).await;
    }
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    reports::report_csv(store, instrument, download, name)
        .await?
        .ok_or(AppError::NotFound)
}
