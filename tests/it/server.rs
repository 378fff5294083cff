//! The real web server on a random port with a fresh database, for tests over HTTP.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use partnerscope::instrument::{Instrument, load_file};
use partnerscope::store::{self, Store};
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::mailing::Pace;
use partnerscope::survey::{Invitation, NewInvitation, NewRound, Round};
use partnerscope::web::mail_queue::send_queued;
use partnerscope::web::open_links::OpenLinks;
use partnerscope::web::{self, AppState, Limits};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::engines::{Engine, fresh_database};
use crate::support::fixture;

/// A running server and its database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The server's store, for arranging data and checking what was stored.
    pub store: Arc<dyn Store>,
    /// The database URL, to reopen it.
    pub database_url: String,
    /// A client that does not follow redirects, so tests see the 303s.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    /// Keeps the database folder alive.
    pub dir: tempfile::TempDir,
}

/// Starts the server exactly as `partnerscope serve` does, on 127.0.0.1 port 0, with a fresh
/// database on `engine`; `None` when that engine is not available here.
pub async fn spawn_app(engine: Engine) -> Option<TestApp> {
    spawn_app_configured(engine, |_| {}).await
}

/// Like [`spawn_app`], with the open links' budget and address rules of `open_links`.
pub async fn spawn_app_with(engine: Engine, open_links: OpenLinks) -> Option<TestApp> {
    spawn_app_configured(engine, |state| state.open_links = Arc::new(open_links)).await
}

/// Like [`spawn_app`], serving within `limits`.
pub async fn spawn_app_limited(engine: Engine, limits: Limits) -> Option<TestApp> {
    start(engine, limits, |_| {}).await
}

/// Like [`spawn_app`], with the state `configure` changes from the default (e.g. a public URL).
pub async fn spawn_app_configured(
    engine: Engine,
    configure: impl FnOnce(&mut AppState),
) -> Option<TestApp> {
    start(engine, Limits::default(), configure).await
}

async fn start(
    engine: Engine,
    limits: Limits,
    configure: impl FnOnce(&mut AppState),
) -> Option<TestApp> {
    let (database_url, dir) = fresh_database(engine).await?;
    let store = store::open(&database_url)
        .await
        .expect("the database opens");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let mut state = AppState {
        store: store.clone(),
        instruments: Arc::new(partnerscope::instrument::Library::shipped().unwrap()),
        public_url: None,
        secure_cookies: false,
        open_links: Arc::new(OpenLinks::default()),
        sign_ins: Arc::default(),
        invited: Arc::default(),
        time_zone: jiff::tz::TimeZone::UTC,
        mailer: None,
    };
    configure(&mut state);
    if let Some(mailer) = &state.mailer {
        // As `partnerscope serve` does, at a pace that keeps tests quick: no wait between
        // messages worth the name, and a deferred message tried again at once.
        let pace = Pace {
            per_minute: NonZeroU32::new(6000).unwrap(),
            first_retry: Duration::ZERO,
        };
        tokio::spawn(send_queued(store.clone(), Arc::clone(mailer), pace));
    }
    let server = tokio::spawn(web::serve_with(listener, state, limits, async {
        let _ = stopped.await;
    }));
    // Like a browser: it keeps the cookies a partner's pages set.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    Some(TestApp {
        base,
        store,
        database_url,
        client,
        stop: Some(stop),
        server: Some(server),
        dir,
    })
}

/// The small instrument of `docs/instrument-format.md`: items t1, t2, g1, g2, e1, e2 on a 1..5
/// scale with `dk`, a comment `improve`, a sector question and a consent statement.
pub fn mini() -> Instrument {
    load_file(&mini_path()).unwrap()
}

/// Path of the mini instrument.
pub fn mini_path() -> PathBuf {
    fixture("web/mini.toml")
}

/// Every item of the mini instrument answered, with consent.
pub fn complete_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("consent", "yes"),
        ("item-t1", "4"),
        ("item-t2", "2"),
        ("item-g1", "dk"),
        ("item-g2", "3"),
        ("item-e1", "5"),
        ("item-e2", "4"),
        ("comment-improve", "Meet in the evenings."),
    ]
}

/// A new open round of `instrument` in a new partnership, with an open link if asked.
pub async fn new_round(store: &dyn Store, instrument: &Instrument, open_link: bool) -> Round {
    let partnership = store
        .create_partnership("Test partnership", None)
        .await
        .unwrap();
    store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument,
            wave: "2026 spring",
            min_group_size: 3,
            open_link,
            identified: false,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap()
}

/// A new open round of the mini instrument, without an open link, in partnership
/// `partnership_id`.
pub async fn mini_round_in(store: &dyn Store, partnership_id: i64, wave: &str) -> Round {
    store
        .create_round(&NewRound {
            partnership_id,
            instrument: &mini(),
            wave,
            min_group_size: 3,
            open_link: false,
            identified: false,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap()
}

/// An invitation of `organisation` (a nonprofit) to round `round_id`.
pub async fn new_invitation(store: &dyn Store, round_id: i64, organisation: &str) -> Invitation {
    store
        .create_invitation(&NewInvitation {
            round_id,
            organisation,
            sector: Some("nonprofit"),
            language: None,
        })
        .await
        .unwrap()
}

impl TestApp {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new open round of `instrument` (with an open link) in a new partnership.
    pub async fn round(&self, instrument: &Instrument) -> Round {
        new_round(self.store.as_ref(), instrument, true).await
    }

    /// An invitation with a fixed sector in a new round of the mini instrument, and its path
    /// `/s/{token}`.
    pub async fn invitation(&self) -> (Round, Invitation, String) {
        let round = self.round(&mini()).await;
        let invitation = new_invitation(self.store.as_ref(), round.id, "Eastside Food Bank").await;
        let path = format!("/s/{}", invitation.token);
        (round, invitation, path)
    }

    /// GETs `path`, returning status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// GETs `path` from a browser asking for `languages` (an `Accept-Language` value),
    /// returning status and body.
    pub async fn get_in(&self, path: &str, languages: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .header(reqwest::header::ACCEPT_LANGUAGE, languages)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// POSTs `fields` as a form to `path`, returning status, `Location` and body.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Option<String>, String) {
        post_form(&self.client, &self.url(path), fields).await
    }

    /// Stops the server gracefully and waits until it has finished.
    pub async fn stop(mut self) -> (String, tempfile::TempDir) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap().unwrap();
        }
        (self.database_url, self.dir)
    }
}

/// POSTs `fields` as a form to `url` with `client`, returning status, `Location` and body.
pub async fn post_form(
    client: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let response = client.post(url).form(fields).send().await.unwrap();
    status_location_body(response).await
}

/// A response's status, `Location` and body.
pub async fn status_location_body(response: reqwest::Response) -> (u16, Option<String>, String) {
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (
        response.status().as_u16(),
        location,
        response.text().await.unwrap(),
    )
}
