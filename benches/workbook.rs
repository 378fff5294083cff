//! The round's `.xlsx` download at scale: wall time, peak resident memory and file size of the
//! workbook of 100,000 and 1,000,000 respondents of `benches/bench-instrument.toml` (6 dimensions,
//! 12 factors, 40 items, 5 groups, 3 waves, 5 % missing answers).
//!
//! Run with `scripts/bench-workbook` (`cargo bench --bench workbook`; sizes may follow `--`, e.g.
//! `cargo bench --bench workbook -- 1000000`). Each run is this binary again as a child process,
//! so its peak RSS (read from the kernel by `wait4`) is that run's alone. The child does what the
//! server's download does after reading the rows: it scores each synthetic response, hands the
//! scores to `WorkbookWriter`, then adds the summary tables and saves the workbook to a file
//! under `target/bench-data/`. Results go to stdout; record them in `docs/benchmarks.md`.

#[path = "support/process.rs"]
mod process;
#[path = "support/rng.rs"]
mod rng;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use partnerscope::instrument::{Instrument, load_file};
use partnerscope::report::{WorkbookWriter, summary_tables};
use partnerscope::scoring::{Answer, Breakdowns, CellKey, Labels, Options, Scorer};

const SIZES: [usize; 2] = [100_000, 1_000_000];
const RUNS: usize = 3;
const GROUPS: [&str; 5] = ["government", "nonprofit", "business", "education", "health"];
const WAVES: [&str; 3] = ["2025 spring", "2025 autumn", "2026 spring"];
/// Tells a child run how many respondents to write, and where.
const CHILD_ROWS: &str = "PARTNERSCOPE_BENCH_WORKBOOK_ROWS";
const CHILD_OUT: &str = "PARTNERSCOPE_BENCH_WORKBOOK_OUT";

/// The child: scores `rows` synthetic responses into a workbook saved at `out`.
fn write_workbook(instrument: &Instrument, rows: usize, out: &Path) {
    let start = Instant::now();
    let mut scorer = Scorer::new(instrument);
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut scores = vec![None; scorer.score_count()];
    let mut answers: Vec<Answer> = vec![None; instrument.items.len()];
    let mut writer = WorkbookWriter::new(instrument).expect("the workbook starts");
    let mut rng = rng::Rng(0x5eed_cafe_f00d_d00d);
    let mut respondent = String::new();
    for row in 0..rows {
        let group = GROUPS[(rng.next() % GROUPS.len() as u64) as usize];
        let wave = WAVES[(rng.next() % WAVES.len() as u64) as usize];
        let latent = 1.5 + 3.0 * rng.unit();
        for answer in &mut answers {
            *answer = (rng.unit() >= 0.05)
                .then(|| (latent + rng.unit() - 0.5).round().clamp(1.0, 5.0) as i16);
        }
        let cell = CellKey {
            group: groups.intern(group),
            wave: waves.intern(wave),
            language: None,
        };
        scorer.add(cell, &answers, &mut scores);
        respondent.clear();
        write!(respondent, "r{row:07}").expect("writing to a String cannot fail");
        writer
            .respondent(&respondent, group, wave, &scores)
            .expect("a row is written");
    }
    let rows_done = start.elapsed().as_secs_f64();
    let languages = Labels::default();
    let labels = Breakdowns {
        groups: &groups,
        waves: &waves,
        languages: &languages,
    };
    let results = scorer.finish(instrument, &labels, &Options::default());
    let tables = summary_tables(instrument, &results);
    save(writer, &tables, out);
    println!(
        "rows {rows_done:.2} s, summary and save {:.2} s",
        start.elapsed().as_secs_f64() - rows_done
    );
}

/// Adds the summary tables and saves the workbook at `out`.
fn save(writer: WorkbookWriter, tables: &[partnerscope::report::Table], out: &Path) {
    let mut file = BufWriter::new(File::create(out).expect("the output file opens"));
    writer
        .finish(tables, &mut file)
        .expect("the workbook is saved");
    file.flush().expect("the output file is written");
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let instrument = load_file(&root.join("benches/bench-instrument.toml")).expect("it loads");
    if let (Ok(rows), Ok(out)) = (std::env::var(CHILD_ROWS), std::env::var(CHILD_OUT)) {
        let rows = rows.parse().expect("a row count");
        write_workbook(&instrument, rows, Path::new(&out));
        return;
    }
    // `cargo bench` passes `--bench`; any other argument is a size.
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| a.parse().expect("sizes are row counts"))
        .collect();
    let sizes = if sizes.is_empty() {
        SIZES.to_vec()
    } else {
        sizes
    };
    let data_dir = root.join("target/bench-data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let me = std::env::current_exe().unwrap();
    for rows in sizes {
        let out = data_dir.join(format!("workbook-{rows}.xlsx"));
        println!("workbook of {rows} respondents × 18 scores, {RUNS} runs");
        let mut walls = Vec::new();
        for run in 1..=RUNS {
            let process::Measured {
                wall,
                rss,
                stdout: report,
            } = process::measure(
                Command::new(&me)
                    .env(CHILD_ROWS, rows.to_string())
                    .env(CHILD_OUT, &out),
            );
            let size = std::fs::metadata(&out).unwrap().len() as f64 / (1 << 20) as f64;
            println!(
                "run {run}: {wall:.2} s wall, {rss:.0} MiB peak RSS, {size:.1} MiB file ({})",
                report.trim()
            );
            walls.push(wall);
        }
        walls.sort_by(f64::total_cmp);
        println!("median {:.2} s wall", walls[RUNS / 2]);
    }
}
