//! What a request that went wrong gets back.
//!
//! Policy: every request that goes wrong ends as an [`AppError`]. The partner sees a short page
//! in plain words with the right status code and never an internal detail. A failure on our side
//! is a [`Failure`] that keeps its cause as the error's source, and the log line prints the whole
//! chain. Bad input is the partner's browser's (or a tamperer's) problem and gets a 4xx, never a
//! 500, and every handler checks its input before writing, so nothing is half-stored. A form
//! body that does not decode exactly is refused with 400, and a text that cannot be stored as
//! sent (a control character, more than its limit) with 422; both pages name the field and the
//! problem, and neither they nor the log line ever repeat a value that was sent. A
//! facilitator asking for a partnership, round or download that is not theirs gets the same 404
//! as for one that does not exist, so ids reveal nothing; a missing session leads to the sign-in
//! page.

use std::error::Error;
use std::fmt;

use std::borrow::Cow;

use askama::Template;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_xlsxwriter::XlsxError;
use tokio::task::JoinError;

use super::body::{BodyError, FieldRef};
use super::language::interface;
use super::messages::Messages;
use super::{Chrome, SIGN_IN, html};
use crate::accounts::PasswordError;
use crate::instrument::LoadError;
use crate::releases::ReleaseError;
use crate::scoring::WaveOrderError;
use crate::store::StoreError;
use crate::survey::text::{TextError, Unit};

