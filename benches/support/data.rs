//! Responses files for the benchmarks that fill a round, cut from the `score` benchmark's file.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Writes the first `rows` responses of `from` (the score benchmark's file) to `to` without their
/// wave column, since a round has one wave; all of them when `rows` is larger than the file.
pub fn one_wave(from: &Path, to: &Path, rows: usize) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(to)?);
    // The header, then `rows` responses.
    for line in BufReader::with_capacity(1 << 20, File::open(from)?)
        .lines()
        .take(rows.saturating_add(1))
    {
        let line = line?;
        let mut cells = line.splitn(4, ',');
        let (respondent, group, _, rest) = (
            cells.next().unwrap_or_default(),
            cells.next().unwrap_or_default(),
            cells.next(),
            cells.next().unwrap_or_default(),
        );
        writeln!(out, "{respondent},{group},{rest}")?;
    }
    out.flush()
}
