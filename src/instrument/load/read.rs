//! The first pass of the loader: the document as written, read from toml's spanned tree.
//!
//! Each table's keys are checked against the ones it may have and each value against its type;
//! what is usable becomes a `Raw*` struct that keeps the spans the second pass points at.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{LoadError, Problem, line_column};

/// Collects the problems of both passes, each at a byte span of the source.
#[derive(Default)]
pub(super) struct Reader {
    problems: Vec<(Range<usize>, String)>,
}

impl Reader {
    /// Records a problem at `span`.
    pub(super) fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    /// Whether any problem was recorded.
    pub(super) fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// Every problem, in file order, with its line and column.
    pub(super) fn into_error(mut self, file: &str, src: &str) -> LoadError {
        self.problems.sort_by_key(|(span, _)| span.start);
        let problems = self
            .problems
            .into_iter()
            .map(|(span, message)| {
                let (line, column) = line_column(src, span.start);
                Problem {
                    line,
                    column,
                    message,
                }
            })
            .collect();
        LoadError::Invalid {
            file: file.to_string(),
            problems,
        }
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

/// A TOML table being read: the keys it may have are checked once, then fields are taken by name.
struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    what: String,
}

fn fields<'t, 'i>(
    r: &mut Reader,
    value: &'t Value<'i>,
    what: String,
    allowed: &[&str],
) -> Option<Fields<'t, 'i>> {
    let DeValue::Table(table) = value.get_ref() else {
        r.problem(value.span(), format!("{what} must be a table"));
        return None;
    };
    for key in table.keys() {
        if !allowed.contains(&key.get_ref().as_ref()) {
            r.problem(
                key.span(),
                format!(
                    "unknown key `{}` in {what} (expected one of: {})",
                    key.get_ref(),
                    allowed.join(", ")
                ),
            );
        }
    }
    Some(Fields {
        table,
        span: value.span(),
        what,
    })
}

impl<'t, 'i> Fields<'t, 'i> {
    fn get(&self, r: &mut Reader, key: &str, required: bool) -> Option<&'t Value<'i>> {
        let value = self.table.get(key);
        if value.is_none() && required {
            r.problem(
                self.span.clone(),
                format!("{} is missing the required key `{key}`", self.what),
            );
        }
        value
    }

    fn string(&self, r: &mut Reader, key: &str, required: bool) -> Option<Spanned<String>> {
        let value = self.get(r, key, required)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            _ => {
                r.problem(value.span(), format!("`{key}` must be a string"));
                None
            }
        }
    }

    fn float(&self, r: &mut Reader, key: &str, required: bool) -> Option<Spanned<f64>> {
        let value = self.get(r, key, required)?;
        let number = match value.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => integer(i).map(|i| i as f64),
            _ => None,
        };
        match number {
            Some(n) if n.is_finite() => Some(Spanned::new(value.span(), n)),
            _ => {
                r.problem(value.span(), format!("`{key}` must be a number"));
                None
            }
        }
    }

    fn boolean(&self, r: &mut Reader, key: &str) -> Option<bool> {
        let value = self.get(r, key, false)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                r.problem(value.span(), format!("`{key}` must be true or false"));
                None
            }
        }
    }

    fn array(&self, r: &mut Reader, key: &str, required: bool) -> Option<&'t [Value<'i>]> {
        let value = self.get(r, key, required)?;
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                r.problem(value.span(), format!("`{key}` must be an array"));
                None
            }
        }
    }
}

/// A text as written: one value for the default language (`title = "…"`), or one per language
/// tag (`title.en = "…"`, `title.es = "…"`). `T` is a string, or the strings of a scale's labels.
pub(super) struct Worded<T> {
    /// What holds the text, for problems: "`text` of [[items]] number 3".
    pub(super) what: String,
    /// The span of the whole value.
    pub(super) span: Range<usize>,
    /// Each language's value, with its tag; `None` is a value written without a tag.
    pub(super) texts: Vec<(Option<Spanned<String>>, T)>,
}

impl<'t, 'i> Fields<'t, 'i> {
    /// A text that may be written per language; `read` takes one language's value.
    fn worded<T>(
        &self,
        r: &mut Reader,
        key: &str,
        required: bool,
        mut read: impl FnMut(&mut Reader, &Value<'i>) -> Option<T>,
    ) -> Option<Worded<T>> {
        let value = self.get(r, key, required)?;
        let what = format!("`{key}` of {}", self.what);
        let texts = match value.get_ref() {
            DeValue::Table(table) => table
                .iter()
                .filter_map(|(tag, value)| {
                    let tag = Spanned::new(tag.span(), tag.get_ref().to_string());
                    Some((Some(tag), read(r, value)?))
                })
                .collect(),
            _ => vec![(None, read(r, value)?)],
        };
        Some(Worded {
            what,
            span: value.span(),
            texts,
        })
    }

    /// A string that may be written per language.
    fn text(&self, r: &mut Reader, key: &str, required: bool) -> Option<Worded<String>> {
        self.worded(r, key, required, |r, value| match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                r.problem(
                    value.span(),
                    format!("`{key}` must be a string, or a table of strings by language such as `{key}.en = \"…\"`"),
                );
                None
            }
        })
    }
}

