//! A real SMTP server on loopback for the tests: it speaks enough of RFC 5321 for a client
//! that sends plain text (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts every message and
//! keeps it, so a test can read what the server sent, to whom, and follow its links. It can also
//! refuse given recipients for good (550) or once for now (451), as real servers do.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients.
    pub to: Vec<String>,
    /// The message: headers and body, as sent (dot-stuffing undone).
    pub data: String,
}

impl Received {
    /// The body as a mail program shows it: quoted-printable decoded when the message says
    /// it is.
    pub fn body(&self) -> String {
        let (head, body) = self.data.split_once("\n\n").unwrap_or(("", &self.data));
        if !head.contains("Content-Transfer-Encoding: quoted-printable") {
            return body.to_string();
        }
        let joined = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let mut rest = joined.as_bytes();
        while let Some((&byte, tail)) = rest.split_first() {
            let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
            match (byte, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                (b'=', Some(decoded)) => {
                    bytes.push(decoded);
                    rest = &tail[2..];
                }
                _ => {
                    bytes.push(byte);
                    rest = tail;
                }
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    /// The first `http` link in the body.
    pub fn link(&self) -> Option<String> {
        let body = self.body();
        let start = body.find("http")?;
        let end = body[start..]
            .find(char::is_whitespace)
            .map_or(body.len(), |n| start + n);
        Some(body[start..end].to_string())
    }
}

/// The SMTP server: its URL for `--smtp-url`, and what it received.
pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    recipients: Arc<Recipients>,
}

/// Which recipients the server refuses, and every recipient it was asked to take.
#[derive(Default)]
struct Recipients {
    /// Refused for good: `550`.
    refused: HashSet<String>,
    /// Refused once for now (`451`), then taken.
    deferred: Mutex<HashSet<String>>,
    /// Every `RCPT TO` address, in order.
    asked: Mutex<Vec<String>>,
}

/// The reply to a refused recipient.
pub const REFUSED_REPLY: &str = "550 5.1.1 mailbox unavailable";

impl SmtpSink {
    /// Starts it on a free port; it serves until the test's runtime ends.
    pub async fn start() -> SmtpSink {
        SmtpSink::refusing(&[], &[]).await
    }

    /// Starts it refusing `refused` for good and `deferred` once.
    pub async fn refusing(refused: &[&str], deferred: &[&str]) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let recipients = Arc::new(Recipients {
            refused: refused.iter().map(|a| a.to_string()).collect(),
            deferred: Mutex::new(deferred.iter().map(|a| a.to_string()).collect()),
            asked: Mutex::default(),
        });
        let kept = Arc::clone(&received);
        let rules = Arc::clone(&recipients);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, Arc::clone(&kept), Arc::clone(&rules)));
            }
        });
        SmtpSink {
            url,
            received,
            recipients,
        }
    }

    /// How many times a client offered a message to `address`.
    pub fn attempts(&self, address: &str) -> usize {
        let asked = self.recipients.asked.lock().unwrap();
        asked.iter().filter(|a| *a == address).count()
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until `n` messages have arrived, and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{n} messages expected, {} arrived", self.received().len());
    }
}

/// One client's conversation.
async fn session(
    stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    recipients: Arc<Recipients>,
) {
    let (reader, mut writer) = stream.into_split();
    let mut lines = BufReader::new(reader).lines();
    let reply = |text: &str| format!("{text}\r\n");
    if writer
        .write_all(reply("220 sink ESMTP").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 sink".to_string(),
            "MAIL" => {
                to.clear();
                "250 OK".to_string()
            }
            "RCPT" => {
                let address = line
                    .split(['<', '>'])
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                recipients.asked.lock().unwrap().push(address.clone());
                if recipients.refused.contains(&address) {
                    REFUSED_REPLY.to_string()
                } else if recipients.deferred.lock().unwrap().remove(&address) {
                    "451 4.7.1 greylisted, try again later".to_string()
                } else {
                    to.push(address);
                    "250 OK".to_string()
                }
            }
            "DATA" => {
                if writer
                    .write_all(reply("354 go on").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if line == "." {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push('\n');
                }
                received.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 kept".to_string()
            }
            "QUIT" => {
                let _ = writer.write_all(reply("221 bye").as_bytes()).await;
                return;
            }
            _ => "250 OK".to_string(),
        };
        if writer.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
