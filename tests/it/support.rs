//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of a file under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// Runs the `partnerscope` binary with `args`.
pub fn partnerscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Standard error of a finished command, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A CSV file as its header and rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>());
    let header = rows.next().expect("a header row");
    (header, rows.collect())
}

/// Runs `score` on a responses file, returning the output folder (kept alive by the guard).
pub fn score(instrument: &Path, responses: &Path, extra: &[&str]) -> (tempfile::TempDir, Output) {
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "score".to_string(),
        "--instrument".into(),
        instrument.display().to_string(),
        "--responses".into(),
        responses.display().to_string(),
        "--out".into(),
        out.path().display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = partnerscope(&args);
    (out, output)
}
