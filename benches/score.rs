//! End-to-end benchmark of `partnerscope score` on 1,000,000 responses × 40 items
//! (6 dimensions, 12 factors, 3 waves, 5 groups, 5 % missing).
//!
//! Run with `cargo bench --bench score`. The data file is generated once (deterministically) into
//! `target/bench-data/`; each run then times the release binary as a child process and reads its
//! peak resident memory from the kernel (`wait4`). Results go to stdout; record them with the
//! command in `docs/benchmarks.md`. `cargo bench --bench score -- --generate-only` only makes
//! the data file, for `scripts/bench-score`, which times the binary against pandas + pingouin.

#[path = "support/process.rs"]
mod process;
#[path = "support/rng.rs"]
mod rng;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const ROWS: usize = 1_000_000;
const RUNS: usize = 3;
const GROUPS: [&str; 5] = ["government", "nonprofit", "business", "education", "health"];
const WAVES: [&str; 3] = ["2025 spring", "2025 autumn", "2026 spring"];
/// Items per dimension of `benches/bench-instrument.toml`, in order.
const DIMENSIONS: [(char, usize); 6] = [('t', 7), ('g', 7), ('e', 7), ('c', 6), ('r', 6), ('p', 7)];

fn generate(path: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = rng::Rng(0x5eed_cafe_f00d_d00d);
    write!(out, "respondent,group,wave")?;
    for (prefix, k) in DIMENSIONS {
        for i in 1..=k {
            write!(out, ",{prefix}{i}")?;
        }
    }
    writeln!(out)?;
    for row in 0..ROWS {
        let group = (rng.next() % GROUPS.len() as u64) as usize;
        let wave = (rng.next() % WAVES.len() as u64) as usize;
        write!(out, "r{row:07},{},{}", GROUPS[group], WAVES[wave])?;
        for (d, (_, k)) in DIMENSIONS.iter().enumerate() {
            let shift = 0.15 * wave as f64 - 0.1 * group as f64 + 0.05 * d as f64;
            let latent = 3.3 + shift + 0.8 * rng.normal();
            for i in 0..*k {
                if rng.unit() < 0.05 {
                    out.write_all(b",")?;
                    continue;
                }
                let value = (latent + 0.7 * rng.normal()).round().clamp(1.0, 5.0) as u8;
                // The instrument reverse-keys the second item of each dimension.
                let value = if i == 1 { 6 - value } else { value };
                write!(out, ",{value}")?;
            }
        }
        writeln!(out)?;
    }
    out.flush()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data_dir = root.join("target/bench-data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let responses = data_dir.join("responses-1m.csv");
    if !responses.exists() {
        let start = Instant::now();
        generate(&responses).unwrap();
        eprintln!(
            "generated {} in {:.1} s",
            responses.display(),
            start.elapsed().as_secs_f64()
        );
    }
    if std::env::args().any(|arg| arg == "--generate-only") {
        return;
    }
    let size = std::fs::metadata(&responses).unwrap().len() as f64 / (1 << 20) as f64;
    let out = tempfile_dir(&data_dir);
    let instrument = root.join("benches/bench-instrument.toml");
    println!("partnerscope score: {ROWS} responses × 40 items, {size:.0} MiB CSV, {RUNS} runs");
    let mut walls = Vec::new();
    for run in 1..=RUNS {
        let process::Measured { wall, rss, .. } = process::measure(
            Command::new(env!("CARGO_BIN_EXE_partnerscope"))
                .arg("score")
                .arg("--instrument")
                .arg(&instrument)
                .arg("--responses")
                .arg(&responses)
                .arg("--out")
                .arg(&out),
        );
        println!("run {run}: {wall:.3} s wall, {rss:.0} MiB peak RSS");
        walls.push(wall);
    }
    walls.sort_by(f64::total_cmp);
    println!("median {:.3} s wall", walls[RUNS / 2]);
}

fn tempfile_dir(parent: &Path) -> PathBuf {
    let out = parent.join("reports");
    std::fs::create_dir_all(&out).unwrap();
    out
}
