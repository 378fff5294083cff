//! A round's downloads: the report CSVs, the raw responses, the comments and the workbook, each
//! written by [`reports`].

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;

use super::owned_round;
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::reports;
use crate::web::session::SignedIn;

/// `GET /facilitator/rounds/{id}/reports/{file}`: a report CSV, the raw responses, the comments
/// or the workbook.
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    if file == "raw.csv" {
        return reports::raw(Arc::clone(&state.store), instrument, &round).await;
    }
    if file == "comments.csv" {
        return reports::comments_csv(Arc::clone(&state.store), instrument, &round).await;
    }
    if file == format!("partnerscope-round-{id}.xlsx") {
        return reports::workbook(Arc::clone(&state.store), instrument, &round).await;
    }
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    reports::report_csv(Arc::clone(&state.store), instrument, &round, name)
        .await?
        .ok_or(AppError::NotFound)
}
