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

use super::cookies::{cookie_value, site_cookie};
use super::errors::AppError;
use super::form::FormFields;
use super::{AppState, SIGN_IN};
use crate::accounts::{
    DEVICE_COOKIE_SECONDS, SESSION_SECONDS, same_secret, token_digest, unix_now,
};
use crate::accounts::{Facilitator, Session};
use crate::survey::new_token;

/// Name of the session cookie.
pub const COOKIE: &str = "partnerscope_session";

/// Name of the device cookie (see [`crate::accounts::DeviceCookies`]), sent only to the sign-in
/// form.
pub const DEVICE_COOKIE: &str = "partnerscope_device";

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

    /// Whether a posted `token` is the session's, compared in constant time.
    pub fn accepts(&self, token: &str) -> bool {
        same_secret(token, self.csrf())
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
        super::form::field(&self.fields, name)
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
            Some(token) if signed_in.accepts(&token) => Ok(CheckedForm { signed_in, fields }),
            _ => Err(AppError::Csrf),
        }
    }
}

/// A new session for `facilitator`, signing in from a browser that sent `headers`: stored, and
/// the `Set-Cookie` value that carries it. A session the browser still carried ends (its cookie is
/// about to be replaced, so nobody could use it any more), and so do the facilitator's oldest
/// beyond [`MAX_SESSIONS`](crate::accounts::MAX_SESSIONS).
pub async fn start(
    state: &AppState,
    facilitator: &Facilitator,
    headers: &HeaderMap,
) -> Result<String, AppError> {
    let token = new_token();
    let previous = cookie_value(headers, COOKIE).map(|token| token_digest(&token));
    state
        .store
        .create_session(
            facilitator.id,
            &token_digest(&token),
            &new_token(),
            unix_now() + SESSION_SECONDS,
            previous.as_deref(),
        )
        .await?;
    Ok(cookie(state, &token, SESSION_SECONDS))
}

/// The `Set-Cookie` value for `token`, living `max_age` seconds (0 deletes it).
pub fn cookie(state: &AppState, token: &str, max_age: i64) -> String {
    site_cookie(state, COOKIE, token, "/facilitator", max_age)
}

/// The `Set-Cookie` value that gives the browser the device cookie `value` for a year.
pub fn device_cookie(state: &AppState, value: &str) -> String {
    site_cookie(state, DEVICE_COOKIE, value, SIGN_IN, DEVICE_COOKIE_SECONDS)
}

/// Whether a request comes from a page of this site, by the headers browsers add to every POST
/// (`Sec-Fetch-Site`, `Origin`). The sign-in form has no session to tie a token to yet, so this is
/// its CSRF defence: another site cannot sign a facilitator in to an account of its choosing.
/// Requests without those headers (command-line clients) are not from a browser page and pass.
///
/// A browser that sends `Sec-Fetch-Site` says itself whether the page was ours: only
/// `same-origin` passes (`same-site` would let a sibling subdomain in). Its `Origin` is then
/// `null` on our own pages, as `Referrer-Policy: no-referrer` asks, and says nothing more.
/// Any other `Origin` must be ours: with a public URL (`--public-url`) exactly its scheme, host
/// and port (a proxy in front may rewrite `Host`, and an `http://` page must not post to an
/// `https://` site); without one, its host and port must be `Host`. Without `Sec-Fetch-Site`
/// (older browsers), `null` is nobody's origin and never passes.
pub fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let value = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let fetched = value(header::HeaderName::from_static("sec-fetch-site"));
    if fetched.is_some_and(|site| site != "same-origin") {
        return false;
    }
    let origin = match value(header::ORIGIN) {
        None => return true,
        Some("null") => return fetched.is_some(),
        Some(origin) => origin,
    };
    if let Some(expected) = public_url.and_then(origin_of) {
        return origin.eq_ignore_ascii_case(&expected);
    }
    value(header::HOST).is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    })
}

/// The origin (`scheme://host[:port]`) of an `http` or `https` URL, as browsers write it in
/// `Origin`: lowercase, without user information, path, or the scheme's default port.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_ascii_lowercase();
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn without_a_public_url_the_origin_must_name_the_host() {
        let host = ("host", "survey.example.org:8080");
        assert!(
            same_origin(&headers(&[host]), None),
            "no Origin: no browser"
        );
        let own = ("origin", "http://survey.example.org:8080");
        assert!(same_origin(&headers(&[host, own]), None));
        let other = ("origin", "http://evil.example");
        assert!(!same_origin(&headers(&[host, other]), None));
        assert!(
            !same_origin(&headers(&[own]), None),
            "an Origin without Host"
        );
        assert!(!same_origin(&headers(&[host, ("origin", "null")]), None));
    }

    #[test]
    fn a_browser_that_says_where_the_page_came_from_is_believed() {
        let host = ("host", "survey.example.org");
        let site = |value| ("sec-fetch-site", value);
        // Our own page under `Referrer-Policy: no-referrer`.
        let own = headers(&[host, ("origin", "null"), site("same-origin")]);
        assert!(same_origin(&own, None));
        assert!(same_origin(&own, Some("https://survey.example.org")));
        for other in ["cross-site", "same-site", "none"] {
            let posted = headers(&[host, ("origin", "http://survey.example.org"), site(other)]);
            assert!(!same_origin(&posted, None), "{other}");
        }
        let lying = headers(&[host, ("origin", "http://evil.example"), site("same-origin")]);
        assert!(
            !same_origin(&lying, None),
            "an Origin that is not ours still counts"
        );
    }

    #[test]
    fn with_a_public_url_the_origin_must_be_exactly_its_scheme_host_and_port() {
        let public = Some("https://Survey.Example.org/");
        let proxied = ("host", "app-3.internal:8080");
        let origin = |value| headers(&[proxied, ("origin", value)]);
        assert!(same_origin(&origin("https://survey.example.org"), public));
        assert!(!same_origin(&origin("http://survey.example.org"), public));
        assert!(!same_origin(
            &origin("https://survey.example.org:8443"),
            public
        ));
        assert!(!same_origin(&origin("https://evil.example"), public));
        assert!(!same_origin(&origin("http://app-3.internal:8080"), public));
        assert!(!same_origin(&origin("null"), public));
        let ported = Some("https://survey.example.org:8443/partnerscope");
        assert!(same_origin(
            &origin("https://survey.example.org:8443"),
            ported
        ));
        assert!(!same_origin(&origin("https://survey.example.org"), ported));
    }

    #[test]
    fn origins_of_public_urls_are_written_as_browsers_write_them() {
        assert_eq!(
            origin_of("https://survey.example.org:443/x?y#z").as_deref(),
            Some("https://survey.example.org")
        );
        assert_eq!(
            origin_of("HTTP://user:pw@Survey.Example.org:80").as_deref(),
            Some("http://survey.example.org")
        );
        assert_eq!(
            origin_of("http://[::1]:8080/").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(origin_of("survey.example.org"), None);
        assert_eq!(origin_of("ftp://survey.example.org"), None);
        assert_eq!(origin_of("https:///path"), None);
    }
}
