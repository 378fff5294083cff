//! The facilitator's pages: signing in and out, partnerships, rounds, partners, the dashboard
//! and the downloads. Handlers extract, call the store or the report code, and render.
//!
//! Ownership: every id in a path is looked up through [`owned_partnership`] or [`owned_round`],
//! which answer 404 for anything the signed-in facilitator may not see.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::errors::AppError;
use super::form::FormFields;
use super::messages::{EN, Messages};
use super::reports::{self, CommentList};
use super::session::{self, CheckedForm, SignedIn};
use super::{AppState, html};
use crate::accounts::{dummy_hash, lockout_seconds, normalise_email, unix_now, verify_password};
use crate::instrument::{Instrument, load_str};
use crate::report::dashboard::{Dashboard, DimensionCard, Transition, Warning};
use crate::store::Visible;
use crate::survey::links::{LinkRow, links_csv};
use crate::survey::partners::{self, PartnerError};
use crate::survey::{NewRound, Partnership, Round, Status};

/// The sign-in page.
pub const SIGN_IN: &str = "/facilitator/sign-in";

/// The sign-in page.
#[derive(Template)]
#[template(path = "facilitate/sign_in.html")]
struct SignInPage<'a> {
    m: &'static Messages,
    title: &'a str,
    email: &'a str,
    problem: Option<String>,
}

/// The list of partnerships.
#[derive(Template)]
#[template(path = "facilitate/home.html")]
struct HomePage<'a> {
    m: &'static Messages,
    title: &'a str,
    csrf: &'a str,
    email: &'a str,
    partnerships: Vec<(Partnership, Vec<Round>)>,
}

/// One partnership and its rounds.
#[derive(Template)]
#[template(path = "facilitate/partnership.html")]
struct PartnershipPage<'a> {
    m: &'static Messages,
    title: &'a str,
    csrf: &'a str,
    email: &'a str,
    partnership: Partnership,
    rounds: Vec<Round>,
    instruments: Vec<(String, String)>,
}

/// Invited, started and submitted partners of one sector, and responses through the open link.
#[derive(Default)]
struct SectorProgress {
    sector: String,
    invited: usize,
    started: usize,
    submitted: usize,
    open_link: i64,
}

/// A dimension card with its notices put into words.
struct CardView {
    card: DimensionCard,
    warnings: Vec<String>,
    transition: Option<String>,
}

/// A round: progress, actions, downloads and the dashboard.
#[derive(Template)]
#[template(path = "facilitate/round.html")]
struct RoundPage<'a> {
    m: &'static Messages,
    title: &'a str,
    csrf: &'a str,
    email: &'a str,
    partnership: Partnership,
    round: Round,
    open_link: Option<String>,
    progress: Vec<SectorProgress>,
    submitted: u64,
    cards: Vec<CardView>,
    dashboard: Dashboard,
    comments: Vec<CommentList>,
    downloads: Vec<(String, String)>,
}

/// The response rate of a round, refreshing itself while partners answer.
#[derive(Template)]
#[template(path = "facilitate/progress.html")]
struct ProgressPage<'a> {
    m: &'static Messages,
    title: &'a str,
    csrf: &'a str,
    email: &'a str,
    partnership: Partnership,
    round: Round,
    progress: Vec<SectorProgress>,
    submitted: usize,
    refresh_seconds: u32,
    note: String,
}

/// How often the response rate page reloads itself.
const PROGRESS_REFRESH_SECONDS: u32 = 15;

/// Adding partners to a round.
#[derive(Template)]
#[template(path = "facilitate/partners.html")]
struct PartnersPage<'a> {
    m: &'static Messages,
    title: &'a str,
    csrf: &'a str,
    email: &'a str,
    round: Round,
    sectors: Vec<String>,
    list: String,
    problems: Vec<String>,
}

