//! Fuzzes the partner-list parser behind the round's partners page: any pasted list either gives
//! partners that read back the same when written out again, or is refused with problems. Never a
//! panic.
//!
//! The list arrives in a form field of a body capped at 64 KiB, checked against the round's
//! instrument; here the shipped `coalition-effectiveness`, whose profile question fixes the sectors.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use partnerscope::instrument::{Instrument, Library};
use partnerscope::survey::partners::{Partner, parse};

static INSTRUMENT: LazyLock<Instrument> = LazyLock::new(|| {
    Library::shipped()
        .expect("the shipped instruments load")
        .get("coalition-effectiveness")
        .expect("coalition-effectiveness is shipped")
        .clone()
});

/// The partners as a list with every column, as a facilitator's spreadsheet would save it.
fn write(partners: &[Partner]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["organisation", "sector", "email", "language"])
        .expect("writing to memory");
    for p in partners {
        let email = p.email.as_deref().unwrap_or("");
        let language = p.language.as_deref().unwrap_or("");
        out.write_record([&p.organisation, &p.sector, email, language])
            .expect("writing to memory");
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, &INSTRUMENT) {
        Ok(partners) => {
            assert!(!partners.is_empty());
            assert_eq!(parse(&write(&partners), &INSTRUMENT), Ok(partners));
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in &problems {
                let _ = p.to_string();
            }
        }
    }
});
