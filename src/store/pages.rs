//! A round's submitted responses, page by page: the one way every export, report and comment
//! list reads a round, so memory stays bounded however large it is.

use std::sync::Arc;

use futures_util::Stream;
use tokio::runtime::Handle;

use super::{Store, StoreResult};
use crate::survey::StoredResponse;

/// Responses fetched per query.
const PAGE: i64 = 500;

/// The submitted responses of one round in id order, read with keyset paging.
pub struct SubmittedPages {
    store: Arc<dyn Store>,
    round_id: i64,
    /// The last id read.
    after: i64,
    done: bool,
}

impl SubmittedPages {
    /// Pages of the submitted responses of round `round_id`.
    pub fn new(store: Arc<dyn Store>, round_id: i64) -> SubmittedPages {
        SubmittedPages {
            store,
            round_id,
            after: 0,
            done: false,
        }
    }

    /// The next page, or `None` after the last.
    pub async fn next_page(&mut self) -> StoreResult<Option<Vec<StoredResponse>>> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .store
            .submitted_page(self.round_id, self.after, PAGE)
            .await?;
        match page.last() {
            Some(last) => {
                self.after = last.id;
                Ok(Some(page))
            }
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }

    /// The pages as a stream, for a streamed download.
    pub fn into_stream(self) -> impl Stream<Item = StoreResult<Vec<StoredResponse>>> + Send {
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

/// [`SubmittedPages`] read from a blocking thread.
pub struct BlockingPages {
    pages: SubmittedPages,
    handle: Handle,
}

impl Iterator for BlockingPages {
    type Item = StoreResult<Vec<StoredResponse>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.handle.block_on(self.pages.next_page()).transpose()
    }
}
