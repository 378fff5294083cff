//! Who is signed in, and the CSRF check of every state-changing facilitator form.
//!
//! The session cookie holds a random token; the database holds only its digest, the facilitator
//! and a synchronizer token. Every facilitator form carries that token in a hidden `csrf` field,
//! and [`CheckedForm`] refuses a post whose token does not match the session's, so another site
//! cannot make a signed-in browser change anything. The cookie is `HttpOnly` and `SameSite=Lax`
//! (and `Secure` when the site is served over HTTPS).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::AppState;
use super::errors::AppError;
use super::form::FormFields;
use crate::accounts::{Facilitator, Session};
use crate::accounts::{SESSION_SECONDS, same_secret, token_digest, unix_now};
use crate::survey::new_token;

/// Name of the session cookie.
pub const COOKIE: &str = "partnerscope_session";

/// The value of the cookie `name`, if the request carries it.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The session cookie's token, if the request carries one.
fn cookie_token(parts: &Parts) -> Option<String> {
    cookie_value(&parts.headers, COOKIE)
}

/// A signed-in facilitator; without a valid session the request is sent to the sign-in page.
pub struct SignedIn {
    /// The session, with its CSRF token for the page's forms.
    pub session: Session,
    /// Digest of the cookie's token, to end the session.
    pub digest: String,
}

impl SignedIn {
    /// The facilitator.
    pub fn facilitator(&self) -> &Facilitator {
        &self.session.facilitator
    }

    /// The token the page's forms carry.
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = cookie_token(parts).ok_or(AppError::SignInRequired)?;
        let digest = token_digest(&token);
        let session = state
            .store
            .session(&digest, unix_now())
            .await?
            .ok_or(AppError::SignInRequired)?;
        Ok(SignedIn { session, digest })
    }
}

/// A facilitator form whose CSRF token matched the session's; `fields` holds the rest.
pub struct CheckedForm {
    /// Who posted it.
    pub signed_in: SignedIn,
    /// The form's fields except `csrf`.
    pub fields: Vec<(String, String)>,
}

impl CheckedForm {
    /// The value of field `name`, or empty.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for CheckedForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        let signed_in = SignedIn::from_request_parts(&mut parts, state).await?;
        let FormFields(mut fields) =
            FormFields::from_request(Request::from_parts(parts, body), state).await?;
        let position = fields.iter().position(|(name, _)| name == "csrf");
        let token = position.map(|i| fields.swap_remove(i).1);
        match token {
            Some(token) if same_secret(&token, signed_in.csrf()) => {
                Ok(CheckedForm { signed_in, fields })
            }
            _ => Err(AppError::Csrf),
        }
    }
}

/// A new session for `facilitator`: stored, and the `Set-Cookie` value that carries it.
pub async fn start(state: &AppState, facilitator: &Facilitator) -> Result<String, AppError> {
    let token = new_token();
    state
        .store
        .create_session(
            facilitator.id,
            &token_digest(&token),
            &new_token(),
            unix_now() + SESSION_SECONDS,
        )
        .await?;
    Ok(cookie(state, &token, SESSION_SECONDS))
}

/// The `Set-Cookie` value for `token`, living `max_age` seconds (0 deletes it).
pub fn cookie(state: &AppState, token: &str, max_age: i64) -> String {
    site_cookie(state, COOKIE, token, "/facilitator", max_age)
}

/// The `Set-Cookie` value of cookie `name` holding `value` for the pages under `path`, living
/// `max_age` seconds (0 deletes it); never readable by scripts.
pub fn site_cookie(state: &AppState, name: &str, value: &str, path: &str, max_age: i64) -> String {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// Whether a request comes from a page of this site, by the headers browsers add to every
/// cross-site POST (`Origin`, `Sec-Fetch-Site`). The sign-in form has no session to tie a token
/// to yet, so this is its CSRF defence: another site cannot sign a facilitator in to an account of
/// its choosing. Requests without those headers (command-line clients) are not from a browser
/// page and pass.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let value = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if value(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return false;
    }
    match (value(header::ORIGIN), value(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        (Some(_), None) => false,
    }
}
