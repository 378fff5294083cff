//! The web application: state, every route in one place, and serving with graceful shutdown.

pub mod authentication;
mod body;
mod cookies;
mod errors;
mod facilitate;
pub mod form;
pub mod headers;
pub mod invited;
mod language;
pub mod limits;
pub mod mail_queue;
pub mod messages;
pub mod open_links;
mod reminders;
mod reports;
mod respond;
mod session;
mod trace;

use std::future::Future;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use errors::{AppError, Failure};
pub use limits::Limits;

use crate::instrument::Library;
use crate::store::Store;
use crate::survey::Round;
use language::interface;
use messages::Messages;

/// The largest request body accepted: a full survey with long comments fits many times over.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The largest file a round's uploads take, a partner list (about a million partners) or a
/// responses file. An upload is spooled to a temporary file, so this bounds disk, not memory.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The privacy page: `docs/privacy.md`, which the form's privacy note links to.
#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage<'a> {
    chrome: Chrome<'a>,
    /// The document as HTML, rendered once from the Markdown shipped in the binary.
    body: &'static str,
}

/// The front door: what partnerscope is, the way in for facilitators, and for partners where
/// their way in is.
#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    chrome: Chrome<'a>,
}

/// `GET /`: the front door.
async fn home() -> Response {
    html(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::new(interface().home_title, ()),
        },
    )
}

/// `GET /privacy`: how partnerscope protects partners' answers.
async fn privacy() -> Response {
    static BODY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let markdown = include_str!("../../docs/privacy.md");
        let parser =
            pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, parser);
        html
    });
    html(
        StatusCode::OK,
        &PrivacyPage {
            chrome: Chrome::new(interface().privacy_title, ()),
            body: BODY.as_str(),
        },
    )
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Arc<dyn Store>,
    /// The instruments rounds can be created from (shipped and `--instruments`). Rounds never
    /// read these: they keep their own copy.
    pub instruments: Arc<Library>,
    /// Where partners reach the site (e.g. `https://survey.example.org`), for the links in
    /// downloads; `None` uses the host each request came to.
    pub public_url: Option<String>,
    /// Whether the session cookie is sent only over HTTPS.
    pub secure_cookies: bool,
    /// The open links' form ids and submission budget.
    pub open_links: Arc<open_links::OpenLinks>,
    /// The password checkers sign-ins share (one per core) and the device-cookie key.
    pub sign_ins: Arc<authentication::SignIns>,
    /// The invited counts per sector the form shows, kept a few seconds per round.
    pub invited: Arc<invited::InvitedCounts>,
    /// The server's time zone (`--time-zone`): a round closes at the end of its closing date
    /// there.
    pub time_zone: jiff::tz::TimeZone,
    /// Sends e-mail (`--smtp-url`); `None`: this server sends none.
    pub mailer: Option<Arc<crate::mail::Mailer>>,
}

/// The facilitator's sign-in page, where a facilitator page without a session sends the browser.
pub const SIGN_IN: &str = "/facilitator/sign-in";

/// What `_layout.html` shows around every page: the interface text and the page title, and in
/// `session` what a signed-in facilitator's pages add (nothing on other pages).
struct Chrome<'a, S = ()> {
    /// The interface text.
    m: &'static Messages,
    /// The language of the page's content (`<html lang>`): the catalogue's, or on a partner's
    /// form the instrument's.
    lang: String,
    /// The page title, before the product name.
    title: &'a str,
    /// The signed-in facilitator's part; `()` on pages without a session.
    session: S,
    /// The interface languages, as links that come back to the page (a partner's form has a
    /// switch of its own, which keeps what was entered).
    languages: Vec<language::Choice>,
}

impl<'a, S> Chrome<'a, S> {
    /// The chrome of a page titled `title`, in the request's interface language.
    fn new(title: &'a str, session: S) -> Chrome<'a, S> {
        Chrome::in_language(interface(), title, session)
    }

    /// The chrome of a page titled `title` in the language of catalogue `m`.
    fn in_language(m: &'static Messages, title: &'a str, session: S) -> Chrome<'a, S> {
        Chrome {
            m,
            lang: m.lang.to_string(),
            title,
            session,
            languages: language::interface_choices(m.lang, &language::path()),
        }
    }
}

