//! Publishing a round's figures as releases (design section 3, *Releases*): when a round
//! publishes, what a new release holds, and storing it safely beside other servers doing the
//! same.
//!
//! A round publishes when it closes, and while open only with interim releases on. Then,
//! whenever its figures are asked for and submitted responses wait, a new release is scored from
//! the round's stored responses through the one scoring pipeline ([`responses::accumulate`]),
//! decided by [`release::publish`], and stored if it publishes anything new; otherwise the
//! waiting responses stay waiting. Responses are read page by page, so memory stays bounded
//! however large the round; scoring runs on a blocking thread that fetches the pages as it reads.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use tokio::runtime::Handle;

use crate::instrument::Instrument;
use crate::responses::{self, Listing, ScoreFailure, StoredRows};
use crate::scoring::release::{self, Release};
use crate::scoring::{Breakdowns, Options};
use crate::store::{ReleasedPages, Store, StoreError};
use crate::survey::Round;

/// Why a round's releases could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The database failed.
    #[error("the store failed")]
    Store(#[from] StoreError),
    /// A stored release does not read back.
    #[error("a stored release does not read back")]
    Read(#[from] serde_json::Error),
    /// Scoring the release failed.
    #[error("scoring the release failed")]
    Scoring(#[from] ScoreFailure<StoreError>),
    /// The scoring thread panicked or was cancelled.
    #[error("scoring the release did not finish")]
    Join(#[from] tokio::task::JoinError),
}

/// Attempts at a release when another server or a new submission got in between.
const ATTEMPTS: usize = 3;

/// A stored release and when it was made.
pub struct Published {
    /// The release.
    pub release: Release,
    /// When it was made (RFC 3339).
    pub created_at: String,
}

/// How `published` lists the rows of `round`; before a release, it lists none.
pub fn listing(round: &Round, published: Option<&Published>) -> Listing {
    Listing {
        wave: round.wave.clone(),
        groups: published
            .map(|p| p.release.row_groups(round.is_identified()))
            .unwrap_or_default(),
        languages: published
            .map(|p| p.release.row_languages(round.is_identified()))
            .unwrap_or_default(),
        identified: round.is_identified(),
        sources: false,
    }
}

/// How `published` lists the rows of `round` in the raw download, which also shows where each
/// came from when [`Listing::shows_sources`] allows it for the rows listed.
pub async fn raw_listing(
    store: &dyn Store,
    round: &Round,
    published: Option<&Published>,
) -> Result<Listing, StoreError> {
    let counts = store
        .listed_sources(round.id, rows_through(published))
        .await?;
    Ok(Listing {
        sources: Listing::shows_sources(round.is_identified(), round.threshold(), &counts),
        ..listing(round, published)
    })
}

/// The last batch whose rows and comments `published` lists; 0, none, before a release.
pub fn rows_through(published: Option<&Published>) -> i64 {
    published.map_or(0, |p| p.release.rows_through)
}

/// The rows `published` lists, in pseudonym order.
pub fn listed_pages(
    store: Arc<dyn Store>,
    round: &Round,
    published: Option<&Published>,
) -> ReleasedPages {
    ReleasedPages::listed(store, round.id, rows_through(published))
}

/// The scoring options of a round: its threshold.
pub fn options(round: &Round) -> Options {
    Options {
        min_group_size: round.threshold(),
    }
}

/// The releases of a round, oldest first.
async fn all(store: &dyn Store, round_id: i64) -> Result<Vec<Release>, ReleaseError> {
    store
        .releases(round_id)
        .await?
        .iter()
        .map(|stored| Ok(serde_json::from_str(&stored.body)?))
        .collect()
}

/// The latest release of `round`, after making a new one if the round publishes now (closed, or
/// open with interim releases) and submitted responses wait for one. Only publishing reads the
/// earlier releases; a view reads the latest alone.
pub async fn latest(
    store: &Arc<dyn Store>,
    instrument: &Arc<Instrument>,
    round: &Round,
) -> Result<Option<Arc<Published>>, ReleaseError> {
    if publishes(round) && store.unreleased_count(round.id).await? > 0 {
        publish(store, instrument, round).await?;
    }
    last(store, round.id).await
}

/// Like [`latest`], with the changes still waiting for a release after it (see
/// [`Store::unreleased_count`]), counted once.
pub async fn latest_and_waiting(
    store: &Arc<dyn Store>,
    instrument: &Arc<Instrument>,
    round: &Round,
) -> Result<(Option<Arc<Published>>, u64), ReleaseError> {
    let mut waiting = store.unreleased_count(round.id).await?;
    if publishes(round) && waiting > 0 {
        publish(store, instrument, round).await?;
        waiting = store.unreleased_count(round.id).await?;
    }
    Ok((last(store, round.id).await?, waiting))
}

/// Whether `round` publishes now: closed, or open with interim releases.
fn publishes(round: &Round) -> bool {
    !round.is_open() || round.interim_releases
}

/// Latest releases read lately, most recently used first. A stored release never changes, so
/// one read before serves every later view until the database holds a newer one, whichever
/// server stored it; each view asks the database which release is the latest (a query that
/// reads no body), and parses that release only if it is not kept.
static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// The most releases kept: the rounds being looked at now.
const KEEP: usize = 16;

/// A release as read from a store.
struct Kept {
    /// The store it came from. Holding it keeps that store's allocation, so no other store can
    /// have its address while this entry lives, and stores are told apart by address.
    store: Weak<dyn Store>,
    round_id: i64,
    number: i64,
    published: Arc<Published>,
}

/// The latest release of round `round_id`, from [`KEPT`] when it holds it.
async fn last(
    store: &Arc<dyn Store>,
    round_id: i64,
) -> Result<Option<Arc<Published>>, ReleaseError> {
    let Some((number, created_at)) = store.last_release_key(round_id).await? else {
        return Ok(None);
    };
    let same = |kept: &Kept| {
        std::ptr::addr_eq(kept.store.as_ptr(), Arc::as_ptr(store))
            && (kept.round_id, kept.number) == (round_id, number)
            && kept.published.created_at == created_at
    };
    {
        let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = kept.iter().position(same) {
            let found = kept.remove(i);
            let published = Arc::clone(&found.published);
            kept.insert(0, found);
            return Ok(Some(published));
        }
    }
    let Some(stored) = store.last_release(round_id).await? else {
        return Ok(None);
    };
    let published = Arc::new(Published {
        release: serde_json::from_str(&stored.body)?,
        created_at: stored.created_at,
    });
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    kept.insert(
        0,
        Kept {
            store: Arc::downgrade(store),
            round_id,
            number: stored.number,
            published: Arc::clone(&published),
        },
    );
    kept.truncate(KEEP);
    Ok(Some(published))
}

/// Publishes the waiting responses of `round` as its next release, if that publishes anything
/// new; otherwise they go on waiting.
async fn publish(
    store: &Arc<dyn Store>,
    instrument: &Arc<Instrument>,
    round: &Round,
) -> Result<(), ReleaseError> {
    for _ in 0..ATTEMPTS {
        let earlier = all(store.as_ref(), round.id).await?;
        let batch = store.begin_release(round.id).await?;
        let Some(release) = score(store, instrument, round, batch.number, earlier).await? else {
            store.abandon_release(round.id, &batch).await?;
            return Ok(());
        };
        let body = serde_json::to_string(&release)?;
        // Otherwise another server stored this number, or a submission joined the batch after
        // it was read: score again.
        if store.store_release(round.id, &batch, &body).await? {
            return Ok(());
        }
    }
    Ok(())
}

/// Scores release `number` of `round` beside its `earlier` releases; `None` when it would
/// publish nothing new.
async fn score(
    store: &Arc<dyn Store>,
    instrument: &Arc<Instrument>,
    round: &Round,
    number: i64,
    earlier: Vec<Release>,
) -> Result<Option<Release>, ReleaseError> {
    let pages =
        ReleasedPages::released(Arc::clone(store), round.id, number).blocking(Handle::current());
    let (instrument, options, wave) = (Arc::clone(instrument), options(round), round.wave.clone());
    let identified = round.is_identified();
    let release = tokio::task::spawn_blocking(move || {
        let rows = StoredRows::batches(pages, &instrument);
        let batches = responses::accumulate(rows, &instrument, |_| {}, |_, _, _, _| Ok(()))?;
        let round = release::Round {
            wave: &wave,
            number,
            options,
            identified,
        };
        let labels = Breakdowns {
            groups: &batches.groups,
            waves: &batches.waves,
            languages: &batches.languages,
        };
        Ok::<_, ScoreFailure<StoreError>>(release::publish(
            &instrument,
            &batches.scorer,
            &labels,
            &earlier,
            &round,
        ))
    })
    .await??;
    Ok(release)
}
