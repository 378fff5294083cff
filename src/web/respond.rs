//! The partner's pages: the survey form on a personal link (`/s/{token}`) or a round's open link
//! (`/o/{token}`), drafts, submission, the thank-you page with its receipt, and withdrawal.
//!
//! The facilitator holds every personal link, so a link alone must not open what a partner
//! saved: a draft opens only with its resume secret, which lives in a cookie of the browser that
//! saved it and in the resume code shown to the partner. The receipt code shown after submitting
//! withdraws the response; both are stored only as digests.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::cookies::{cookie_value, site_cookie};
use super::errors::AppError;
use super::form::{self, Action, FormFields, FormView, Link, Posted};
use super::language::{self, interface, texts_for};
use super::messages::Messages;
use super::open_links::Client;
use super::{AppState, Chrome, current, html};
use crate::accounts::unix_now;
use crate::instrument::{Instrument, Texts};
use crate::report::dashboard::group_label;
use crate::store::StoreError;
use crate::survey::answers::Answers;
use crate::survey::secrets::{Code, FormIdError};
use crate::survey::{
    IDENTIFIED_CONSENT, Invitation, OpenSubmission, Removal, Respondent, Round, erased_values,
    is_token,
};

/// The cookie holding a draft's resume secret, scoped to its link.
const RESUME_COOKIE: &str = "partnerscope_resume";
/// The cookie that carries the receipt code to the thank-you page, scoped to it.
const RECEIPT_COOKIE: &str = "partnerscope_receipt";
/// How long a browser keeps a resume secret: as long as drafts are kept by default.
const RESUME_SECONDS: i64 = 90 * 24 * 60 * 60;
/// How long the thank-you page shows the receipt code.
const RECEIPT_SECONDS: i64 = 60 * 60;

/// The form page.
#[derive(Template)]
#[template(path = "respond/form.html")]
struct FormPage<'a> {
    chrome: Chrome<'a>,
    form: FormView,
    /// Where it posts, and what the page says around the questions.
    target: Target,
    /// The consent box's label.
    consent_label: &'static str,
    /// Whether statements show their number (only on paper and its entry page).
    numbered: bool,
}

/// The thank-you page.
#[derive(Template)]
#[template(path = "respond/thanks.html")]
struct ThanksPage<'a> {
    chrome: Chrome<'a>,
    /// The receipt code, shown once after submitting.
    receipt: Option<String>,
}

/// The withdrawal page.
#[derive(Template)]
#[template(path = "respond/withdraw.html")]
struct WithdrawPage<'a> {
    chrome: Chrome<'a>,
    /// Whether a code was just refused.
    wrong: bool,
    /// Whether a response was just withdrawn.
    done: bool,
}

/// The query string after a draft was stored. Read raw, so no query string can make the
/// form fail to open.
const SAVED: &str = "saved=1";

/// The invitation and open round behind a personal link.
async fn invitation(state: &AppState, token: &str) -> Result<(Invitation, Round), AppError> {
    if !is_token(token) {
        return Err(AppError::UnknownLink);
    }
    let (invitation, round) = state
        .store
        .invitation_by_token(token)
        .await?
        .ok_or(AppError::UnknownLink)?;
    Ok((invitation, answerable(state, round).await?))
}

/// The open round behind an open link.
async fn open_round(state: &AppState, token: &str) -> Result<Round, AppError> {
    if !is_token(token) {
        return Err(AppError::UnknownLink);
    }
    let round = state
        .store
        .round_by_open_token(token)
        .await?
        .ok_or(AppError::UnknownLink)?;
    answerable(state, round).await
}

/// `round` if it takes answers; refused when it is closed, also by its closing date.
async fn answerable(state: &AppState, round: Round) -> Result<Round, AppError> {
    let round = current(state, round).await?;
    if round.is_open() {
        Ok(round)
    } else {
        Err(AppError::RoundClosed)
    }
}

fn invitation_link(invitation: &Invitation, instrument: &Instrument) -> Link {
    Link {
        asks_sector: invitation.sector.is_none() && instrument.profile.is_some(),
        has_form_id: false,
    }
}

const OPEN_LINK: Link = Link {
    asks_sector: true,
    has_form_id: true,
};

