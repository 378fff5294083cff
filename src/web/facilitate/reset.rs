//! A forgotten password, reset by e-mail: the sign-in page links to a form that asks for the
//! address; if it has an account, a link with a random token goes there, which sets a new
//! password once within [`RESET_LIFETIME_SECONDS`]. Without SMTP configured the form says so and
//! points to the command line.
//!
//! The form answers the same words, in the same time, whether the address has an account or
//! not: the mail is sent by a task of its own. Only the token's digest is stored, and at most one
//! link per account is sent within [`crate::accounts::RESET_RESEND_SECONDS`], so the form
//! cannot flood an inbox.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{base_url, new_password_hash};
use crate::accounts::{RESET_LIFETIME_SECONDS, SignInEmail, token_digest, unix_now};
use crate::mail::Mail;
use crate::survey::{is_token, new_token};
use crate::web::errors::AppError;
use crate::web::form::FormFields;
use crate::web::language::interface;
use crate::web::session;
use crate::web::{AppState, Chrome, SIGN_IN, html};

/// The form that asks for a reset link.
#[derive(Template)]
#[template(path = "facilitate/forgot.html")]
struct ForgotPage<'a> {
    chrome: Chrome<'a>,
    /// Whether the server sends e-mail at all.
    can_send: bool,
    /// Whether a link was just asked for.
    sent: bool,
}

/// The form that sets the new password.
#[derive(Template)]
#[template(path = "facilitate/reset.html")]
struct ResetPage<'a> {
    chrome: Chrome<'a>,
    /// What the page says about the account.
    text: String,
    token: &'a str,
    problem: Option<String>,
}

/// `GET /facilitator/forgot-password`.
pub async fn forgot_page(State(state): State<AppState>) -> Response {
    forgot(&state, false)
}

fn forgot(state: &AppState, sent: bool) -> Response {
    html(
        StatusCode::OK,
        &ForgotPage {
            chrome: Chrome::new(interface().forgot_heading, ()),
            can_send: state.mailer.is_some(),
            sent,
        },
    )
}

/// `POST /facilitator/forgot-password`: sends a reset link if the address has an account.
pub async fn ask(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: FormFields,
) -> Result<Response, AppError> {
    // No session yet, as on the sign-in form: only our own pages may post here.
    if !session::same_origin(&headers, state.public_url.as_deref()) {
        return Err(AppError::Csrf);
    }
    let Some(mailer) = state.mailer.clone() else {
        return Ok(forgot(&state, false));
    };
    let email = SignInEmail::parse(form.field("email"));
    if let Some(email) = email {
        let base = base_url(&state, &headers);
        let store = state.store.clone();
        tokio::spawn(async move {
            let Ok(Some((facilitator, _))) = store.facilitator_by_email(email.as_str()).await
            else {
                return;
            };
            let token = new_token();
            let stored = store
                .create_password_reset(facilitator.id, &token_digest(&token), unix_now())
                .await;
            match stored {
                Ok(true) => {}
                Ok(false) => return,
                Err(error) => {
                    tracing::error!(%error, "a password reset link could not be stored");
                    return;
                }
            }
            let mail = Mail {
                to: facilitator.email,
                subject: interface().reset_mail_subject.to_string(),
                body: interface()
                    .reset_mail_body
                    .replace(
                        "{link}",
                        &format!("{base}/facilitator/reset-password/{token}"),
                    )
                    .replace("{minutes}", &(RESET_LIFETIME_SECONDS / 60).to_string()),
            };
            match mailer.send(&mail).await {
                Ok(()) => tracing::info!(facilitator_id = facilitator.id, "reset link sent"),
                Err(error) => {
                    let error = anyhow::Error::from(error);
                    tracing::error!(error = format!("{error:#}"), "a reset link was not sent");
                }
            }
        });
    }
    Ok(forgot(&state, true))
}

/// The account a reset link `token` is for, while the link works; otherwise 410 with the words
/// to ask for another.
async fn account(state: &AppState, token: &str) -> Result<String, AppError> {
    let email = if is_token(token) {
        state
            .store
            .password_reset_email(&token_digest(token), unix_now())
            .await?
    } else {
        None
    };
    email.ok_or(AppError::LinkGone(interface().reset_gone))
}

fn reset_page(status: StatusCode, email: &str, token: &str, problem: Option<String>) -> Response {
    html(
        status,
        &ResetPage {
            chrome: Chrome::new(interface().reset_heading, ()),
            text: interface().reset_text.replace("{email}", email),
            token,
            problem,
        },
    )
}

/// `GET /facilitator/reset-password/{token}`.
pub async fn reset_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let email = account(&state, &token).await?;
    Ok(reset_page(StatusCode::OK, &email, &token, None))
}

/// `POST /facilitator/reset-password/{token}`: sets the new password, ends every session, and
/// leads to the sign-in page.
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: FormFields,
) -> Result<Response, AppError> {
    if !session::same_origin(&headers, state.public_url.as_deref()) {
        return Err(AppError::Csrf);
    }
    let email = account(&state, &token).await?;
    let hash = match new_password_hash(form.field("password"), form.field("password_again")).await?
    {
        Ok(hash) => hash,
        Err(problem) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(reset_page(status, &email, &token, Some(problem)));
        }
    };
    if !state
        .store
        .use_password_reset(&token_digest(&token), unix_now(), &hash)
        .await?
    {
        return Err(AppError::LinkGone(interface().reset_gone));
    }
    Ok(Redirect::to(&format!("{SIGN_IN}?reset=1")).into_response())
}
