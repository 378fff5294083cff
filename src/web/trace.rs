//! The span every request is logged in: its method, HTTP version and path, with the secret part
//! of a link masked and the query dropped.
//!
//! A survey link is its own password (`/s/{token}`, `/o/{token}`), so tower-http's default span,
//! which records the whole URI, would copy every partner's link into the log, at the default
//! filter as much as at `RUST_LOG=debug`. A query can carry anything, so none is logged.
//!
//! The rest of what can log a request was checked and records no secret: tower-http's default
//! request and response events hold only the status and latencies, never headers (so no cookie);
//! hyper logs nothing unless built with `--cfg hyper_unstable_tracing`; axum logs connections by
//! peer address and its rejections (`TRACE`, target `axum::rejection`) quote a path value only when
//! it fails to parse, which a `Path<String>` never does; sqlx's statement events would carry SQL
//! text but never bound values (and every token is bound), and the store turns them off anyway.

use axum::http::{Request, Uri};
use tower_http::trace::MakeSpan;
use tracing::Span;

use crate::survey::is_token;

/// The path segments after which the next segment is a secret: personal links, open links and
/// share links.
const SECRET_AFTER: [&str; 3] = ["s", "o", "share"];

/// What a secret segment is logged as.
const MASK: &str = "…";

/// Makes each request's span with the fields of tower-http's default span (at its level, `DEBUG`)
/// but the masked path, from [`masked_path`], in place of the URI.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaskedSpan;

impl<B> MakeSpan<B> for MaskedSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::debug_span!(
            "request",
            method = %request.method(),
            path = %masked_path(request.uri()),
            version = ?request.version(),
        )
    }
}

/// The path of `uri`, without scheme, host or query, with every non-empty segment that follows a
/// [`SECRET_AFTER`] segment replaced by [`MASK`], as is any segment shaped like a token wherever
/// it stands (a link pasted into the wrong place is still a secret).
pub fn masked_path(uri: &Uri) -> String {
    let mut masked = Vec::new();
    let mut secret_next = false;
    for segment in uri.path().split('/') {
        let secret = (secret_next && !segment.is_empty()) || is_token(segment);
        masked.push(if secret { MASK } else { segment });
        secret_next = SECRET_AFTER.contains(&segment);
    }
    masked.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn the_segment_after_a_secret_prefix_is_masked_the_query_dropped_and_the_rest_kept() {
        let token_alone = format!("/{TOKEN}");
        let token_elsewhere = format!("/facilitator/rounds/{TOKEN}/partners");
        let rows = [
            ("/s/abcd", "/s/…"),
            ("/s/abcd/thanks", "/s/…/thanks"),
            ("/s/abcd?saved=1", "/s/…"),
            ("/privacy?code=secret", "/privacy"),
            ("http://example.org/o/abcd/thanks?x=y", "/o/…/thanks"),
            ("/o/abcd", "/o/…"),
            ("/o/abcd/thanks", "/o/…/thanks"),
            ("/share/abcd", "/share/…"),
            ("/share/abcd/report.csv", "/share/…/report.csv"),
            ("/s/abcd/", "/s/…/"),
            ("//s/abcd", "//s/…"),
            ("/prefix/s/abcd", "/prefix/s/…"),
            (&token_alone, "/…"),
            (&token_elsewhere, "/facilitator/rounds/…/partners"),
            ("/s", "/s"),
            ("/s/", "/s/"),
            ("/", "/"),
            ("*", "*"),
            ("/static/app.css", "/static/app.css"),
            ("/sx/abcd", "/sx/abcd"),
            (
                "/facilitator/rounds/12/reports/raw.csv",
                "/facilitator/rounds/12/reports/raw.csv",
            ),
            (
                "/preview/collaboration-factors",
                "/preview/collaboration-factors",
            ),
        ];
        for (uri, expected) in rows {
            assert_eq!(masked_path(&uri.parse().unwrap()), expected, "{uri}");
        }
    }
}
