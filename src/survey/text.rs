//! The texts people type that partnerscope stores (partnership names, wave labels,
//! organisations, e-mail addresses, comments) and the rules every one of them meets before it is
//! stored: no control characters, and a bounded length.
//!
//! Control characters are refused rather than removed: a NUL byte cannot be stored in
//! PostgreSQL at all, and the others (a lone carriage return, escape sequences, C1 controls)
//! are never typed by a person, so silently dropping them would only hide a tampered request.
//! Tabs and line breaks are the exception in texts that may span lines (comments); browsers send
//! a textarea's line breaks as CRLF, which [`normalise_line_breaks`] turns into LF first.
//!
//! The limits are generous for what a person types and small enough that no table grows by more
//! than a few kilobytes per row; the forms carry the same limits as `maxlength`, so only a
//! request that did not come from our form ever meets them.

use std::fmt;

/// The longest partnership name, in characters.
pub const MAX_NAME: usize = 200;
/// The longest wave label (or free-text sector), in characters.
pub const MAX_LABEL: usize = 200;
/// The longest organisation name, in characters.
pub const MAX_ORGANISATION: usize = 200;
/// The longest e-mail address, in bytes: the most an SMTP path holds (RFC 5321, 256 octets
/// with its angle brackets).
pub const MAX_EMAIL_BYTES: usize = 254;
/// The longest comment, in characters: the survey form's `maxlength`.
pub const MAX_COMMENT: usize = 4000;

/// A kind of stored text, with its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A partnership's name.
    Name,
    /// A round's wave label, or a sector typed as free text.
    Label,
    /// A partner organisation's name.
    Organisation,
    /// An e-mail address.
    Email,
    /// A partner's comment: may span lines.
    Comment,
}

/// What a length is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Unicode characters (scalar values).
    Characters,
    /// UTF-8 bytes.
    Bytes,
}

impl Kind {
    /// The longest text of this kind, and what it is counted in.
    pub const fn limit(self) -> (usize, Unit) {
        match self {
            Kind::Name => (MAX_NAME, Unit::Characters),
            Kind::Label => (MAX_LABEL, Unit::Characters),
            Kind::Organisation => (MAX_ORGANISATION, Unit::Characters),
            Kind::Email => (MAX_EMAIL_BYTES, Unit::Bytes),
            Kind::Comment => (MAX_COMMENT, Unit::Characters),
        }
    }

    /// Whether texts of this kind may hold tabs and line breaks.
    pub const fn spans_lines(self) -> bool {
        matches!(self, Kind::Comment)
    }
}

/// Why a text cannot be stored as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// It holds a control character other than a tab or a line break (NUL, a lone carriage
    /// return, DEL, C1 controls…).
    #[error("contains a control character (such as a NUL byte)")]
    ControlCharacter,
    /// A one-line text holds a tab or a line break.
    #[error("must be a single line, without tabs or line breaks")]
    NotOneLine,
    /// It is longer than its kind allows.
    #[error("is longer than {max} {unit}")]
    TooLong {
        /// The limit.
        max: usize,
        /// What the limit counts.
        unit: Unit,
    },
}

/// Checks `text` (as it will be stored, already trimmed) against the rule of `kind`.
pub fn check(kind: Kind, text: &str) -> Result<(), TextError> {
    if has_control_character(text) {
        return Err(TextError::ControlCharacter);
    }
    if !kind.spans_lines() && text.contains(['\t', '\n']) {
        return Err(TextError::NotOneLine);
    }
    let (max, unit) = kind.limit();
    let length = match unit {
        Unit::Characters => text.chars().count(),
        Unit::Bytes => text.len(),
    };
    if length > max {
        return Err(TextError::TooLong { max, unit });
    }
    Ok(())
}

/// Whether `text` holds a control character (Unicode category Cc: C0, DEL, C1) other than a tab
/// or a line feed. Run it after [`normalise_line_breaks`], so that only a lone carriage return
/// counts.
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
}

/// Turns every CRLF into LF, as a browser's textarea means it: its value has LF line breaks,
/// which it sends as CRLF. A lone CR is left for [`has_control_character`] to refuse.
pub fn normalise_line_breaks(text: &mut String) {
    if text.contains("\r\n") {
        *text = text.replace("\r\n", "\n");
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Characters => "characters",
            Unit::Bytes => "bytes",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_but_tab_and_line_feed_is_refused() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            let expected = matches!(c, '\t' | '\n');
            assert_eq!(!has_control_character(&text), expected, "{:?}", c);
        }
        // Format characters and other invisible ones are text, not controls.
        assert!(!has_control_character("a\u{200b}\u{202e}\u{feff}b é 日本"));
    }

    #[test]
    fn crlf_becomes_lf_and_a_lone_carriage_return_stays_to_be_refused() {
        let mut text = "one\r\ntwo\r\n\r\nthree\rfour".to_string();
        normalise_line_breaks(&mut text);
        assert_eq!(text, "one\ntwo\n\nthree\rfour");
        assert!(has_control_character(&text));
        let mut plain = "no breaks".to_string();
        normalise_line_breaks(&mut plain);
        assert_eq!(plain, "no breaks");
    }

    #[test]
    fn one_line_kinds_refuse_tabs_and_line_breaks_and_comments_keep_them() {
        assert_eq!(
            check(Kind::Name, "Riverside\tnorth"),
            Err(TextError::NotOneLine)
        );
        assert_eq!(
            check(Kind::Organisation, "Food\nBank"),
            Err(TextError::NotOneLine)
        );
        assert_eq!(check(Kind::Comment, "First,\n\tthen"), Ok(()));
        assert_eq!(
            check(Kind::Comment, "a\u{0}b"),
            Err(TextError::ControlCharacter)
        );
        assert_eq!(
            check(Kind::Label, "2026\u{0}"),
            Err(TextError::ControlCharacter)
        );
    }

    #[test]
    fn lengths_are_bounded_exactly_at_the_limit_in_their_own_unit() {
        for kind in [Kind::Name, Kind::Label, Kind::Organisation, Kind::Comment] {
            let (max, unit) = kind.limit();
            assert_eq!(unit, Unit::Characters);
            // Characters, not bytes: a limit of accented letters fits.
            assert_eq!(check(kind, &"é".repeat(max)), Ok(()), "{kind:?}");
            assert_eq!(
                check(kind, &"é".repeat(max + 1)),
                Err(TextError::TooLong { max, unit }),
                "{kind:?}"
            );
        }
        let local = "a".repeat(MAX_EMAIL_BYTES - "@example.org".len());
        assert_eq!(check(Kind::Email, &format!("{local}@example.org")), Ok(()));
        assert_eq!(
            check(Kind::Email, &format!("{local}é@example.org")),
            Err(TextError::TooLong {
                max: MAX_EMAIL_BYTES,
                unit: Unit::Bytes
            })
        );
    }

    #[test]
    fn the_problems_read_as_the_end_of_a_sentence() {
        let too_long = TextError::TooLong {
            max: 200,
            unit: Unit::Characters,
        };
        assert_eq!(too_long.to_string(), "is longer than 200 characters");
        assert_eq!(
            TextError::ControlCharacter.to_string(),
            "contains a control character (such as a NUL byte)"
        );
    }
}
