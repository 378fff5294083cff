//! Checks of single values shared by the second pass: ids, option codes, fractions, scale values.
//! Each records its problems and returns what is usable, so the pass goes on.

use toml::Spanned;

use super::read::{RawCode, RawCoded, RawOption, RawScale, Reader};
use crate::instrument::Coded;

/// Whether `id` is a valid identifier: a lower-case letter, then lower-case letters, digits, `-`
/// and `_`.
pub(super) fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Records a problem unless `id` is a valid identifier.
pub(super) fn check_id(r: &mut Reader, id: &Spanned<String>, what: &str) {
    if !valid_id(id.get_ref()) {
        r.problem(
            id.span(),
            format!(
                "{what} id `{}` must start with a lower-case letter and contain only lower-case letters, digits, `-` and `_`",
                id.get_ref()
            ),
        );
    }
}

/// Whether `id` is a valid item id: letters of either case, digits, `-`, `_` and `.`, as other
/// tools name their columns, never starting with `-` (a spreadsheet would read the header as a
/// formula, and our downloads would have to neutralise it).
pub(super) fn valid_item_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Records a problem unless `id` is a valid item id.
pub(super) fn check_item_id(r: &mut Reader, id: &Spanned<String>) {
    if !valid_item_id(id.get_ref()) {
        r.problem(
            id.span(),
            format!(
                "item id `{}` may contain only letters, digits, `-`, `_` and `.`, and must not start with `-` (to read another tool's column, keep the id and add `column = \"…\"`)",
                id.get_ref()
            ),
        );
    }
}

/// Checks a `codes` table against its scale's range `min..=max` and missing options and returns
/// the usable codes.
pub(super) fn check_codes(
    r: &mut Reader,
    codes: &[RawCode],
    (min, max): (i16, i16),
    missing: &[String],
) -> Vec<(String, Coded)> {
    let mut checked = Vec::new();
    for code in codes {
        let text = code.text.get_ref();
        if text.trim().is_empty() || text.trim() == "NA" {
            r.problem(
                code.text.span(),
                format!("code `{text}` would never be read: blank and `NA` always mean no answer"),
            );
            continue;
        }
        match code.meaning.get_ref() {
            RawCoded::Value(v) if (i64::from(min)..=i64::from(max)).contains(v) => {
                checked.push((text.clone(), Coded::Value(*v as i16)));
            }
            RawCoded::Value(v) => r.problem(
                code.meaning.span(),
                format!("code `{text}` maps to {v}, outside the scale's {min}..{max}"),
            ),
            RawCoded::Missing(m) if missing.contains(m) => {
                checked.push((text.clone(), Coded::Missing(m.clone())));
            }
            RawCoded::Missing(m) => r.problem(
                code.meaning.span(),
                format!(
                    "code `{text}` maps to `{m}`, which is not a missing option of the scale (it has: {})",
                    if missing.is_empty() {
                        "none".to_string()
                    } else {
                        missing.join(", ")
                    }
                ),
            ),
        }
    }
    checked
}

/// The `min_answered` fraction, if given and in (0, 1].
pub(super) fn check_min_answered(r: &mut Reader, value: &Option<Spanned<f64>>) -> Option<f64> {
    let value = value.as_ref()?;
    let v = *value.get_ref();
    if v > 0.0 && v <= 1.0 {
        Some(v)
    } else {
        r.problem(
            value.span(),
            format!("`min_answered` must be a fraction greater than 0 and at most 1, not {v}"),
        );
        None
    }
}

/// Whether the values of scale `s` are usable: at least two ascending consecutive integers in
/// -1000..1000 (the builder checks their labels, one per value in each language).
pub(super) fn check_scale_values(r: &mut Reader, s: &RawScale) -> bool {
    let name = s.name.get_ref();
    let mut ok = true;
    if s.values.len() < 2 {
        r.problem(
            s.values_span.clone(),
            format!("scale `{name}` needs at least two values"),
        );
        ok = false;
    }
    for pair in s.values.windows(2) {
        // `checked_add`: a value of i64::MAX has no successor, and must not overflow into one.
        if pair[0].get_ref().checked_add(1) != Some(*pair[1].get_ref()) {
            r.problem(
                pair[1].span(),
                format!(
                    "scale `{name}` values must be ascending consecutive integers: {} follows {}",
                    pair[1].get_ref(),
                    pair[0].get_ref()
                ),
            );
            ok = false;
        }
    }
    for v in &s.values {
        if !(-1000..=1000).contains(v.get_ref()) {
            r.problem(
                v.span(),
                format!(
                    "scale `{name}` value {} is outside -1000..1000",
                    v.get_ref()
                ),
            );
            ok = false;
        }
    }
    ok
}

/// Checks option codes (unique, id-like, never numbers, which would read as scale values) and
/// returns them.
pub(super) fn check_options(r: &mut Reader, options: &[RawOption], what: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for o in options {
        let code = o.code.get_ref();
        if !valid_id(code) {
            r.problem(
                o.code.span(),
                format!("{what} code `{code}` must start with a lower-case letter and contain only lower-case letters, digits, `-` and `_`"),
            );
        }
        if codes.contains(code) {
            r.problem(o.code.span(), format!("duplicate {what} code `{code}`"));
        } else {
            codes.push(code.clone());
        }
    }
    codes
}
