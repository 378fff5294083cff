//! Invitations and reminders by e-mail (issue 15): the messages a round's partners get, and the
//! sender that works through the mail queue.
//!
//! A facilitator's click only queues messages (the store's `queue_invitations` and
//! `queue_reminders`, idempotent by a unique index). Every app server runs [`send_queued`], which
//! claims one due message at a time with a lease, so two servers never send the same message and
//! a server killed mid-send leaves a lease that expires and another server takes over. Each
//! message is written when it is sent, from the invitation as it is then, in the partner's
//! language where a catalogue has it; a reminder for a partner who has since submitted or asked
//! for no more reminders is dropped. Logs name messages and invitations by id only: never an
//! address, never anything a partner answered.

use std::sync::Arc;
use std::time::Duration;

use jiff::civil::Date;

use crate::accounts::unix_now;
use crate::mail::{Mail, MailError, Mailer};
use crate::store::{Store, StoreError};
use crate::survey::mailing::{ClaimedMail, MAX_ATTEMPTS, MailKind, Outcome, Pace};
use crate::web::messages::Messages;

/// How long a claim on a message lasts: well beyond the SMTP client's own timeouts, so a lease
/// only runs out when its server died.
const LEASE_SECONDS: i64 = 10 * 60;

/// What a message says, besides its kind: all from the invitation and its round as they are
/// when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter<'a> {
    /// The partner's address.
    pub to: &'a str,
    /// Who asks: the round's title, else the partnership's name.
    pub asker: &'a str,
    /// The personal link, absolute.
    pub link: &'a str,
    /// The link to the page that stops further reminders, absolute.
    pub stop_link: &'a str,
    /// The round's closing date, if it has one.
    pub closes: Option<Date>,
    /// Whom to contact with questions; may be empty.
    pub contact: &'a str,
}

/// The plain-text message of `kind` written with the catalogue `m`.
pub fn compose(m: &Messages, kind: MailKind, letter: &Letter<'_>) -> Mail {
    let (subject, opening) = match kind {
        MailKind::Invitation => (m.invitation_mail_subject, m.invitation_mail_body),
        MailKind::Reminder => (m.reminder_mail_subject, m.reminder_mail_body),
    };
    let mut body = opening
        .replace("{asker}", letter.asker)
        .replace("{link}", letter.link);
    if let Some(on) = letter.closes {
        body.push('\n');
        body.push_str(&m.mail_closes.replace("{date}", &m.long_date(on)));
        body.push('\n');
    }
    if !letter.contact.is_empty() {
        body.push('\n');
        body.push_str(&m.mail_contact.replace("{contact}", letter.contact));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&m.mail_stop.replace("{link}", letter.stop_link));
    body.push('\n');
    Mail {
        to: letter.to.to_string(),
        subject: subject.replace("{asker}", letter.asker),
        body,
    }
}