/// A request that could not be served. Variants for failures on our side keep their cause as
/// the error's source, so the log shows the whole chain.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No page at this address, or one the facilitator may not see.
    #[error("not found")]
    NotFound,
    /// No survey behind this personal or open link.
    #[error("unknown link")]
    UnknownLink,
    /// The round no longer takes answers.
    #[error("the round is closed")]
    RoundClosed,
    /// The invitation's response is already submitted.
    #[error("already submitted")]
    AlreadySubmitted,
    /// The body is not a form: its content type is not `application/x-www-form-urlencoded`
    /// (`None`), or it could not be read.
    #[error("not a form")]
    NotAForm(#[source] Option<BytesRejection>),
    /// The form body does not decode exactly (a malformed `%` escape, bytes that are not UTF-8);
    /// the page names the field and the problem.
    #[error("undecodable form body")]
    Undecodable(#[source] BodyError),
    /// A field's text cannot be stored as sent: a control character, a line break in a one-line
    /// text, or more than its kind's limit; the page names the field and the problem.
    #[error("{field}: {problem}")]
    BadText {
        /// The field.
        field: FieldRef,
        /// What is wrong with its text.
        problem: TextError,
    },
    /// The form has fields or values the survey cannot have; the message says which kind.
    #[error("unreadable form: {0}")]
    BadForm(&'static str),
    /// The body is over the size limit.
    #[error("request body too large")]
    TooLarge,
    /// The body did not arrive within the body timeout.
    #[error("request body too slow")]
    TooSlow,
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
    /// A link that worked once and no longer does (a used or expired reset link); the words say
    /// what to do instead.
    #[error("the link no longer works")]
    LinkGone(&'static str),
    /// The request would change what can no longer change (a partner's details once they have
    /// submitted); the words say why.
    #[error("it can no longer change")]
    Settled(&'static str),
    /// A co-facilitator asked for what only the partnership's owner or an administrator may do:
    /// choose its co-facilitators, or delete it.
    #[error("only the owner or an administrator may do this")]
    OwnerOnly,
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
    /// A round's stored responses carry a wave that is not the round's.
    #[error("the stored responses' waves are not the round's")]
    Waves(#[source] WaveOrderError),
    /// A secret stored in the database does not read back.
    #[error("the stored secret `{0}` is damaged")]
    Secret(&'static str),
    /// A new account's password could not be hashed.
    #[error("a new password could not be hashed")]
    Password(#[source] PasswordError),
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
            AppError::NotFound | AppError::UnknownLink => StatusCode::NOT_FOUND,
            AppError::RoundClosed => StatusCode::GONE,
            AppError::AlreadySubmitted => StatusCode::CONFLICT,
            AppError::NotAForm(_) => StatusCode::BAD_REQUEST,
            AppError::Undecodable(_) => StatusCode::BAD_REQUEST,
            AppError::BadForm(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadText { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            AppError::SignInRequired => StatusCode::SEE_OTHER,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::ForgedForm => StatusCode::FORBIDDEN,
            AppError::OpenCapReached => StatusCode::CONFLICT,
            AppError::OwnerOnly => StatusCode::FORBIDDEN,
            AppError::LinkGone(_) => StatusCode::GONE,
            AppError::Settled(_) => StatusCode::CONFLICT,
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
        let m = interface();
        let (title, text, detail): (_, _, Option<Cow<str>>) = match &self {
            AppError::NotFound => (m.not_found_heading, m.not_found_text, None),
            AppError::UnknownLink => (m.unknown_link_heading, m.unknown_link_text, None),
            AppError::RoundClosed => (m.closed_heading, m.closed_text, None),
            AppError::AlreadySubmitted => (m.already_heading, m.already_text, None),
            AppError::NotAForm(_) => (
                m.bad_form_heading,
                m.bad_form_text,
                Some(m.detail_not_a_form.into()),
            ),
            AppError::Undecodable(error) => (
                m.bad_form_heading,
                m.bad_form_text,
                Some(body_detail(m, error).into()),
            ),
            AppError::BadForm(detail) => {
                (m.bad_form_heading, m.bad_form_text, Some((*detail).into()))
            }
            AppError::BadText { field, problem } => (
                m.bad_form_heading,
                m.bad_form_text,
                Some(text_detail(m, field, *problem).into()),
            ),
            AppError::TooLarge => (m.too_large_heading, m.too_large_text, None),
            AppError::TooSlow => (m.timeout_heading, m.timeout_text, None),
            AppError::Csrf => (m.csrf_heading, m.csrf_text, None),
            AppError::ForgedForm => (m.forged_heading, m.forged_text, None),
            AppError::OpenCapReached => (m.cap_heading, m.cap_text, None),
            AppError::OwnerOnly => (m.owner_only_heading, m.owner_only_text, None),
            AppError::LinkGone(text) => (m.link_gone_heading, *text, None),
            AppError::Settled(text) => (m.settled_heading, *text, None),
            AppError::SignInRequired | AppError::Internal(_) => {
                (m.internal_heading, m.internal_text, None)
            }
        };
        html(
            status,
            &ErrorPage {
                chrome: Chrome::new(title, ()),
                text,
                detail: detail.as_deref(),
            },
        )
    }
}

/// The field in words for a page: the label a person knows for the fields of our forms, else the
/// field's name or position.
fn field_words(m: &Messages, field: &FieldRef) -> String {
    let name = match field {
        FieldRef::Named(name) => name.as_str(),
        FieldRef::Position(position) => {
            return m.field_numbered.replace("{n}", &position.to_string());
        }
    };
    let known = match name {
        "name" => m.field_partnership_name,
        "title" => m.field_round_title,
        "contact" => m.field_contact,
        "wave" => m.field_wave,
        "organisation" => m.field_organisation,
        "sector" => m.field_sector,
        "email" => m.field_email,
        "language" => m.field_language,
        "password" => m.field_password,
        "list" => m.field_list,
        _ if name.starts_with("comment-") => m.field_comment,
        _ => return m.field_named.replace("{name}", name),
    };
    known.to_string()
}

/// What the page says about a body that does not decode.
fn body_detail(m: &Messages, error: &BodyError) -> String {
    let (message, field) = match error {
        BodyError::BadEscape(field) => (m.detail_bad_escape, field),
        BodyError::NotUtf8(field) => (m.detail_not_utf8, field),
    };
    message.replace("{field}", &field_words(m, field))
}

/// What the page says about a text that cannot be stored.
pub(crate) fn text_detail(m: &Messages, field: &FieldRef, problem: TextError) -> String {
    let message = match problem {
        TextError::ControlCharacter => Cow::Borrowed(m.detail_control_character),
        TextError::NotOneLine => Cow::Borrowed(m.detail_not_one_line),
        TextError::TooLong { max, unit } => {
            let message = match unit {
                Unit::Characters => m.detail_too_long,
                Unit::Bytes => m.detail_too_long_bytes,
            };
            Cow::Owned(message.replace("{max}", &max.to_string()))
        }
    };
    message.replace("{field}", &field_words(m, field))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row of [`statuses`] that shows `error`'s variant. No wildcard: a new variant does not
    /// compile until it has a row there, with its status.
    fn row(error: &AppError) -> usize {
        match error {
            AppError::NotFound => 0,
            AppError::UnknownLink => 1,
            AppError::RoundClosed => 2,
            AppError::AlreadySubmitted => 3,
            AppError::NotAForm(_) => 4,
            AppError::Undecodable(_) => 5,
            AppError::BadForm(_) => 6,
            AppError::BadText { .. } => 7,
            AppError::TooLarge => 8,
            AppError::TooSlow => 9,
            AppError::SignInRequired => 10,
            AppError::Csrf => 11,
            AppError::ForgedForm => 12,
            AppError::OpenCapReached => 13,
            AppError::OwnerOnly => 14,
            AppError::LinkGone(_) => 15,
            AppError::Settled(_) => 16,
            AppError::Internal(_) => 17,
        }
    }

    /// One error of every variant with the status it answers with.
    fn statuses() -> Vec<(AppError, StatusCode)> {
        let undecodable = BodyError::NotUtf8(FieldRef::Position(1));
        let bad_text = AppError::BadText {
            field: FieldRef::Named("wave".into()),
            problem: TextError::ControlCharacter,
        };
        let disk_full = Failure::Io(std::io::Error::other("disk full"));
        vec![
            (AppError::NotFound, StatusCode::NOT_FOUND),
            (AppError::UnknownLink, StatusCode::NOT_FOUND),
            (AppError::RoundClosed, StatusCode::GONE),
            (AppError::AlreadySubmitted, StatusCode::CONFLICT),
            (AppError::NotAForm(None), StatusCode::BAD_REQUEST),
            (AppError::Undecodable(undecodable), StatusCode::BAD_REQUEST),
            (AppError::BadForm("x"), StatusCode::UNPROCESSABLE_ENTITY),
            (bad_text, StatusCode::UNPROCESSABLE_ENTITY),
            (AppError::TooLarge, StatusCode::PAYLOAD_TOO_LARGE),
            (AppError::TooSlow, StatusCode::REQUEST_TIMEOUT),
            (AppError::SignInRequired, StatusCode::SEE_OTHER),
            (AppError::Csrf, StatusCode::FORBIDDEN),
            (AppError::ForgedForm, StatusCode::FORBIDDEN),
            (AppError::OpenCapReached, StatusCode::CONFLICT),
            (AppError::OwnerOnly, StatusCode::FORBIDDEN),
            (AppError::LinkGone("x"), StatusCode::GONE),
            (AppError::Settled("x"), StatusCode::CONFLICT),
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
    fn a_refused_text_names_its_field_in_words_where_a_person_knows_one() {
        let detail = |field: FieldRef, problem| text_detail(interface(), &field, problem);
        let too_long = TextError::TooLong {
            max: 200,
            unit: Unit::Characters,
        };
        assert_eq!(
            detail(FieldRef::Named("wave".into()), too_long),
            "The wave label is longer than 200 characters"
        );
        assert_eq!(
            detail(
                FieldRef::Named("comment-improve".into()),
                TextError::ControlCharacter
            ),
            "Your comment contains a control character (such as a NUL byte), which cannot be stored"
        );
        assert_eq!(
            detail(FieldRef::Named("x-extra".into()), TextError::NotOneLine),
            "The field “x-extra” must be a single line, without tabs or line breaks"
        );
        assert_eq!(
            body_detail(interface(), &BodyError::BadEscape(FieldRef::Position(3))),
            "Field 3 of the form has a “%” that is not followed by two hexadecimal digits"
        );
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
