//! One round: its page with the progress and the dashboard, the progress page with its refresh button,
//! closing and reopening it, and the next round with the same partners.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    SignedInChrome, base_url, chrome, owned_round, round_details, see_other, time_zone_name, wave,
};
use crate::accounts::unix_now;
use crate::instrument::Instrument;
use crate::releases::{self, Published};
use crate::report::dashboard::{
    Consistency, Dashboard, DimensionCard, Transition, Warning, group_label,
};
use crate::report::meeting::{SectorMatrix, sector_matrix};
use crate::survey::closing::RoundDetails;
use crate::survey::{self, NewRound, Partnership, Round, Status};
use crate::web::errors::AppError;
use crate::web::language::{self, interface};
use crate::web::messages::counted;
use crate::web::reports::{self, CommentList};
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// Invited, started and submitted partners of one sector, and responses through the open link.
#[derive(Default)]
struct SectorProgress {
    sector: String,
    invited: usize,
    started: usize,
    submitted: usize,
    open_link: i64,
    /// Keyed in from paper or imported by a facilitator.
    by_staff: i64,
}

/// A dimension card with its notices put into words.
pub(super) struct CardView {
    pub(super) card: DimensionCard,
    /// What its numbers mean for the partnership, a plain sentence each.
    pub(super) explanations: Vec<String>,
    /// Advice before trusting a number.
    pub(super) warnings: Vec<String>,
    pub(super) transition: Option<String>,
}

/// The dashboard's dimension cards with their notices put into words.
pub(super) fn card_views(dashboard: Option<&Dashboard>) -> Vec<CardView> {
    dashboard
        .iter()
        .flat_map(|d| &d.dimensions)
        .map(|card| CardView {
            card: card.clone(),
            explanations: explanations(card),
            warnings: card.warnings.iter().map(warning_text).collect(),
            transition: card
                .change
                .as_ref()
                .and_then(|c| c.transition.as_ref())
                .map(transition_text),
        })
        .collect()
}

/// A round: progress, actions, downloads and the dashboard.
#[derive(Template)]
#[template(path = "facilitate/round.html")]
struct RoundPage<'a> {
    chrome: SignedInChrome<'a>,
    partnership: Partnership,
    round: Round,
    open_link: Option<String>,
    progress: Vec<SectorProgress>,
    submitted: u64,
    /// The latest release, once there is one.
    release: Option<ReleaseView>,
    cards: Vec<CardView>,
    dashboard: Option<Dashboard>,
    /// The dimensions by the language responses were answered in, when they were answered in
    /// more than one.
    languages: Option<SectorMatrix>,
    comments: Vec<CommentList>,
    downloads: Vec<(String, String)>,
    /// The downloads of every round of the partnership with this instrument.
    series_downloads: Vec<(String, String)>,
    /// The excluded responses, which can be included again.
    excluded: Vec<survey::Excluded>,
    /// What partners are told, for the form that changes it.
    details: Option<RoundDetails>,
    /// The server's time zone, which the closing date field names.
    time_zone: String,
    /// When the round closes by itself, or that it does not.
    closes_note: String,
    /// The meeting report's share link, while the round is shared.
    share_link: Option<String>,
}

/// What the page says about the release its figures come from.
struct ReleaseView {
    /// Which release, when, from how many responses.
    summary: String,
    /// Why some submitted responses are not in the figures, when some are not.
    waiting: Option<String>,
}

/// The response rate of a round, with a button that shows it anew while partners answer (a
/// page that reloaded itself would move under a screen reader's or a slow reader's feet).
#[derive(Template)]
#[template(path = "facilitate/progress.html")]
struct ProgressPage<'a> {
    chrome: SignedInChrome<'a>,
    partnership: Partnership,
    round: Round,
    progress: Vec<SectorProgress>,
    submitted: usize,
}