fn integer(i: &toml::de::DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
}

/// The instrument file as written: top-level keys and every table that could be read.
pub(super) struct RawDoc {
    pub(super) id: Option<Spanned<String>>,
    pub(super) version: Option<Spanned<String>>,
    pub(super) title: Option<Worded<String>>,
    pub(super) description: Option<Worded<String>>,
    /// The languages of the texts (`languages`, or the older single `language`), with the span
    /// they were declared at.
    pub(super) languages: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) introduction: Option<Worded<String>>,
    pub(super) consent: Option<Worded<String>>,
    pub(super) min_answered: Option<Spanned<f64>>,
    pub(super) scales: Vec<RawScale>,
    pub(super) dimensions: Vec<RawDimension>,
    pub(super) factors: Vec<RawFactor>,
    pub(super) items: Vec<RawItem>,
    pub(super) bands: Vec<RawBand>,
    pub(super) comments: Vec<RawComment>,
    pub(super) profile: Option<RawProfile>,
}

/// A `[scales.NAME]` table as written.
pub(super) struct RawScale {
    pub(super) name: Spanned<String>,
    pub(super) values: Vec<Spanned<i64>>,
    pub(super) values_span: Range<usize>,
    pub(super) labels: Worded<Vec<String>>,
    pub(super) missing: Vec<RawOption>,
    pub(super) codes: Vec<RawCode>,
}

/// One entry `"SA" = 5` or `"DK" = "na"` of a `codes` table.
pub(super) struct RawCode {
    pub(super) text: Spanned<String>,
    pub(super) meaning: Spanned<RawCoded>,
}

/// What a code stands for, as written.
pub(super) enum RawCoded {
    /// A scale value.
    Value(i64),
    /// A missing option's code.
    Missing(String),
}

/// An option `{ code, label }` of a scale's `missing` or of the profile.
pub(super) struct RawOption {
    pub(super) code: Spanned<String>,
    pub(super) label: Worded<String>,
}

/// A `[[dimensions]]` table as written.
pub(super) struct RawDimension {
    pub(super) id: Spanned<String>,
    pub(super) common: RawComposite,
}

/// A `[[factors]]` table as written.
pub(super) struct RawFactor {
    pub(super) id: Spanned<String>,
    pub(super) dimension: Spanned<String>,
    pub(super) common: RawComposite,
}

/// The keys dimensions and factors (the composite scores) share, as written.
pub(super) struct RawComposite {
    pub(super) title: Option<Worded<String>>,
    pub(super) description: Option<Worded<String>>,
    pub(super) min_answered: Option<Spanned<f64>>,
}

/// An `[[items]]` table as written; `span` is the whole table's.
pub(super) struct RawItem {
    pub(super) id: Spanned<String>,
    pub(super) text: Option<Worded<String>>,
    pub(super) scale: Spanned<String>,
    pub(super) factor: Option<Spanned<String>>,
    pub(super) dimension: Option<Spanned<String>>,
    pub(super) reverse: bool,
    pub(super) column: Option<Spanned<String>>,
    pub(super) codes: Vec<RawCode>,
    pub(super) span: Range<usize>,
}

/// A `[[bands]]` table as written.
pub(super) struct RawBand {
    pub(super) label: Worded<String>,
    pub(super) min: Spanned<f64>,
    pub(super) description: Option<Worded<String>>,
}

/// A `[[comments]]` table as written.
pub(super) struct RawComment {
    pub(super) id: Spanned<String>,
    pub(super) text: Worded<String>,
}

/// The `[profile]` table as written.
pub(super) struct RawProfile {
    pub(super) id: Spanned<String>,
    pub(super) text: Worded<String>,
    pub(super) options: Vec<RawOption>,
    pub(super) options_span: Range<usize>,
}

const TOP_KEYS: &[&str] = &[
    "id",
    "version",
    "title",
    "description",
    "language",
    "languages",
    "introduction",
    "consent",
    "min_answered",
    "scales",
    "dimensions",
    "factors",
    "items",
    "bands",
    "comments",
    "profile",
];

