//! The texts of an instrument: one catalogue per language keyed by stable paths, and typed
//! accessors so callers never spell a path.
//!
//! Texts the format requires (titles, item texts, scale labels, …) are `&str`: the loader refuses
//! a file without them in any declared language, and a [`Texts`] cannot be made any other way.
//! Texts the format documents as optional (introduction, consent, descriptions) are
//! `Option<&str>`.

use std::collections::BTreeMap;
use std::fmt;

use super::{Band, CommentQuestion, Dimension, Factor, Instrument, Item, Profile, Scale};

/// Which text: the typed form of a catalogue path such as `item.t1.text`.
///
/// Keys are derived from ids, never from positions in a translation, so replacing the catalogue
/// with a translated one changes what people read and nothing that is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKey<'a> {
    /// The instrument's title (`title`).
    Title,
    /// The instrument's description (`description`).
    Description,
    /// The first page of the form (`introduction`).
    Introduction,
    /// The consent statement (`consent`).
    Consent,
    /// The label of one value of a scale (`scale.NAME.label.VALUE`).
    ScaleLabel {
        /// The scale's name.
        scale: &'a str,
        /// One of its values.
        value: i16,
    },
    /// The label of a non-substantive option of a scale (`scale.NAME.missing.CODE`).
    MissingLabel {
        /// The scale's name.
        scale: &'a str,
        /// The option's code.
        code: &'a str,
    },
    /// A dimension's title (`dimension.ID.title`).
    DimensionTitle(&'a str),
    /// A dimension's description (`dimension.ID.description`).
    DimensionDescription(&'a str),
    /// A factor's title (`factor.ID.title`).
    FactorTitle(&'a str),
    /// A factor's description (`factor.ID.description`).
    FactorDescription(&'a str),
    /// An item's statement (`item.ID.text`).
    ItemText(&'a str),
    /// A band's label, by the band's position in the file (`band.N.label`).
    BandLabel(usize),
    /// A band's description, by the band's position in the file (`band.N.description`).
    BandDescription(usize),
    /// An open-text question (`comment.ID.text`).
    CommentText(&'a str),
    /// The profile question (`profile.text`).
    ProfileText,
    /// The label of a profile option (`profile.option.CODE`).
    ProfileOption(&'a str),
}

impl fmt::Display for TextKey<'_> {
    /// The catalogue path of the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextKey::Title => f.write_str("title"),
            TextKey::Description => f.write_str("description"),
            TextKey::Introduction => f.write_str("introduction"),
            TextKey::Consent => f.write_str("consent"),
            TextKey::ScaleLabel { scale, value } => write!(f, "scale.{scale}.label.{value}"),
            TextKey::MissingLabel { scale, code } => write!(f, "scale.{scale}.missing.{code}"),
            TextKey::DimensionTitle(id) => write!(f, "dimension.{id}.title"),
            TextKey::DimensionDescription(id) => write!(f, "dimension.{id}.description"),
            TextKey::FactorTitle(id) => write!(f, "factor.{id}.title"),
            TextKey::FactorDescription(id) => write!(f, "factor.{id}.description"),
            TextKey::ItemText(id) => write!(f, "item.{id}.text"),
            TextKey::BandLabel(n) => write!(f, "band.{n}.label"),
            TextKey::BandDescription(n) => write!(f, "band.{n}.description"),
            TextKey::CommentText(id) => write!(f, "comment.{id}.text"),
            TextKey::ProfileText => f.write_str("profile.text"),
            TextKey::ProfileOption(code) => write!(f, "profile.option.{code}"),
        }
    }
}

/// Whether `tag` has the shape of a BCP 47 language tag: a primary subtag of two or three
/// letters, then subtags of one to eight letters and digits (`es`, `es-419`, `pt-BR`,
/// `zh-Hant-TW`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The human-readable texts of an instrument in one language, keyed by paths such as
/// `item.t1.text` or `scale.agree5.label.3`, with typed accessors so callers never spell a path.
///
/// Only the loader makes one, and it makes none without every text the format requires in
/// every declared language, so the accessors of required texts cannot fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Texts {
    lang: String,
    entries: BTreeMap<String, String>,
}

// The loader reports every missing required text in every language, so it builds no instrument
// without these texts, and a catalogue cannot be changed once built.
const REQUIRED: &str = "the loader refuses an instrument without its required texts";

impl Texts {
    /// An empty catalogue of language `lang`, for the loader to fill.
    pub(super) fn new(lang: &str) -> Texts {
        Texts {
            lang: lang.to_string(),
            entries: BTreeMap::new(),
        }
    }

    /// Stores `text` under `key`, replacing any earlier text.
    pub(super) fn insert(&mut self, key: TextKey<'_>, text: impl Into<String>) {
        self.entries.insert(key.to_string(), text.into());
    }

    /// The text under `key`, if there is one.
    pub fn get(&self, key: TextKey<'_>) -> Option<&str> {
        self.entries.get(&key.to_string()).map(String::as_str)
    }

    /// The language tag of these texts, as the instrument declares it.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// A text the format requires.
    fn required(&self, key: TextKey<'_>) -> &str {
        self.get(key).expect(REQUIRED)
    }

    /// The title, shown on the form and the dashboard.
    pub fn title(&self) -> &str {
        self.required(TextKey::Title)
    }

    /// The description, for facilitators choosing an instrument.
    pub fn description(&self) -> &str {
        self.required(TextKey::Description)
    }

    /// The text on the first page of the form, if the instrument has one.
    pub fn introduction(&self) -> Option<&str> {
        self.get(TextKey::Introduction)
    }

    /// The consent statement a respondent confirms before answering, if the instrument asks for
    /// consent.
    pub fn consent(&self) -> Option<&str> {
        self.get(TextKey::Consent)
    }

    /// Every value of `scale` with its label, ascending.
    pub fn scale_labels<'a>(&'a self, scale: &'a Scale) -> impl Iterator<Item = (i16, &'a str)> {
        self.scale_labels_given(scale)
            .map(|(value, label)| (value, label.expect(REQUIRED)))
    }

    /// Every value of `scale` with its label if the catalogue has one: the loader reads them
    /// before it knows that every language has them all.
    pub(super) fn scale_labels_given<'a>(
        &'a self,
        scale: &'a Scale,
    ) -> impl Iterator<Item = (i16, Option<&'a str>)> {
        scale.values().map(move |value| {
            let key = TextKey::ScaleLabel {
                scale: &scale.name,
                value,
            };
            (value, self.get(key))
        })
    }

    /// Every non-substantive option of `scale` as (code, label), in file order.
    pub fn missing_options<'a>(
        &'a self,
        scale: &'a Scale,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.missing_options_given(scale)
            .map(|(code, label)| (code, label.expect(REQUIRED)))
    }

    /// Every non-substantive option of `scale` with its label if the catalogue has one, as
    /// [`Texts::scale_labels_given`] the values.
    pub(super) fn missing_options_given<'a>(
        &'a self,
        scale: &'a Scale,
    ) -> impl Iterator<Item = (&'a str, Option<&'a str>)> {
        scale.missing.iter().map(move |code| {
            let key = TextKey::MissingLabel {
                scale: &scale.name,
                code,
            };
            (code.as_str(), self.get(key))
        })
    }

    /// The title of `dimension`.
    pub fn dimension_title(&self, dimension: &Dimension) -> &str {
        self.required(TextKey::DimensionTitle(&dimension.id))
    }

    /// The description of `dimension`, if it has one.
    pub fn dimension_description(&self, dimension: &Dimension) -> Option<&str> {
        self.get(TextKey::DimensionDescription(&dimension.id))
    }

    /// The title of `factor`.
    pub fn factor_title(&self, factor: &Factor) -> &str {
        self.required(TextKey::FactorTitle(&factor.id))
    }

    /// The description of `factor`, if it has one.
    pub fn factor_description(&self, factor: &Factor) -> Option<&str> {
        self.get(TextKey::FactorDescription(&factor.id))
    }

    /// The statement of `item`.
    pub fn item_text(&self, item: &Item) -> &str {
        self.required(TextKey::ItemText(&item.id))
    }

    /// The label of `band`.
    pub fn band_label(&self, band: &Band) -> &str {
        self.required(TextKey::BandLabel(band.key))
    }

    /// What `band` means and suggests, if the instrument says.
    pub fn band_description(&self, band: &Band) -> Option<&str> {
        self.get(TextKey::BandDescription(band.key))
    }

    /// The question of the open-text `comment`.
    pub fn comment_text(&self, comment: &CommentQuestion) -> &str {
        self.required(TextKey::CommentText(&comment.id))
    }

    /// The question of `profile`; taking the profile proves the instrument has one.
    pub fn profile_text(&self, _profile: &Profile) -> &str {
        self.required(TextKey::ProfileText)
    }

    /// Every option of `profile` as (code, label), in file order.
    pub fn profile_options<'a>(
        &'a self,
        profile: &'a Profile,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        profile
            .options
            .iter()
            .map(|code| (code.as_str(), self.required(TextKey::ProfileOption(code))))
    }
}

