//! Loading an instrument from TOML, reporting every problem at once with file, line and column.
//!
//! The file is parsed into toml's spanned tree (which recovers from syntax errors), then read by
//! hand rather than through serde: serde stops at the first unknown key or wrong type, and an
//! instrument author wants the whole list in one run.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{
    Band, CommentQuestion, DEFAULT_MIN_ANSWERED, Dimension, Factor, Instrument, Item, Profile,
    Scale, Texts,
};

/// One problem in an instrument file, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in words an instrument author understands.
    pub message: String,
}

/// Why an instrument could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The file's path as given.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file was read but is not a valid instrument.
    #[error("{}", ProblemList { file, problems })]
    Invalid {
        /// The file's path as given.
        file: String,
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
    /// Another instrument of the library already has this id.
    #[error("{file}: an instrument with id `{id}` is already loaded")]
    DuplicateId {
        /// The file's path as given.
        file: String,
        /// The id both instruments have.
        id: String,
    },
}

struct ProblemList<'a> {
    file: &'a str,
    problems: &'a [Problem],
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}:{}: {}", self.file, p.line, p.column, p.message)?;
        }
        Ok(())
    }
}

/// Reads and loads the instrument file at `path`.
pub fn load_file(path: &Path) -> Result<Instrument, LoadError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(src) => load_str(&file, &src),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let src = String::from_utf8_lossy(e.as_bytes());
                let (line, column) = line_column(&src, offset);
                Err(LoadError::Invalid {
                    file,
                    problems: vec![Problem {
                        line,
                        column,
                        message: "the file is not valid UTF-8".into(),
                    }],
                })
            }
        },
        Err(source) => Err(LoadError::Io { file, source }),
    }
}

/// Loads an instrument from TOML source; `file` names it in error messages.
pub fn load_str(file: &str, src: &str) -> Result<Instrument, LoadError> {
    let mut reader = Reader::default();
    let (root, syntax) = DeTable::parse_recoverable(src);
    for e in &syntax {
        reader.problem(e.span().unwrap_or(0..0), e.message().trim().to_string());
    }
    let raw = if syntax.is_empty() {
        read_document(&mut reader, root.get_ref(), root.span())
    } else {
        None
    };
    let instrument = raw.and_then(|raw| build(&mut reader, raw, src));
    match instrument {
        Some(instrument) if reader.problems.is_empty() => Ok(instrument),
        _ => Err(reader.into_error(file, src)),
    }
}

fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..src.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[derive(Default)]
struct Reader {
    problems: Vec<(Range<usize>, String)>,
}

