//! Facilitator accounts: password hashes, session and CSRF secrets, and the sign-in slowdown.
//!
//! Pure functions only; the store keeps what they produce. Passwords are hashed with argon2id
//! (the argon2 crate's defaults, which follow the OWASP recommendation), and session tokens are
//! kept in the database only as BLAKE2b digests, so a copy of the database lets no one sign in.
//!
//! The slowdown counts failed sign-ins twice: against the e-mail address they name and against
//! the client address they come from ([`ThrottleKey`]). Counts decay ([`Failures`]) and a wait
//! only ever delays the next check ([`Throttle`]): the e-mail's wait is short, so guessing from
//! many addresses can delay its owner by a minute at most, while one client that keeps failing
//! waits up to a quarter of an hour. A browser that signed in as the owner before carries a
//! device cookie ([`DeviceCookies`]) and is not held up by failures others caused at all. Nobody
//! is ever locked out until someone intervenes.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use argon2::Argon2;
use blake2::digest::{KeyInit, Mac};
use blake2::{Blake2b512, Blake2bMac512, Digest};
use rand::{Rng, RngCore};

/// A facilitator account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facilitator {
    /// Database id.
    pub id: i64,
    /// Sign-in e-mail address, lowercase.
    pub email: String,
    /// Administrators see every partnership.
    pub is_admin: bool,
}

/// A facilitator account as the administrators' page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The facilitator.
    pub facilitator: Facilitator,
    /// When the account was created (RFC 3339).
    pub created_at: String,
}

impl Account {
    /// The day the account was created (`YYYY-MM-DD`), as the list shows it.
    pub fn created_on(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }
}

/// A signed-in facilitator's session, found by its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who is signed in.
    pub facilitator: Facilitator,
    /// The synchronizer token state-changing forms must carry.
    pub csrf_token: String,
}

/// Shortest password `facilitator add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// How long a session lasts after signing in, in seconds (12 hours: one working day).
pub const SESSION_SECONDS: i64 = 12 * 60 * 60;

/// The most sessions a facilitator keeps: signing in once more ends the oldest.
pub const MAX_SESSIONS: i64 = 5;

/// How long an e-mailed password reset link works.
pub const RESET_LIFETIME_SECONDS: i64 = 60 * 60;

/// How long after one reset link no other is sent to the same account, so the form cannot be
/// used to flood someone's inbox.
pub const RESET_RESEND_SECONDS: i64 = 5 * 60;

/// The longest e-mail address a sign-in accepts, in bytes (RFC 5321's limit for a forward path,
/// less its angle brackets). A longer one is refused before anything is stored.
pub const MAX_EMAIL_BYTES: usize = 254;

/// The longest password a sign-in checks, in bytes; a longer one is refused unchecked. Far more
/// than any passphrase, and it keeps a request from making the hasher read megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Failed sign-ins count for less as time passes: a count halves for every full window of this
/// many seconds without a failure.
pub const DECAY_SECONDS: i64 = 15 * 60;

/// The highest count kept: every wait has reached its longest well before it, and from it a
/// count decays to nothing in five windows.
pub const MAX_COUNTED: i64 = 16;

/// A count whose last failure is older than this (in seconds) has decayed to nothing and its
/// wait is over, so the store may forget it.
pub const FORGET_FAILURES_AFTER: i64 = 2 * 60 * 60;

/// How failed sign-ins against one e-mail address slow further sign-ins for it, whatever client
/// address they come from. Short, so that an attacker failing from many addresses cannot keep
/// the owner out for longer than a minute at a time: a wait is only a wait, and once it has
/// passed the next attempt is checked.
pub const EMAIL_THROTTLE: Throttle = Throttle {
    free_failures: 3,
    first_wait: 10,
    longest_wait: 60,
};

/// How failed sign-ins from a browser that holds a device cookie ([`DeviceCookies`]) for the
/// address it names slow further sign-ins from that browser. Such a browser signed in as that
/// facilitator before, so the e-mail address's wait, which strangers can cause, does not apply
/// to it; a stolen cookie still guesses no faster than one client.
pub const DEVICE_THROTTLE: Throttle = Throttle {
    free_failures: 5,
    first_wait: 30,
    longest_wait: 15 * 60,
};

/// How failed sign-ins from one client address (an IPv4 address, or an IPv6 /64 network) slow
/// further sign-ins from it, whichever e-mail addresses they name. Longer: one client that keeps
/// failing is a guesser, and only it waits.
pub const CLIENT_THROTTLE: Throttle = Throttle {
    free_failures: 5,
    first_wait: 30,
    longest_wait: 15 * 60,
};

