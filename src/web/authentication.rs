//! Whether an e-mail address and password sign a facilitator in: the one place that checks a
//! password against the store, applies the sign-in slowdown, bounds the password hashing and
//! issues device cookies.
//!
//! An attempt is checked in this order, and each step refuses without doing the next:
//! the e-mail address and password must be of a shape and size a sign-in can have (nothing is
//! stored otherwise); the e-mail address (or, from a browser with a device cookie for it, that
//! cookie) and the client address must not be waiting out earlier failures
//! ([`crate::accounts::Throttle`]); a password checker must be free at once ([`Hashers`]); then
//! the password is checked. An unknown address is checked against a dummy hash, so it takes as
//! long to refuse as a wrong password and the timing tells nothing about who has an account.
//! Every refusal after a check counts against the addresses (or cookie) checked; a success
//! forgets their counts and the e-mail address's.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore, oneshot};

use crate::accounts::{
    DeviceCookies, Facilitator, MAX_PASSWORD_BYTES, SignInEmail, ThrottleKey, dummy_hash,
    verify_password,
};
use crate::store::{Store, StoreError};
use crate::survey::secrets::{new_form_key, read_form_key};

/// The name of the device-cookie key among the database's secrets.
pub const DEVICE_KEY: &str = "device-cookie-key";

/// Why a sign-in did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The e-mail address (or device cookie) or the client address failed too often lately and
    /// must wait before trying again; nothing was checked.
    #[error("sign-ins wait another {seconds} second(s)")]
    Locked {
        /// The wait left, in seconds.
        seconds: i64,
    },
    /// Unknown address or wrong password; which of the two is not told.
    #[error("wrong e-mail address or password")]
    Wrong,
    /// Every password checker is busy; nothing was checked or counted.
    #[error("every password checker is busy")]
    Busy,
    /// The store failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// The device-cookie key stored in the database does not read back.
    #[error("the stored device-cookie key is damaged")]
    DamagedKey,
}

/// One sign-in attempt, as the form and the connection give it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The e-mail address as typed.
    pub email: &'a str,
    /// The password as typed.
    pub password: &'a str,
    /// The client address (see [`crate::web::open_links::Client`]); `None` when unknown.
    pub client: Option<IpAddr>,
    /// The browser's device cookie, if it sent one.
    pub device: Option<&'a str>,
}

/// A successful sign-in.
#[derive(Debug)]
pub struct Authenticated {
    /// Who signed in.
    pub facilitator: Facilitator,
    /// A fresh device cookie value for the browser that signed in.
    pub device_cookie: String,
}

/// What one server keeps for checking sign-ins: its password checkers and, once read from the
/// database, the device-cookie key every server shares.
pub struct SignIns {
    hashers: Hashers,
    devices: OnceCell<DeviceCookies>,
}

impl SignIns {
    /// Sign-ins checked by `checkers` password checkers (at least one).
    pub fn new(checkers: usize) -> SignIns {
        SignIns {
            hashers: Hashers::new(checkers),
            devices: OnceCell::new(),
        }
    }

    /// The password checkers.
    pub fn hashers(&self) -> &Hashers {
        &self.hashers
    }

    /// The device cookies signed with the database's key, made on first use.
    async fn devices(&self, store: &dyn Store) -> Result<&DeviceCookies, AuthError> {
        self.devices
            .get_or_try_init(|| async {
                let hex = store.secret(DEVICE_KEY, &new_form_key()).await?;
                read_form_key(&hex)
                    .and_then(DeviceCookies::new)
                    .ok_or(AuthError::DamagedKey)
            })
            .await
    }
}

