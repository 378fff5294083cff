//! The meeting report: one printable page set of a round's latest release for the coalition's
//! meeting, to the facilitator at `/facilitator/rounds/{id}/report` and, read-only, to anyone
//! holding the round's share link at `/r/{token}`, which the facilitator creates, replaces and
//! revokes.
//!
//! Both show the very same page from the same release: the report publishes nothing the
//! dashboard does not (suppressed cells stay suppressed, comments as removed), and a share link
//! is only another way in, as revocable as an open link is closable.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::rounds::{CardView, card_views};
use super::{owned_round, see_other};
use crate::report::dashboard::Dashboard;
use crate::report::dashboard::ItemRow;
use crate::report::meeting::{
    BandGroup, SectorMatrix, factors_by_band, sector_matrix, statements_by_dimension,
};
use crate::survey::{Partnership, Round, is_token, new_token};
use crate::web::errors::AppError;
use crate::web::language::{self, interface};
use crate::web::messages::counted;
use crate::web::reports::{self, CommentList};
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, Chrome, html};

/// The meeting report.
#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    chrome: Chrome<'a>,
    partnership: Partnership,
    round: Round,
    /// The instrument's title.
    instrument: String,
    /// How many answered, of how many invited.
    responses: String,
    /// Which release the figures are from; `None` before the first.
    release: Option<String>,
    dashboard: Option<Dashboard>,
    cards: Vec<CardView>,
    bands: Vec<BandGroup>,
    /// The sectors' means of every dimension.
    sectors: Option<SectorMatrix>,
    /// The statements under their dimensions.
    statements: Vec<(String, Vec<ItemRow>)>,
    /// The previous round's wave, when the report shows the change since it.
    previous: Option<String>,
    comments: Vec<CommentList>,
    /// What a group below the threshold shows.
    small_groups: String,
    /// Whether it is seen through the share link: then nothing leads to the facilitator's pages.
    shared: bool,
}

/// `GET /facilitator/rounds/{id}/report`.
pub async fn report(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    render(&state, round, partnership, false).await
}

/// `GET /r/{token}`: the report of the round shared under `token`, to anyone who has the link.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if !is_token(&token) {
        return Err(AppError::NotFound);
    }
    let round = state
        .store
        .round_by_share_token(&token)
        .await?
        .ok_or(AppError::NotFound)?;
    let partnership = state
        .store
        .partnership(round.partnership_id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&state, round, partnership, true).await
}

/// `POST /facilitator/rounds/{id}/share`: a new share link, replacing any earlier one.
pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    set_share(&state, id, &form, Some(new_token())).await
}

/// `POST /facilitator/rounds/{id}/share/stop`: the share link stops working.
pub async fn stop_sharing(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    set_share(&state, id, &form, None).await
}

async fn set_share(
    state: &AppState,
    id: i64,
    form: &CheckedForm,
    token: Option<String>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(state, &form.signed_in, id).await?;
    state
        .store
        .set_share_token(round.id, token.as_deref())
        .await?;
    Ok(see_other(&format!("/facilitator/rounds/{id}#share")))
}

/// The report of `round`'s latest release.
async fn render(
    state: &AppState,
    round: Round,
    partnership: Partnership,
    shared: bool,
) -> Result<Response, AppError> {
    let instrument = round.instrument()?;
    let rounds = state.store.rounds(partnership.id).await?;
    let numbers = reports::round_numbers(
        Arc::clone(&state.store),
        Arc::clone(&instrument),
        &round,
        &rounds,
    )
    .await?;
    let invited: i64 = state
        .invited
        .of(state.store.as_ref(), round.id)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    // Only what the release holds: the live count would tell a reader of the shared report
    // how many answered since, which the figures deliberately do not show yet.
    let published = numbers.published.as_ref().map(|(p, _)| p);
    let n = published.map_or(0, |p| p.release.responses);
    let responses = if invited > 0 {
        let rate = (n as f64 * 100.0 / invited as f64).round();
        counted(interface().report_responses, n)
            .replace("{invited}", &invited.to_string())
            .replace("{rate}", &rate.to_string())
    } else {
        counted(interface().report_responses_open, n)
    };
    let release = published.map(|p| {
        interface()
            .report_release
            .replace("{date}", p.created_at.get(..10).unwrap_or_default())
            .replace("{number}", &p.release.number.to_string())
    });
    // In the reader's language: a meeting may read the report in Spanish.
    let shown = language::for_reader(&instrument);
    let bands = published
        .map(|p| factors_by_band(&shown, &p.release.figures))
        .unwrap_or_default();
    let dashboard = numbers.published.map(|(_, dashboard)| dashboard);
    let cards = card_views(dashboard.as_ref());
    let sectors = dashboard
        .as_ref()
        .filter(|d| !d.sectors.is_empty())
        .map(|d| sector_matrix(&d.sectors));
    let statements = dashboard
        .as_ref()
        .map(|d| statements_by_dimension(&d.items))
        .unwrap_or_default();
    let previous = cards
        .iter()
        .find_map(|view| view.card.change.as_ref())
        .map(|change| change.from_wave.clone());
    let asker = round.details.asker(&partnership.name);
    let title = interface()
        .report_title
        .replace("{title}", asker)
        .replace("{wave}", &round.wave);
    Ok(html(
        StatusCode::OK,
        &ReportPage {
            chrome: Chrome::new(&title, ()),
            instrument: shown.texts().title().to_string(),
            small_groups: interface()
                .report_small_groups
                .replace("{n}", &round.threshold().to_string()),
            partnership,
            round,
            responses,
            release,
            dashboard,
            cards,
            bands,
            sectors,
            statements,
            previous,
            comments: numbers.comments,
            shared,
        },
    ))
}
