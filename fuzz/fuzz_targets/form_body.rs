//! Fuzzes the form-body decoder every POST goes through: any body either decodes to fields that
//! encode and decode back to themselves, or is refused with a problem that says which field.
//! Never a panic.
//!
//! Bodies are capped at 64 KiB before they reach the decoder (`scripts/fuzz`'s `-max_len`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use partnerscope::web::form::decode_body;

/// `fields` as a browser encodes a form.
fn encode(fields: &[(String, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        for (j, text) in [name, value].into_iter().enumerate() {
            if j > 0 {
                out.push('=');
            }
            for byte in text.bytes() {
                match byte {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                        out.push(char::from(byte));
                    }
                    b' ' => out.push('+'),
                    _ => out.push_str(&format!("%{byte:02X}")),
                }
            }
        }
    }
    out.into_bytes()
}

fuzz_target!(|data: &[u8]| {
    match decode_body(data) {
        Ok(fields) => {
            let again = decode_body(&encode(&fields)).expect("an encoded form decodes");
            assert_eq!(again, fields);
        }
        Err(problem) => {
            let message = problem.to_string();
            assert!(!message.is_empty());
        }
    }
});
