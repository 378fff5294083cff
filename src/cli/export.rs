//! `partnerscope export`: the rows a round's latest release lists, as the raw CSV: the same bytes
//! as the dashboard's `raw.csv` download (which, like it, first publishes a closed round's
//! waiting responses).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use partnerscope::releases;
use partnerscope::responses::{RawCsv, encode_page};

pub fn run(round_id: i64, out: Option<&Path>, database_url: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let (store, round) = super::open_round(database_url, round_id).await?;
        let instrument = round.instrument()?;
        let latest = releases::latest(&store, &instrument, &round)
            .await
            .with_context(|| format!("cannot publish the figures of round {round_id}"))?;
        let listing = releases::raw_listing(store.as_ref(), &round, latest.as_deref()).await?;
        let csv = RawCsv::new(&instrument, listing);
        // A file is written beside its destination and moved in when complete.
        let (mut sink, scratch): (Box<dyn Write>, _) = match out {
            Some(path) => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                let file = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new(".")))
                    .with_context(|| format!("cannot write beside {}", path.display()))?;
                (
                    Box::new(std::io::BufWriter::new(file.reopen()?)),
                    Some(file),
                )
            }
            None => (Box::new(std::io::stdout().lock()), None),
        };
        let mut buffer = Vec::new();
        csv.header(&mut buffer);
        let mut pages = releases::listed_pages(store, &round, latest.as_deref());
        while let Some(page) = pages.next_page().await? {
            encode_page(&csv, &page, &mut buffer);
            sink.write_all(&buffer)?;
            buffer.clear();
        }
        sink.write_all(&buffer)?;
        sink.flush()?;
        drop(sink);
        if let (Some(file), Some(path)) = (scratch, out) {
            file.persist(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    })
}