/// Where a form posts to, what it carries besides the answers, and what the page says around
/// the questions.
#[derive(Default)]
struct Target {
    /// Where the form posts to.
    action: String,
    /// The open link's one-time form id.
    form_id: Option<String>,
    /// Whether a draft was just saved.
    saved: bool,
    /// An instrument author's preview: shown as partners see it, but nothing can be sent.
    preview: bool,
    /// The round's minimum group size, which the form states (none in a preview).
    threshold: Option<u64>,
    /// An identified round's consent statement, stated above everything else.
    identified: Option<String>,
    /// The resume code of the draft shown, for the partner to keep.
    resume_code: Option<String>,
    /// Whether the link has a draft this browser cannot open: the form is empty and offers the
    /// resume code field.
    draft_elsewhere: bool,
    /// Whether a resume code just entered was wrong.
    resume_wrong: bool,
    /// A banner above the form: why it came back (expired, rate-limited).
    banner: Option<&'static str>,
    /// How many organisations were invited per sector, so partners see how large their group
    /// can be (and a sector padded with invented partners).
    invited: Vec<(String, i64)>,
    /// Who asks, whom to contact and until when (none in a preview).
    asker: Option<Asker>,
}

/// What the form says about the round around its questions.
struct Asker {
    /// Who asks; may be empty in rounds made without a title.
    title: String,
    /// Whom to contact with questions; may be empty.
    contact: String,
    /// "Please answer by …", when the round has a closing date.
    answer_by: Option<String>,
}

/// The statement an identified round `stored`, in the reader's words when it is the one rounds
/// store today; an older wording is shown as it was stored, since partners consent to it.
fn identified_statement(stored: &str, m: &Messages) -> String {
    match stored == IDENTIFIED_CONSENT {
        true => m.identified_statement.to_string(),
        false => stored.to_string(),
    }
}

impl Target {
    /// The form of `round`, posting to `action`, with its words in `m`.
    fn of(round: &Round, action: String, m: &Messages) -> Target {
        let details = &round.details;
        Target {
            action,
            threshold: Some(round.threshold()),
            identified: round
                .identified_consent
                .as_deref()
                .map(|stored| identified_statement(stored, m)),
            asker: Some(Asker {
                title: details.title.clone(),
                contact: details.contact.clone(),
                answer_by: details
                    .closes
                    .map(|c| m.answer_by.replace("{date}", &m.long_date(c.on))),
            }),
            ..Target::default()
        }
    }

    fn invitation(token: &str, round: &Round, m: &Messages) -> Target {
        Target::of(round, format!("/s/{token}"), m)
    }

    fn open(token: &str, round: &Round, form_id: String, m: &Messages) -> Target {
        Target {
            form_id: Some(form_id),
            ..Target::of(round, format!("/o/{token}"), m)
        }
    }

    /// A preview posts nowhere.
    fn preview() -> Target {
        Target {
            preview: true,
            ..Target::default()
        }
    }
}

/// A partner's form in one of its instrument's languages: the instrument's texts and the
/// interface's words around them.
struct Speaking<'i> {
    /// The instrument.
    instrument: &'i Instrument,
    /// Its texts in the language shown.
    texts: &'i Texts,
    /// The interface's words in that language (English where the interface lacks it).
    m: &'static Messages,
}

impl<'i> Speaking<'i> {
    /// `instrument` in the language the reader sees (see [`texts_for`]); `invited` is the
    /// partner's invitation language.
    fn to_reader(instrument: &'i Instrument, invited: Option<&str>) -> Speaking<'i> {
        Speaking::in_texts(instrument, texts_for(instrument, invited))
    }

    /// `instrument` in `texts`.
    fn in_texts(instrument: &'i Instrument, texts: &'i Texts) -> Speaking<'i> {
        Speaking {
            instrument,
            texts,
            m: Messages::for_language(Some(texts.lang())),
        }
    }

    /// `instrument` in the language a posted form is shown in again: the one switched to, else
    /// the one the form was shown in (`shown`), both of which `read` checked the instrument has;
    /// else, for a client that sent neither, the reader's.
    fn posted(
        instrument: &'i Instrument,
        action: &Action,
        shown: Option<&str>,
        invited: Option<&str>,
    ) -> Speaking<'i> {
        let tag = match action {
            Action::Language(tag) => Some(tag.as_str()),
            _ => shown,
        };
        match tag.and_then(|tag| instrument.texts_in(tag)) {
            Some(texts) => Speaking::in_texts(instrument, texts),
            None => Speaking::to_reader(instrument, invited),
        }
    }

    /// How many organisations were invited per sector, each sector as the form names it.
    fn sectors_invited(&self, counts: &[(String, i64)]) -> Vec<(String, i64)> {
        counts
            .iter()
            .map(|(sector, n)| (group_label(self.instrument, self.texts, sector), *n))
            .collect()
    }
}