/// The application: every route of partnerscope, with the security headers on every response and
/// a request body given `limits.body_timeout` to arrive.
pub fn app(state: AppState, limits: &Limits) -> Router {
    let transport = headers::Transport {
        https: state.secure_cookies,
    };
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .route("/privacy", get(privacy))
        .route("/language", get(language::switch))
        .route("/s/{token}", get(respond::show).post(respond::post))
        .route("/preview/{id}", get(respond::preview))
        .route("/s/{token}/thanks", get(respond::thanks))
        .route("/s/{token}/resume", post(respond::resume))
        .route(
            "/withdraw",
            get(respond::withdraw_page).post(respond::withdraw),
        )
        .route(
            "/o/{token}",
            get(respond::show_open).post(respond::post_open),
        )
        .route("/o/{token}/thanks", get(respond::thanks_open))
        .route(
            SIGN_IN,
            get(facilitate::auth::sign_in_page).post(facilitate::auth::sign_in),
        )
        .route(
            "/facilitator/forgot-password",
            get(facilitate::reset::forgot_page).post(facilitate::reset::ask),
        )
        .route(
            "/facilitator/reset-password/{token}",
            get(facilitate::reset::reset_form).post(facilitate::reset::reset),
        )
        .route(
            "/facilitator/password",
            get(facilitate::password::password_form).post(facilitate::password::change_password),
        )
        .route("/facilitator/sign-out", post(facilitate::auth::sign_out))
        .route(
            "/facilitator/sign-out-everywhere",
            post(facilitate::auth::sign_out_everywhere),
        )
        .route("/facilitator", get(facilitate::partnerships::home))
        .route(
            "/facilitator/",
            get(|| async { Redirect::permanent("/facilitator") }),
        )
        .route(
            "/facilitator/partnerships",
            post(facilitate::partnerships::create_partnership),
        )
        .route(
            "/facilitator/partnerships/{id}",
            get(facilitate::partnerships::partnership),
        )
        .route(
            "/facilitator/partnerships/{id}/rounds",
            post(facilitate::partnerships::create_round),
        )
        .route("/facilitator/rounds/{id}", get(facilitate::rounds::round))
        .route(
            "/facilitator/rounds/{id}/progress",
            get(facilitate::rounds::round_progress),
        )
        .route(
            "/facilitator/rounds/{id}/close",
            post(facilitate::rounds::close),
        )
        .route(
            "/facilitator/rounds/{id}/interim",
            post(facilitate::rounds::interim),
        )
        .route(
            "/facilitator/rounds/{id}/comments/{handle}/remove",
            post(facilitate::rounds::remove_comment),
        )
        .route(
            "/facilitator/rounds/{id}/responses/{change}",
            post(facilitate::rounds::change_response),
        )
        .route(
            "/facilitator/rounds/{id}/open-cap",
            post(facilitate::rounds::open_cap),
        )
        .route(
            "/facilitator/rounds/{id}/report",
            get(facilitate::meeting::report),
        )
        .route(
            "/facilitator/rounds/{id}/share",
            post(facilitate::meeting::share),
        )
        .route(
            "/facilitator/rounds/{id}/share/stop",
            post(facilitate::meeting::stop_sharing),
        )
        .route("/r/{token}", get(facilitate::meeting::shared))
        .route(
            "/facilitator/rounds/{id}/details",
            post(facilitate::rounds::set_details),
        )
        .route(
            "/facilitator/rounds/{id}/reopen",
            post(facilitate::rounds::reopen),
        )
        .route(
            "/facilitator/rounds/{id}/next",
            post(facilitate::rounds::next_round),
        )
        .route(
            "/facilitator/rounds/{id}/partners",
            get(facilitate::partners::partners_form).post(facilitate::partners::add_partners),
        )
        .route(
            "/facilitator/rounds/{id}/partners/upload",
            post(facilitate::partners::upload_partners).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/facilitator/rounds/{id}/links.csv",
            get(facilitate::partners::links),
        )
        .route(
            "/facilitator/rounds/{id}/reports/{file}",
            get(facilitate::downloads::download),
        )
        .route(
            "/facilitator/rounds/{id}/series/{file}",
            get(facilitate::downloads::series_download),
        )
        .route(
            "/facilitator/partnerships/{id}/delete",
            get(facilitate::deletion::confirm_partnership)
                .post(facilitate::deletion::delete_partnership),
        )
        .route(
            "/facilitator/rounds/{id}/delete",
            get(facilitate::deletion::confirm_round).post(facilitate::deletion::delete_round),
        )
        .route(
            "/facilitator/partners/{id}/edit",
            get(facilitate::invitations::edit_form).post(facilitate::invitations::edit),
        )
        .route(
            "/facilitator/partners/{id}/delete",
            get(facilitate::deletion::confirm_partner).post(facilitate::deletion::delete_partner),
        )
        .route(
            "/facilitator/rounds/{id}/remove-emails",
            get(facilitate::deletion::confirm_remove_emails)
                .post(facilitate::deletion::remove_emails),
        )
        // Co-facilitators and facilitator accounts (issue 15).
        .route(
            "/facilitator/partnerships/{id}/facilitators",
            post(facilitate::facilitators::add),
        )
        .route(
            "/facilitator/partnerships/{id}/facilitators/{facilitator_id}/remove",
            post(facilitate::facilitators::remove),
        )
        .route(
            "/facilitator/accounts",
            get(facilitate::accounts::accounts).post(facilitate::accounts::create),
        )
        // Paper and other tools' answers (issue 15).
        .route(
            "/facilitator/rounds/{id}/paper",
            get(facilitate::paper::paper_form),
        )
        .route(
            "/facilitator/rounds/{id}/paper/entry",
            get(facilitate::paper::entry_form).post(facilitate::paper::enter),
        )
        .route(
            "/facilitator/rounds/{id}/import",
            post(facilitate::paper::import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        // Invitations and reminders by e-mail (issue 15).
        .route(
            "/facilitator/rounds/{id}/mail/invitations",
            post(facilitate::mailing::send_invitations),
        )
        .route(
            "/facilitator/rounds/{id}/mail/reminders",
            post(facilitate::mailing::send_reminders),
        )
        .route(
            "/s/{token}/stop",
            get(reminders::stop_page).post(reminders::stop),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            limits.body_timeout,
            limits::body_deadline,
        ))
        // Outside the deadline, so the page that refuses a slow body is in the reader's language.
        .layer(middleware::from_fn(language::negotiate))
        .layer(TraceLayer::new_for_http().make_span_with(trace::MaskedSpan))
        // Outermost, so that every response has them, whichever layer or handler made it.
        .layer(middleware::map_response_with_state(transport, headers::add))
        .with_state(state)
}

/// Serves the application on `listener` with the default [`Limits`] until `shutdown` completes,
/// then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// Serves the application on `listener` within `limits` until `shutdown` completes, then finishes
/// the requests in flight. `partnerscope serve` and the integration tests both run exactly this.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    limits::serve(listener, app(state, &limits), limits, shutdown).await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `round` as it stands now: a round past the end of its closing date is closed here, when it is
/// next seen, rather than at the server's next round of closings, so every page (a partner's
/// form, the facilitator's) agrees that it is closed.
async fn current(state: &AppState, round: Round) -> Result<Round, AppError> {
    let now = crate::accounts::unix_now();
    if !round.is_due(now) {
        return Ok(round);
    }
    state.store.close_due_rounds(now).await?;
    state.store.round(round.id).await?.ok_or(AppError::NotFound)
}

/// Renders `template` as an HTML page with `status`.
fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            // The page that failed may be the error page: plain text in the reader's words.
            let m = interface();
            let text = format!("{}\n\n{}\n", m.internal_heading, m.internal_text);
            (StatusCode::INTERNAL_SERVER_ERROR, text).into_response()
        }
    }
}

async fn healthz() -> &'static str {
    "ok"
}

/// `GET /static/app.css`. The one response browsers may keep (an hour; it holds nothing
/// private): every other gets `Cache-Control: no-store` from [`headers::add`].
async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("app.css"),
    )
}

async fn not_found() -> AppError {
    AppError::NotFound
}
