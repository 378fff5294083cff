//! `partnerscope instruments check|list`.

use std::path::PathBuf;
use std::process::ExitCode;

use partnerscope::instrument::{Instrument, Library, load_file};

/// Checks every file, printing each problem; fails if any file has one.
pub fn check(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        match load_file(file) {
            Ok(instrument) => println!(
                "{}: ok ({} {}, {} dimensions, {} factors, {} items, in {})",
                file.display(),
                instrument.id,
                instrument.version,
                instrument.dimensions.len(),
                instrument.factors.len(),
                instrument.items.len(),
                languages(&instrument)
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
            "{}\t{}\t{}\t{} items\t{}\t{}",
            instrument.id,
            instrument.version,
            instrument.texts().title(),
            instrument.items.len(),
            dimensions.join(", "),
            languages(instrument)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The languages of `instrument`, the default first: "en, es".
fn languages(instrument: &Instrument) -> String {
    let tags: Vec<&str> = instrument.translations().iter().map(|t| t.lang()).collect();
    tags.join(", ")
}