/// A round's invitations and open-link submissions tallied by sector, sectors in alphabetical
/// order.
async fn sector_progress(
    state: &AppState,
    instrument: &Instrument,
    round_id: i64,
) -> Result<Vec<SectorProgress>, AppError> {
    let shown = language::for_reader(instrument);
    let invitations = state.store.invitation_progress(round_id).await?;
    let uninvited = state.store.uninvited_submissions(round_id).await?;
    let mut sectors: BTreeMap<String, SectorProgress> = BTreeMap::new();
    for progress in invitations {
        let entry = sectors
            .entry(progress.invitation.sector.unwrap_or_default())
            .or_default();
        entry.invited += 1;
        entry.started += usize::from(progress.status.is_some());
        entry.submitted += usize::from(progress.status == Some(Status::Submitted));
    }
    for (sector, source, submitted) in uninvited {
        let entry = sectors.entry(sector).or_default();
        if source.is_empty() {
            entry.open_link += submitted;
        } else {
            entry.by_staff += submitted;
        }
    }
    Ok(sectors
        .into_iter()
        .map(|(sector, progress)| SectorProgress {
            sector: group_label(&shown, shown.texts(), &sector),
            ..progress
        })
        .collect())
}

/// `GET /facilitator/rounds/{id}`: progress, actions, downloads and the dashboard.
pub async fn round(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    let progress = sector_progress(&state, &instrument, round.id).await?;
    let rounds = state.store.rounds(partnership.id).await?;
    let reports::RoundNumbers {
        published,
        submitted,
        comments,
    } = reports::round_numbers(
        Arc::clone(&state.store),
        Arc::clone(&instrument),
        &round,
        &rounds,
    )
    .await?;
    let (release, dashboard) = match published {
        Some((published, dashboard)) => (
            Some(release_view(&published, submitted, round.threshold())),
            Some(dashboard),
        ),
        None => (None, None),
    };
    let cards = card_views(dashboard.as_ref());
    let languages = dashboard
        .as_ref()
        .map(|d| sector_matrix(&d.languages))
        .filter(|matrix| matrix.rows.len() > 1);
    let base = base_url(&state, &headers);
    let links = |path: &str, stem: &str| -> Vec<(String, String)> {
        reports::file_names(stem)
            .into_iter()
            .map(|file| {
                (
                    file.clone(),
                    format!("/facilitator/rounds/{}/{path}/{file}", round.id),
                )
            })
            .collect()
    };
    let mut downloads = links("reports", &reports::round_stem(&round));
    downloads.insert(
        downloads.len() - 1,
        (
            "comments.csv".to_string(),
            format!("/facilitator/rounds/{}/reports/comments.csv", round.id),
        ),
    );
    let series_downloads = links("series", &reports::series_stem(&round));
    let excluded = state.store.excluded(round.id).await?;
    let title = format!("{} · {}", partnership.name, round.wave);
    let time_zone = time_zone_name(&state);
    let closes_note = match round.details.closes {
        Some(closes) => interface()
            .closes_note
            .replace("{date}", &interface().long_date(closes.on))
            .replace("{zone}", &time_zone),
        None => interface().no_closing_date.to_string(),
    };
    Ok(html(
        StatusCode::OK,
        &RoundPage {
            chrome: chrome(&signed_in, &title),
            details: Some(round.details.clone()),
            time_zone,
            closes_note,
            open_link: round.open_token.as_ref().map(|t| format!("{base}/o/{t}")),
            share_link: round.share_token.as_ref().map(|t| format!("{base}/r/{t}")),
            submitted,
            release,
            cards,
            partnership,
            round,
            progress,
            dashboard,
            languages,
            comments,
            downloads,
            series_downloads,
            excluded,
        },
    ))
}

/// `GET /facilitator/rounds/{id}/progress`: responses by sector, with a refresh button, so a
/// facilitator can watch a round fill up without reloading the dashboard.
pub async fn round_progress(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let progress = sector_progress(&state, round.instrument()?.as_ref(), round.id).await?;
    let submitted = progress
        .iter()
        .map(|p| p.submitted + p.open_link as usize)
        .sum();
    let title = format!("{} · {}", interface().progress_heading, round.wave);
    Ok(html(
        StatusCode::OK,
        &ProgressPage {
            chrome: chrome(&signed_in, &title),
            partnership,
            round,
            progress,
            submitted,
        },
    ))
}

