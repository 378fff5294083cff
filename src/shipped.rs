//! The instruments in `instruments/`, compiled into the binary so a bare `partnerscope` has them.

use crate::instrument::{Instrument, LoadError, load_str};

/// File name and TOML source of every shipped instrument.
pub const SOURCES: [(&str, &str); 3] = [
    (
        "instruments/collaboration-factors.toml",
        include_str!("../instruments/collaboration-factors.toml"),
    ),
    (
        "instruments/partnership-synergy.toml",
        include_str!("../instruments/partnership-synergy.toml"),
    ),
    (
        "instruments/coalition-effectiveness.toml",
        include_str!("../instruments/coalition-effectiveness.toml"),
    ),
];

/// Loads every shipped instrument.
pub fn all() -> Result<Vec<Instrument>, LoadError> {
    SOURCES
        .iter()
        .map(|(file, src)| load_str(file, src))
        .collect()
}

/// The shipped instrument with identifier `id`.
pub fn by_id(id: &str) -> Option<Instrument> {
    all().ok()?.into_iter().find(|i| i.id == id)
}