/// The form page with `status`.
fn form_page(
    status: StatusCode,
    speaking: &Speaking<'_>,
    link: Link,
    answers: &Answers,
    problems: Vec<form::Problem>,
    target: Target,
) -> Response {
    let form = FormView::new(speaking.instrument, speaking.texts, link, answers, problems);
    let title = form.title.clone();
    let mut chrome = Chrome::in_language(speaking.m, &title, ());
    chrome.lang = speaking.texts.lang().to_string();
    html(
        status,
        &FormPage {
            chrome,
            form,
            target,
            consent_label: speaking.m.consent_label,
            numbered: false,
        },
    )
}

/// The form again with its problems listed (422), when `answers` are not complete enough to
/// submit.
fn incomplete(
    speaking: &Speaking<'_>,
    link: Link,
    answers: &Answers,
    target: Target,
) -> Option<Response> {
    let problems = form::problems(
        speaking.instrument,
        speaking.texts,
        link,
        speaking.m,
        answers,
    );
    (!problems.is_empty()).then(|| {
        form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            speaking,
            link,
            answers,
            problems,
            target,
        )
    })
}

/// The form shown again in the language switched to, with what was entered (nothing is
/// stored), and the choice kept for the partner's next pages.
fn switched(
    state: &AppState,
    speaking: &Speaking<'_>,
    link: Link,
    answers: &Answers,
    target: Target,
) -> Response {
    let mut page = form_page(StatusCode::OK, speaking, link, answers, Vec::new(), target);
    if let Ok(cookie) = language::remember(state, speaking.texts.lang()).parse() {
        page.headers_mut().append(header::SET_COOKIE, cookie);
    }
    page
}

/// The resume code in the request's cookie, if it has one of the right shape.
fn resume_cookie(headers: &HeaderMap) -> Option<Code> {
    cookie_value(headers, RESUME_COOKIE).and_then(|value| Code::parse(&value))
}

/// The `Set-Cookie` value that keeps `code` in the browser for the link `token`.
fn resume_cookie_for(state: &AppState, token: &str, code: &Code) -> String {
    let path = format!("/s/{token}");
    site_cookie(state, RESUME_COOKIE, code.as_str(), &path, RESUME_SECONDS)
}

/// The invitation's draft and whether `code` opens it: `None` without a draft.
async fn draft(
    state: &AppState,
    invitation: &Invitation,
    code: Option<&Code>,
) -> Result<Option<(Answers, bool)>, AppError> {
    let Some(draft) = state.store.invitation_response(invitation.id).await? else {
        return Ok(None);
    };
    let opens = match (code, &draft.resume_digest) {
        (Some(code), Some(digest)) => crate::accounts::same_secret(&code.digest(), digest),
        _ => false,
    };
    Ok(Some((draft.answers, opens)))
}

/// `GET /s/{token}`: the form, with the draft if this browser holds its resume secret; without
/// it, an empty form that says a draft exists.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    if invitation.submitted {
        return Ok(Redirect::to(&format!("/s/{token}/thanks")).into_response());
    }
    if !invitation.opened {
        state.store.mark_opened(invitation.id).await?;
    }
    let instrument = round.instrument()?;
    let speaking = Speaking::to_reader(&instrument, invitation.language.as_deref());
    let code = resume_cookie(&headers);
    let mut target = Target::invitation(&token, &round, speaking.m);
    let invited = state.invited.of(state.store.as_ref(), round.id).await?;
    target.invited = speaking.sectors_invited(&invited);
    let answers = match draft(&state, &invitation, code.as_ref()).await? {
        Some((answers, true)) => {
            target.saved = query.as_deref() == Some(SAVED);
            target.resume_code = code.map(|c| c.as_str().to_string());
            answers
        }
        Some((_, false)) => {
            target.draft_elsewhere = true;
            Answers::default()
        }
        None => Answers::default(),
    };
    Ok(form_page(
        StatusCode::OK,
        &speaking,
        invitation_link(&invitation, &instrument),
        &answers,
        Vec::new(),
        target,
    ))
}

/// `POST /s/{token}/resume`: opens the link's draft in this browser with its resume code.
pub async fn resume(
    State(state): State<AppState>,
    Path(token): Path<String>,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    if invitation.submitted {
        return Err(AppError::AlreadySubmitted);
    }
    let typed = match fields.as_slice() {
        [(name, value)] if name == "resume_code" => value,
        _ => return Err(AppError::BadForm(interface().detail_unknown_field)),
    };
    let code = Code::parse(typed);
    match (draft(&state, &invitation, code.as_ref()).await?, code) {
        (Some((_, true)), Some(code)) => {
            let cookie = resume_cookie_for(&state, &token, &code);
            Ok((
                [(header::SET_COOKIE, cookie)],
                Redirect::to(&format!("/s/{token}")),
            )
                .into_response())
        }
        (draft, _) => {
            let instrument = round.instrument()?;
            let speaking = Speaking::to_reader(&instrument, invitation.language.as_deref());
            let mut target = Target::invitation(&token, &round, speaking.m);
            target.draft_elsewhere = draft.is_some();
            target.resume_wrong = true;
            Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &speaking,
                invitation_link(&invitation, &instrument),
                &Answers::default(),
                Vec::new(),
                target,
            ))
        }
    }
}

