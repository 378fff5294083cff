//! The facilitator's pages, one file per area. Handlers extract, call the store or the report
//! code, and render; this file holds what several areas share.
//!
//! Ownership: every id in a path is looked up through [`owned_partnership`] or [`owned_round`],
//! which answer 404 for anything the signed-in facilitator may not see (the store's one rule,
//! `Visible`: administrators see everything, others what they own or co-facilitate). Choosing a
//! partnership's co-facilitators and deleting it also need [`managed_partnership`]: its owner or
//! an administrator.

/// The administrators' page of facilitator accounts.
pub mod accounts;
/// Signing in and out.
pub mod auth;
/// Deleting partnerships, rounds and partners for good, and removing partner e-mail addresses.
pub mod deletion;
/// A round's report CSVs, raw responses and workbook.
pub mod downloads;
/// A partnership's owner and co-facilitators, and adding and removing co-facilitators.
pub mod facilitators;
/// A refused responses file's problem, in the reader's language.
mod file_problems;
/// Changing an invited partner's details until they submit.
pub mod invitations;
/// The partners page's e-mail section: queueing invitations and reminders.
pub mod mailing;
/// The meeting report and its share link.
pub mod meeting;
/// Paper answers and other tools' answers (issue 15): the printable paper form, keying in a
/// paper sheet, and uploading a responses file into a round.
pub mod paper;
/// Adding partners to a round, and their links for a mail merge.
pub mod partners;
/// The list of partnerships, one partnership, and new partnerships and rounds.
pub mod partnerships;
/// A facilitator's own password, changed.
pub mod password;
/// A forgotten password, reset by an e-mailed link.
pub mod reset;
/// A round's page and dashboard, its live progress, closing, reopening and the next round.
pub mod rounds;
/// Files uploaded to a round, spooled to a temporary file.
mod upload;

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::{AppError, Failure};
use super::language::interface;
use super::session::{CheckedForm, SignedIn};
use super::{AppState, Chrome, current};
use crate::accounts::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordError, hash_password, unix_now,
};
use crate::store::Visible;
use crate::survey::closing::{ClosingDateError, RoundDetails, parse_closing_date};
use crate::survey::text::{self, Kind};
use crate::survey::{Invitation, Partnership, Round};
use crate::web::body::FieldRef;

/// What a signed-in facilitator's pages show besides the layout: their address in the
/// navigation, and the CSRF token every form on the page carries.
struct SessionView<'a> {
    /// The session's synchronizer token.
    csrf: &'a str,
    /// Who is signed in.
    email: &'a str,
    /// Whether they are an administrator, who gets the accounts page in the navigation.
    admin: bool,
}

/// The chrome of every page for a signed-in facilitator.
type SignedInChrome<'a> = Chrome<'a, SessionView<'a>>;

/// The chrome of a signed-in facilitator's page titled `title`.
fn chrome<'a>(signed_in: &'a SignedIn, title: &'a str) -> SignedInChrome<'a> {
    Chrome::new(
        title,
        SessionView {
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            admin: signed_in.facilitator().is_admin,
        },
    )
}

/// The partnership `id` if the facilitator may see it; otherwise 404.
async fn owned_partnership(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<Partnership, AppError> {
    state
        .store
        .visible_partnership(id, Visible::To(signed_in.facilitator()))
        .await?
        .ok_or(AppError::NotFound)
}

/// The partnership `id` if the facilitator may also choose its co-facilitators and delete it;
/// otherwise 404 when they may not see it, 403 when they co-facilitate it.
async fn managed_partnership(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<Partnership, AppError> {
    let partnership = owned_partnership(state, signed_in, id).await?;
    if partnership.managed_by(signed_in.facilitator()) {
        Ok(partnership)
    } else {
        Err(AppError::OwnerOnly)
    }
}

/// The round `id` and its partnership if the facilitator may see them; otherwise 404.
async fn owned_round(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<(Round, Partnership), AppError> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let partnership = owned_partnership(state, signed_in, round.partnership_id).await?;
    Ok((current(state, round).await?, partnership))
}

/// The invitation `id` and its round if the facilitator may see them; otherwise 404.
async fn owned_invitation(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<(Invitation, Round), AppError> {
    let invitation = state
        .store
        .invitation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (round, _) = owned_round(state, signed_in, invitation.round_id).await?;
    Ok((invitation, round))
}

fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Reads the wave label field: not blank, one line, at most [`text::MAX_LABEL`] characters.
fn wave(text: &str) -> Result<&str, AppError> {
    let wave = text.trim();
    if wave.is_empty() {
        Err(AppError::BadForm(interface().detail_wave))
    } else {
        checked_text("wave", Kind::Label, wave)
    }
}

/// Reads what a round tells its partners from the fields `title` (blank: `default_title`),
/// `contact` and `closes_on` (a date from today on in the server's time zone, or blank).
fn round_details(
    state: &AppState,
    form: &CheckedForm,
    default_title: &str,
) -> Result<RoundDetails, AppError> {
    let title = match form.field("title").trim() {
        "" => default_title,
        title => checked_text("title", Kind::Name, title)?,
    };
    let contact = checked_text("contact", Kind::Label, form.field("contact").trim())?;
    let closes = parse_closing_date(form.field("closes_on"), &state.time_zone, unix_now())
        .map_err(|error| {
            AppError::BadForm(match error {
                ClosingDateError::Malformed => interface().detail_closes_on_malformed,
                ClosingDateError::Past => interface().detail_closes_on_past,
            })
        })?;
    Ok(RoundDetails {
        title: title.to_string(),
        contact: contact.to_string(),
        closes,
    })
}

/// The argon2id hash of `password`, or why it cannot be a password. Hashing takes argon2's
/// deliberate time, so it runs off the threads that serve requests.
async fn hash_off_thread(password: String) -> Result<Result<String, PasswordError>, AppError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| Failure::Join(error).into())
}

/// The hash of a new password typed twice (`password`, `again`), or the problem in the reader's
/// words: the two differ, or the password breaks a rule of every password.
async fn new_password_hash(
    password: &str,
    again: &str,
) -> Result<Result<String, String>, AppError> {
    let m = interface();
    if password != again {
        return Ok(Err(m.reset_mismatch.to_string()));
    }
    let (rule, bound) = match hash_off_thread(password.to_string()).await? {
        Ok(hash) => return Ok(Ok(hash)),
        Err(PasswordError::TooShort) => (m.password_too_short, MIN_PASSWORD_CHARS),
        Err(PasswordError::TooLong) => (m.password_too_long, MAX_PASSWORD_BYTES),
        Err(failed) => return Err(Failure::Password(failed).into()),
    };
    Ok(Err(rule.replace("{n}", &bound.to_string())))
}

/// The server's time zone as its pages name it, such as `America/Chicago`.
fn time_zone_name(state: &AppState) -> String {
    state.time_zone.iana_name().unwrap_or("UTC").to_string()
}

/// `text`, the value of the field `name`, if it meets the rule of `kind`; otherwise 422 naming
/// the field.
fn checked_text<'a>(name: &str, kind: Kind, text: &'a str) -> Result<&'a str, AppError> {
    text::check(kind, text)
        .map(|()| text)
        .map_err(|problem| AppError::BadText {
            field: FieldRef::Named(name.to_string()),
            problem,
        })
}

/// Where links point: the configured public URL, or the host the request came to.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    match &state.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}