/// The partnership `id` if the facilitator may see it; otherwise 404.
async fn owned_partnership(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<Partnership, AppError> {
    state
        .store
        .partnership(id)
        .await?
        .filter(|p| signed_in.facilitator().may_see(p))
        .ok_or(AppError::NotFound)
}

/// The round `id` and its partnership if the facilitator may see them; otherwise 404.
async fn owned_round(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<(Round, Partnership), AppError> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    let partnership = owned_partnership(state, signed_in, round.partnership_id).await?;
    Ok((round, partnership))
}

/// The instrument exactly as the round stored it.
fn round_instrument(round: &Round) -> Result<Instrument, AppError> {
    Ok(load_str(
        &format!("round {}", round.id),
        &round.instrument_source,
    )?)
}

/// A round's invitations and open-link submissions tallied by sector, sectors in alphabetical
/// order.
async fn sector_progress(state: &AppState, round_id: i64) -> Result<Vec<SectorProgress>, AppError> {
    let invitations = state.store.invitation_progress(round_id).await?;
    let open_link = state.store.open_link_submissions(round_id).await?;
    let mut sectors: BTreeMap<String, SectorProgress> = BTreeMap::new();
    for progress in invitations {
        let entry = sectors
            .entry(progress.invitation.sector.unwrap_or_default())
            .or_default();
        entry.invited += 1;
        entry.started += usize::from(progress.status.is_some());
        entry.submitted += usize::from(progress.status == Some(Status::Submitted));
    }
    for (sector, submitted) in open_link {
        sectors.entry(sector).or_default().open_link = submitted;
    }
    Ok(sectors
        .into_iter()
        .map(|(sector, progress)| SectorProgress { sector, ..progress })
        .collect())
}

fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// `GET /facilitator/sign-in`.
pub async fn sign_in_page() -> Response {
    html(
        StatusCode::OK,
        &SignInPage {
            m: &EN,
            title: EN.sign_in_heading,
            email: "",
            problem: None,
        },
    )
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
    let refuse = |status: StatusCode, problem: String| {
        html(
            status,
            &SignInPage {
                m: &EN,
                title: EN.sign_in_heading,
                email: &email,
                problem: Some(problem),
            },
        )
    };
    let now = unix_now();
    let locked_until = state.store.sign_in_locked_until(&email).await?;
    if locked_until > now {
        let minutes = (locked_until - now + 59) / 60;
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            EN.sign_in_wait.replace("{minutes}", &minutes.to_string()),
        ));
    }
    let account = state.store.facilitator_by_email(&email).await?;
    let hash = account
        .as_ref()
        .map_or(dummy_hash(), |(_, hash)| hash.as_str());
    let password = field("password").to_string();
    let hash = hash.to_string();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    match account {
        Some((facilitator, _)) if matches => {
            state.store.clear_sign_in_failures(&email).await?;
            let cookie = session::start(&state, &facilitator).await?;
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/facilitator")).into_response())
        }
        _ => {
            state
                .store
                .record_sign_in_failure(&email, now, lockout_seconds)
                .await?;
            Ok(refuse(
                StatusCode::UNAUTHORIZED,
                EN.sign_in_wrong.to_string(),
            ))
        }
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

/// `GET /facilitator`: the facilitator's partnerships and their rounds.
pub async fn home(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    let partnerships = state
        .store
        .partnerships_with_rounds(Visible::To(signed_in.facilitator()))
        .await?;
    Ok(html(
        StatusCode::OK,
        &HomePage {
            m: &EN,
            title: EN.partnerships_heading,
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            partnerships,
        },
    ))
}

/// `POST /facilitator/partnerships`.
pub async fn create_partnership(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let name = form.field("name").trim();
    if name.is_empty() {
        return Err(AppError::BadForm(EN.detail_name));
    }
    let partnership = state
        .store
        .create_partnership(name, Some(form.signed_in.facilitator().id))
        .await?;
    Ok(see_other(&format!(
        "/facilitator/partnerships/{}",
        partnership.id
    )))
}

/// `GET /facilitator/partnerships/{id}`.
pub async fn partnership(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let partnership = owned_partnership(&state, &signed_in, id).await?;
    let rounds = state.store.rounds(id).await?;
    let instruments = state
        .instruments
        .iter()
        .map(|i| (i.id.clone(), format!("{} ({})", i.title(), i.version)))
        .collect();
    Ok(html(
        StatusCode::OK,
        &PartnershipPage {
            m: &EN,
            title: &partnership.name.clone(),
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            partnership,
            rounds,
            instruments,
        },
    ))
}

/// Reads the minimum group size field (1 or more).
fn min_group_size(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or(AppError::BadForm(EN.detail_min_group_size))
}

/// Reads the wave label field.
fn wave(text: &str) -> Result<&str, AppError> {
    let wave = text.trim();
    if wave.is_empty() {
        Err(AppError::BadForm(EN.detail_wave))
    } else {
        Ok(wave)
    }
}

/// `POST /facilitator/partnerships/{id}/rounds`.
pub async fn create_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let partnership = owned_partnership(&state, &form.signed_in, id).await?;
    let instrument = state
        .instruments
        .get(form.field("instrument"))
        .ok_or(AppError::BadForm(EN.detail_instrument))?;
    let round = state
        .store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument,
            wave: wave(form.field("wave"))?,
            min_group_size: min_group_size(form.field("min_group_size"))?,
            open_link: form.field("open_link") == "yes",
        })
        .await?;
    Ok(see_other(&format!("/facilitator/rounds/{}", round.id)))
}

