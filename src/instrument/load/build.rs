//! The second pass of the loader: meaning. Ids, references between tables, scale ranges and bands
//! are checked and resolved to indices, and the texts are gathered into the catalogue.
//!
//! Every check records its problem and goes on, so one run lists them all; the instrument is
//! built only when there was none.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::check::{
    check_codes, check_id, check_item_id, check_min_answered, check_options, check_scale_values,
    valid_id,
};
use super::line_column;
use super::read::{
    RawBand, RawComment, RawDimension, RawDoc, RawFactor, RawItem, RawProfile, RawScale, Reader,
    Worded,
};
use crate::instrument::{
    Band, CellReader, Coded, CommentQuestion, DEFAULT_MIN_ANSWERED, Dimension, Factor, Instrument,
    Item, Profile, Scale, TextKey, Texts, is_language_tag,
};

/// Names used for the scored and open-text columns must not clash with each other or with the
/// fixed columns of a responses file or of the raw export (`language`, `source`,
/// `submitted_on`, and `submitted_at` of older exports).
const RESERVED_IDS: &[&str] = &[
    "respondent",
    "group",
    "wave",
    "language",
    "source",
    "submitted_on",
    "submitted_at",
];

/// Builds the instrument `doc` describes, or records why it cannot (and returns `None`).
pub(super) fn build(r: &mut Reader, doc: RawDoc, src: &str) -> Option<Instrument> {
    let languages = check_languages(r, &doc.languages);
    let mut b = Builder {
        r,
        src,
        texts: languages.iter().map(|l| Texts::new(l)).collect(),
        languages,
        seen: HashMap::new(),
    };
    b.top_texts(&doc);
    if let Some(id) = &doc.id {
        check_id(b.r, id, "instrument");
    }
    let min_answered = check_min_answered(b.r, &doc.min_answered).unwrap_or(DEFAULT_MIN_ANSWERED);
    let scales = b.scales(&doc.scales);
    let mut composites = b.dimensions(&doc.dimensions, min_answered);
    b.factors(&doc.factors, &mut composites);
    let items = b.items(&doc.items, &doc.scales, &scales, &mut composites);
    b.check_headers(&doc.items);
    b.check_composites_have_items(&doc, &composites);
    let Composites {
        dimensions,
        factors,
        ..
    } = composites;
    let bands = b.bands(&doc.bands, &dimensions, &scales);
    let comments = doc.comments.iter().map(|c| b.comment(c)).collect();
    let profile = doc.profile.as_ref().map(|p| b.profile(p));
    check_spellings(b.r, &b.texts, &scales, &items, &doc);

    if b.r.has_problems() {
        return None;
    }
    Some(Instrument {
        id: doc.id.as_ref()?.get_ref().clone(),
        version: doc.version.as_ref()?.get_ref().clone(),
        min_answered,
        scales,
        dimensions,
        factors,
        items,
        bands,
        comments,
        profile,
        texts: b.texts,
        source: src.to_string(),
    })
}

/// The declared languages, checked: tags such as `en` or `es-419`, each once; English when the
/// file declares none.
fn check_languages(
    r: &mut Reader,
    declared: &Option<Spanned<Vec<Spanned<String>>>>,
) -> Vec<String> {
    let Some(declared) = declared else {
        return vec!["en".to_string()];
    };
    let mut languages: Vec<String> = Vec::new();
    for tag in declared.get_ref() {
        let t = tag.get_ref();
        if !valid_language_tag(t) {
            r.problem(
                tag.span(),
                format!("`{t}` is not a language tag such as \"en\", \"es\" or \"es-419\""),
            );
        } else if languages.iter().any(|l| l.eq_ignore_ascii_case(t)) {
            r.problem(tag.span(), format!("language `{t}` is declared twice"));
        } else {
            languages.push(t.clone());
        }
    }
    if languages.is_empty() {
        r.problem(
            declared.span(),
            "`languages` needs at least one language tag, the default first",
        );
        languages.push("en".to_string());
    }
    languages
}