/// `POST /s/{token}`: save a draft or submit.
pub async fn post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    let instrument = round.instrument()?;
    let link = invitation_link(&invitation, &instrument);
    let Posted {
        action,
        mut answers,
        ..
    } = form::read(&instrument, link, interface(), fields)?;
    let speaking = Speaking::posted(
        &instrument,
        &action,
        answers.language.as_deref(),
        invitation.language.as_deref(),
    );
    answers.language = Some(speaking.texts.lang().to_string());
    let target = Target::invitation(&token, &round, speaking.m);
    if let Action::Language(_) = action {
        return Ok(switched(&state, &speaking, link, &answers, target));
    }
    if action == Action::Save {
        // The browser's secret, kept when it has one, so the code the partner wrote down stays
        // valid; a new one otherwise, which also closes any draft saved elsewhere.
        let code = resume_cookie(&headers).unwrap_or_default();
        state
            .store
            .save_draft(invitation.id, &answers, &code.digest())
            .await?;
        let cookie = resume_cookie_for(&state, &token, &code);
        return Ok((
            [(header::SET_COOKIE, cookie)],
            Redirect::to(&format!("/s/{token}?{SAVED}")),
        )
            .into_response());
    }
    if let Some(page) = incomplete(&speaking, link, &answers, target) {
        return Ok(page);
    }
    let receipt = Code::new();
    state
        .store
        .submit(invitation.id, &answers, &receipt.digest())
        .await?;
    let forget = site_cookie(&state, RESUME_COOKIE, "", &format!("/s/{token}"), 0);
    Ok(submitted(
        &state,
        &format!("/s/{token}/thanks"),
        &receipt,
        Some(forget),
    ))
}

/// The redirect to the thank-you page at `thanks`, which the receipt cookie carries `receipt`
/// to (and `also` another cookie).
fn submitted(state: &AppState, thanks: &str, receipt: &Code, also: Option<String>) -> Response {
    let cookie = site_cookie(
        state,
        RECEIPT_COOKIE,
        receipt.as_str(),
        thanks,
        RECEIPT_SECONDS,
    );
    let mut response = Redirect::to(thanks).into_response();
    for cookie in std::iter::once(cookie).chain(also) {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `GET /preview/{id}`: the form of a loaded instrument (shipped or `--instruments`) exactly as a
/// partner on an open link sees it, for its author; nothing can be submitted.
pub async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let instrument = state.instruments.get(&id).ok_or(AppError::NotFound)?;
    Ok(form_page(
        StatusCode::OK,
        &Speaking::to_reader(instrument, None),
        OPEN_LINK,
        &Answers::default(),
        Vec::new(),
        Target::preview(),
    ))
}

/// `GET /o/{token}`: a fresh open-link form with a new one-time id, signed by the server.
pub async fn show_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    let instrument = round.instrument()?;
    let speaking = Speaking::to_reader(&instrument, None);
    let ids = state.open_links.ids(state.store.as_ref()).await?;
    Ok(form_page(
        StatusCode::OK,
        &speaking,
        OPEN_LINK,
        &Answers::default(),
        Vec::new(),
        Target::open(&token, &round, ids.issue(round.id, unix_now()), speaking.m),
    ))
}