impl Reader {
    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    fn into_error(mut self, file: &str, src: &str) -> LoadError {
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

fn integer(i: &toml::de::DeInteger<'_>) -> Option<i64> {
    i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
}

// ---------------------------------------------------------------------------------------------
// First pass: the document as written, with spans.

struct RawDoc {
    id: Option<Spanned<String>>,
    version: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    introduction: Option<Spanned<String>>,
    consent: Option<Spanned<String>>,
    min_answered: Option<Spanned<f64>>,
    scales: Vec<RawScale>,
    dimensions: Vec<RawDimension>,
    factors: Vec<RawFactor>,
    items: Vec<RawItem>,
    bands: Vec<RawBand>,
    comments: Vec<RawComment>,
    profile: Option<RawProfile>,
}

struct RawScale {
    name: Spanned<String>,
    values: Vec<Spanned<i64>>,
    values_span: Range<usize>,
    labels: Vec<Spanned<String>>,
    labels_span: Range<usize>,
    missing: Vec<RawOption>,
}

struct RawOption {
    code: Spanned<String>,
    label: Spanned<String>,
}

struct RawDimension {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    min_answered: Option<Spanned<f64>>,
}

struct RawFactor {
    id: Spanned<String>,
    dimension: Spanned<String>,
    title: Option<Spanned<String>>,
    description: Option<Spanned<String>>,
    min_answered: Option<Spanned<f64>>,
}

struct RawItem {
    id: Spanned<String>,
    text: Option<Spanned<String>>,
    scale: Spanned<String>,
    factor: Option<Spanned<String>>,
    dimension: Option<Spanned<String>>,
    reverse: bool,
    span: Range<usize>,
}

struct RawBand {
    label: Spanned<String>,
    min: Spanned<f64>,
    description: Option<Spanned<String>>,
}

struct RawComment {
    id: Spanned<String>,
    text: Spanned<String>,
}

struct RawProfile {
    id: Spanned<String>,
    text: Spanned<String>,
    options: Vec<RawOption>,
    options_span: Range<usize>,
}

const TOP_KEYS: &[&str] = &[
    "id",
    "version",
    "title",
    "description",
    "language",
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

fn read_document(r: &mut Reader, root: &DeTable<'_>, span: Range<usize>) -> Option<RawDoc> {
    let root_value = Spanned::new(span, DeValue::Table(root.clone()));
    let top = fields(r, &root_value, "the instrument".into(), TOP_KEYS)?;
    let mut doc = RawDoc {
        id: top.string(r, "id", true),
        version: top.string(r, "version", true),
        title: top.string(r, "title", true),
        description: top.string(r, "description", true),
        language: top.string(r, "language", false),
        introduction: top.string(r, "introduction", false),
        consent: top.string(r, "consent", false),
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
            title: f.string(r, "title", true),
            description: f.string(r, "description", false),
            min_answered: f.float(r, "min_answered", false),
        });
        Some(())
    });
    for_each_table(r, &top, "factors", false, |r, f| {
        doc.factors.push(RawFactor {
            id: f.string(r, "id", true)?,
            dimension: f.string(r, "dimension", true)?,
            title: f.string(r, "title", true),
            description: f.string(r, "description", false),
            min_answered: f.float(r, "min_answered", false),
        });
        Some(())
    });
    for_each_table(r, &top, "items", true, |r, f| {
        let id = f.string(r, "id", true)?;
        let text = f.string(r, "text", true);
        let scale = f.string(r, "scale", true)?;
        let factor = f.string(r, "factor", false);
        let dimension = f.string(r, "dimension", false);
        let reverse = f.boolean(r, "reverse").unwrap_or(false);
        doc.items.push(RawItem {
            id,
            text,
            scale,
            factor,
            dimension,
            reverse,
            span: f.span.clone(),
        });
        Some(())
    });
    for_each_table(r, &top, "bands", false, |r, f| {
        let label = f.string(r, "label", true);
        let min = f.float(r, "min", true);
        let description = f.string(r, "description", false);
        doc.bands.push(RawBand {
            label: label?,
            min: min?,
            description,
        });
        Some(())
    });
    for_each_table(r, &top, "comments", false, |r, f| {
        let id = f.string(r, "id", true);
        let text = f.string(r, "text", true);
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
        "items" => &["id", "text", "scale", "factor", "dimension", "reverse"],
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
    let f = fields(r, value, what, &["values", "labels", "missing"])?;
    let values_value = f.get(r, "values", true);
    let labels_value = f.get(r, "labels", true);
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
    let labels = f
        .array(r, "labels", false)
        .map(|a| strings(r, a, "scale labels"));
    let missing = f
        .array(r, "missing", false)
        .map(|a| options(r, a, "a missing option"))
        .unwrap_or_default();
    Some(RawScale {
        name,
        values: values?,
        values_span: values_value?.span(),
        labels: labels?,
        labels_span: labels_value?.span(),
        missing,
    })
}

fn strings(r: &mut Reader, array: &[Value<'_>], what: &str) -> Vec<Spanned<String>> {
    array
        .iter()
        .filter_map(|v| match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
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
            let label = f.string(r, "label", true);
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
    let text = f.string(r, "text", true);
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

// ---------------------------------------------------------------------------------------------
// Second pass: meaning. Every check records its problem and goes on, so one run lists them all.

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn check_id(r: &mut Reader, id: &Spanned<String>, what: &str) {
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

fn check_min_answered(r: &mut Reader, value: &Option<Spanned<f64>>) -> Option<f64> {
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

/// Names used for the scored and open-text columns must not clash with each other or with the
/// fixed columns of a responses file or of the raw export (`language`, `submitted_at`).
const RESERVED_IDS: &[&str] = &["respondent", "group", "wave", "language", "submitted_at"];

fn build(r: &mut Reader, doc: RawDoc, src: &str) -> Option<Instrument> {
    let mut texts = Texts::default();
    let top_texts = [
        ("title", &doc.title),
        ("description", &doc.description),
        ("introduction", &doc.introduction),
        ("consent", &doc.consent),
    ];
    for (key, text) in top_texts {
        if let Some(text) = text {
            texts.insert(key, text.get_ref().clone());
        }
    }
    if let Some(id) = &doc.id {
        check_id(r, id, "instrument");
    }
    let min_answered = check_min_answered(r, &doc.min_answered).unwrap_or(DEFAULT_MIN_ANSWERED);

    let scales = build_scales(r, &doc.scales, &mut texts);
    let scale_index: HashMap<&str, usize> = scales
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();

    // Dimensions, factors and items share one namespace: they are all columns of the reports.
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut unique = |r: &mut Reader, id: &Spanned<String>, what: &str| {
        check_id(r, id, what);
        if RESERVED_IDS.contains(&id.get_ref().as_str()) {
            r.problem(
                id.span(),
                format!(
                    "{what} id `{}` is reserved for a column of the responses file",
                    id.get_ref()
                ),
            );
        }
        if let Some(first) = seen.get(id.get_ref().as_str()) {
            let (line, column) = line_column(src, first.start);
            r.problem(
                id.span(),
                format!(
                    "duplicate id `{}` (first used at line {line}, column {column}); dimensions, factors, items and comments need distinct ids",
                    id.get_ref()
                ),
            );
        } else {
            seen.insert(id.get_ref().clone(), id.span());
        }
    };

    let mut dimensions = Vec::new();
    let mut dimension_index = HashMap::new();
    for d in &doc.dimensions {
        unique(r, &d.id, "dimension");
        dimension_index
            .entry(d.id.get_ref().as_str())
            .or_insert(dimensions.len());
        let prefix = format!("dimension.{}", d.id.get_ref());
        insert_text(&mut texts, &prefix, "title", &d.title);
        insert_text(&mut texts, &prefix, "description", &d.description);
        dimensions.push(Dimension {
            id: d.id.get_ref().clone(),
            min_answered: check_min_answered(r, &d.min_answered).unwrap_or(min_answered),
            items: Vec::new(),
            factors: Vec::new(),
            scale: usize::MAX,
        });
    }

    let mut factors = Vec::new();
    let mut factor_index = HashMap::new();
    for f in &doc.factors {
        unique(r, &f.id, "factor");
        let Some(&dimension) = dimension_index.get(f.dimension.get_ref().as_str()) else {
            r.problem(
                f.dimension.span(),
                format!(
                    "factor `{}` refers to an unknown dimension `{}`",
                    f.id.get_ref(),
                    f.dimension.get_ref()
                ),
            );
            continue;
        };
        factor_index
            .entry(f.id.get_ref().as_str())
            .or_insert(factors.len());
        let prefix = format!("factor.{}", f.id.get_ref());
        insert_text(&mut texts, &prefix, "title", &f.title);
        insert_text(&mut texts, &prefix, "description", &f.description);
        dimensions[dimension].factors.push(factors.len());
        factors.push(Factor {
            id: f.id.get_ref().clone(),
            dimension,
            min_answered: check_min_answered(r, &f.min_answered)
                .unwrap_or(dimensions[dimension].min_answered),
            items: Vec::new(),
        });
    }

    let mut items = Vec::new();
    // The first item of each dimension fixes the scale range the others must share.
    let mut dimension_range: Vec<Option<(usize, Range<usize>)>> = vec![None; dimensions.len()];
    for it in &doc.items {
        unique(r, &it.id, "item");
        if let Some(text) = &it.text {
            texts.insert(
                format!("item.{}.text", it.id.get_ref()),
                text.get_ref().clone(),
            );
        }
        let scale = scale_index.get(it.scale.get_ref().as_str()).copied();
        // A declared scale with problems of its own has been reported already.
        let declared = doc
            .scales
            .iter()
            .any(|s| s.name.get_ref() == it.scale.get_ref());
        if scale.is_none() && !declared {
            r.problem(
                it.scale.span(),
                format!(
                    "item `{}` refers to an unknown scale `{}`",
                    it.id.get_ref(),
                    it.scale.get_ref()
                ),
            );
        }
        let parent = match (&it.factor, &it.dimension) {
            (Some(factor), None) => match factor_index.get(factor.get_ref().as_str()) {
                Some(&f) => Some((factors[f].dimension, Some(f))),
                None => {
                    r.problem(
                        factor.span(),
                        format!(
                            "item `{}` refers to an unknown factor `{}`",
                            it.id.get_ref(),
                            factor.get_ref()
                        ),
                    );
                    None
                }
            },
            (None, Some(dimension)) => match dimension_index.get(dimension.get_ref().as_str()) {
                Some(&d) => Some((d, None)),
                None => {
                    r.problem(
                        dimension.span(),
                        format!(
                            "item `{}` refers to an unknown dimension `{}`",
                            it.id.get_ref(),
                            dimension.get_ref()
                        ),
                    );
                    None
                }
            },
            (Some(factor), Some(_)) => {
                r.problem(
                    factor.span(),
                    format!("item `{}` names both a factor and a dimension; give one (a factor implies its dimension)", it.id.get_ref()),
                );
                None
            }
            (None, None) => {
                r.problem(
                    it.span.clone(),
                    format!(
                        "item `{}` needs either `factor` or `dimension`",
                        it.id.get_ref()
                    ),
                );
                None
            }
        };
        let (Some(scale), Some((dimension, factor))) = (scale, parent) else {
            continue;
        };
        match &dimension_range[dimension] {
            None => dimension_range[dimension] = Some((scale, it.scale.span())),
            Some((first, first_span)) => {
                let (a, b) = (&scales[*first], &scales[scale]);
                if (a.min, a.max) != (b.min, b.max) {
                    let (line, column) = line_column(src, first_span.start);
                    r.problem(
                        it.scale.span(),
                        format!(
                            "item `{}` uses scale `{}` ({}..{}) but dimension `{}` already uses scale `{}` ({}..{}) at line {line}, column {column}; all items of a dimension need the same range",
                            it.id.get_ref(), b.name, b.min, b.max, dimensions[dimension].id, a.name, a.min, a.max
                        ),
                    );
                    continue;
                }
            }
        }
        let index = items.len();
        dimensions[dimension].items.push(index);
        if let Some(f) = factor {
            factors[f].items.push(index);
        }
        items.push(Item {
            id: it.id.get_ref().clone(),
            scale,
            dimension,
            factor,
            reverse: it.reverse,
        });
    }

    for (d, raw) in dimensions.iter_mut().zip(&doc.dimensions) {
        if d.items.is_empty() {
            r.problem(raw.id.span(), format!("dimension `{}` has no items", d.id));
        }
    }
    for d in 0..dimensions.len() {
        if let Some((scale, _)) = &dimension_range[d] {
            dimensions[d].scale = *scale;
        }
    }
    for f in &factors {
        if f.items.is_empty() {
            let raw = doc.factors.iter().find(|raw| *raw.id.get_ref() == f.id);
            if let Some(raw) = raw {
                r.problem(raw.id.span(), format!("factor `{}` has no items", f.id));
            }
        }
    }
    if doc.dimensions.is_empty() {
        r.problem(
            0..0,
            "the instrument needs at least one `[[dimensions]]` table",
        );
    }

    let bands = build_bands(r, &doc.bands, &dimensions, &scales, &mut texts);

    let mut comments = Vec::new();
    for c in &doc.comments {
        unique(r, &c.id, "comment");
        texts.insert(
            format!("comment.{}.text", c.id.get_ref()),
            c.text.get_ref().clone(),
        );
        comments.push(CommentQuestion {
            id: c.id.get_ref().clone(),
        });
    }

    let profile = doc.profile.as_ref().map(|p| {
        unique(r, &p.id, "profile");
        texts.insert("profile.text", p.text.get_ref().clone());
        let codes = check_options(r, &p.options, "profile option");
        if p.options.len() < 2 {
            r.problem(
                p.options_span.clone(),
                "the profile question needs at least two options",
            );
        }
        for o in &p.options {
            texts.insert(
                format!("profile.option.{}", o.code.get_ref()),
                o.label.get_ref().clone(),
            );
        }
        Profile {
            id: p.id.get_ref().clone(),
            options: codes,
        }
    });

    if !r.problems.is_empty() {
        return None;
    }
    Some(Instrument {
        id: doc.id?.into_inner(),
        version: doc.version?.into_inner(),
        language: doc
            .language
            .map_or_else(|| "en".to_string(), Spanned::into_inner),
        min_answered,
        scales,
        dimensions,
        factors,
        items,
        bands,
        comments,
        profile,
        texts,
        source: src.to_string(),
    })
}

fn insert_text(texts: &mut Texts, prefix: &str, key: &str, text: &Option<Spanned<String>>) {
    if let Some(text) = text {
        texts.insert(format!("{prefix}.{key}"), text.get_ref().clone());
    }
}

/// Checks option codes (unique, id-like, never numbers, which would read as scale values) and
/// returns them.
fn check_options(r: &mut Reader, options: &[RawOption], what: &str) -> Vec<String> {
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

fn build_scales(r: &mut Reader, raw: &[RawScale], texts: &mut Texts) -> Vec<Scale> {
    let mut scales = Vec::new();
    for s in raw {
        let name = s.name.get_ref();
        if !valid_id(name) {
            r.problem(
                s.name.span(),
                format!("scale name `{name}` must start with a lower-case letter and contain only lower-case letters, digits, `-` and `_`"),
            );
        }
        let mut ok = true;
        if s.values.len() < 2 {
            r.problem(
                s.values_span.clone(),
                format!("scale `{name}` needs at least two values"),
            );
            ok = false;
        }
        for pair in s.values.windows(2) {
            if *pair[1].get_ref() != pair[0].get_ref() + 1 {
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
        if s.labels.len() != s.values.len() {
            r.problem(
                s.labels_span.clone(),
                format!(
                    "scale `{name}` has {} values but {} labels; give one label per value",
                    s.values.len(),
                    s.labels.len()
                ),
            );
            ok = false;
        }
        let missing = check_options(r, &s.missing, "missing option");
        if !ok {
            continue;
        }
        let scale = Scale {
            name: name.clone(),
            min: *s.values[0].get_ref() as i16,
            max: *s.values[s.values.len() - 1].get_ref() as i16,
            missing,
        };
        for (value, label) in scale.values().zip(&s.labels) {
            texts.insert(scale.label_key(value), label.get_ref().clone());
        }
        for o in &s.missing {
            texts.insert(
                scale.missing_key(o.code.get_ref()),
                o.label.get_ref().clone(),
            );
        }
        scales.push(scale);
    }
    scales
}

fn build_bands(
    r: &mut Reader,
    raw: &[RawBand],
    dimensions: &[Dimension],
    scales: &[Scale],
    texts: &mut Texts,
) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    let mut mins: HashSet<u64> = HashSet::new();
    for (key, b) in raw.iter().enumerate() {
        let min = *b.min.get_ref();
        if !mins.insert(min.to_bits()) {
            r.problem(
                b.min.span(),
                format!("two bands start at {min}; each band needs its own `min`"),
            );
        }
        for d in dimensions.iter().filter(|d| d.scale != usize::MAX) {
            let scale = &scales[d.scale];
            if min < f64::from(scale.min) || min > f64::from(scale.max) {
                r.problem(
                    b.min.span(),
                    format!(
                        "band `{}` starts at {min}, outside the range {}..{} of dimension `{}`",
                        b.label.get_ref(),
                        scale.min,
                        scale.max,
                        d.id
                    ),
                );
            }
        }
        texts.insert(format!("band.{key}.label"), b.label.get_ref().clone());
        if let Some(description) = &b.description {
            texts.insert(
                format!("band.{key}.description"),
                description.get_ref().clone(),
            );
        }
        bands.push(Band { key, min });
    }
    bands.sort_by(|a, b| b.min.total_cmp(&a.min));
    bands
}
