//! Fuzzes the responses-CSV reader behind `partnerscope score`: any file is read row by row until
//! the end or the first problem, and every row handed on holds only values of its items' scales.
//! Never a panic. The first byte chooses the layout: wide or long, strict or not, one to three
//! heading rows, UTF-8 or Windows-1252, and the respondent column present or numbered.
//!
//! The file is read against the shipped `coalition-effectiveness` instrument (its scale has a
//! "not applicable" code, and it has comment and profile questions, whose columns the reader
//! ignores); the seeds carry its header.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use partnerscope::instrument::{Instrument, Library};
use partnerscope::responses::{Layout, ResponsesReader, encoding_for_label};

static INSTRUMENT: LazyLock<Instrument> = LazyLock::new(|| {
    Library::shipped()
        .expect("the shipped instruments load")
        .get("coalition-effectiveness")
        .expect("coalition-effectiveness is shipped")
        .clone()
});

fuzz_target!(|data: &[u8]| {
    let instrument = &*INSTRUMENT;
    let Some((&choice, data)) = data.split_first() else {
        return;
    };
    let layout = Layout {
        respondent: (choice & 0x20 != 0).then(|| "id".to_string()),
        long: choice & 1 != 0,
        strict: choice & 2 != 0,
        header_rows: u64::from((choice >> 2) & 3).max(1),
        encoding: (choice & 0x10 != 0)
            .then(|| encoding_for_label("windows-1252").expect("a known label")),
        ..Layout::default()
    };
    let mut reader = match ResponsesReader::new(data, instrument, &layout) {
        Ok(reader) => reader,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                assert!(!row.respondent.is_empty());
                for (answer, item) in row.answers.iter().zip(&instrument.items) {
                    if let Some(value) = answer {
                        assert!(instrument.scales[item.scale].contains(*value));
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = e.to_string();
                break;
            }
        }
    }
});
