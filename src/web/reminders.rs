//! The page a message's last link opens: it stops further reminders to that invitation. Opening
//! the link changes nothing; a button on the page does (a POST), because mail scanners follow the
//! links in a message and must not opt partners out.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::AppError;
use super::language::interface;
use super::{AppState, Chrome, html, session};
use crate::survey::is_token;

/// The page that stops reminders, or says they are stopped.
#[derive(Template)]
#[template(path = "respond/stop.html")]
struct StopPage<'a> {
    chrome: Chrome<'a>,
    token: &'a str,
    /// What the page says: the question, or that it is done.
    text: String,
    /// Whether reminders are stopped already.
    stopped: bool,
}

/// `GET /s/{token}/stop`.
pub async fn stop_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let found = if is_token(&token) {
        state.store.invitation_by_token(&token).await?
    } else {
        None
    };
    let (_, round) = found.ok_or(AppError::UnknownLink)?;
    let stopped = state
        .store
        .reminders_stopped(&token)
        .await?
        .ok_or(AppError::UnknownLink)?;
    let text = if stopped {
        interface().stop_done.to_string()
    } else {
        let partnership = state.store.partnership(round.partnership_id).await?;
        let name = partnership.map(|p| p.name).unwrap_or_default();
        interface()
            .stop_text
            .replace("{asker}", round.details.asker(&name))
    };
    Ok(html(
        StatusCode::OK,
        &StopPage {
            chrome: Chrome::new(interface().stop_heading, ()),
            token: &token,
            text,
            stopped,
        },
    ))
}

/// `POST /s/{token}/stop`: no more reminders to this invitation, then back to the page.
pub async fn stop(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    // No session on a partner's page: only our own page may post here.
    if !session::same_origin(&headers, state.public_url.as_deref()) {
        return Err(AppError::Csrf);
    }
    if !is_token(&token) || !state.store.stop_reminders(&token).await? {
        return Err(AppError::UnknownLink);
    }
    Ok(Redirect::to(&format!("/s/{token}/stop")).into_response())
}