/// Whether `tag` can be declared: a language tag whose primary subtag is written in lower case,
/// as the texts' keys (`text.es`) are.
fn valid_language_tag(tag: &str) -> bool {
    let primary = tag.split('-').next().unwrap_or_default();
    is_language_tag(tag) && primary.bytes().all(|b| b.is_ascii_lowercase())
}

/// Records every answer spelling that would read two ways: per scale, then per item with codes
/// of its own (what its scale already reported is not repeated). A responses file may use the
/// labels of any of the instrument's languages, so all of them count.
fn check_spellings(
    r: &mut Reader,
    texts: &[Texts],
    scales: &[Scale],
    items: &[Item],
    doc: &RawDoc,
) {
    // A label missing in some language was reported already; the others still count.
    let reader = |scale: &Scale, codes: &[(String, Coded)]| {
        CellReader::from_texts(
            scale,
            texts.iter().flat_map(|t| {
                t.scale_labels_given(scale)
                    .filter_map(|(value, label)| Some((value, label?)))
            }),
            texts.iter().flat_map(|t| {
                t.missing_options_given(scale)
                    .filter_map(|(code, label)| Some((code, label?)))
            }),
            codes,
        )
        .err()
        .unwrap_or_default()
    };
    let mut reported = Vec::new();
    for scale in scales {
        let Some(raw) = doc.scales.iter().find(|s| *s.name.get_ref() == scale.name) else {
            continue;
        };
        for a in reader(scale, &[]) {
            r.problem(
                raw.labels.span.clone(),
                format!(
                    "scale `{}`: `{}` and `{}` would read alike in a responses file (case and spaces are ignored) but mean different answers",
                    scale.name, a.first, a.second
                ),
            );
            reported.push((scale.name.clone(), a));
        }
    }
    for item in items.iter().filter(|item| !item.codes.is_empty()) {
        let scale = &scales[item.scale];
        let Some(raw) = doc.items.iter().find(|it| *it.id.get_ref() == item.id) else {
            continue;
        };
        for a in reader(scale, &item.codes) {
            if reported
                .iter()
                .any(|(s, earlier)| *s == scale.name && *earlier == a)
            {
                continue;
            }
            r.problem(
                raw.codes[0].text.span(),
                format!(
                    "item `{}`: `{}` and `{}` would read alike in a responses file (case and spaces are ignored) but mean different answers",
                    item.id, a.first, a.second
                ),
            );
        }
    }
}

/// The state of the second pass: where problems go, the texts gathered so far and the ids taken.
struct Builder<'r> {
    r: &'r mut Reader,
    src: &'r str,
    /// The declared languages, the default first.
    languages: Vec<String>,
    /// The texts gathered so far, one catalogue per language of `languages`.
    texts: Vec<Texts>,
    /// Where each id of a dimension, factor, item, comment or the profile was first used.
    seen: HashMap<String, Range<usize>>,
}

/// Dimensions and factors while items are added to them, with their indices by id.
struct Composites<'d> {
    dimensions: Vec<Dimension>,
    dimension_index: HashMap<&'d str, usize>,
    factors: Vec<Factor>,
    factor_index: HashMap<&'d str, usize>,
}