/// The release's date and size, and why submitted responses are missing from its figures.
fn release_view(published: &Published, submitted: u64, threshold: u64) -> ReleaseView {
    let release = &published.release;
    let summary = interface()
        .release_summary
        .replace("{number}", &release.number.to_string())
        .replace("{date}", published.created_at.get(..10).unwrap_or_default())
        .replace(
            "{submitted}",
            &counted(interface().count_submitted, release.responses),
        );
    let later = submitted.saturating_sub(release.responses);
    let repeats = release.as_of.iter().any(|&(_, r)| r < release.number);
    let waiting = match (later, repeats) {
        (0, false) => None,
        (0, true) => Some(interface().release_repeats.to_string()),
        _ => Some(counted(interface().release_waiting, later)),
    };
    let waiting = waiting.map(|words| words.replace("{threshold}", &threshold.to_string()));
    ReleaseView { summary, waiting }
}

/// Closes (`open` false) or reopens a round, back to the round's page. Closing publishes the
/// round's figures.
async fn set_open(
    state: &AppState,
    id: i64,
    form: &CheckedForm,
    open: bool,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(state, &form.signed_in, id).await?;
    if open {
        state.store.reopen_round(round.id, unix_now()).await?;
    } else {
        state.store.close_round(round.id).await?;
        let closed = state
            .store
            .round(round.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let instrument = closed.instrument()?;
        releases::latest(&state.store, &instrument, &closed).await?;
    }
    Ok(see_other(&format!("/facilitator/rounds/{id}")))
}

/// `POST /facilitator/rounds/{id}/comments/{handle}/remove`: replaces a comment's text with a
/// note that the facilitator removed it, back to the comments.
pub async fn remove_comment(
    State(state): State<AppState>,
    Path((id, handle)): Path<(i64, String)>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    // Anything that is not a handle's shape cannot name a comment.
    if !survey::is_pseudonym(&handle) {
        return Err(AppError::NotFound);
    }
    let facilitator = form.signed_in.facilitator().id;
    if !state
        .store
        .redact_comment(round.id, &handle, facilitator)
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(see_other(&format!("/facilitator/rounds/{id}#comments")))
}

/// `POST /facilitator/rounds/{id}/responses/{change}`: excludes (`exclude`), includes again
/// (`include`) or deletes (`delete`) the response whose pseudonym is in the field `pseudonym`.
/// The figures change at the next release that qualifies.
pub async fn change_response(
    State(state): State<AppState>,
    Path((id, change)): Path<(i64, String)>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let pseudonym = form.field("pseudonym").trim().to_ascii_lowercase();
    if !survey::is_pseudonym(&pseudonym) {
        return Err(AppError::BadForm(interface().detail_pseudonym));
    }
    let erased = survey::erased_values(round.instrument()?.as_ref());
    let facilitator = form.signed_in.facilitator().id;
    let who = survey::Respondent::Pseudonym(&pseudonym);
    let store = &state.store;
    let changed = match change.as_str() {
        "exclude" => {
            let removal = survey::Removal::Excluded(facilitator);
            store
                .remove_response(round.id, who, removal, &erased)
                .await?
        }
        "delete" => {
            let removal = survey::Removal::Deleted(Some(facilitator));
            store
                .remove_response(round.id, who, removal, &erased)
                .await?
        }
        "include" => {
            store
                .include_response(round.id, &pseudonym, &erased)
                .await?
        }
        _ => return Err(AppError::NotFound),
    };
    if !changed {
        return Err(AppError::BadForm(interface().detail_no_such_response));
    }
    Ok(see_other(&format!("/facilitator/rounds/{id}#responses")))
}

/// `POST /facilitator/rounds/{id}/open-cap`: the most responses the open link takes (field
/// `cap`; blank for no limit).
pub async fn open_cap(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let cap = match form.field("cap").trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(cap) if cap >= 1 => Some(cap),
            _ => return Err(AppError::BadForm(interface().detail_open_cap)),
        },
    };
    state.store.set_open_cap(round.id, cap).await?;
    Ok(see_other(&format!("/facilitator/rounds/{id}")))
}

