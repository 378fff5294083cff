//! The security headers every response carries: pages, downloads, error pages, redirects and the
//! stylesheet alike, set by one layer around the whole router ([`add`], in `web::app`) so that no
//! handler, fallback or extractor rejection can forget them.
//!
//! The pages use no script, no inline style and no resource from another origin, so the content
//! security policy allows nothing but the site's own stylesheet and images; the charts are inline
//! SVG, whose presentation attributes (`fill`, `stroke`) are not styles. A browser run of every
//! page (`tests/it/browser.rs`) checks that no page breaks the policy.
//!
//! Nothing is kept in browser or proxy caches (`Cache-Control: no-store`): a page may show a
//! partner's answers or a facilitator's figures, `links.csv` holds every survey link and `raw.csv`
//! every answer, and after signing out the Back button must not bring the dashboard back. The
//! stylesheet alone says otherwise, as it holds nothing private.

use axum::extract::State;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::Response;

/// The content security policy of every response: only the site's own stylesheet and images, no
/// script at all, forms posting only to the site, no `<base>`, and no framing by any page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// `Strict-Transport-Security`, sent when the server runs behind HTTPS (`--secure-cookies`): a
/// year, subdomains included.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// The `Cache-Control` of every response that does not set its own.
pub const NO_STORE: &str = "no-store";

/// The headers set on every response, replacing any a handler set.
const ALWAYS: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    // For browsers that predate `frame-ancestors`.
    (header::X_FRAME_OPTIONS, "DENY"),
    // A survey link in a page's address never reaches another site, nor the site's own log. With
    // it, browsers send `Origin: null` on the site's own form posts; `session::same_origin`
    // relies on `Sec-Fetch-Site` for those.
    (header::REFERRER_POLICY, "no-referrer"),
    // Another site's window that opens one of ours gets no handle on it, and its pages cannot
    // load our responses (a download, say) as a script or image.
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
    (
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    ),
];

/// Whether responses also carry `Strict-Transport-Security`.
#[derive(Debug, Clone, Copy)]
pub struct Transport {
    /// The site is reached over HTTPS only (the server's `--secure-cookies`).
    pub https: bool,
}

/// Adds the security headers to `response`: the body of the one `map_response` layer around the
/// router.
pub async fn add(State(transport): State<Transport>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in ALWAYS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if transport.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(NO_STORE));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn headers_of(https: bool, response: Response) -> axum::http::HeaderMap {
        add(State(Transport { https }), response)
            .await
            .headers()
            .clone()
    }

    #[tokio::test]
    async fn a_response_gets_every_header_and_a_handlers_own_cache_control_is_kept() {
        let plain = headers_of(false, Response::new(axum::body::Body::empty())).await;
        assert_eq!(
            plain[header::CONTENT_SECURITY_POLICY],
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(plain[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(plain[header::CACHE_CONTROL], NO_STORE);
        assert!(!plain.contains_key(header::STRICT_TRANSPORT_SECURITY));

        let mut cached = Response::new(axum::body::Body::empty());
        cached.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        );
        let cached = headers_of(true, cached).await;
        assert_eq!(cached[header::CACHE_CONTROL], "max-age=60");
        assert_eq!(
            cached[header::STRICT_TRANSPORT_SECURITY],
            STRICT_TRANSPORT_SECURITY
        );
    }

    #[test]
    fn the_policy_allows_no_script_and_no_inline_style() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("script-src"));
    }
}
