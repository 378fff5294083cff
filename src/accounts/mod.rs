//! Facilitator accounts: password hashes, session and CSRF secrets, and the sign-in slowdown.
//!
//! Pure functions only; the store keeps what they produce. Passwords are hashed with argon2id
//! (the argon2 crate's defaults, which follow the OWASP recommendation), and session tokens are
//! kept in the database only as BLAKE2b digests, so a copy of the database lets no one sign in.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

use argon2::Argon2;
use blake2::{Blake2b512, Digest};
use rand::RngCore;

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

/// Failed sign-ins for one e-mail address allowed before each further attempt waits.
pub const FREE_FAILURES: i64 = 3;

/// The longest wait after repeated failures, in seconds.
pub const MAX_LOCKOUT_SECONDS: i64 = 15 * 60;

/// What can go wrong with a new password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short to resist guessing.
    #[error("the password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// The hasher failed (it does not for valid parameters).
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// The argon2id PHC string of `password` with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
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
    Blake2b512::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Seconds the next sign-in for an address must wait after `failures` failures in a row:
/// nothing for the first few, then doubling from 30 seconds up to [`MAX_LOCKOUT_SECONDS`].
pub fn lockout_seconds(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(10) as u32;
    (30i64 << doublings).min(MAX_LOCKOUT_SECONDS)
}

/// Seconds since the Unix epoch, the unit of session expiry and lockouts.
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
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
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
        assert_eq!(lockout_seconds(0), 0);
        assert_eq!(lockout_seconds(FREE_FAILURES - 1), 0);
        assert_eq!(lockout_seconds(FREE_FAILURES), 30);
        assert_eq!(lockout_seconds(FREE_FAILURES + 1), 60);
        assert_eq!(lockout_seconds(FREE_FAILURES + 40), MAX_LOCKOUT_SECONDS);
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