/// `POST /facilitator/rounds/{id}/interim`: turns interim releases on (`interim=on`) or off.
pub async fn interim(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let on = match form.field("interim") {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::BadForm(interface().detail_not_an_option)),
    };
    state.store.set_interim_releases(round.id, on).await?;
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

/// `POST /facilitator/rounds/{id}/details`: changes what an open round tells its partners, back
/// to the round's page.
pub async fn set_details(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &form.signed_in, id).await?;
    let details = round_details(&state, &form, &partnership.name)?;
    state.store.set_round_details(round.id, &details).await?;
    Ok(see_other(&format!("/facilitator/rounds/{id}#details")))
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
/// the same partners on fresh links. The instrument is the loaded one of the same id when it
/// scores as the round's does (a newer version that only adds a translation or rewords a
/// text), so the new round has its texts and still compares; otherwise the round's own copy.
pub async fn next_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &form.signed_in, id).await?;
    let stored = round.instrument()?;
    let instrument = match state.instruments.get(&round.instrument_id) {
        Some(loaded) if loaded.scores_like(&stored) => loaded,
        _ => stored.as_ref(),
    };
    // Who asks and whom to ask stay; the last round's closing date does not.
    let details = RoundDetails {
        closes: None,
        ..round.details.clone()
    };
    let next = state
        .store
        .start_next_round(
            &NewRound {
                partnership_id: partnership.id,
                instrument,
                wave: wave(form.field("wave"))?,
                min_group_size: round.min_group_size,
                open_link: round.open_token.is_some(),
                identified: round.is_identified(),
                details: &details,
            },
            round.id,
        )
        .await?;
    Ok(see_other(&format!("/facilitator/rounds/{}", next.id)))
}

/// What a card's interval, band and alpha mean, in plain sentences with its numbers.
fn explanations(card: &DimensionCard) -> Vec<String> {
    let m = interface();
    let mut sentences = Vec::new();
    let (low, high) = &card.ci_ends;
    if !low.is_empty() {
        sentences.push(
            m.explain_interval
                .replace("{low}", low)
                .replace("{high}", high),
        );
    }
    let (from, to) = &card.band_range;
    if !card.band.is_empty() {
        sentences.push(
            m.explain_band
                .replace("{band}", &card.band)
                .replace("{from}", from)
                .replace("{to}", to),
        );
    }
    let consistency = card.consistency.map(|c| match c {
        Consistency::Good => m.explain_alpha_good,
        Consistency::Enough => m.explain_alpha_enough,
    });
    if let Some(sentence) = consistency {
        sentences.push(sentence.replace("{alpha}", &card.alpha));
    }
    sentences
}

/// Words for a dashboard warning.
fn warning_text(warning: &Warning) -> String {
    match warning {
        Warning::LowAlpha(alpha) => interface().warn_low_alpha.replace("{alpha}", alpha),
        Warning::SmallSample(n) => interface().warn_small_sample.replace("{n}", &n.to_string()),
    }
}

/// Words for a band change.
fn transition_text(transition: &Transition) -> String {
    match transition {
        Transition::BecameTop(band) => interface().became_top.replace("{band}", band),
        Transition::LeftTop(band) => interface().left_top.replace("{band}", band),
        Transition::Up(from, to) => interface()
            .moved_up
            .replace("{from}", from)
            .replace("{to}", to),
        Transition::Down(from, to) => interface()
            .moved_down
            .replace("{from}", from)
            .replace("{to}", to),
    }
}