impl Default for SignIns {
    /// One password checker per core the process may use.
    fn default() -> Self {
        SignIns::new(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }
}

/// The facilitator `attempt` names, if its password is theirs and neither its e-mail address
/// (or its device cookie) nor its client address is waiting out earlier failures at `now` (Unix
/// seconds).
pub async fn authenticate(
    store: &dyn Store,
    sign_ins: &SignIns,
    attempt: &Attempt<'_>,
    now: i64,
) -> Result<Authenticated, AuthError> {
    // No account has such an address or password: refused before anything is read or stored.
    let email = SignInEmail::parse(attempt.email).ok_or(AuthError::Wrong)?;
    if attempt.password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::Wrong);
    }
    let device = match attempt.device {
        Some(cookie) => sign_ins.devices(store).await?.check(&email, cookie),
        None => None,
    };
    let from_device = device.is_some();
    let mut keys =
        vec![device.map_or_else(|| ThrottleKey::Email(email.clone()), ThrottleKey::Device)];
    keys.extend(attempt.client.map(ThrottleKey::client));
    let counted = store.sign_in_failures(&keys).await?;
    let seconds = keys
        .iter()
        .zip(counted)
        .map(|(key, failures)| key.throttle().wait(failures, now))
        .max()
        .unwrap_or(0);
    if seconds > 0 {
        return Err(AuthError::Locked { seconds });
    }
    let hashers = sign_ins.hashers();
    let slot = hashers.try_slot().ok_or(AuthError::Busy)?;
    let account = store.facilitator_by_email(email.as_str()).await?;
    let hash = account.as_ref().map(|(_, hash)| hash.clone());
    let matches = hashers
        .verify(slot, attempt.password.to_owned(), hash)
        .await
        .ok_or(AuthError::Busy)?;
    match account {
        Some((facilitator, _)) if matches => {
            if from_device {
                // Before the client's key: every transaction takes client rows last, so two
                // cannot wait for each other's rows.
                keys.insert(1, ThrottleKey::Email(email.clone()));
            }
            store.clear_sign_in_failures(&keys).await?;
            let device_cookie = sign_ins.devices(store).await?.issue(&email);
            Ok(Authenticated {
                facilitator,
                device_cookie,
            })
        }
        _ => {
            store.record_sign_in_failure(&keys, now).await?;
            Err(AuthError::Wrong)
        }
    }
}

/// A password check's work, run on a checker thread.
type Job = Box<dyn FnOnce() + Send>;

/// The password checkers of one server: a fixed set of threads, as many as the machine has
/// cores unless told otherwise, and a slot for each.
///
/// An argon2 check takes about 19 MiB and tens of milliseconds of one core. Checks beyond the
/// cores would only queue for CPU while holding their memory, so an attempt that finds no free
/// slot is refused at once ([`Hashers::try_slot`]). The threads are fixed, never fresh blocking
/// threads, because the allocator keeps an arena per thread: checks spread over hundreds of
/// threads had left the server holding a gigabyte it never gave back.
pub struct Hashers {
    slots: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

/// A free password checker, reserved until the check it is given ends.
pub struct Slot {
    /// Held only to be released when the slot is dropped.
    _permit: OwnedSemaphorePermit,
}

impl Hashers {
    /// `threads` checkers (at least one). The threads end when the `Hashers` is dropped.
    pub fn new(threads: usize) -> Hashers {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let mut started = 0;
        for i in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            match std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || run_checks(&queue))
            {
                Ok(_) => started += 1,
                Err(error) => tracing::error!(%error, "cannot start a password checker"),
            }
        }
        Hashers {
            slots: Arc::new(Semaphore::new(started)),
            jobs,
        }
    }

    /// A free checker, or `None` at once when every one is busy.
    pub fn try_slot(&self) -> Option<Slot> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .ok()
            .map(|permit| Slot { _permit: permit })
    }

    /// Whether `password` matches `hash` (`None`: the dummy hash, which nothing matches), checked
    /// on the checker `slot` reserved; `None` if the check did not finish (it panicked).
    pub async fn verify(&self, slot: Slot, password: String, hash: Option<String>) -> Option<bool> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let matches = match &hash {
                Some(hash) => verify_password(&password, hash),
                None => verify_password(&password, dummy_hash()),
            };
            // Free before answering, so the caller finds its slot free again; this thread is
            // about to take the next job.
            drop(slot);
            let _ = reply.send(matches);
        });
        if self.jobs.send(job).is_err() {
            tracing::error!("the password checkers are gone");
            return None;
        }
        let answer = answer.await.ok();
        if answer.is_none() {
            tracing::error!("a password check did not finish");
        }
        answer
    }
}

