//! Signing in and out. Whether a password is right, how long an address waits after failures,
//! and whether a password checker is free, is [`authenticate`]'s to decide; these handlers only
//! answer with a page (429 and 503 with `Retry-After`).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};

use crate::accounts::{SignInEmail, unix_now};
use crate::web::authentication::{Attempt, AuthError, DEVICE_KEY, authenticate};
use crate::web::cookies;
use crate::web::errors::{AppError, Failure};
use crate::web::form::FormFields;
use crate::web::language::interface;
use crate::web::messages::counted;
use crate::web::open_links::Client;
use crate::web::session::{self, CheckedForm};
use crate::web::{AppState, Chrome, SIGN_IN, html};

/// The sign-in page.
#[derive(Template)]
#[template(path = "facilitate/sign_in.html")]
struct SignInPage<'a> {
    chrome: Chrome<'a>,
    email: &'a str,
    problem: Option<String>,
    /// Good news, such as a new password set.
    notice: Option<&'static str>,
}

/// The sign-in page with `status`, the address filled in, and what went wrong if anything did
/// (or good news, such as a new password set).
fn sign_in_form(
    status: StatusCode,
    email: &str,
    problem: Option<String>,
    notice: Option<&'static str>,
) -> Response {
    html(
        status,
        &SignInPage {
            chrome: Chrome::new(interface().sign_in_heading, ()),
            email,
            problem,
            notice,
        },
    )
}

/// `GET /facilitator/sign-in`; `?reset=1` after a new password was set by a reset link.
pub async fn sign_in_page(RawQuery(query): RawQuery) -> Response {
    let notice = (query.as_deref() == Some("reset=1")).then_some(interface().reset_done);
    sign_in_form(StatusCode::OK, "", None, notice)
}

/// `POST /facilitator/sign-in`: checks the password unless the e-mail or client address is
/// waiting out failures or every password checker is busy.
pub async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    form: FormFields,
) -> Result<Response, AppError> {
    if !session::same_origin(&headers, state.public_url.as_deref()) {
        return Err(AppError::Csrf);
    }
    let field = |name| form.field(name);
    let device = cookies::cookie_value(&headers, session::DEVICE_COOKIE);
    let attempt = Attempt {
        email: field("email"),
        password: field("password"),
        client: client.address(),
        device: device.as_deref(),
    };
    // Shown again in the form, unless it cannot be an address at all (e.g. 60 KB long).
    let email = SignInEmail::parse(attempt.email);
    let email = email.as_ref().map_or("", SignInEmail::as_str);
    match authenticate(state.store.as_ref(), &state.sign_ins, &attempt, unix_now()).await {
        Ok(signed_in) => {
            let cookie = session::start(&state, &signed_in.facilitator, &headers).await?;
            let device = session::device_cookie(&state, &signed_in.device_cookie);
            Ok((
                AppendHeaders([(header::SET_COOKIE, cookie), (header::SET_COOKIE, device)]),
                Redirect::to("/facilitator"),
            )
                .into_response())
        }
        Err(error) => {
            let refused = Refused::of(error, interface().sign_in_wrong)?;
            let page = sign_in_form(refused.status, email, Some(refused.problem.clone()), None);
            Ok(refused.answer(page))
        }
    }
}

/// A password check that refused, as a page answers it.
pub(super) struct Refused {
    /// 401 for a wrong password, 429 while waiting out failures, 503 while every checker is busy.
    pub(super) status: StatusCode,
    /// What the page says.
    pub(super) problem: String,
    /// The seconds to wait, for `Retry-After`.
    wait: Option<i64>,
}

impl Refused {
    /// How `error` is answered, `wrong` saying a wrong password; an error for a failure on our
    /// side.
    pub(super) fn of(error: AuthError, wrong: &str) -> Result<Refused, AppError> {
        let (status, problem, wait) = match error {
            AuthError::Locked { seconds } => (
                StatusCode::TOO_MANY_REQUESTS,
                counted(interface().sign_in_wait, seconds.unsigned_abs()),
                Some(seconds),
            ),
            AuthError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                interface().sign_in_busy.to_string(),
                Some(1),
            ),
            AuthError::Wrong => (StatusCode::UNAUTHORIZED, wrong.to_string(), None),
            AuthError::Store(error) => return Err(error.into()),
            AuthError::DamagedKey => return Err(Failure::Secret(DEVICE_KEY).into()),
        };
        Ok(Refused {
            status,
            problem,
            wait,
        })
    }

    /// `page` (with this refusal's status), with `Retry-After` when there is a wait.
    pub(super) fn answer(self, page: Response) -> Response {
        match self.wait {
            Some(seconds) => ([(header::RETRY_AFTER, seconds.to_string())], page).into_response(),
            None => page,
        }
    }
}

/// `POST /facilitator/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    state.store.delete_session(&form.signed_in.digest).await?;
    Ok(signed_out(&state))
}

/// `POST /facilitator/sign-out-everywhere`: ends every session of the signed-in facilitator, on
/// every browser and device, this one included.
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let facilitator = form.signed_in.facilitator().id;
    let ended = state.store.delete_sessions(facilitator).await?;
    tracing::info!(facilitator, ended, "signed out everywhere");
    Ok(signed_out(&state))
}

/// Deletes the session cookie and goes to the sign-in page.
fn signed_out(state: &AppState) -> Response {
    (
        [(header::SET_COOKIE, session::cookie(state, "", 0))],
        Redirect::to(SIGN_IN),
    )
        .into_response()
}