impl Instrument {
    /// The instrument's default language: the first it declares, the one its downloads use.
    pub fn language(&self) -> &str {
        self.texts[0].lang()
    }

    /// The texts in the default language.
    pub fn texts(&self) -> &Texts {
        &self.texts[0]
    }

    /// The texts in every declared language, the default first.
    pub fn translations(&self) -> &[Texts] {
        &self.texts
    }

    /// The instrument with the texts of language `tag` as its own, where it has that language
    /// (as [`Instrument::texts_in`] finds it): for pages read in that language. Downloads keep
    /// the default language, so they never depend on who downloads them.
    pub fn in_language(&self, tag: &str) -> Instrument {
        let mut shown = self.clone();
        let found = self.texts_in(tag);
        if let Some(i) = self
            .texts
            .iter()
            .position(|t| found.is_some_and(|f| std::ptr::eq(t, f)))
        {
            shown.texts.swap(0, i);
        }
        shown
    }

    /// The texts in language `tag` if the instrument has it: the declared tag itself (ignoring
    /// case), else the first declared language with the same primary subtag (`es-MX` finds `es`,
    /// `es` finds `es-419`).
    pub fn texts_in(&self, tag: &str) -> Option<&Texts> {
        let primary = |t: &str| {
            t.split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        self.texts
            .iter()
            .find(|t| t.lang().eq_ignore_ascii_case(tag))
            .or_else(|| {
                self.texts
                    .iter()
                    .find(|t| primary(t.lang()) == primary(tag))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{LoadError, load_str};

    fn mini() -> Instrument {
        let src = include_str!("../../tests/fixtures/web/mini.toml");
        load_str("mini.toml", src).unwrap()
    }

    /// The smallest valid instrument: no introduction, consent, descriptions or profile.
    const BARE: &str = r#"
id = "bare"
version = "1"
title = "Bare"
description = "Nothing optional."

[scales.yn]
values = [0, 1]
labels = ["No", "Yes"]

[[dimensions]]
id = "trust"
title = "Trust"

[[items]]
id = "t1"
text = "We trust each other."
scale = "yn"
dimension = "trust"

[[bands]]
label = "Fine"
min = 0
"#;

    #[test]
    fn text_keys_are_the_catalogue_paths_of_the_format() {
        let keys = [
            (TextKey::Title, "title"),
            (
                TextKey::ScaleLabel {
                    scale: "agree5",
                    value: 3,
                },
                "scale.agree5.label.3",
            ),
            (
                TextKey::MissingLabel {
                    scale: "agree5",
                    code: "dk",
                },
                "scale.agree5.missing.dk",
            ),
            (
                TextKey::DimensionDescription("trust"),
                "dimension.trust.description",
            ),
            (TextKey::FactorTitle("respect"), "factor.respect.title"),
            (TextKey::ItemText("t1"), "item.t1.text"),
            (TextKey::BandDescription(2), "band.2.description"),
            (TextKey::CommentText("improve"), "comment.improve.text"),
            (TextKey::ProfileOption("health"), "profile.option.health"),
        ];
        for (key, path) in keys {
            assert_eq!(key.to_string(), path);
        }
    }

    #[test]
    fn required_texts_are_read_from_the_file() {
        let mini = mini();
        assert_eq!(mini.texts().title(), "Mini partnership check");
        assert_eq!(mini.texts().description(), "A short example instrument.");
        assert_eq!(
            mini.texts().dimension_title(&mini.dimensions[1]),
            "Governance"
        );
        assert_eq!(
            mini.texts().factor_title(&mini.factors[0]),
            "Mutual respect"
        );
        let (_, item) = mini.item("t2").unwrap();
        assert_eq!(
            mini.texts().item_text(item),
            "I hesitate to raise problems with other partners."
        );
        assert_eq!(mini.texts().band_label(&mini.bands[2]), "Concern");
        assert_eq!(
            mini.texts().comment_text(&mini.comments[0]),
            "What one change would most improve how we work together?"
        );
        let profile = mini.profile.as_ref().unwrap();
        assert_eq!(
            mini.texts().profile_text(profile),
            "Which sector best describes your organisation?"
        );
        assert_eq!(
            mini.texts().profile_options(profile).next(),
            Some(("government", "Local government"))
        );
    }

    #[test]
    fn scale_labels_follow_the_values_and_missing_options_their_codes() {
        let mini = mini();
        let scale = &mini.scales[0];
        let labels: Vec<(i16, &str)> = mini.texts().scale_labels(scale).collect();
        assert_eq!(labels.len(), 5);
        assert_eq!(labels[0], (1, "Strongly disagree"));
        assert_eq!(labels[4], (5, "Strongly agree"));
        let missing: Vec<(&str, &str)> = mini.texts().missing_options(scale).collect();
        assert_eq!(missing, [("dk", "Don't know")]);
    }

    #[test]
    fn optional_texts_are_some_when_given() {
        let mini = mini();
        assert_eq!(
            mini.texts().introduction(),
            Some("This survey asks how well our partnership works.")
        );
        assert!(
            mini.texts()
                .consent()
                .is_some_and(|c| c.starts_with("I understand"))
        );
        assert_eq!(
            mini.texts().band_description(&mini.bands[0]),
            Some("Keep doing what works.")
        );
    }

    #[test]
    fn optional_texts_are_none_when_absent() {
        let bare = load_str("bare.toml", BARE).unwrap();
        assert_eq!(bare.texts().introduction(), None);
        assert_eq!(bare.texts().consent(), None);
        assert_eq!(
            bare.texts().dimension_description(&bare.dimensions[0]),
            None
        );
        assert_eq!(bare.texts().band_description(&bare.bands[0]), None);
        assert_eq!(bare.texts().missing_options(&bare.scales[0]).count(), 0);
    }

    #[test]
    fn descriptions_of_dimensions_and_factors_are_read_when_given() {
        let src = BARE
            .replace(
                "title = \"Trust\"",
                "title = \"Trust\"\ndescription = \"Belief.\"",
            )
            .replace(
                "dimension = \"trust\"\n\n[[bands]]",
                "factor = \"core\"\n\n[[factors]]\nid = \"core\"\ndimension = \"trust\"\n\
                 title = \"Core\"\ndescription = \"The core.\"\n\n[[bands]]",
            );
        let instrument = load_str("described.toml", &src).unwrap();
        assert_eq!(
            instrument
                .texts()
                .dimension_description(&instrument.dimensions[0]),
            Some("Belief.")
        );
        assert_eq!(
            instrument
                .texts()
                .factor_description(&instrument.factors[0]),
            Some("The core.")
        );
    }

    #[test]
    fn a_missing_required_text_is_a_load_error_at_its_table() {
        // Each problem points at the header of the table that lacks the text.
        let cases = [
            (
                "text = \"We trust each other.\"\n",
                "bare.toml:15:1: [[items]] number 1 is missing the required key `text`",
            ),
            (
                "title = \"Trust\"\n",
                "bare.toml:11:1: [[dimensions]] number 1 is missing the required key `title`",
            ),
            (
                "label = \"Fine\"\n",
                "bare.toml:21:1: [[bands]] number 1 is missing the required key `label`",
            ),
        ];
        for (line, expected) in cases {
            let src = BARE.replace(line, "");
            let error = load_str("bare.toml", &src).expect_err(expected);
            assert!(matches!(error, LoadError::Invalid { .. }));
            assert_eq!(error.to_string(), expected);
        }
    }

    /// `BARE` in English and Spanish, every text written per language in one of the two ways
    /// the format allows (dotted keys and inline tables).
    const BILINGUAL: &str = r#"
id = "bare"
version = "1"
languages = ["en", "es"]
title.en = "Bare"
title.es = "Sencillo"
description.en = "Nothing optional."
description.es = "Nada opcional."

[scales.yn]
values = [0, 1]
labels.en = ["No", "Yes"]
labels.es = ["No", "Sí"]
missing = [{ code = "dk", label = { en = "Don't know", es = "No sé" } }]

[[dimensions]]
id = "trust"
title = { en = "Trust", es = "Confianza" }

[[items]]
id = "t1"
text.en = "We trust each other."
text.es = "Confiamos unos en otros."
scale = "yn"
dimension = "trust"

[[bands]]
label.en = "Fine"
label.es = "Bien"
min = 0
"#;

    #[test]
    fn each_declared_language_has_its_own_texts_and_the_first_is_the_default() {
        let bilingual = load_str("bilingual.toml", BILINGUAL).unwrap();
        assert_eq!(bilingual.language(), "en");
        assert_eq!(bilingual.texts().title(), "Bare");
        let es = bilingual.texts_in("es").unwrap();
        assert_eq!(es.lang(), "es");
        assert_eq!(es.title(), "Sencillo");
        let (_, item) = bilingual.item("t1").unwrap();
        assert_eq!(es.item_text(item), "Confiamos unos en otros.");
        assert_eq!(es.dimension_title(&bilingual.dimensions[0]), "Confianza");
        let scale = &bilingual.scales[0];
        assert_eq!(
            es.scale_labels(scale).collect::<Vec<_>>(),
            [(0, "No"), (1, "Sí")]
        );
        assert_eq!(
            es.missing_options(scale).collect::<Vec<_>>(),
            [("dk", "No sé")]
        );
        assert_eq!(es.band_label(&bilingual.bands[0]), "Bien");
        // A regional tag finds its language; a language the instrument lacks finds none.
        assert_eq!(bilingual.texts_in("es-MX").map(Texts::lang), Some("es"));
        assert_eq!(bilingual.texts_in("EN").map(Texts::lang), Some("en"));
        assert!(bilingual.texts_in("fr").is_none());
        // Shown in Spanish, the Spanish texts come first; the instrument is otherwise the same.
        let spanish = bilingual.in_language("es-MX");
        assert_eq!(spanish.texts().title(), "Sencillo");
        assert_eq!(spanish.language(), "es");
        assert!(spanish.scores_like(&bilingual));
        assert_eq!(bilingual.in_language("fr").texts().title(), "Bare");
        // The older single `language` still loads, as stored rounds hold it.
        let old = BARE.replace("version = \"1\"", "version = \"1\"\nlanguage = \"de\"");
        let old = load_str("old.toml", &old).unwrap();
        assert_eq!(old.language(), "de");
        assert_eq!(old.translations().len(), 1);
    }

    #[test]
    fn a_text_missing_in_a_declared_language_is_listed_with_its_place() {
        let src = BILINGUAL
            .replace("description.es = \"Nada opcional.\"\n", "")
            .replace("labels.es = [\"No\", \"Sí\"]", "labels.es = [\"No\"]")
            .replace("es = \"No sé\"", "fr = \"Je ne sais pas\"")
            .replace("text.es = \"Confiamos unos en otros.\"\n", "");
        let error = load_str("bilingual.toml", &src).unwrap_err();
        assert_eq!(
            error.to_string(),
            "bilingual.toml:7:1: `description` of the instrument has no text in `es`\n\
             bilingual.toml:11:1: scale `yn` has 2 values but 1 labels in `es`; give one label per value\n\
             bilingual.toml:13:35: `label` of a missing option has no text in `es`\n\
             bilingual.toml:13:56: `label` of a missing option is in `fr`, which is not one of the instrument's `languages` (en, es)\n\
             bilingual.toml:21:1: `text` of [[items]] number 1 has no text in `es`"
        );
    }

    #[test]
    fn languages_are_declared_once_as_distinct_tags() {
        let cases = [
            (
                "languages = [\"en\", \"es\"]",
                "languages = [\"en\", \"es\"]\nlanguage = \"en\"",
                "give either `language` or `languages`",
            ),
            (
                "languages = [\"en\", \"es\"]",
                "languages = [\"en\", \"Spanish\"]",
                "`Spanish` is not a language tag",
            ),
            (
                "languages = [\"en\", \"es\"]",
                "languages = [\"en\", \"es-MX\", \"es-mx\"]",
                "language `es-mx` is declared twice",
            ),
            (
                "languages = [\"en\", \"es\"]",
                "languages = []",
                "`languages` needs at least one language tag",
            ),
        ];
        for (from, to, expected) in cases {
            let error = load_str("bilingual.toml", &BILINGUAL.replace(from, to)).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }
}