/// A checker thread: runs the checks it is handed until the [`Hashers`] is dropped. A check that
/// panics drops its reply (its caller sees that) and leaves the thread running.
fn run_checks(queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // Only the thread holding the lock waits for the next job; the others wait for the lock.
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => {
                let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
            }
            Err(mpsc::RecvError) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{EMAIL_THROTTLE, hash_password, unix_now};

    const PASSWORD: &str = "correct horse battery";

    async fn store_with_ana() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("accounts.db").display());
        let store = crate::store::open(&url).await.expect("a fresh store");
        let hash = hash_password(PASSWORD).expect("a valid password");
        store
            .create_facilitator("ana@example.org", &hash, false)
            .await
            .expect("a new facilitator");
        (dir, store)
    }

    fn attempt(password: &str) -> Attempt<'_> {
        Attempt {
            email: " Ana@Example.org ",
            password,
            client: Some("192.0.2.1".parse().unwrap()),
            device: None,
        }
    }

    #[tokio::test]
    async fn authenticate_accepts_the_password_forgets_failures_and_makes_repeated_failures_wait() {
        let (_dir, store) = store_with_ana().await;
        let store = store.as_ref();
        let sign_ins = SignIns::new(1);
        let now = unix_now();
        let unknown = Attempt {
            email: "nobody@example.org",
            ..attempt(PASSWORD)
        };
        let unknown = authenticate(store, &sign_ins, &unknown, now).await;
        assert!(matches!(unknown, Err(AuthError::Wrong)), "{unknown:?}");
        for _ in 0..2 {
            for _ in 0..EMAIL_THROTTLE.free_failures {
                let wrong = authenticate(store, &sign_ins, &attempt("wrong"), now).await;
                assert!(matches!(wrong, Err(AuthError::Wrong)), "{wrong:?}");
            }
            let signed_in = authenticate(store, &sign_ins, &attempt(PASSWORD), now).await;
            let signed_in = signed_in.expect("the right password");
            assert_eq!(signed_in.facilitator.email, "ana@example.org");
        }
        for _ in 0..=EMAIL_THROTTLE.free_failures {
            let wrong = authenticate(store, &sign_ins, &attempt("wrong"), now).await;
            assert!(matches!(wrong, Err(AuthError::Wrong)), "{wrong:?}");
        }
        let locked = authenticate(store, &sign_ins, &attempt(PASSWORD), now + 3).await;
        assert!(
            matches!(locked, Err(AuthError::Locked { seconds: 7 })),
            "{locked:?}"
        );
        let later = authenticate(store, &sign_ins, &attempt(PASSWORD), now + 10).await;
        assert!(later.is_ok(), "once the wait has passed: {later:?}");
    }

    #[tokio::test]
    async fn with_every_checker_busy_a_sign_in_is_refused_at_once_and_counts_nothing() {
        let (_dir, store) = store_with_ana().await;
        let store = store.as_ref();
        let sign_ins = SignIns::new(1);
        let held = sign_ins.hashers().try_slot().expect("one free checker");
        assert!(sign_ins.hashers().try_slot().is_none());
        let busy = authenticate(store, &sign_ins, &attempt("wrong"), unix_now()).await;
        assert!(matches!(busy, Err(AuthError::Busy)), "{busy:?}");
        let keys = [ThrottleKey::Email(
            SignInEmail::parse("ana@example.org").unwrap(),
        )];
        assert_eq!(store.sign_in_failures(&keys).await.unwrap(), [None]);
        drop(held);
        let signed_in = authenticate(store, &sign_ins, &attempt(PASSWORD), unix_now()).await;
        assert!(signed_in.is_ok(), "{signed_in:?}");
    }

    #[tokio::test]
    async fn a_check_frees_its_slot_when_it_ends_and_a_checker_survives_a_panic() {
        let hashers = Hashers::new(1);
        let slot = hashers.try_slot().unwrap();
        let hash = hash_password(PASSWORD).unwrap();
        assert_eq!(
            hashers.verify(slot, PASSWORD.into(), Some(hash)).await,
            Some(true)
        );
        let slot = hashers.try_slot().expect("free again");
        let (reply, answer) = oneshot::channel::<()>();
        let job: Job = Box::new(move || {
            let _keep = reply;
            panic!("a check that panics");
        });
        hashers.jobs.send(job).unwrap();
        assert!(answer.await.is_err(), "its reply is dropped");
        assert_eq!(
            hashers.verify(slot, PASSWORD.into(), None).await,
            Some(false),
            "the thread still checks"
        );
    }
}