/// What can go wrong with a new password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short to resist guessing.
    #[error("the password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Longer than a sign-in accepts.
    #[error("the password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    /// The hasher failed (it does not for valid parameters).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    let salt = fresh_salt()?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// 128 random bits from the thread's CSPRNG, as a PHC salt.
fn fresh_salt() -> Result<SaltString, PasswordError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    SaltString::encode_b64(&bytes).map_err(|e| PasswordError::Hash(e.to_string()))
}

/// The characters of a [`generated_password`]: letters and digits that are hard to mistake for
/// one another when read out or copied by hand (no `i`, `l`, `o`, `0`, `1`).
const PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A fresh password for an account an administrator creates on the web: 20 characters drawn
/// uniformly from [`PASSWORD_ALPHABET`] by the thread's CSPRNG (about 99 bits), in groups of four
/// joined by `-` so it is easy to pass on. It is shown once and never stored in clear.
pub fn generated_password() -> String {
    let mut rng = rand::rng();
    (0..5)
        .map(|_| {
            (0..4)
                .map(|_| {
                    char::from(PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())])
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether `password` matches the stored PHC string; a malformed hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the e-mail is unknown, so an unknown address takes as long to
/// refuse as a wrong password and the timing tells nothing about who has an account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        // Hashing fails only for invalid parameters; the defaults are valid. An empty hash
        // would still refuse every password, only faster.
        hash_password("no account has this password").unwrap_or_default()
    });
    &DUMMY
}

/// E-mail addresses compare case-insensitively and without surrounding blanks.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` looks like an address (one `@` with text on both sides, no blanks).
pub fn is_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The digest under which a session token is stored (hex BLAKE2b-512).
pub fn token_digest(token: &str) -> String {
    hex(&Blake2b512::digest(token.as_bytes()))
}

