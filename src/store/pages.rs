//! A round's released responses, page by page: the one way every release, export, report and
//! comment list reads a round, so memory stays bounded however large it is.

use std::sync::Arc;

use futures_util::Stream;
use tokio::runtime::Handle;

use super::{PageQuery, Store, StoreResult};
use crate::survey::ReleasedResponse;

/// Responses fetched per query: a page of 40-item responses takes a few MiB, and a query's own
/// cost is spread over this many rows.
const PAGE: i64 = 5_000;

/// Released responses of one round, read with keyset paging.
pub struct ReleasedPages {
    store: Arc<dyn Store>,
    round_id: i64,
    /// What to read, from after the last key read.
    query: PageQuery,
    done: bool,
}

impl ReleasedPages {
    /// Pages of the responses of round `round_id` first included in releases up to `through`,
    /// with those removed since: what a release is scored from.
    pub fn released(store: Arc<dyn Store>, round_id: i64, through: i64) -> ReleasedPages {
        Self::of(store, round_id, through, true)
    }

    /// Like [`released`](Self::released) without the removed responses: the rows a release
    /// lists.
    pub fn listed(store: Arc<dyn Store>, round_id: i64, through: i64) -> ReleasedPages {
        Self::of(store, round_id, through, false)
    }

    /// Pages in pseudonym order, the order rows are listed in, which says nothing about when
    /// anyone answered.
    fn of(store: Arc<dyn Store>, round_id: i64, through: i64, left: bool) -> Self {
        ReleasedPages {
            store,
            round_id,
            query: PageQuery {
                through,
                after: String::new(),
                left,
            },
            done: false,
        }
    }

    /// The next page, or `None` after the last.
    pub async fn next_page(&mut self) -> StoreResult<Option<Vec<ReleasedResponse>>> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .store
            .submitted_page(self.round_id, &self.query, PAGE)
            .await?;
        match page.last() {
            Some(last) => {
                self.query.after.clone_from(&last.pseudonym);
                Ok(Some(page))
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }

    /// The pages as a stream, for a streamed download.
    pub fn into_stream(self) -> impl Stream<Item = StoreResult<Vec<ReleasedResponse>>> + Send {
        futures_util::stream::try_unfold(self, |mut pages| async move {
            Ok(pages.next_page().await?.map(|page| (page, pages)))
        })
    }

    /// The pages as an iterator for a blocking thread, which waits on `handle`'s runtime for
    /// each page: scoring reads a round this way.
    pub fn blocking(self, handle: Handle) -> BlockingPages {
        BlockingPages {
            pages: self,
            handle,
        }
    }
}

/// [`ReleasedPages`] read from a blocking thread.
pub struct BlockingPages {
    pages: ReleasedPages,
    handle: Handle,
}

impl Iterator for BlockingPages {
    type Item = StoreResult<Vec<ReleasedResponse>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.handle.block_on(self.pages.next_page()).transpose()
    }
}
