//! The partners page's e-mail section (issue 15): the buttons that queue invitations and
//! reminders, the job's progress, and what each partner got. The messages go out from the mail
//! queue in the background ([`crate::web::mail_queue::send_queued`]); a click only queues them, and a
//! second click queues nothing twice (the store's unique index sees to it).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{base_url, owned_round, see_other};
use crate::accounts::unix_now;
use crate::survey::Round;
use crate::survey::closing::today;
use crate::survey::mailing::{InvitationMail, MailKind, MailStatus};
use crate::web::AppState;
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::session::CheckedForm;

/// What the partners page shows of the round's e-mail.
pub struct MailSection {
    /// Whether this server sends e-mail at all; without it the page says how to set it up.
    pub can_send: bool,
    /// The job's progress, in words.
    pub progress: String,
    /// What each invitation got, in words, by invitation id.
    pub lines: HashMap<i64, String>,
}

/// The e-mail section of `round`'s partners page.
pub async fn section(state: &AppState, round: &Round) -> Result<MailSection, AppError> {
    let progress = state.store.mail_progress(round.id).await?;
    let lines = state
        .store
        .invitation_mail(round.id)
        .await?
        .into_iter()
        .map(|mail| (mail.invitation_id, line(state, &mail)))
        .collect();
    Ok(MailSection {
        can_send: state.mailer.is_some(),
        progress: interface()
            .mailing_progress
            .replace("{queued}", &progress.queued.to_string())
            .replace("{sent}", &progress.sent.to_string())
            .replace("{failed}", &progress.failed.to_string()),
        lines,
    })
}

/// What one invitation got, such as "invited on 2026-11-26; 2 reminders; opted out of
/// reminders". Dates are days in the server's time zone.
fn line(state: &AppState, mail: &InvitationMail) -> String {
    let mut parts = Vec::new();
    if let Some(at) = mail.invited_at {
        let on = today(&state.time_zone, at).to_string();
        parts.push(interface().mail_invited_on.replace("{date}", &on));
    }
    if mail.reminders > 0 {
        let [one, many] = interface().mail_reminders;
        let form = if mail.reminders == 1 { one } else { many };
        parts.push(form.replace("{n}", &mail.reminders.to_string()));
    }
    if let Some((status, error)) = &mail.problem {
        let words = match status {
            MailStatus::Queued => Some(interface().mail_retrying),
            MailStatus::Failed => Some(interface().mail_failed),
            MailStatus::Bounced => Some(interface().mail_bounced),
            MailStatus::Sent => None,
        };
        parts.extend(words.map(|words| words.replace("{error}", error)));
    }
    if mail.reminders_stopped {
        parts.push(interface().mail_opted_out.to_string());
    }
    parts.join("; ")
}

/// `POST /facilitator/rounds/{id}/mail/invitations`: queues the invitations not yet sent.
pub async fn send_invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    queue(&state, &headers, id, &form, MailKind::Invitation).await
}

/// `POST /facilitator/rounds/{id}/mail/reminders`: queues a reminder for every partner who has
/// not submitted nor stopped reminders.
pub async fn send_reminders(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    queue(&state, &headers, id, &form, MailKind::Reminder).await
}

/// Queues the messages of `kind` for round `id` of an open round on a server that sends e-mail,
/// then back to the partners page's e-mail section.
async fn queue(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    form: &CheckedForm,
    kind: MailKind,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(state, &form.signed_in, id).await?;
    if !round.is_open() {
        return Err(AppError::RoundClosed);
    }
    if state.mailer.is_none() {
        return Err(AppError::BadForm(interface().mailing_not_set_up));
    }
    let base = base_url(state, headers);
    let now = unix_now();
    let queued = match kind {
        MailKind::Invitation => state.store.queue_invitations(round.id, &base, now).await?,
        MailKind::Reminder => state.store.queue_reminders(round.id, &base, now).await?,
    };
    tracing::info!(
        round_id = round.id,
        queued,
        kind = kind.as_str(),
        "messages queued"
    );
    Ok(see_other(&format!(
        "/facilitator/rounds/{}/partners#mailing",
        round.id
    )))
}