/// `POST /o/{token}`: submit once per form id the server issued. A made-up or altered id stores
/// nothing; a retried POST lands on the thank-you page; an expired id or a client past its
/// budget gets the form back with the answers kept.
pub async fn post_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
    client: Client,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    let instrument = round.instrument()?;
    let Posted {
        action,
        mut answers,
        form_id,
    } = form::read(&instrument, OPEN_LINK, interface(), fields)?;
    // `read` guarantees a form id on the open link.
    let form_id = form_id.ok_or(AppError::BadForm(interface().detail_form_id))?;
    let speaking = Speaking::posted(&instrument, &action, answers.language.as_deref(), None);
    answers.language = Some(speaking.texts.lang().to_string());
    if let Action::Language(_) = action {
        // Before the id is checked or the budget charged: switching uses up neither.
        let target = Target::open(&token, &round, form_id, speaking.m);
        return Ok(switched(&state, &speaking, OPEN_LINK, &answers, target));
    }
    let ids = state.open_links.ids(state.store.as_ref()).await?;
    let again = |status, id: String, banner| {
        let mut target = Target::open(&token, &round, id, speaking.m);
        target.banner = Some(banner);
        form_page(status, &speaking, OPEN_LINK, &answers, Vec::new(), target)
    };
    match ids.check(round.id, &form_id, unix_now()) {
        Ok(()) => {}
        Err(FormIdError::Forged) => return Err(AppError::ForgedForm),
        Err(FormIdError::Expired) => {
            let fresh = ids.issue(round.id, unix_now());
            return Ok(again(
                StatusCode::UNPROCESSABLE_ENTITY,
                fresh,
                speaking.m.form_expired,
            ));
        }
    }
    let target = Target::open(&token, &round, form_id.clone(), speaking.m);
    if let Some(page) = incomplete(&speaking, OPEN_LINK, &answers, target) {
        return Ok(page);
    }
    if !state.open_links.admit(client) {
        return Ok(again(
            StatusCode::TOO_MANY_REQUESTS,
            form_id,
            speaking.m.rate_limited,
        ));
    }
    let receipt = Code::new();
    let thanks = format!("/o/{token}/thanks");
    match state
        .store
        .submit_open(round.id, &form_id, &answers, &receipt.digest())
        .await
    {
        Ok(OpenSubmission::Stored) => Ok(submitted(&state, &thanks, &receipt, None)),
        Ok(OpenSubmission::AlreadyStored) => Ok(Redirect::to(&thanks).into_response()),
        Err(StoreError::OpenCapReached) => Err(AppError::OpenCapReached),
        Err(other) => Err(other.into()),
    }
}

/// `GET /s/{token}/thanks`.
pub async fn thanks(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (invitation, round) = invitation(&state, &token).await?;
    thanks_page(&round, invitation.language.as_deref(), &headers)
}

/// `GET /o/{token}/thanks`.
pub async fn thanks_open(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let round = open_round(&state, &token).await?;
    thanks_page(&round, None, &headers)
}

fn thanks_page(
    round: &Round,
    invited: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let instrument = round.instrument()?;
    let speaking = Speaking::to_reader(&instrument, invited);
    let receipt = cookie_value(headers, RECEIPT_COOKIE)
        .and_then(|value| Code::parse(&value))
        .map(|code| code.as_str().to_string());
    Ok(html(
        StatusCode::OK,
        &ThanksPage {
            chrome: Chrome::in_language(speaking.m, speaking.texts.title(), ()),
            receipt,
        },
    ))
}

/// The query string after a withdrawal.
const WITHDRAWN: &str = "done=1";

/// `GET /withdraw`: the field for a receipt code.
pub async fn withdraw_page(RawQuery(query): RawQuery) -> Response {
    withdraw_form(StatusCode::OK, false, query.as_deref() == Some(WITHDRAWN))
}

fn withdraw_form(status: StatusCode, wrong: bool, done: bool) -> Response {
    html(
        status,
        &WithdrawPage {
            chrome: Chrome::new(interface().withdraw_title, ()),
            wrong,
            done,
        },
    )
}

/// `POST /withdraw`: withdraws the response with the receipt code `receipt`; it leaves the
/// figures at the next release that qualifies, and its answers are erased now.
pub async fn withdraw(
    State(state): State<AppState>,
    FormFields(fields): FormFields,
) -> Result<Response, AppError> {
    let typed = match fields.as_slice() {
        [(name, value)] if name == "receipt" => value,
        _ => return Err(AppError::BadForm(interface().detail_unknown_field)),
    };
    let Some(digest) = Code::parse(typed).map(|code| code.digest()) else {
        return Ok(withdraw_form(StatusCode::UNPROCESSABLE_ENTITY, true, false));
    };
    let round = match state.store.receipt_round(&digest).await? {
        Some(round_id) => state.store.round(round_id).await?,
        None => None,
    };
    let Some(round) = round else {
        return Ok(withdraw_form(StatusCode::UNPROCESSABLE_ENTITY, true, false));
    };
    let erased = erased_values(round.instrument()?.as_ref());
    let removed = state
        .store
        .remove_response(
            round.id,
            Respondent::Receipt(&digest),
            Removal::Withdrawn,
            &erased,
        )
        .await?;
    if !removed {
        return Ok(withdraw_form(StatusCode::UNPROCESSABLE_ENTITY, true, false));
    }
    Ok(Redirect::to(&format!("/withdraw?{WITHDRAWN}")).into_response())
}
