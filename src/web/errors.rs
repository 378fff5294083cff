//! What a request that went wrong gets back.
//!
//! Policy: every request that goes wrong ends as an [`AppError`]. The partner sees a short page
//! in plain words with the right status code and never an internal detail. A failure on our side
//! is a [`Failure`] that keeps its cause as the error's source, and the log line prints the whole
//! chain. Bad input is the partner's browser's (or a tamperer's) problem and gets a 4xx, never a
//! 500, and every handler checks its input before writing, so nothing is half-stored. A
//! facilitator asking for a partnership, round or download that is not theirs gets the same 404
//! as for one that does not exist, so ids reveal nothing; a missing session leads to the sign-in
//! page.

use std::error::Error;
use std::fmt;

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_xlsxwriter::XlsxError;
use tokio::task::JoinError;

use super::messages::EN;
use super::{Chrome, SIGN_IN, html};
use crate::instrument::LoadError;
use crate::releases::ReleaseError;
use crate::store::StoreError;

/// A request that could not be served. Variants for failures on our side keep their cause as
/// the error's source, so the log shows the whole chain.
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
    #[error("not a form")]
    NotAForm(#[source] FormRejection),
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
    /// An open-link form id the server did not issue.
    #[error("forged open-link form id")]
    ForgedForm,
    /// The open link takes no more responses.
    #[error("the open link's cap is reached")]
    OpenCapReached,
    /// Something on our side failed; the partner sees only that.
    #[error(transparent)]
    Internal(#[from] Failure),
}

/// A failure on our side, with its cause as the source, so the log shows the whole chain.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The database failed.
    #[error("the store failed")]
    Store(#[source] StoreError),
    /// A round's stored instrument no longer loads.
    #[error("the stored instrument does not load")]
    Instrument(#[source] LoadError),
    /// A task on a blocking thread panicked or was cancelled.
    #[error("a blocking task did not finish")]
    Join(#[source] JoinError),
    /// Writing a download failed.
    #[error("writing a download failed")]
    Io(#[source] std::io::Error),
    /// A round's releases could not be read or made.
    #[error("the round's figures could not be published")]
    Release(#[source] ReleaseError),
    /// Writing the workbook failed.
    #[error("writing the workbook failed")]
    Workbook(#[source] XlsxError),
    /// A secret stored in the database does not read back.
    #[error("the stored secret `{0}` is damaged")]
    Secret(&'static str),
}

impl From<ReleaseError> for AppError {
    fn from(error: ReleaseError) -> Self {
        AppError::Internal(Failure::Release(error))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::AlreadySubmitted => AppError::AlreadySubmitted,
            StoreError::RoundClosed => AppError::RoundClosed,
            other => Failure::Store(other).into(),
        }
    }
}

impl From<LoadError> for AppError {
    fn from(error: LoadError) -> AppError {
        Failure::Instrument(error).into()
    }
}

/// An error followed by its sources, `outer: inner: innermost`, for the log.
struct Chain<'a>(&'a dyn Error);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome<'a>,
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
            AppError::ForgedForm => StatusCode::FORBIDDEN,
            AppError::OpenCapReached => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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
            tracing::error!(error = %Chain(&self), "request failed");
        } else {
            tracing::info!(%status, error = %Chain(&self), "request refused");
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
            AppError::ForgedForm => (m.forged_heading, m.forged_text, None),
            AppError::OpenCapReached => (m.cap_heading, m.cap_text, None),
            AppError::SignInRequired | AppError::Internal(_) => {
                (m.internal_heading, m.internal_text, None)
            }
        };
        html(
            status,
            &ErrorPage {
                chrome: Chrome::new(title, ()),
                text,
                detail,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::rejection::InvalidFormContentType;

    /// The row of [`statuses`] that shows `error`'s variant. No wildcard: a new variant does not
    /// compile until it has a row there, with its status.
    fn row(error: &AppError) -> usize {
        match error {
            AppError::NotFound => 0,
            AppError::RoundClosed => 1,
            AppError::AlreadySubmitted => 2,
            AppError::NotAForm(_) => 3,
            AppError::BadForm(_) => 4,
            AppError::TooLarge => 5,
            AppError::SignInRequired => 6,
            AppError::Csrf => 7,
            AppError::ForgedForm => 8,
            AppError::OpenCapReached => 9,
            AppError::Internal(_) => 10,
        }
    }

    /// One error of every variant with the status it answers with.
    fn statuses() -> Vec<(AppError, StatusCode)> {
        let not_a_form = FormRejection::InvalidFormContentType(InvalidFormContentType::default());
        let disk_full = Failure::Io(std::io::Error::other("disk full"));
        vec![
            (AppError::NotFound, StatusCode::NOT_FOUND),
            (AppError::RoundClosed, StatusCode::GONE),
            (AppError::AlreadySubmitted, StatusCode::CONFLICT),
            (AppError::NotAForm(not_a_form), StatusCode::BAD_REQUEST),
            (AppError::BadForm("x"), StatusCode::UNPROCESSABLE_ENTITY),
            (AppError::TooLarge, StatusCode::PAYLOAD_TOO_LARGE),
            (AppError::SignInRequired, StatusCode::SEE_OTHER),
            (AppError::Csrf, StatusCode::FORBIDDEN),
            (AppError::ForgedForm, StatusCode::FORBIDDEN),
            (AppError::OpenCapReached, StatusCode::CONFLICT),
            (disk_full.into(), StatusCode::INTERNAL_SERVER_ERROR),
        ]
    }

    #[test]
    fn every_variant_answers_with_its_status() {
        for (i, (error, status)) in statuses().into_iter().enumerate() {
            assert_eq!(row(&error), i, "{error} is listed in its row");
            assert_eq!(error.status(), status, "{error}");
            assert_eq!(error.into_response().status(), status);
        }
    }

    #[test]
    fn the_log_line_shows_the_whole_chain() {
        let error = AppError::from(StoreError::Database(sqlx::Error::PoolTimedOut));
        assert_eq!(
            Chain(&error).to_string(),
            format!(
                "the store failed: database error: {}",
                sqlx::Error::PoolTimedOut
            )
        );
    }

    #[test]
    fn store_refusals_keep_their_own_status() {
        assert_eq!(
            AppError::from(StoreError::RoundClosed).status(),
            StatusCode::GONE
        );
        assert_eq!(
            AppError::from(StoreError::UnknownEmail).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
