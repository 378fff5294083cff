//! Instruments parsed once per process: a round stores its instrument as TOML text, and every
//! request about the round (the form, its submission, the round page, each download) needs the
//! parsed [`Instrument`]. Parsing a 40-item instrument costs far more than the rest of a form
//! view, so the parsed instruments are kept, keyed by the exact text they were parsed from: a
//! round stores that text once and never changes it, so equal text means an equal instrument,
//! and a new version (or any edit) is new text and is parsed anew.

use std::sync::{Arc, Mutex, PoisonError};

use super::{Instrument, LoadError, load_str};

/// The most instruments kept: a server runs a handful of instruments and versions, so this many
/// covers them all while a stream of distinct texts (a test suite, an operator trying drafts)
/// cannot grow the process without bound.
const KEPT: usize = 32;

/// The parsed instruments, most recently used first.
static PARSED: Mutex<Vec<Arc<Instrument>>> = Mutex::new(Vec::new());

/// The instrument `src` parses to, parsed only if no instrument of exactly this text is kept;
/// `file` names the source in a [`LoadError`]. Failures are not kept: stored rounds always
/// parse, and a failure is reported in full each time.
pub fn parsed(file: &str, src: &str) -> Result<Arc<Instrument>, LoadError> {
    if let Some(kept) = take(src) {
        return Ok(kept);
    }
    // Parsed outside the lock: two requests for a new text may both parse it, and the second
    // to finish finds the first's instrument kept and uses it.
    let fresh = Arc::new(load_str(file, src)?);
    let mut kept = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(i) = kept.iter().position(|i| i.source == src) {
        return Ok(Arc::clone(&kept[i]));
    }
    kept.insert(0, Arc::clone(&fresh));
    kept.truncate(KEPT);
    Ok(fresh)
}

/// The kept instrument of text `src`, moved to the front, if there is one.
fn take(src: &str) -> Option<Arc<Instrument>> {
    // A panic elsewhere while holding the lock leaves the list whole: every step below keeps it
    // a list of valid instruments.
    let mut kept = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    let i = kept.iter().position(|i| i.source == src)?;
    let found = kept.remove(i);
    kept.insert(0, Arc::clone(&found));
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::Library;

    fn shipped_source() -> String {
        let library = Library::shipped().unwrap();
        library.get("collaboration-factors").unwrap().source.clone()
    }

    #[test]
    fn the_same_text_gives_the_same_parsed_instrument() {
        let src = shipped_source();
        let first = parsed("round 1", &src).unwrap();
        let again = parsed("round 2", &src.clone()).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.source, src);
    }

    #[test]
    fn a_new_version_of_the_text_is_parsed_anew() {
        let src = shipped_source();
        let old = parsed("round 1", &src).unwrap();
        let version = format!("version = \"{}\"", old.version);
        assert!(src.contains(&version), "the test edits the version line");
        let newer = src.replacen(&version, "version = \"9.9-parsed-test\"", 1);
        let new = parsed("round 3", &newer).unwrap();
        assert!(!Arc::ptr_eq(&old, &new));
        assert_eq!(new.version, "9.9-parsed-test");
        assert_eq!(parsed("round 1", &src).unwrap().version, old.version);
    }

    #[test]
    fn a_text_that_does_not_parse_fails_every_time_with_its_file_named() {
        for file in ["round 7", "round 8"] {
            let error = parsed(file, "id = [").unwrap_err();
            assert!(error.to_string().contains(file), "{error}");
        }
    }

    #[test]
    fn no_more_than_the_bound_are_kept() {
        let src = shipped_source();
        let version = format!("version = \"{}\"", parsed("any", &src).unwrap().version);
        for n in 0..KEPT + 5 {
            let text = src.replacen(&version, &format!("version = \"bound-{n}\""), 1);
            parsed("round", &text).unwrap();
        }
        let kept = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(kept.len() <= KEPT);
    }
}