/// The signature of `parts` (in order, as one message) under `key` (1 to 64 bytes, the BLAKE2b
/// key size): the first 128 bits of their keyed BLAKE2b-512, as hex. Open-link form ids and
/// device cookies are signed with it.
pub fn keyed_mac(key: &[u8], parts: &[&[u8]]) -> String {
    // Callers keep only keys of a length BLAKE2b takes.
    let mut mac = <Blake2bMac512 as KeyInit>::new_from_slice(key).expect("a key of 1 to 64 bytes");
    for part in parts {
        mac.update(part);
    }
    hex(&mac.finalize().into_bytes()[..16])
}

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` is lowercase hex, as [`hex`] writes it (and not empty).
pub fn is_lower_hex(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An e-mail address as a sign-in form may name it: normalised ([`normalise_email`]), shaped
/// like an address ([`is_email`]) and at most [`MAX_EMAIL_BYTES`] long. Only such an address is
/// ever looked up or stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInEmail(String);

impl SignInEmail {
    /// The address typed into the form, if it can be one.
    pub fn parse(typed: &str) -> Option<SignInEmail> {
        let email = normalise_email(typed);
        (email.len() <= MAX_EMAIL_BYTES && is_email(&email)).then_some(SignInEmail(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a count of failed sign-ins is kept for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThrottleKey {
    /// Failures naming this e-mail address, from any client address (except browsers with a
    /// device cookie for it).
    Email(SignInEmail),
    /// Failures from this client address ([`client_key`]), naming any e-mail address.
    Client(String),
    /// Failures from the browser holding the device cookie with this id, naming its address.
    Device(DeviceId),
}

impl ThrottleKey {
    /// The key of the failures from client address `ip`.
    pub fn client(ip: IpAddr) -> ThrottleKey {
        ThrottleKey::Client(client_key(ip))
    }

    /// The kind of count, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            ThrottleKey::Email(_) => "email",
            ThrottleKey::Client(_) => "client",
            ThrottleKey::Device(_) => "device",
        }
    }

    /// The address counted, as stored.
    pub fn subject(&self) -> &str {
        match self {
            ThrottleKey::Email(email) => email.as_str(),
            ThrottleKey::Client(client) => client,
            ThrottleKey::Device(device) => &device.0,
        }
    }

    /// The rules its count follows.
    pub fn throttle(&self) -> &'static Throttle {
        match self {
            ThrottleKey::Email(_) => &EMAIL_THROTTLE,
            ThrottleKey::Client(_) => &CLIENT_THROTTLE,
            ThrottleKey::Device(_) => &DEVICE_THROTTLE,
        }
    }
}

/// How long a device cookie lasts, in seconds (a year; each sign-in issues a new one).
pub const DEVICE_COOKIE_SECONDS: i64 = 365 * 24 * 60 * 60;

/// The id of a device cookie: 32 lowercase hex digits, as the cookie carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceId(String);

/// Device cookies (OWASP's defence against lock-out by strangers): a browser that signs in
/// successfully receives `<id>.<mac>`, a random id signed with a key every app server shares and
/// bound to the e-mail address it signed in with. A sign-in for that address from a browser
/// presenting it is counted against the cookie ([`DEVICE_THROTTLE`]) instead of the address, so
/// failures by others, from anywhere, never make the owner's own browser wait. Nobody can make one
/// up without the key, and one is worth nothing for another address.
pub struct DeviceCookies {
    key: Vec<u8>,
}

impl DeviceCookies {
    /// Device cookies signed with `key` (1 to 64 bytes, the BLAKE2b key size); `None` otherwise.
    pub fn new(key: Vec<u8>) -> Option<DeviceCookies> {
        (1..=64)
            .contains(&key.len())
            .then_some(DeviceCookies { key })
    }

    fn mac(&self, email: &SignInEmail, id: &str) -> String {
        let parts: [&[u8]; 4] = [
            b"partnerscope device cookie\0",
            email.as_str().as_bytes(),
            b"\0",
            id.as_bytes(),
        ];
        keyed_mac(&self.key, &parts)
    }

    /// A fresh cookie value for a browser that just signed in as `email`.
    pub fn issue(&self, email: &SignInEmail) -> String {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let id = hex(&bytes);
        let mac = self.mac(email, &id);
        format!("{id}.{mac}")
    }

    /// The id of `cookie` if this server's key signed it for `email`.
    pub fn check(&self, email: &SignInEmail, cookie: &str) -> Option<DeviceId> {
        let lower_hex = |s: &str| s.len() == 32 && is_lower_hex(s);
        let (id, mac) = cookie.split_once('.')?;
        (lower_hex(id) && lower_hex(mac) && same_secret(mac, &self.mac(email, id)))
            .then(|| DeviceId(id.to_string()))
    }
}

/// The client address failures are counted under: an IPv4 address as it is (also when it comes
/// mapped into IPv6), an IPv6 address by its /64 network, since one subscriber commonly holds a
/// whole /64 and could otherwise fail from a fresh address every time.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

/// Failed sign-ins counted against one [`ThrottleKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// The count as of the last failure, decay included.
    pub count: i64,
    /// When the last failure was, in Unix seconds.
    pub last: i64,
}

impl Failures {
    /// The count at `now`: halved for every full [`DECAY_SECONDS`] since the last failure, so
    /// failures spread thinly over time never add up (a clock that went back decays nothing).
    pub fn count_at(self, now: i64) -> i64 {
        let windows = (now - self.last).max(0) / DECAY_SECONDS;
        if windows >= 63 {
            0
        } else {
            self.count >> windows
        }
    }

    /// The count after one more failure at `now`, on top of `previous` (if any) decayed to `now`.
    pub fn after(previous: Option<Failures>, now: i64) -> Failures {
        let count = previous.map_or(0, |failures| failures.count_at(now));
        Failures {
            count: (count + 1).min(MAX_COUNTED),
            last: now,
        }
    }
}

/// How a count of failures slows further sign-ins: the first `free_failures` cost nothing, then
/// each one makes the next attempt wait, from `first_wait` seconds doubling up to
/// `longest_wait`. The wait runs from the last failure; attempts refused while it runs are not
/// failures and do not lengthen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in a row that make no one wait.
    pub free_failures: i64,
    /// The wait after the first failure beyond the free ones, in seconds.
    pub first_wait: i64,
    /// The longest wait, in seconds.
    pub longest_wait: i64,
}

impl Throttle {
    /// Seconds the next attempt waits after `count` failures.
    pub fn delay(&self, count: i64) -> i64 {
        if count <= self.free_failures {
            return 0;
        }
        let doublings = (count - self.free_failures - 1).min(20) as u32;
        (self.first_wait << doublings).min(self.longest_wait)
    }