/// Reads the whole document; `None` when the root is unusable (its problem is recorded).
pub(super) fn read_document(
    r: &mut Reader,
    root: &DeTable<'_>,
    span: Range<usize>,
) -> Option<RawDoc> {
    let root_value = Spanned::new(span, DeValue::Table(root.clone()));
    let top = fields(r, &root_value, "the instrument".into(), TOP_KEYS)?;
    let mut doc = RawDoc {
        id: top.string(r, "id", true),
        version: top.string(r, "version", true),
        title: top.text(r, "title", true),
        description: top.text(r, "description", true),
        languages: read_languages(r, &top),
        introduction: top.text(r, "introduction", false),
        consent: top.text(r, "consent", false),
        min_answered: top.float(r, "min_answered", false),
        scales: Vec::new(),
        dimensions: Vec::new(),
        factors: Vec::new(),
        items: Vec::new(),
        bands: Vec::new(),
        comments: Vec::new(),
        profile: None,
    };
    if let Some(scales) = top.get(r, "scales", true) {
        match scales.get_ref() {
            DeValue::Table(table) => {
                for (name, value) in table.iter() {
                    let name = Spanned::new(name.span(), name.get_ref().to_string());
                    if let Some(scale) = read_scale(r, name, value) {
                        doc.scales.push(scale);
                    }
                }
            }
            _ => r.problem(
                scales.span(),
                "`scales` must be a table of `[scales.NAME]` tables",
            ),
        }
    }
    for_each_table(r, &top, "dimensions", true, |r, f| {
        doc.dimensions.push(RawDimension {
            id: f.string(r, "id", true)?,
            common: read_composite(r, f),
        });
        Some(())
    });
    for_each_table(r, &top, "factors", false, |r, f| {
        doc.factors.push(RawFactor {
            id: f.string(r, "id", true)?,
            dimension: f.string(r, "dimension", true)?,
            common: read_composite(r, f),
        });
        Some(())
    });
    for_each_table(r, &top, "items", true, |r, f| {
        let id = f.string(r, "id", true)?;
        let text = f.text(r, "text", true);
        let scale = f.string(r, "scale", true)?;
        let factor = f.string(r, "factor", false);
        let dimension = f.string(r, "dimension", false);
        let reverse = f.boolean(r, "reverse").unwrap_or(false);
        let column = f.string(r, "column", false);
        let codes = read_codes(r, f);
        doc.items.push(RawItem {
            id,
            text,
            scale,
            factor,
            dimension,
            reverse,
            column,
            codes,
            span: f.span.clone(),
        });
        Some(())
    });
    for_each_table(r, &top, "bands", false, |r, f| {
        let label = f.text(r, "label", true);
        let min = f.float(r, "min", true);
        let description = f.text(r, "description", false);
        doc.bands.push(RawBand {
            label: label?,
            min: min?,
            description,
        });
        Some(())
    });
    for_each_table(r, &top, "comments", false, |r, f| {
        let id = f.string(r, "id", true);
        let text = f.text(r, "text", true);
        doc.comments.push(RawComment {
            id: id?,
            text: text?,
        });
        Some(())
    });
    if let Some(value) = top.get(r, "profile", false) {
        doc.profile = read_profile(r, value);
    }
    Some(doc)
}

/// The declared languages: `languages = ["en", "es"]`, or the older `language = "en"`.
fn read_languages(r: &mut Reader, top: &Fields<'_, '_>) -> Option<Spanned<Vec<Spanned<String>>>> {
    if let Some(one) = top.string(r, "language", false) {
        if let Some(many) = top.get(r, "languages", false) {
            r.problem(
                many.span(),
                "give either `language` or `languages`, not both (`languages` lists every language, the default first)",
            );
        }
        return Some(Spanned::new(one.span(), vec![one]));
    }
    let value = top.get(r, "languages", false)?;
    let tags = top.array(r, "languages", false)?;
    let tags = tags
        .iter()
        .filter_map(|v| match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            _ => {
                r.problem(v.span(), "languages must be language tags such as \"es\"");
                None
            }
        })
        .collect();
    Some(Spanned::new(value.span(), tags))
}

/// Reads the keys a dimension or factor table has besides its ids.
fn read_composite(r: &mut Reader, f: &Fields<'_, '_>) -> RawComposite {
    RawComposite {
        title: f.text(r, "title", true),
        description: f.text(r, "description", false),
        min_answered: f.float(r, "min_answered", false),
    }
}

