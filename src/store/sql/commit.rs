//! Group commit of submissions: writer tasks take submissions from one queue, each storing
//! everything that arrived while the previous batch was being written in one transaction, so a
//! batch pays for one commit (one fsync) instead of one each. SQLite has one writer (it has one
//! write lock); PostgreSQL has a few, so one batch's round trips to the database overlap
//! another's.
//!
//! Each submission runs in its own savepoint, so one refused (already submitted, round closed,
//! cap reached) leaves the others alone; its waiter hears the refusal. Every waiter hears back only
//! after its batch has committed: an acknowledged submission is durable. The uniqueness rules stay
//! in the database (the invitation's flag, the unique form id), so several app servers sharing a
//! PostgreSQL database, each with its own writer, stay correct. A batch that fails as a whole (a
//! database error, a PostgreSQL deadlock between two servers' batches) is rolled back and its
//! submissions are stored again one transaction each, so each waiter hears its own outcome.

use std::sync::Arc;

use sqlx::{Acquire, AnyPool};
use tokio::sync::{Mutex, mpsc, oneshot};
use tracing::Instrument;

use super::Engine;
use super::responses::{self, Queued, Via};
use crate::store::{StoreError, StoreResult};
use crate::survey::OpenSubmission;
use crate::survey::answers::Answers;

/// Submissions one transaction takes at most. PostgreSQL tracks up to 64 subtransactions (our
/// savepoints) per transaction cheaply; past that, every reader pays for looking them up.
const BATCH: usize = 64;

/// Submissions that may wait for the writer; further senders wait for room.
const QUEUE: usize = 1024;

/// A submission and who waits for its outcome.
struct Job {
    queued: Queued,
    reply: oneshot::Sender<StoreResult<OpenSubmission>>,
}

/// The sending end of a database's writer task. The task ends when the last clone is dropped.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer tasks of `pool` on the current Tokio runtime.
    pub fn start(pool: AnyPool, engine: Engine) -> Writer {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        let writers = match engine {
            Engine::Sqlite => 1,
            Engine::Postgres => 4,
        };
        for _ in 0..writers {
            tokio::spawn(write(pool.clone(), engine, Arc::clone(&jobs)));
        }
        Writer { queue }
    }

    /// Stores what came `via` a link in the next batch and returns its outcome once that batch
    /// is durable.
    pub async fn submit(
        &self,
        via: Via,
        answers: &Answers,
        receipt_digest: &str,
    ) -> StoreResult<OpenSubmission> {
        let queued = Queued {
            via,
            answers: answers.clone(),
            receipt_digest: receipt_digest.to_string(),
        };
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Job { queued, reply })
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        outcome.await.map_err(|_| StoreError::WriterStopped)?
    }
}

/// A writer task: a batch of whatever waits, up to [`BATCH`], then the next. The queue is
/// held only while taking a batch, so another writer takes the next while this one commits.
async fn write(pool: AnyPool, engine: Engine, queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while queue.lock().await.recv_many(&mut jobs, BATCH).await > 0 {
        let span = tracing::debug_span!("commit_batch", submissions = jobs.len());
        commit(&pool, engine, std::mem::take(&mut jobs))
            .instrument(span)
            .await;
    }
}

/// Stores `jobs` together, or each alone if together fails, and tells each waiter its outcome.
async fn commit(pool: &AnyPool, engine: Engine, jobs: Vec<Job>) {
    let outcomes = match together(pool, engine, &jobs).await {
        Ok(outcomes) => outcomes,
        Err(error) => {
            tracing::warn!(%error, submissions = jobs.len(), "a batch failed: storing each alone");
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in &jobs {
                outcomes.push(alone(pool, engine, &job.queued).await);
            }
            outcomes
        }
    };
    for (job, outcome) in jobs.into_iter().zip(outcomes) {
        // A waiter that went away (its client hung up) needs no answer: what it sent is stored.
        let _ = job.reply.send(outcome);
    }
}

/// Stores `jobs` in one transaction, each in a savepoint; fails as a whole on a database error.
async fn together(
    pool: &AnyPool,
    engine: Engine,
    jobs: &[Job],
) -> StoreResult<Vec<StoreResult<OpenSubmission>>> {
    let mut tx = pool.begin_with(engine.begin_write()).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut savepoint = tx.begin().await?;
        match responses::store(&mut savepoint, &job.queued).await {
            Ok(stored) => {
                savepoint.commit().await?;
                outcomes.push(Ok(stored));
            }
            Err(StoreError::Database(error)) => return Err(error.into()),
            Err(refused) => {
                savepoint.rollback().await?;
                outcomes.push(Err(refused));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Stores `queued` in a transaction of its own.
async fn alone(pool: &AnyPool, engine: Engine, queued: &Queued) -> StoreResult<OpenSubmission> {
    let mut tx = pool.begin_with(engine.begin_write()).await?;
    let stored = responses::store(&mut tx, queued).await?;
    tx.commit().await?;
    Ok(stored)
}
