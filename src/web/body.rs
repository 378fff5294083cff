//! Form bodies read strictly: an `application/x-www-form-urlencoded` body decodes into exactly
//! the names and values that were encoded, or is refused with the field and the problem
//! ([`decode_body`]). The usual decoder (the `form_urlencoded` crate's, behind `axum::Form`)
//! puts U+FFFD in place of bytes that are not UTF-8 and keeps a malformed escape as it is; what
//! partnerscope stores must be what was typed, so it reads nothing lossily.
//!
//! Reached from outside the crate as `partnerscope::web::form::decode_body`.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::percent_decode;

/// Which field of a form a problem is in: its name where that is short printable ASCII (as the
/// name of every field of our forms is), otherwise its position, so that neither a page nor a
/// log line ever repeats whatever a client chose to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    /// The field's name.
    Named(String),
    /// The field's position in the body, from 1.
    Position(usize),
}

/// The longest field name a problem repeats; longer ones are named by position.
const MAX_NAMED: usize = 64;

impl FieldRef {
    /// The field at `position` (from 1) named `name`.
    pub fn of(position: usize, name: &str) -> FieldRef {
        let plain =
            (1..=MAX_NAMED).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_graphic());
        if plain {
            FieldRef::Named(name.to_string())
        } else {
            FieldRef::Position(position)
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldRef::Named(name) => write!(f, "field `{name}`"),
            FieldRef::Position(position) => write!(f, "field {position}"),
        }
    }
}

/// Why a form body does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// A `%` not followed by two hexadecimal digits.
    #[error("{0}: `%` must be followed by two hexadecimal digits")]
    BadEscape(FieldRef),
    /// Once decoded, the bytes are not UTF-8.
    #[error("{0}: not valid UTF-8")]
    NotUtf8(FieldRef),
}

/// Decodes an `application/x-www-form-urlencoded` body into its name/value pairs, strictly:
/// fields are separated by `&` (empty ones skipped), a name from its value by the first `=` (a
/// field without one has an empty value), `+` is a space, every `%` must be followed by two
/// hexadecimal digits, and the decoded bytes must be UTF-8. Where a lenient decoder would
/// substitute or pass through what it cannot read, this refuses the body and says which field.
pub fn decode_body(body: &[u8]) -> Result<Vec<(String, String)>, BodyError> {
    body.split(|&b| b == b'&')
        .filter(|field| !field.is_empty())
        .enumerate()
        .map(|(i, field)| {
            let position = i + 1;
            let (name, value) = match field.iter().position(|&b| b == b'=') {
                Some(at) => (&field[..at], &field[at + 1..]),
                None => (field, &field[field.len()..]),
            };
            let name = decode_part(name).map_err(|e| e.at(FieldRef::Position(position)))?;
            let value = decode_part(value).map_err(|e| e.at(FieldRef::of(position, &name)))?;
            Ok((name, value))
        })
        .collect()
}

/// What is wrong with one encoded name or value.
enum PartError {
    Escape,
    Utf8,
}

impl PartError {
    fn at(self, field: FieldRef) -> BodyError {
        match self {
            PartError::Escape => BodyError::BadEscape(field),
            PartError::Utf8 => BodyError::NotUtf8(field),
        }
    }
}

/// Decodes one name or value.
fn decode_part(encoded: &[u8]) -> Result<String, PartError> {
    // `percent_decode` passes a malformed escape through as it is; refuse it first instead.
    let mut rest = encoded;
    while let Some(at) = rest.iter().position(|&b| b == b'%') {
        match rest.get(at + 1..at + 3) {
            Some(digits) if digits.iter().all(u8::is_ascii_hexdigit) => rest = &rest[at + 3..],
            _ => return Err(PartError::Escape),
        }
    }
    let spaced: Cow<[u8]> = if encoded.contains(&b'+') {
        Cow::Owned(
            encoded
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(encoded)
    };
    percent_decode(&spaced)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| PartError::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn decoded(body: &str) -> Result<Vec<(String, String)>, BodyError> {
        decode_body(body.as_bytes())
    }

    #[test]
    fn a_form_body_decodes_plus_as_space_escapes_and_utf8_and_skips_empty_fields() {
        assert_eq!(
            decoded("a=1+2&&b=caf%C3%A9%20%2B&bare&=x&c=").unwrap(),
            fields(&[
                ("a", "1 2"),
                ("b", "café +"),
                ("bare", ""),
                ("", "x"),
                ("c", "")
            ])
        );
        assert_eq!(decoded("").unwrap(), fields(&[]));
        // Only the first `=` separates.
        assert_eq!(decoded("a=b=c").unwrap(), fields(&[("a", "b=c")]));
    }

    #[test]
    fn a_malformed_escape_or_bytes_that_are_not_utf8_are_refused_naming_the_field() {
        let named = |name: &str| FieldRef::Named(name.into());
        assert_eq!(
            decoded("a=1&comment-c1=100%"),
            Err(BodyError::BadEscape(named("comment-c1")))
        );
        assert_eq!(decoded("a=%4"), Err(BodyError::BadEscape(named("a"))));
        assert_eq!(decoded("a=%zz1"), Err(BodyError::BadEscape(named("a"))));
        assert_eq!(
            decoded("a=1&&b=2&%GG=3"),
            Err(BodyError::BadEscape(FieldRef::Position(3)))
        );
        assert_eq!(
            decoded("a=1&comment-c1=%FF%FE"),
            Err(BodyError::NotUtf8(named("comment-c1")))
        );
        assert_eq!(
            decode_body(b"a=caf\xe9"),
            Err(BodyError::NotUtf8(named("a")))
        );
        // A name that is not short plain ASCII is never repeated: its position stands for it.
        assert_eq!(
            decoded("a=1&na%C3%AFve=%FF"),
            Err(BodyError::NotUtf8(FieldRef::Position(2)))
        );
        let long = "n".repeat(MAX_NAMED + 1);
        assert_eq!(
            decoded(&format!("{long}=%FF")),
            Err(BodyError::NotUtf8(FieldRef::Position(1)))
        );
        assert_eq!(
            BodyError::BadEscape(FieldRef::Position(3)).to_string(),
            "field 3: `%` must be followed by two hexadecimal digits"
        );
        assert_eq!(
            BodyError::NotUtf8(named("comment-c1")).to_string(),
            "field `comment-c1`: not valid UTF-8"
        );
    }
}