/// Reads every table of the array `key`; `read` returns `None` when a table was unusable
/// (its problems are already recorded).
fn for_each_table<'t, 'i>(
    r: &mut Reader,
    top: &Fields<'t, 'i>,
    key: &str,
    required: bool,
    mut read: impl FnMut(&mut Reader, &Fields<'t, 'i>) -> Option<()>,
) {
    let Some(array) = top.array(r, key, required) else {
        return;
    };
    let allowed: &[&str] = match key {
        "dimensions" => &["id", "title", "description", "min_answered"],
        "factors" => &["id", "dimension", "title", "description", "min_answered"],
        "items" => &[
            "id",
            "text",
            "scale",
            "factor",
            "dimension",
            "reverse",
            "column",
            "codes",
        ],
        "bands" => &["label", "min", "description"],
        _ => &["id", "text"],
    };
    for (i, value) in array.iter().enumerate() {
        let what = format!("[[{key}]] number {}", i + 1);
        if let Some(f) = fields(r, value, what, allowed) {
            read(r, &f);
        }
    }
}

fn read_scale(r: &mut Reader, name: Spanned<String>, value: &Value<'_>) -> Option<RawScale> {
    let what = format!("[scales.{}]", name.get_ref());
    let f = fields(r, value, what, &["values", "labels", "missing", "codes"])?;
    let values_value = f.get(r, "values", true);
    let values = f.array(r, "values", false).map(|a| {
        a.iter()
            .filter_map(|v| match v.get_ref() {
                DeValue::Integer(i) => integer(i).map(|i| Spanned::new(v.span(), i)),
                _ => {
                    r.problem(v.span(), "scale values must be integers");
                    None
                }
            })
            .collect::<Vec<_>>()
    });
    let labels = f.worded(r, "labels", true, |r, value| match value.get_ref() {
        DeValue::Array(a) => Some(strings(r, a, "scale labels")),
        _ => {
            r.problem(
                value.span(),
                "`labels` must be an array, or a table of arrays by language such as `labels.en = [\"…\"]`",
            );
            None
        }
    });
    let missing = f
        .array(r, "missing", false)
        .map(|a| options(r, a, "a missing option"))
        .unwrap_or_default();
    let codes = read_codes(r, &f);
    Some(RawScale {
        name,
        values: values?,
        values_span: values_value?.span(),
        labels: labels?,
        missing,
        codes,
    })
}

/// The `codes` table of a scale or an item: spellings other tools write, each mapped to a scale
/// value (an integer) or a missing option (its code).
fn read_codes(r: &mut Reader, f: &Fields<'_, '_>) -> Vec<RawCode> {
    let Some(value) = f.get(r, "codes", false) else {
        return Vec::new();
    };
    let DeValue::Table(table) = value.get_ref() else {
        r.problem(
            value.span(),
            "`codes` must be a table such as `{ \"SA\" = 5, \"DK\" = \"na\" }`",
        );
        return Vec::new();
    };
    let mut codes = Vec::new();
    for (text, meaning) in table.iter() {
        let coded = match meaning.get_ref() {
            DeValue::Integer(i) => integer(i).map(RawCoded::Value),
            DeValue::String(s) => Some(RawCoded::Missing(s.to_string())),
            _ => None,
        };
        let Some(coded) = coded else {
            r.problem(
                meaning.span(),
                format!(
                    "code `{}` must map to a scale value (an integer) or a missing option's code (a string)",
                    text.get_ref()
                ),
            );
            continue;
        };
        codes.push(RawCode {
            text: Spanned::new(text.span(), text.get_ref().to_string()),
            meaning: Spanned::new(meaning.span(), coded),
        });
    }
    codes
}

fn strings(r: &mut Reader, array: &[Value<'_>], what: &str) -> Vec<String> {
    array
        .iter()
        .filter_map(|v| match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                r.problem(v.span(), format!("{what} must be strings"));
                None
            }
        })
        .collect()
}

fn options(r: &mut Reader, array: &[Value<'_>], what: &str) -> Vec<RawOption> {
    array
        .iter()
        .filter_map(|v| {
            let f = fields(r, v, what.to_string(), &["code", "label"])?;
            let code = f.string(r, "code", true);
            let label = f.text(r, "label", true);
            Some(RawOption {
                code: code?,
                label: label?,
            })
        })
        .collect()
}

fn read_profile(r: &mut Reader, value: &Value<'_>) -> Option<RawProfile> {
    let f = fields(r, value, "[profile]".into(), &["id", "text", "options"])?;
    let id = f.string(r, "id", true);
    let text = f.text(r, "text", true);
    let options_value = f.get(r, "options", true);
    let options = f
        .array(r, "options", false)
        .map(|a| options(r, a, "a profile option"));
    Some(RawProfile {
        id: id?,
        text: text?,
        options: options?,
        options_span: options_value?.span(),
    })
}