/// Sends the queued messages of every round at `pace`, for as long as the server runs.
pub async fn send_queued(store: Arc<dyn Store>, mailer: Arc<Mailer>, pace: Pace) {
    let spacing = pace.spacing();
    // An empty queue is looked at no more than once a second.
    let idle = spacing.max(Duration::from_secs(1));
    loop {
        let wait = match send_next(store.as_ref(), &mailer, pace).await {
            Ok(true) => spacing,
            Ok(false) => idle,
            Err(error) => {
                let error = anyhow::Error::from(error);
                tracing::error!(error = format!("{error:#}"), "the mail queue failed");
                idle
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Claims one due message and sends it, or drops it when it is no longer to be sent: whether
/// there was one.
pub async fn send_next(store: &dyn Store, mailer: &Mailer, pace: Pace) -> Result<bool, StoreError> {
    let now = unix_now();
    let Some(claimed) = store.claim_mail(now, now + LEASE_SECONDS).await? else {
        return Ok(false);
    };
    let outcome = match letter_of(store, &claimed, now).await? {
        None => Outcome::Dropped,
        Some(mail) => match mailer.send(&mail).await {
            Ok(()) => Outcome::Sent,
            Err(error) => judged(&error, &mail.to, claimed.attempts, pace, unix_now()),
        },
    };
    let (message_id, invitation_id, kind) =
        (claimed.id, claimed.invitation_id, claimed.kind.as_str());
    match &outcome {
        Outcome::Sent => tracing::info!(message_id, invitation_id, kind, "message sent"),
        Outcome::Dropped => tracing::info!(message_id, invitation_id, kind, "message dropped"),
        Outcome::Retry { .. } => {
            tracing::warn!(message_id, invitation_id, kind, "message deferred")
        }
        Outcome::Failed { .. } | Outcome::Bounced { .. } => {
            tracing::warn!(message_id, invitation_id, kind, "message not delivered")
        }
    }
    store.record_mail(claimed.id, &outcome, unix_now()).await?;
    Ok(true)
}

/// The message `claimed` stands for, written now; `None` when it is no longer to be sent.
async fn letter_of(
    store: &dyn Store,
    claimed: &ClaimedMail,
    now: i64,
) -> Result<Option<Mail>, StoreError> {
    let Some(invitation) = store.invitation(claimed.invitation_id).await? else {
        return Ok(None);
    };
    let Some(to) = invitation.email.as_deref() else {
        return Ok(None);
    };
    let stopped = claimed.kind == MailKind::Reminder && claimed.reminders_stopped;
    if invitation.submitted || stopped {
        return Ok(None);
    }
    let Some(round) = store.round(invitation.round_id).await? else {
        return Ok(None);
    };
    if !round.is_open() || round.is_due(now) {
        return Ok(None);
    }
    let partnership = store.partnership(round.partnership_id).await?;
    let name = partnership.map(|p| p.name).unwrap_or_default();
    let asker = round.details.asker(&name);
    let base = claimed.base_url.trim_end_matches('/');
    let link = format!("{base}/s/{}", invitation.token);
    let stop_link = format!("{link}/stop");
    let letter = Letter {
        to,
        asker,
        link: &link,
        stop_link: &stop_link,
        closes: round.details.closes.map(|c| c.on),
        contact: &round.details.contact,
    };
    let m = Messages::for_language(invitation.language.as_deref());
    Ok(Some(compose(m, claimed.kind, &letter)))
}

/// What a failed send means for the message: bounced at a permanent refusal, tried again after
/// a temporary one while attempts are left, failed otherwise. The reply is kept without the
/// recipient's address, which servers often repeat in it: an ellipsis stands in its place, as it
/// reads the same in every interface language.
fn judged(error: &MailError, to: &str, attempts: i64, pace: Pace, now: i64) -> Outcome {
    let reply = match error {
        MailError::Send(smtp) => smtp.to_string(),
        other => other.to_string(),
    }
    .replace(to, "…");
    match error {
        MailError::Send(smtp) if smtp.is_permanent() => Outcome::Bounced { error: reply },
        MailError::To(_) => Outcome::Bounced { error: reply },
        MailError::Send(_) if attempts < MAX_ATTEMPTS => Outcome::Retry {
            at: pace.retry_at(attempts, now),
            error: reply,
        },
        _ => Outcome::Failed { error: reply },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::mailing::DEFAULT_MAIL_RATE;
    use crate::web::messages::EN;

    fn letter(closes: Option<Date>, contact: &str) -> Letter<'_> {
        Letter {
            to: "ana@example.org",
            asker: "Riverside Coalition 2026",
            link: "https://survey.example.org/s/abc",
            stop_link: "https://survey.example.org/s/abc/stop",
            closes,
            contact,
        }
    }

    #[test]
    fn a_message_names_who_asks_and_carries_the_personal_and_the_stop_link() {
        let on: Date = "2026-12-11".parse().unwrap();
        let mail = compose(
            &EN,
            MailKind::Invitation,
            &letter(Some(on), "Ana, 555-0100"),
        );
        assert_eq!(mail.to, "ana@example.org");
        assert!(
            mail.subject.contains("Riverside Coalition 2026"),
            "{}",
            mail.subject
        );
        for part in [
            "Riverside Coalition 2026",
            "https://survey.example.org/s/abc\n",
            "https://survey.example.org/s/abc/stop",
            "Friday 11 December 2026",
            "Ana, 555-0100",
        ] {
            assert!(mail.body.contains(part), "`{part}` not in {}", mail.body);
        }
        let reminder = compose(&EN, MailKind::Reminder, &letter(None, ""));
        assert_ne!(reminder.subject, mail.subject);
        for absent in [EN.mail_closes, EN.mail_contact] {
            let words = absent.split('{').next().unwrap();
            assert!(!reminder.body.contains(words), "{}", reminder.body);
        }
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_and_stop_at_the_last_attempt() {
        let pace = Pace::new(DEFAULT_MAIL_RATE);
        assert_eq!(pace.retry_at(1, 1000), 1000 + 300);
        assert_eq!(pace.retry_at(2, 1000), 1000 + 600);
        assert_eq!(pace.retry_at(3, 1000), 1000 + 1200);
        assert_eq!(pace.spacing(), Duration::from_secs(1));
        let refused = MailError::To("not an address".parse::<lettre::Address>().unwrap_err());
        assert!(matches!(
            judged(&refused, "not an address", 1, pace, 0),
            Outcome::Bounced { .. }
        ));
    }

    #[test]
    fn a_kept_reply_leaves_out_the_recipients_address() {
        let pace = Pace::new(DEFAULT_MAIL_RATE);
        let from = MailError::From("ana@example.org is not a mailbox".into());
        match judged(&from, "ana@example.org", MAX_ATTEMPTS, pace, 0) {
            Outcome::Failed { error } => {
                assert!(error.starts_with("`… is not a mailbox`"), "{error}");
                assert!(!error.contains("ana@example.org"), "{error}");
            }
            other => panic!("{other:?}"),
        }
    }
}
