//! How many organisations a round invited per sector, as the form shows them, so partners see
//! how large their group can be. Counting reads every invitation of the round: on a statewide
//! round of 100,000 partners that cost more than the rest of the form together. The counts change
//! only when a facilitator adds or deletes partners, so each server keeps a round's counts for a
//! few seconds (several servers each keep their own; none is stale for longer).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::store::{Store, StoreResult};

/// How long counts are shown before they are read again.
const FRESH: Duration = Duration::from_secs(10);

/// The most rounds kept at once: when more are kept, the stale ones go, and if none is stale,
/// all of them.
const KEEP: usize = 1024;

/// Counts per sector (`""` for none), in sector order.
pub type Counts = Arc<[(String, i64)]>;

/// The rounds' counts read lately.
#[derive(Debug, Default)]
pub struct InvitedCounts {
    kept: Mutex<HashMap<i64, (Instant, Counts)>>,
}

impl InvitedCounts {
    /// The invited counts of round `round_id`, read from `store` unless read within [`FRESH`].
    pub async fn of(&self, store: &dyn Store, round_id: i64) -> StoreResult<Counts> {
        let now = Instant::now();
        if let Some((_, counts)) = self
            .lock()
            .get(&round_id)
            .filter(|(read, _)| now.duration_since(*read) < FRESH)
        {
            return Ok(Arc::clone(counts));
        }
        let counts: Counts = store.invited_per_sector(round_id).await?.into();
        let mut kept = self.lock();
        if kept.len() >= KEEP {
            kept.retain(|_, (read, _)| now.duration_since(*read) < FRESH);
            if kept.len() >= KEEP {
                kept.clear();
            }
        }
        kept.insert(round_id, (now, Arc::clone(&counts)));
        Ok(counts)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (Instant, Counts)>> {
        // Every step under the lock leaves the map whole, so a panic elsewhere cannot spoil it.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
