//! Filling a round from files on SQLite (and PostgreSQL when `PARTNERSCOPE_TEST_POSTGRES` names
//! a server): `partnerscope partners add` with 100,000 partners, then `partnerscope import` of
//! 1,000,000 responses × 40 items (the `score` benchmark's file, without its wave column).
//!
//! Run with `cargo bench --bench import` after `cargo bench --bench score` has generated
//! `target/bench-data/responses-1m.csv`. Each command is timed as a child process with its peak
//! resident memory; results go to stdout for `docs/benchmarks.md`.

#[path = "support/database.rs"]
mod database;

#[path = "support/data.rs"]
mod data;
#[path = "support/process.rs"]
mod process;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use partnerscope::instrument::load_file;
use partnerscope::store;
use partnerscope::survey::NewRound;
use partnerscope::survey::closing::RoundDetails;

const PARTNERS: usize = 100_000;
const WAVE: &str = "2026 spring";

fn partner_list(to: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(to)?);
    writeln!(out, "organisation,sector,email")?;
    for i in 0..PARTNERS {
        writeln!(out, "Partner {i},nonprofit,partner{i}@example.org")?;
    }
    out.flush()
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("target/bench-data");
    let source = data.join("responses-1m.csv");
    assert!(
        source.exists(),
        "run `cargo bench --bench score` first: it generates {}",
        source.display()
    );
    let responses = data.join("responses-1m-one-wave.csv");
    if !responses.exists() {
        data::one_wave(&source, &responses, usize::MAX).unwrap();
    }
    let partners = data.join("partners-100k.csv");
    partner_list(&partners).unwrap();
    let instrument = load_file(&root.join("benches/bench-instrument.toml")).unwrap();
    let dir = tempfile::tempdir_in(&data).unwrap();
    for engine in ["SQLite", "PostgreSQL"] {
        let Some(url) = database::database(engine, dir.path()).await else {
            println!("{engine}: skipped (set PARTNERSCOPE_TEST_POSTGRES)");
            continue;
        };
        let store = store::open(&url).await.unwrap();
        let partnership = store.create_partnership("Bench", None).await.unwrap();
        let round = store
            .create_round(&NewRound {
                partnership_id: partnership.id,
                instrument: &instrument,
                wave: WAVE,
                min_group_size: 3,
                open_link: false,
                identified: false,
                details: &RoundDetails::default(),
            })
            .await
            .unwrap();
        drop(store);
        let id = round.id.to_string();
        for (what, args) in [
            (
                format!("partners add, {PARTNERS} partners"),
                vec!["partners", "add", "--round", &id],
                &partners,
            ),
            (
                "import, 1,000,000 responses × 40 items".to_string(),
                vec!["import", "--round", &id],
                &responses,
            ),
        ]
        .map(|(what, args, file)| (what, [args, vec![file.to_str().unwrap()]].concat()))
        {
            let process::Measured { wall, rss, stdout } = process::measure(
                Command::new(env!("CARGO_BIN_EXE_partnerscope"))
                    .args(&args)
                    .args(["--database-url", &url]),
            );
            println!(
                "{engine}: {what}: {wall:.2} s wall, {rss:.0} MiB peak RSS ({})",
                stdout.trim()
            );
        }
    }
}