    /// Seconds an attempt at `now` still waits after `failures` (none: 0). Never more than the
    /// delay itself, even if the clock went back.
    pub fn wait(&self, failures: Option<Failures>, now: i64) -> i64 {
        failures.map_or(0, |failures| {
            let delay = self.delay(failures.count);
            (failures.last + delay - now).clamp(0, delay)
        })
    }
}

/// Seconds since the Unix epoch, the unit of session expiry and sign-in waits.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert!(!verify_password("anything at all", dummy_hash()));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "a fresh salt every time");
    }

    #[test]
    fn generated_passwords_are_four_letter_groups_of_the_unambiguous_alphabet_and_differ() {
        let passwords: Vec<String> = (0..50).map(|_| generated_password()).collect();
        for password in &passwords {
            let groups: Vec<&str> = password.split('-').collect();
            assert_eq!(groups.len(), 5, "{password}");
            for group in groups {
                assert_eq!(group.len(), 4, "{password}");
                assert!(group.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
            }
            assert!(password.chars().count() >= MIN_PASSWORD_CHARS);
        }
        let distinct: std::collections::BTreeSet<&String> = passwords.iter().collect();
        assert_eq!(distinct.len(), passwords.len());
        let used: std::collections::BTreeSet<char> = passwords.concat().chars().collect();
        assert!(used.len() > 20, "draws from the whole alphabet: {used:?}");
        assert!(!used.iter().any(|c| "ilo01".contains(*c)));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
        assert!(hash_password(&"x".repeat(MAX_PASSWORD_BYTES)).is_ok());
        assert!(matches!(
            hash_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)),
            Err(PasswordError::TooLong)
        ));
    }

    #[test]
    fn emails_are_compared_lowercase_and_checked_for_shape() {
        assert_eq!(normalise_email("  Ana@Example.ORG "), "ana@example.org");
        assert!(is_email("ana@example.org"));
        assert!(!is_email("ana"));
        assert!(!is_email("@example.org"));
        assert!(!is_email("ana@"));
        assert!(!is_email("a na@example.org"));
        assert!(!is_email("a@b@c"));
    }

    #[test]
    fn the_wait_grows_after_the_free_failures_and_is_capped() {
        let email = EMAIL_THROTTLE;
        assert_eq!(email.delay(0), 0);
        assert_eq!(email.delay(email.free_failures), 0);
        assert_eq!(email.delay(email.free_failures + 1), 10);
        assert_eq!(email.delay(email.free_failures + 2), 20);
        assert_eq!(email.delay(email.free_failures + 3), 40);
        assert_eq!(email.delay(email.free_failures + 4), 60);
        assert_eq!(email.delay(MAX_COUNTED), 60);
        let client = CLIENT_THROTTLE;
        assert_eq!(client.delay(client.free_failures), 0);
        assert_eq!(client.delay(client.free_failures + 1), 30);
        assert_eq!(client.delay(client.free_failures + 2), 60);
        assert_eq!(client.delay(MAX_COUNTED), 15 * 60);
        assert_eq!(client.delay(i64::MAX), 15 * 60);
    }

    #[test]
    fn a_wait_runs_from_the_last_failure_and_then_is_over() {
        let failures = Some(Failures {
            count: EMAIL_THROTTLE.free_failures + 1,
            last: 1_000,
        });
        assert_eq!(EMAIL_THROTTLE.wait(None, 1_000), 0);
        assert_eq!(EMAIL_THROTTLE.wait(failures, 1_000), 10);
        assert_eq!(EMAIL_THROTTLE.wait(failures, 1_007), 3);
        assert_eq!(
            EMAIL_THROTTLE.wait(failures, 1_010),
            0,
            "and then it is over"
        );
        assert_eq!(
            EMAIL_THROTTLE.wait(failures, 0),
            10,
            "a clock that went back waits no longer than the delay"
        );
    }

    #[test]
    fn counts_halve_for_every_quiet_window_and_stop_at_the_cap() {
        let first = Failures::after(None, 0);
        assert_eq!(first, Failures { count: 1, last: 0 });
        let eight = Failures { count: 8, last: 0 };
        assert_eq!(eight.count_at(DECAY_SECONDS - 1), 8);
        assert_eq!(eight.count_at(DECAY_SECONDS), 4);
        assert_eq!(eight.count_at(3 * DECAY_SECONDS), 1);
        assert_eq!(eight.count_at(i64::MAX), 0);
        assert_eq!(eight.count_at(-DECAY_SECONDS), 8, "a clock that went back");
        assert_eq!(Failures::after(Some(eight), DECAY_SECONDS).count, 5);
        let mut failures = None;
        for _ in 0..100 {
            failures = Some(Failures::after(failures, 0));
        }
        assert_eq!(failures.map(|f| f.count), Some(MAX_COUNTED));
    }

    #[test]
    fn one_failure_every_window_forever_never_makes_anyone_wait() {
        let mut failures = None;
        for attempt in 0..10_000 {
            failures = Some(Failures::after(failures, attempt * DECAY_SECONDS));
            assert!(failures.unwrap().count <= 2);
            assert_eq!(
                EMAIL_THROTTLE.wait(failures, attempt * DECAY_SECONDS + 1),
                0
            );
        }
    }

    #[test]
    fn a_forgotten_count_had_decayed_to_nothing_and_ended_its_wait() {
        let worst = Failures {
            count: MAX_COUNTED,
            last: 0,
        };
        assert_eq!(worst.count_at(FORGET_FAILURES_AFTER), 0);
        for throttle in [EMAIL_THROTTLE, CLIENT_THROTTLE] {
            assert_eq!(throttle.wait(Some(worst), FORGET_FAILURES_AFTER), 0);
            assert!(throttle.longest_wait <= DECAY_SECONDS);
            assert_eq!(throttle.delay(MAX_COUNTED), throttle.longest_wait);
        }
    }

    #[test]
    fn a_device_cookie_is_good_only_for_its_address_and_its_key() {
        let cookies = DeviceCookies::new(vec![7; 32]).unwrap();
        let ana = SignInEmail::parse("ana@example.org").unwrap();
        let ben = SignInEmail::parse("ben@example.org").unwrap();
        let cookie = cookies.issue(&ana);
        let id = cookies.check(&ana, &cookie).expect("its own cookie");
        assert_eq!(ThrottleKey::Device(id.clone()).subject(), &cookie[..32]);
        assert_eq!(ThrottleKey::Device(id).throttle(), &DEVICE_THROTTLE);
        assert_ne!(cookies.issue(&ana), cookie, "a fresh id every time");
        assert_eq!(cookies.check(&ben, &cookie), None, "another address");
        let other_key = DeviceCookies::new(vec![8; 32]).unwrap();
        assert_eq!(other_key.check(&ana, &cookie), None, "another key");
        let mut altered = cookie.clone().into_bytes();
        altered[0] = if altered[0] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            cookies.check(&ana, &String::from_utf8(altered).unwrap()),
            None
        );
        assert_eq!(cookies.check(&ana, &cookie.to_uppercase()), None);
        assert_eq!(cookies.check(&ana, ""), None);
        assert_eq!(cookies.check(&ana, &"a".repeat(60_000)), None);
        assert!(DeviceCookies::new(Vec::new()).is_none());
        assert!(DeviceCookies::new(vec![0; 65]).is_none());
    }

    #[test]
    fn sign_in_addresses_are_normalised_and_bounded() {
        let email = SignInEmail::parse(" Ana@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "ana@example.org");
        assert!(SignInEmail::parse("ana").is_none());
        let longest = format!("{}@example.org", "a".repeat(MAX_EMAIL_BYTES - 12));
        assert!(SignInEmail::parse(&longest).is_some());
        assert!(SignInEmail::parse(&format!("a{longest}")).is_none());
        assert!(SignInEmail::parse(&format!("{}@example.org", "a".repeat(60_000))).is_none());
    }

    #[test]
    fn client_addresses_are_counted_by_ipv4_address_or_ipv6_network() {
        let key = |ip: &str| client_key(ip.parse().unwrap());
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2::9"), key("2001:db8:1:2:ffff::1"));
        assert_ne!(key("2001:db8:1:2::9"), key("2001:db8:1:3::9"));
        let client = ThrottleKey::client("192.0.2.7".parse().unwrap());
        assert_eq!((client.kind(), client.subject()), ("client", "192.0.2.7"));
        assert_eq!(client.throttle(), &CLIENT_THROTTLE);
        let email = ThrottleKey::Email(SignInEmail::parse("ana@example.org").unwrap());
        assert_eq!(
            (email.kind(), email.subject()),
            ("email", "ana@example.org")
        );
        assert_eq!(email.throttle(), &EMAIL_THROTTLE);
    }

    #[test]
    fn secrets_compare_equal_only_when_identical() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(token_digest("x").len(), 128);
        assert_ne!(token_digest("x"), token_digest("y"));
    }
}
