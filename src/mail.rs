//! E-mail over SMTP: the server's one way to reach a person outside the browser (a forgotten
//! password's reset link). Configured with `--smtp-url` and `--mail-from`; without them the
//! server sends nothing and the pages offer what works without e-mail.
//!
//! Messages are plain text, one recipient each, and carry nothing a partner answered.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Why mail cannot be configured or sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL does not parse (`smtp://`, `smtps://`, with optional user and password).
    #[error(
        "the SMTP URL is not one lettre reads (smtp://host:port or smtps://user:password@host)"
    )]
    Url(#[source] lettre::transport::smtp::Error),
    /// The sender address does not parse.
    #[error("`{0}` is not a sender address (such as \"Partnership <survey@example.org>\")")]
    From(String),
    /// The recipient address does not parse.
    #[error("the recipient is not an e-mail address")]
    To(#[source] lettre::address::AddressError),
    /// The message cannot be built.
    #[error("the message cannot be built")]
    Build(#[source] lettre::error::Error),
    /// The SMTP server refused the message or could not be reached.
    #[error("the SMTP server did not take the message")]
    Send(#[source] lettre::transport::smtp::Error),
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// Sends mail through one SMTP server as one sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the transport: its URL may hold the SMTP password.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer sending through the server at `url` as `from`.
    pub fn new(url: &str, from: &str) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(MailError::Url)?
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MailError::From(from.to_string()))?;
        Ok(Mailer { transport, from })
    }

    /// Sends `mail`; done once the SMTP server has taken it.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail.to.parse().map_err(MailError::To)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(MailError::Build)?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(MailError::Send)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_or_sender_is_refused_with_what_is_expected() {
        let url = Mailer::new("http://example.org", "survey@example.org").unwrap_err();
        assert!(url.to_string().contains("smtp://host:port"), "{url}");
        let from = Mailer::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert!(from.to_string().contains("`not an address`"), "{from}");
        assert!(Mailer::new("smtp://127.0.0.1:2525", "Riverside <survey@example.org>").is_ok());
    }
}
