//! The secrets a partner holds and the facilitator never sees: the resume code of a saved draft,
//! the receipt code of a submission, and the server-signed one-time id of an open-link form.
//!
//! Codes are written down or read out, so they use Crockford's base 32 (no I, L, O or U, read
//! case-insensitively, with `I`/`L` as 1 and `O` as 0) in groups of four. Only their digests are
//! stored, so a copy of the database opens no draft and withdraws no response.

use rand::RngCore;

use crate::accounts::{is_lower_hex, keyed_mac, same_secret, token_digest};

/// Crockford's base-32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code, without its dashes: 80 random bits.
const CODE_LEN: usize = 16;

/// A resume or receipt code in its canonical form (`XXXX-XXXX-XXXX-XXXX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code(String);

impl Code {
    /// A fresh code from the operating system's randomness.
    pub fn new() -> Code {
        let mut bytes = [0u8; CODE_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Code::from_symbols(bytes.iter().map(|b| ALPHABET[usize::from(b & 31)]))
    }

    /// Reads a code as a partner may type it: any case, with or without dashes and spaces, with
    /// the letters Crockford reads as digits; `None` unless it has exactly the code's length.
    pub fn parse(typed: &str) -> Option<Code> {
        let mut symbols = Vec::with_capacity(CODE_LEN);
        for c in typed.chars() {
            let symbol = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'I' | 'L' => b'1',
                'O' => b'0',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c as u8,
                _ => return None,
            };
            symbols.push(symbol);
        }
        (symbols.len() == CODE_LEN).then(|| Code::from_symbols(symbols.into_iter()))
    }

    fn from_symbols(symbols: impl Iterator<Item = u8>) -> Code {
        let mut text = String::with_capacity(CODE_LEN + 3);
        for (i, symbol) in symbols.enumerate() {
            if i > 0 && i % 4 == 0 {
                text.push('-');
            }
            text.push(char::from(symbol));
        }
        Code(text)
    }

    /// The code as shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest under which the code is stored.
    pub fn digest(&self) -> String {
        token_digest(&self.0)
    }
}

impl Default for Code {
    fn default() -> Self {
        Code::new()
    }
}

/// How long an open-link form id stays valid after the server issued it.
pub const FORM_ID_LIFETIME: i64 = 24 * 60 * 60;

/// Why an open-link form id is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormIdError {
    /// The server did not issue it (made up, altered or re-cased).
    Forged,
    /// Issued more than [`FORM_ID_LIFETIME`] ago.
    Expired,
}

/// Signs and checks open-link form ids (`<issued>-<nonce>-<mac>`, lowercase hex) with a key every
/// app server shares, so an id issued by one is accepted by all and nobody can make one up.
pub struct FormIds {
    key: Vec<u8>,
}

impl FormIds {
    /// Form ids signed with `key` (at most 64 bytes, the BLAKE2b key size).
    pub fn new(key: Vec<u8>) -> FormIds {
        FormIds { key }
    }

    fn mac(&self, round_id: i64, body: &str) -> String {
        keyed_mac(&self.key, &[&round_id.to_le_bytes(), body.as_bytes()])
    }

    /// A fresh id for a form of round `round_id` issued at `now` (Unix seconds).
    pub fn issue(&self, round_id: i64, now: i64) -> String {
        let body = format!("{now:x}-{}", super::new_pseudonym());
        let mac = self.mac(round_id, &body);
        format!("{body}-{mac}")
    }

    /// Checks an id posted to round `round_id` at `now`: exactly as issued, for this round, and
    /// not older than [`FORM_ID_LIFETIME`].
    pub fn check(&self, round_id: i64, id: &str, now: i64) -> Result<(), FormIdError> {
        let Some((body, mac)) = id.rsplit_once('-') else {
            return Err(FormIdError::Forged);
        };
        let Some((issued, nonce)) = body.split_once('-') else {
            return Err(FormIdError::Forged);
        };
        if !(is_lower_hex(issued) && issued.len() <= 15 && is_lower_hex(nonce) && is_lower_hex(mac))
        {
            return Err(FormIdError::Forged);
        }
        if !same_secret(mac, &self.mac(round_id, body)) {
            return Err(FormIdError::Forged);
        }
        let issued = i64::from_str_radix(issued, 16).map_err(|_| FormIdError::Forged)?;
        if now - issued > FORM_ID_LIFETIME {
            return Err(FormIdError::Expired);
        }
        Ok(())
    }
}

/// A fresh key for [`FormIds`], as hex for storing.
pub fn new_form_key() -> String {
    format!("{}{}", super::new_token(), super::new_token())
}

/// The key bytes of a stored [`new_form_key`]; `None` if it is not hex of at most 64 bytes.
pub fn read_form_key(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || hex.len() > 128 || hex.is_empty() {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = Code::new();
        assert_eq!(code.as_str().len(), 19);
        assert_eq!(Code::parse(code.as_str()), Some(code.clone()));
        let sloppy = code.as_str().to_lowercase().replace('-', " ");
        assert_eq!(Code::parse(&sloppy), Some(code.clone()));
        assert_eq!(
            Code::parse("oooo-iiii-llll-0000").unwrap().as_str(),
            "0000-1111-1111-0000"
        );
        assert_eq!(Code::parse("ABCD-EFGH"), None);
        assert_eq!(
            Code::parse("ABCD-EFGH-JKMN-PQRU"),
            None,
            "U is not a symbol"
        );
        assert_ne!(Code::new(), code);
    }

    #[test]
    fn a_form_id_is_accepted_only_exactly_as_issued_for_its_round_and_in_time() {
        let ids = FormIds::new(read_form_key(&new_form_key()).unwrap());
        let id = ids.issue(7, 1_000_000);
        assert_eq!(ids.check(7, &id, 1_000_000), Ok(()));
        assert_eq!(ids.check(7, &id, 1_000_000 + FORM_ID_LIFETIME), Ok(()));
        assert_eq!(
            ids.check(7, &id, 1_000_001 + FORM_ID_LIFETIME),
            Err(FormIdError::Expired)
        );
        assert_eq!(ids.check(8, &id, 1_000_000), Err(FormIdError::Forged));
        assert_eq!(
            ids.check(7, &id.to_uppercase(), 1_000_000),
            Err(FormIdError::Forged)
        );
        let other = FormIds::new(read_form_key(&new_form_key()).unwrap());
        assert_eq!(other.check(7, &id, 1_000_000), Err(FormIdError::Forged));
        for junk in ["", "-", "a-b", "a-b-c", &crate::survey::new_token()] {
            assert_eq!(ids.check(7, junk, 1_000_000), Err(FormIdError::Forged));
        }
        // A later issue time under the same nonce and mac is refused too.
        let (issued, rest) = id.split_once('-').unwrap();
        let later = format!("{:x}-{rest}", i64::from_str_radix(issued, 16).unwrap() + 1);
        assert_eq!(ids.check(7, &later, 1_000_000), Err(FormIdError::Forged));
    }
}
