//! Whether an e-mail address and password sign a facilitator in: the one place that checks a
//! password against the store and applies the sign-in slowdown.
//!
//! An unknown address is checked against a dummy hash, so it takes as long to refuse as a wrong
//! password and the timing tells nothing about who has an account. Every refusal counts towards
//! the address's wait; a success forgets the failures.

use tokio::task::JoinError;

use crate::accounts::{
    Facilitator, dummy_hash, lockout_seconds, normalise_email, unix_now, verify_password,
};
use crate::store::{Store, StoreError};

/// Why a sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The address failed too often in a row and must wait before trying again.
    #[error("sign-ins for this address wait another {minutes} minute(s)")]
    Locked {
        /// The wait left, in whole minutes rounded up.
        minutes: i64,
    },
    /// Unknown address or wrong password; which of the two is not told.
    #[error("wrong e-mail address or password")]
    Wrong,
    /// The store failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// The password check on its blocking thread did not finish.
    #[error("the password check did not finish")]
    Join(#[from] JoinError),
}

/// The facilitator whose address is `email` (compared as [`normalise_email`] makes it), if
/// `password` is theirs and the address is not waiting out earlier failures.
pub async fn authenticate(
    store: &dyn Store,
    email: &str,
    password: &str,
) -> Result<Facilitator, AuthError> {
    let email = normalise_email(email);
    let now = unix_now();
    let locked_until = store.sign_in_locked_until(&email).await?;
    if locked_until > now {
        let minutes = (locked_until - now + 59) / 60;
        return Err(AuthError::Locked { minutes });
    }
    let account = store.facilitator_by_email(&email).await?;
    let hash = account
        .as_ref()
        .map_or(dummy_hash(), |(_, hash)| hash.as_str())
        .to_owned();
    let password = password.to_owned();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await?;
    match account {
        Some((facilitator, _)) if matches => {
            store.clear_sign_in_failures(&email).await?;
            Ok(facilitator)
        }
        _ => {
            store
                .record_sign_in_failure(&email, now, lockout_seconds)
                .await?;
            Err(AuthError::Wrong)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{FREE_FAILURES, hash_password};

    const PASSWORD: &str = "correct horse battery";

    async fn attempt(store: &dyn Store, password: &str) -> Result<Facilitator, AuthError> {
        authenticate(store, " Ana@Example.org ", password).await
    }

    #[tokio::test]
    async fn authenticate_accepts_the_password_forgets_failures_and_makes_repeated_failures_wait() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
        let store = crate::store::open(&url).await.expect("a fresh store");
        let hash = hash_password(PASSWORD).expect("a valid password");
        store
            .create_facilitator("ana@example.org", &hash, false)
            .await
            .expect("a new facilitator");
        let store = store.as_ref();

        let unknown = authenticate(store, "nobody@example.org", PASSWORD).await;
        assert!(matches!(unknown, Err(AuthError::Wrong)), "{unknown:?}");
        for _ in 0..2 {
            for _ in 1..FREE_FAILURES {
                assert!(matches!(
                    attempt(store, "wrong").await,
                    Err(AuthError::Wrong)
                ));
            }
            let facilitator = attempt(store, PASSWORD).await.expect("the right password");
            assert_eq!(facilitator.email, "ana@example.org");
        }
        for _ in 0..FREE_FAILURES {
            assert!(matches!(
                attempt(store, "wrong").await,
                Err(AuthError::Wrong)
            ));
        }
        let locked = attempt(store, PASSWORD).await;
        assert!(
            matches!(locked, Err(AuthError::Locked { minutes: 1 })),
            "{locked:?}"
        );
    }
}
