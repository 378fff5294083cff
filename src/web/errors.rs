//! What a request that went wrong gets back.
//!
//! Policy: every failure is an [`AppError`]. The partner sees a short page in plain words with the
//! right status code and never an internal detail; the cause of a server-side failure is logged.
//! Bad input is the partner's browser's (or a tamperer's) problem and gets a 4xx, never a 500,
//! and every handler checks its input before writing, so nothing is half-stored. A facilitator
//! asking for a partnership, round or download that is not theirs gets the same 404 as for one
//! that does not exist, so ids reveal nothing; a missing session leads to the sign-in page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::facilitate::SIGN_IN;
use super::html;
use super::messages::{EN, Messages};
use crate::instrument::LoadError;
use crate::store::StoreError;

/// A request that could not be served.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No survey behind this link.
    #[error("unknown link")]
    NotFound,
    /// The round no longer takes answers.
    #[error("the round is closed")]
    RoundClosed,
    /// The invitation's response is already submitted.
    #[error("already submitted")]
    AlreadySubmitted,
    /// The body is not a form we can read (wrong content type, undecodable).
    #[error("not a form: {0}")]
    NotAForm(String),
    /// The form has fields or values the survey cannot have; the message says which kind.
    #[error("unreadable form: {0}")]
    BadForm(&'static str),
    /// The body is over the size limit.
    #[error("request body too large")]
    TooLarge,
    /// A facilitator page without a valid session: answered with the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    /// A facilitator form without the session's CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Something on our side failed outside the store (a join, a writer).
    #[error("internal: {0}")]
    Internal(String),
    /// The database failed.
    #[error("store: {0}")]
    Store(#[source] StoreError),
    /// A round's stored instrument no longer loads.
    #[error("stored instrument: {0}")]
    Instrument(#[from] LoadError),
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::AlreadySubmitted => AppError::AlreadySubmitted,
            StoreError::RoundClosed => AppError::RoundClosed,
            other => AppError::Store(other),
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    m: &'static Messages,
    title: &'a str,
    text: &'a str,
    detail: Option<&'a str>,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::RoundClosed => StatusCode::GONE,
            AppError::AlreadySubmitted => StatusCode::CONFLICT,
            AppError::NotAForm(_) => StatusCode::BAD_REQUEST,
            AppError::BadForm(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::SignInRequired => StatusCode::SEE_OTHER,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Store(_) | AppError::Instrument(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::SignInRequired = self {
            return Redirect::to(SIGN_IN).into_response();
        }
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::info!(%status, error = %self, "request refused");
        }
        let m = &EN;
        let (title, text, detail) = match &self {
            AppError::NotFound => (m.not_found_heading, m.not_found_text, None),
            AppError::RoundClosed => (m.closed_heading, m.closed_text, None),
            AppError::AlreadySubmitted => (m.already_heading, m.already_text, None),
            AppError::NotAForm(_) => (
                m.bad_form_heading,
                m.bad_form_text,
                Some(m.detail_not_a_form),
            ),
            AppError::BadForm(detail) => (m.bad_form_heading, m.bad_form_text, Some(*detail)),
            AppError::TooLarge => (m.too_large_heading, m.too_large_text, None),
            AppError::Csrf => (m.csrf_heading, m.csrf_text, None),
            AppError::SignInRequired
            | AppError::Store(_)
            | AppError::Instrument(_)
            | AppError::Internal(_) => (m.internal_heading, m.internal_text, None),
        };
        html(
            status,
            &ErrorPage {
                m,
                title,
                text,
                detail,
            },
        )
    }
}