/// Where links point: the configured public URL, or the host the request came to.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    match &state.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}

/// `GET /facilitator/rounds/{id}`: progress, actions, downloads and the dashboard.
pub async fn round(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let instrument = Arc::new(round_instrument(&round)?);
    let progress = sector_progress(&state, round.id).await?;
    let rounds = state.store.rounds(partnership.id).await?;
    let (dashboard, submitted) = reports::dashboard(
        Arc::clone(&state.store),
        Arc::clone(&instrument),
        &round,
        &rounds,
    )
    .await?;
    let cards = dashboard
        .dimensions
        .iter()
        .map(|card| CardView {
            card: card.clone(),
            warnings: card.warnings.iter().map(warning_text).collect(),
            transition: card
                .change
                .as_ref()
                .and_then(|c| c.transition.as_ref())
                .map(transition_text),
        })
        .collect();
    let comments = reports::comments(state.store.as_ref(), &instrument, round.id).await?;
    let base = base_url(&state, &headers);
    let reports_path = format!("/facilitator/rounds/{}/reports", round.id);
    let mut downloads: Vec<(String, String)> = crate::report::REPORT_NAMES
        .iter()
        .map(|name| (format!("{name}.csv"), format!("{reports_path}/{name}.csv")))
        .collect();
    downloads.push(("raw.csv".into(), format!("{reports_path}/raw.csv")));
    let workbook = format!("partnerscope-round-{}.xlsx", round.id);
    downloads.push((workbook.clone(), format!("{reports_path}/{workbook}")));
    let title = format!("{} · {}", partnership.name, round.wave);
    Ok(html(
        StatusCode::OK,
        &RoundPage {
            m: &EN,
            title: &title,
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            open_link: round.open_token.as_ref().map(|t| format!("{base}/o/{t}")),
            submitted,
            cards,
            partnership,
            round,
            progress,
            dashboard,
            comments,
            downloads,
        },
    ))
}

/// `GET /facilitator/rounds/{id}/progress`: responses by sector, reloading itself every
/// [`PROGRESS_REFRESH_SECONDS`], so a facilitator can watch a round fill up without reloading the dashboard.
pub async fn round_progress(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let progress = sector_progress(&state, round.id).await?;
    let submitted = progress
        .iter()
        .map(|p| p.submitted + p.open_link as usize)
        .sum();
    let title = format!("{} · {}", EN.progress_heading, round.wave);
    Ok(html(
        StatusCode::OK,
        &ProgressPage {
            m: &EN,
            title: &title,
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            partnership,
            round,
            progress,
            submitted,
            refresh_seconds: PROGRESS_REFRESH_SECONDS,
            note: EN
                .progress_live_note
                .replace("{seconds}", &PROGRESS_REFRESH_SECONDS.to_string()),
        },
    ))
}

/// Closes (`open` false) or reopens a round, back to the round's page.
async fn set_open(
    state: &AppState,
    id: i64,
    form: &CheckedForm,
    open: bool,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(state, &form.signed_in, id).await?;
    if open {
        state.store.reopen_round(round.id).await?;
    } else {
        state.store.close_round(round.id).await?;
    }
    Ok(see_other(&format!("/facilitator/rounds/{id}")))
}

/// `POST /facilitator/rounds/{id}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    set_open(&state, id, &form, false).await
}

/// `POST /facilitator/rounds/{id}/reopen`.
pub async fn reopen(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    set_open(&state, id, &form, true).await
}

