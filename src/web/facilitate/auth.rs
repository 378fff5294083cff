//! Signing in and out. Whether a password is right, and how long an address waits after
//! failures, is [`authenticate`]'s to decide; these handlers only answer with a page.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::accounts::normalise_email;
use crate::web::authentication::{AuthError, authenticate};
use crate::web::errors::{AppError, Failure};
use crate::web::form::FormFields;
use crate::web::messages::EN;
use crate::web::session::{self, CheckedForm};
use crate::web::{AppState, Chrome, SIGN_IN, html};

/// The sign-in page.
#[derive(Template)]
#[template(path = "facilitate/sign_in.html")]
struct SignInPage<'a> {
    chrome: Chrome<'a>,
    email: &'a str,
    problem: Option<String>,
}

/// The sign-in page with `status`, the address filled in, and what went wrong if anything did.
fn sign_in_form(status: StatusCode, email: &str, problem: Option<String>) -> Response {
    html(
        status,
        &SignInPage {
            chrome: Chrome::new(EN.sign_in_heading, ()),
            email,
            problem,
        },
    )
}

/// `GET /facilitator/sign-in`.
pub async fn sign_in_page() -> Response {
    sign_in_form(StatusCode::OK, "", None)
}

/// `POST /facilitator/sign-in`: checks the password unless the address is waiting out failures.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    if !session::same_origin(&headers) {
        return Err(AppError::Csrf);
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let email = normalise_email(field("email"));
    match authenticate(state.store.as_ref(), &email, field("password")).await {
        Ok(facilitator) => {
            let cookie = session::start(&state, &facilitator).await?;
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/facilitator")).into_response())
        }
        Err(AuthError::Locked { minutes }) => Ok(sign_in_form(
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            Some(EN.sign_in_wait.replace("{minutes}", &minutes.to_string())),
        )),
        Err(AuthError::Wrong) => Ok(sign_in_form(
            StatusCode::UNAUTHORIZED,
            &email,
            Some(EN.sign_in_wrong.to_string()),
        )),
        Err(AuthError::Store(error)) => Err(error.into()),
        Err(AuthError::Join(error)) => Err(Failure::Join(error).into()),
    }
}

/// `POST /facilitator/sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    state.store.delete_session(&form.signed_in.digest).await?;
    Ok((
        [(header::SET_COOKIE, session::cookie(&state, "", 0))],
        Redirect::to(SIGN_IN),
    )
        .into_response())
}
