//! `partnerscope instruments check|list`.

use std::path::PathBuf;
use std::process::ExitCode;

use partnerscope::instrument::{Library, load_file};

/// Checks every file, printing each problem; fails if any file has one.
pub fn check(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match load_file(file) {
            Ok(instrument) => println!(
                "{}: ok ({} {}, {} dimensions, {} factors, {} items)",
                file.display(),
                instrument.id,
                instrument.version,
                instrument.dimensions.len(),
                instrument.factors.len(),
                instrument.items.len()
            ),
            Err(error) => {
                failed = true;
                eprintln!("{error}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Lists the shipped instruments.
pub fn list() -> anyhow::Result<ExitCode> {
    for instrument in &Library::shipped()? {
        let dimensions: Vec<&str> = instrument
            .dimensions
            .iter()
            .map(|d| d.id.as_str())
            .collect();
        println!(
            "{}\t{}\t{}\t{} items\t{}",
            instrument.id,
            instrument.version,
            instrument.texts().title(),
            instrument.items.len(),
            dimensions.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