/// `POST /facilitator/rounds/{id}/next`: a new round of the same instrument and settings, with
/// the same partners on fresh links.
pub async fn next_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &form.signed_in, id).await?;
    let instrument = round_instrument(&round)?;
    let next = state
        .store
        .start_next_round(
            &NewRound {
                partnership_id: partnership.id,
                instrument: &instrument,
                wave: wave(form.field("wave"))?,
                min_group_size: round.min_group_size,
                open_link: round.open_token.is_some(),
            },
            round.id,
        )
        .await?;
    Ok(see_other(&format!("/facilitator/rounds/{}", next.id)))
}

fn partners_page(
    status: StatusCode,
    signed_in: &SignedIn,
    round: Round,
    instrument: &Instrument,
    list: String,
    problems: &[PartnerError],
) -> Response {
    html(
        status,
        &PartnersPage {
            m: &EN,
            title: EN.partners_heading,
            csrf: signed_in.csrf(),
            email: &signed_in.facilitator().email,
            round,
            sectors: instrument
                .profile
                .as_ref()
                .map(|p| p.options.clone())
                .unwrap_or_default(),
            list,
            problems: problems.iter().map(ToString::to_string).collect(),
        },
    )
}

/// `GET /facilitator/rounds/{id}/partners`.
pub async fn partners_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round_instrument(&round)?;
    Ok(partners_page(
        StatusCode::OK,
        &signed_in,
        round,
        &instrument,
        String::new(),
        &[],
    ))
}

/// `POST /facilitator/rounds/{id}/partners`: one partner from the form fields, or a pasted CSV
/// list in `list`; all stored or, with any problem, none.
pub async fn add_partners(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let instrument = round_instrument(&round)?;
    let list = form.field("list");
    let checked = if list.trim().is_empty() {
        partners::check(
            &instrument,
            form.field("organisation"),
            form.field("sector"),
            form.field("email"),
            form.field("language"),
        )
        .map(|p| vec![p])
    } else {
        partners::parse(list, &instrument)
    };
    match checked {
        Ok(partners) => {
            state.store.add_partners(round.id, &partners).await?;
            Ok(see_other(&format!("/facilitator/rounds/{id}")))
        }
        Err(problems) => Ok(partners_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form.signed_in,
            round,
            &instrument,
            list.to_string(),
            &problems,
        )),
    }
}

/// `GET /facilitator/rounds/{id}/links.csv`: the personal links for a mail merge.
pub async fn links(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let base = base_url(&state, &headers);
    let invitations = state.store.invitation_progress(round.id).await?;
    let links: Vec<String> = invitations
        .iter()
        .map(|p| format!("{base}/s/{}", p.invitation.token))
        .collect();
    let body = links_csv(invitations.iter().zip(&links).map(|(p, link)| LinkRow {
        organisation: &p.invitation.organisation,
        sector: p.invitation.sector.as_deref().unwrap_or_default(),
        email: p.invitation.email.as_deref().unwrap_or_default(),
        language: p.invitation.language.as_deref().unwrap_or_default(),
        link,
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"partnerscope-round-{id}-links.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /facilitator/rounds/{id}/reports/{file}`: a report CSV, the raw responses or the
/// workbook.
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = Arc::new(round_instrument(&round)?);
    if file == "raw.csv" {
        return Ok(reports::raw(Arc::clone(&state.store), &instrument, &round));
    }
    if file == format!("partnerscope-round-{id}.xlsx") {
        return reports::workbook(Arc::clone(&state.store), instrument, &round).await;
    }
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    reports::report_csv(Arc::clone(&state.store), instrument, &round, name)
        .await?
        .ok_or(AppError::NotFound)
}

/// Words for a dashboard warning.
fn warning_text(warning: &Warning) -> String {
    match warning {
        Warning::LowAlpha(alpha) => EN.warn_low_alpha.replace("{alpha}", alpha),
        Warning::SmallSample(n) => EN.warn_small_sample.replace("{n}", &n.to_string()),
    }
}

/// Words for a band change.
fn transition_text(transition: &Transition) -> String {
    match transition {
        Transition::BecameTop(band) => EN.became_top.replace("{band}", band),
        Transition::LeftTop(band) => EN.left_top.replace("{band}", band),
        Transition::Up(from, to) => EN.moved_up.replace("{from}", from).replace("{to}", to),
        Transition::Down(from, to) => EN.moved_down.replace("{from}", from).replace("{to}", to),
    }
}
