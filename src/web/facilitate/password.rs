//! A facilitator changes their own password (`/facilitator/password`): the current one is checked
//! as a sign-in checks it, with the same waits after failures, so a session left open is no way to
//! guess it; the new one follows the rules of every password. Changing it ends every session,
//! this one too, and leads to the sign-in page.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::Refused;
use super::{SignedInChrome, chrome, new_password_hash};
use crate::accounts::unix_now;
use crate::web::authentication::{Attempt, authenticate};
use crate::web::cookies;
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::open_links::Client;
use crate::web::session::{self, CheckedForm, SignedIn};
use crate::web::{AppState, SIGN_IN, html};

/// The form that changes the password.
#[derive(Template)]
#[template(path = "facilitate/password.html")]
struct PasswordPage<'a> {
    chrome: SignedInChrome<'a>,
    problem: Option<String>,
}

fn page(status: StatusCode, signed_in: &SignedIn, problem: Option<String>) -> Response {
    html(
        status,
        &PasswordPage {
            chrome: chrome(signed_in, interface().password_heading),
            problem,
        },
    )
}

/// `GET /facilitator/password`.
pub async fn password_form(signed_in: SignedIn) -> Response {
    page(StatusCode::OK, &signed_in, None)
}

/// `POST /facilitator/password`: the new password once the current one is right; the form again
/// with the problem otherwise (429 and 503 with `Retry-After`, as the sign-in answers).
pub async fn change_password(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let signed_in = &form.signed_in;
    let email = signed_in.facilitator().email.clone();
    let device = cookies::cookie_value(&headers, session::DEVICE_COOKIE);
    let attempt = Attempt {
        email: &email,
        password: form.field("current_password"),
        client: client.address(),
        device: device.as_deref(),
    };
    if let Err(error) =
        authenticate(state.store.as_ref(), &state.sign_ins, &attempt, unix_now()).await
    {
        let refused = Refused::of(error, interface().password_wrong)?;
        let answer = page(refused.status, signed_in, Some(refused.problem.clone()));
        return Ok(refused.answer(answer));
    }
    let hash = match new_password_hash(form.field("password"), form.field("password_again")).await?
    {
        Ok(hash) => hash,
        Err(problem) => {
            return Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                signed_in,
                Some(problem),
            ));
        }
    };
    state.store.set_password(&email, &hash).await?;
    tracing::info!(
        facilitator_id = signed_in.facilitator().id,
        "password changed"
    );
    Ok(Redirect::to(&format!("{SIGN_IN}?reset=1")).into_response())
}