impl Builder<'_> {
    /// Stores each language's value of `text` under `key` when the file has the text; a missing
    /// required text was reported by the first pass.
    fn text(&mut self, key: TextKey<'_>, text: &Option<Worded<String>>) {
        if let Some(text) = text {
            self.worded(key, text);
        }
    }

    /// Stores each language's value of `text` under `key`.
    fn worded(&mut self, key: TextKey<'_>, text: &Worded<String>) {
        let values = self.by_language(text);
        for (texts, value) in self.texts.iter_mut().zip(values) {
            if let Some(value) = value {
                texts.insert(key, value.clone());
            }
        }
    }

    /// The value of `worded` in each declared language, in the order of `languages`; records
    /// each language it lacks and each tag that is not declared. A value written without a tag
    /// is the default language's.
    fn by_language<'w, T>(&mut self, worded: &'w Worded<T>) -> Vec<Option<&'w T>> {
        let mut found = vec![None; self.languages.len()];
        for (tag, value) in &worded.texts {
            let Some(tag) = tag else {
                found[0] = Some(value);
                continue;
            };
            match self.languages.iter().position(|l| l == tag.get_ref()) {
                Some(i) => found[i] = Some(value),
                None => self.r.problem(
                    tag.span(),
                    format!(
                        "{} is in `{}`, which is not one of the instrument's `languages` ({})",
                        worded.what,
                        tag.get_ref(),
                        self.languages.join(", ")
                    ),
                ),
            }
        }
        for (language, value) in self.languages.iter().zip(&found) {
            if value.is_none() {
                self.r.problem(
                    worded.span.clone(),
                    format!("{} has no text in `{language}`", worded.what),
                );
            }
        }
        found
    }

    /// Checks an id of the one namespace that dimensions, factors, items, comments and the
    /// profile share: they are all columns of the reports.
    /// Ids are compared ignoring case: an item `Q1` and a factor `q1` would be one column to a
    /// spreadsheet user.
    fn unique(&mut self, id: &Spanned<String>, what: &str) {
        let folded = id.get_ref().to_lowercase();
        if RESERVED_IDS.contains(&folded.as_str()) {
            self.r.problem(
                id.span(),
                format!(
                    "{what} id `{}` is reserved for a column of the responses file",
                    id.get_ref()
                ),
            );
        }
        if let Some(first) = self.seen.get(folded.as_str()) {
            let (line, column) = line_column(self.src, first.start);
            self.r.problem(
                id.span(),
                format!(
                    "duplicate id `{}` (first used at line {line}, column {column}); dimensions, factors, items and comments need distinct ids, ignoring case",
                    id.get_ref()
                ),
            );
        } else {
            self.seen.insert(folded, id.span());
        }
    }

    /// Records that `what` `id` refers to a `kind` named `name` that does not exist.
    fn unknown(&mut self, what: &str, id: &Spanned<String>, kind: &str, name: &Spanned<String>) {
        self.r.problem(
            name.span(),
            format!(
                "{what} `{}` refers to an unknown {kind} `{}`",
                id.get_ref(),
                name.get_ref()
            ),
        );
    }

    fn top_texts(&mut self, doc: &RawDoc) {
        self.text(TextKey::Title, &doc.title);
        self.text(TextKey::Description, &doc.description);
        self.text(TextKey::Introduction, &doc.introduction);
        self.text(TextKey::Consent, &doc.consent);
    }

    /// The scales without problems, in file order, with their labels in the catalogue.
    fn scales(&mut self, raw: &[RawScale]) -> Vec<Scale> {
        let mut scales = Vec::new();
        for s in raw {
            let name = s.name.get_ref();
            if !valid_id(name) {
                self.r.problem(
                    s.name.span(),
                    format!("scale name `{name}` must start with a lower-case letter and contain only lower-case letters, digits, `-` and `_`"),
                );
            }
            let values_ok = check_scale_values(self.r, s);
            let labels = self.by_language(&s.labels);
            for (labels, language) in labels.iter().zip(&self.languages) {
                let Some(labels) = labels else {
                    continue;
                };
                if labels.len() != s.values.len() {
                    self.r.problem(
                        s.labels.span.clone(),
                        format!(
                            "scale `{name}` has {} values but {} labels{}; give one label per value",
                            s.values.len(),
                            labels.len(),
                            if self.languages.len() > 1 {
                                format!(" in `{language}`")
                            } else {
                                String::new()
                            }
                        ),
                    );
                }
            }
            let missing = check_options(self.r, &s.missing, "missing option");
            if !values_ok {
                continue;
            }
            let (min, max) = (
                *s.values[0].get_ref() as i16,
                *s.values[s.values.len() - 1].get_ref() as i16,
            );
            let codes = check_codes(self.r, &s.codes, (min, max), &missing);
            let scale = Scale {
                name: name.clone(),
                min,
                max,
                missing,
                codes,
            };
            for (texts, labels) in self.texts.iter_mut().zip(labels) {
                for (value, label) in scale.values().zip(labels.into_iter().flatten()) {
                    texts.insert(TextKey::ScaleLabel { scale: name, value }, label.clone());
                }
            }
            for o in &s.missing {
                let code = o.code.get_ref();
                self.worded(TextKey::MissingLabel { scale: name, code }, &o.label);
            }
            scales.push(scale);
        }
        scales
    }

    /// Every dimension, in file order, still without items.
    fn dimensions<'d>(&mut self, raw: &'d [RawDimension], min_answered: f64) -> Composites<'d> {
        let mut dimensions = Vec::new();
        let mut dimension_index = HashMap::new();
        for d in raw {
            check_id(self.r, &d.id, "dimension");
            self.unique(&d.id, "dimension");
            let id = d.id.get_ref();
            dimension_index
                .entry(id.as_str())
                .or_insert(dimensions.len());
            self.text(TextKey::DimensionTitle(id), &d.common.title);
            self.text(TextKey::DimensionDescription(id), &d.common.description);
            dimensions.push(Dimension {
                id: id.clone(),
                min_answered: check_min_answered(self.r, &d.common.min_answered)
                    .unwrap_or(min_answered),
                items: Vec::new(),
                factors: Vec::new(),
                // Set by the dimension's first item.
                scale: usize::MAX,
            });
        }
        Composites {
            dimensions,
            dimension_index,
            factors: Vec::new(),
            factor_index: HashMap::new(),
        }
    }

    /// Adds every factor of a known dimension, still without items.
    fn factors<'d>(&mut self, raw: &'d [RawFactor], c: &mut Composites<'d>) {
        for f in raw {
            check_id(self.r, &f.id, "factor");
            self.unique(&f.id, "factor");
            let Some(&dimension) = c.dimension_index.get(f.dimension.get_ref().as_str()) else {
                self.unknown("factor", &f.id, "dimension", &f.dimension);
                continue;
            };
            let id = f.id.get_ref();
            c.factor_index.entry(id.as_str()).or_insert(c.factors.len());
            self.text(TextKey::FactorTitle(id), &f.common.title);
            self.text(TextKey::FactorDescription(id), &f.common.description);
            c.dimensions[dimension].factors.push(c.factors.len());
            c.factors.push(Factor {
                id: id.clone(),
                dimension,
                min_answered: check_min_answered(self.r, &f.common.min_answered)
                    .unwrap_or(c.dimensions[dimension].min_answered),
                items: Vec::new(),
            });
        }
    }

    /// The usable items, in file order, each added to its dimension and factor; sets each
    /// dimension's scale.
    fn items(
        &mut self,
        raw: &[RawItem],
        declared: &[RawScale],
        scales: &[Scale],
        c: &mut Composites<'_>,
    ) -> Vec<Item> {
        let scale_index: HashMap<&str, usize> = scales
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        let mut items = Vec::new();
        // The first item of each dimension fixes the scale range the others must share.
        let mut first_scales: Vec<Option<(usize, Range<usize>)>> = vec![None; c.dimensions.len()];
        for it in raw {
            check_item_id(self.r, &it.id);
            self.unique(&it.id, "item");
            self.text(TextKey::ItemText(it.id.get_ref()), &it.text);
            let scale = self.item_scale(it, &scale_index, declared);
            let parent = self.item_parent(it, c);
            let (Some(scale), Some((dimension, factor))) = (scale, parent) else {
                continue;
            };
            let first = &mut first_scales[dimension];
            if !self.shares_range(it, scale, first, scales, &c.dimensions[dimension]) {
                continue;
            }
            let index = items.len();
            c.dimensions[dimension].items.push(index);
            if let Some(f) = factor {
                c.factors[f].items.push(index);
            }
            let on = &scales[scale];
            items.push(Item {
                id: it.id.get_ref().clone(),
                column: it.column.as_ref().map(|c| c.get_ref().clone()),
                scale,
                dimension,
                factor,
                reverse: it.reverse,
                codes: check_codes(self.r, &it.codes, (on.min, on.max), &on.missing),
            });
        }
        for (dimension, first) in c.dimensions.iter_mut().zip(first_scales) {
            if let Some((scale, _)) = first {
                dimension.scale = scale;
            }
        }
        items
    }

    /// The index of the scale of item `it`, if it is known and usable.
    fn item_scale(
        &mut self,
        it: &RawItem,
        scale_index: &HashMap<&str, usize>,
        declared: &[RawScale],
    ) -> Option<usize> {
        let scale = scale_index.get(it.scale.get_ref().as_str()).copied();
        // A declared scale with problems of its own has been reported already.
        let declared = declared
            .iter()
            .any(|s| s.name.get_ref() == it.scale.get_ref());
        if scale.is_none() && !declared {
            self.unknown("item", &it.id, "scale", &it.scale);
        }
        scale
    }

    /// The dimension and factor of item `it`, from exactly one of its `factor` and `dimension`.
    fn item_parent(&mut self, it: &RawItem, c: &Composites<'_>) -> Option<(usize, Option<usize>)> {
        match (&it.factor, &it.dimension) {
            (Some(factor), None) => match c.factor_index.get(factor.get_ref().as_str()) {
                Some(&f) => Some((c.factors[f].dimension, Some(f))),
                None => {
                    self.unknown("item", &it.id, "factor", factor);
                    None
                }
            },
            (None, Some(dimension)) => match c.dimension_index.get(dimension.get_ref().as_str()) {
                Some(&d) => Some((d, None)),
                None => {
                    self.unknown("item", &it.id, "dimension", dimension);
                    None
                }
            },
            (Some(factor), Some(_)) => {
                self.r.problem(
                    factor.span(),
                    format!("item `{}` names both a factor and a dimension; give one (a factor implies its dimension)", it.id.get_ref()),
                );
                None
            }
            (None, None) => {
                self.r.problem(
                    it.span.clone(),
                    format!(
                        "item `{}` needs either `factor` or `dimension`",
                        it.id.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Whether item `it` on `scale` has the same range as the first item of `dimension`, whose
    /// scale and its place `first` holds (and which the first item sets).
    fn shares_range(
        &mut self,
        it: &RawItem,
        scale: usize,
        first: &mut Option<(usize, Range<usize>)>,
        scales: &[Scale],
        dimension: &Dimension,
    ) -> bool {
        let Some((first_scale, first_span)) = first.as_ref() else {
            *first = Some((scale, it.scale.span()));
            return true;
        };
        let (a, b) = (&scales[*first_scale], &scales[scale]);
        if (a.min, a.max) == (b.min, b.max) {
            return true;
        }
        let (line, column) = line_column(self.src, first_span.start);
        self.r.problem(
            it.scale.span(),
            format!(
                "item `{}` uses scale `{}` ({}..{}) but dimension `{}` already uses scale `{}` ({}..{}) at line {line}, column {column}; all items of a dimension need the same range",
                it.id.get_ref(), b.name, b.min, b.max, dimension.id, a.name, a.min, a.max
            ),
        );
        false
    }

    /// Every column an item is read from (its id or its `column`) names one item, ignoring case,
    /// and is none of the responses file's own columns; a `column` is written as a header reads.
    fn check_headers(&mut self, raw: &[RawItem]) {
        let mut headers: HashMap<String, &Spanned<String>> = HashMap::new();
        for it in raw {
            headers
                .entry(it.id.get_ref().to_lowercase())
                .or_insert(&it.id);
        }
        for it in raw {
            let Some(column) = &it.column else {
                continue;
            };
            let name = column.get_ref();
            if name.trim() != name || name.is_empty() || name.chars().any(char::is_control) {
                self.r.problem(
                    column.span(),
                    format!("column `{name}` of item `{}` must be a header as it reads: not blank, without spaces around it or control characters", it.id.get_ref()),
                );
                continue;
            }
            let folded = name.to_lowercase();
            if RESERVED_IDS.contains(&folded.as_str()) {
                self.r.problem(
                    column.span(),
                    format!("column `{name}` of item `{}` is reserved for a column of the responses file", it.id.get_ref()),
                );
            }
            match headers.get(&folded) {
                Some(other) if other.get_ref() != it.id.get_ref() => {
                    let (line, col) = line_column(self.src, other.span().start);
                    self.r.problem(
                        column.span(),
                        format!("column `{name}` of item `{}` is also `{}` at line {line}, column {col} (ignoring case); each column can be read as one item only", it.id.get_ref(), other.get_ref()),
                    );
                }
                _ => {
                    headers.insert(folded, column);
                }
            }
        }
    }

    /// Every dimension and factor needs an item, and the instrument needs a dimension.
    fn check_composites_have_items(&mut self, doc: &RawDoc, c: &Composites<'_>) {
        for (d, raw) in c.dimensions.iter().zip(&doc.dimensions) {
            if d.items.is_empty() {
                self.r
                    .problem(raw.id.span(), format!("dimension `{}` has no items", d.id));
            }
        }
        for f in &c.factors {
            if f.items.is_empty() {
                let raw = doc.factors.iter().find(|raw| *raw.id.get_ref() == f.id);
                if let Some(raw) = raw {
                    self.r
                        .problem(raw.id.span(), format!("factor `{}` has no items", f.id));
                }
            }
        }
        if doc.dimensions.is_empty() {
            self.r.problem(
                0..0,
                "the instrument needs at least one `[[dimensions]]` table",
            );
        }
    }

    /// The bands, ordered by descending lower bound; each keeps its file position for its texts.
    fn bands(&mut self, raw: &[RawBand], dimensions: &[Dimension], scales: &[Scale]) -> Vec<Band> {
        let mut bands: Vec<Band> = Vec::new();
        let mut mins: HashSet<u64> = HashSet::new();
        for (key, b) in raw.iter().enumerate() {
            self.worded(TextKey::BandLabel(key), &b.label);
            self.text(TextKey::BandDescription(key), &b.description);
            let min = *b.min.get_ref();
            if !mins.insert(min.to_bits()) {
                self.r.problem(
                    b.min.span(),
                    format!("two bands start at {min}; each band needs its own `min`"),
                );
            }
            for d in dimensions.iter().filter(|d| d.scale != usize::MAX) {
                let scale = &scales[d.scale];
                if min < f64::from(scale.min) || min > f64::from(scale.max) {
                    self.r.problem(
                        b.min.span(),
                        format!(
                            "band `{}` starts at {min}, outside the range {}..{} of dimension `{}`",
                            self.texts[0]
                                .get(TextKey::BandLabel(key))
                                .unwrap_or_default(),
                            scale.min,
                            scale.max,
                            d.id
                        ),
                    );
                }
            }
            bands.push(Band { key, min });
        }
        bands.sort_by(|a, b| b.min.total_cmp(&a.min));
        bands
    }

    fn comment(&mut self, raw: &RawComment) -> CommentQuestion {
        check_id(self.r, &raw.id, "comment");
        self.unique(&raw.id, "comment");
        let id = raw.id.get_ref();
        self.worded(TextKey::CommentText(id), &raw.text);
        CommentQuestion { id: id.clone() }
    }

    fn profile(&mut self, raw: &RawProfile) -> Profile {
        check_id(self.r, &raw.id, "profile");
        self.unique(&raw.id, "profile");
        self.worded(TextKey::ProfileText, &raw.text);
        let codes = check_options(self.r, &raw.options, "profile option");
        if raw.options.len() < 2 {
            self.r.problem(
                raw.options_span.clone(),
                "the profile question needs at least two options",
            );
        }
        for o in &raw.options {
            self.worded(TextKey::ProfileOption(o.code.get_ref()), &o.label);
        }
        Profile {
            id: raw.id.get_ref().clone(),
            options: codes,
        }
    }
}
