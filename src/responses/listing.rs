//! What a listed row shows of its author (design section 3, *Rows*): the one decision the raw
//! download, `respondents.csv` and the workbook share.

use std::collections::BTreeSet;

use crate::survey::ReleasedResponse;

/// How a release lists a round's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The round's wave label, on every row.
    pub wave: String,
    /// The groups a row may show; any other is blank.
    pub groups: BTreeSet<String>,
    /// The languages a row may show; any other is blank.
    pub languages: BTreeSet<String>,
    /// An identified round's rows name their organisation instead of a pseudonym.
    pub identified: bool,
    /// Whether rows show where they came from (see [`Listing::shows_sources`]).
    pub sources: bool,
}

impl Listing {
    /// The respondent id a row shows: the response's pseudonym or, in an identified round, its
    /// organisation (open-link responses have none and keep their pseudonym).
    pub fn respondent<'a>(&self, response: &'a ReleasedResponse) -> &'a str {
        match &response.organisation {
            Some(organisation) if self.identified => organisation,
            _ => &response.pseudonym,
        }
    }

    /// Whether rows may show their source, given how many listed rows came from each
    /// (`counts`: source, blank for partners' own answers, and rows): always in an identified
    /// round; in an anonymous one only when every source present has at least `threshold` rows,
    /// so that a mark never points at a few responses that whoever keyed in a handful of paper
    /// sheets or imported a short file would recognise.
    pub fn shows_sources(identified: bool, threshold: u64, counts: &[(String, i64)]) -> bool {
        identified
            || counts
                .iter()
                .all(|(_, rows)| u64::try_from(*rows).unwrap_or(0) >= threshold)
    }

    /// The source a row shows: `paper` or `import` where the listing shows sources, else blank.
    pub fn source<'a>(&self, response: &'a ReleasedResponse) -> &'a str {
        match &response.source {
            Some(source) if self.sources => source,
            _ => "",
        }
    }

    /// The language a row shows: the one it was answered in where the listing shows it, else
    /// blank.
    pub fn language<'a>(&self, response: &'a ReleasedResponse) -> &'a str {
        shown(&self.languages, response.language.as_deref())
    }

    /// The group a row shows: its sector where the listing shows it, else blank.
    pub fn group<'a>(&self, response: &'a ReleasedResponse) -> &'a str {
        shown(&self.groups, response.sector.as_deref())
    }
}

/// `label` where `listed` holds it, else blank: what a row shows of a group or a language.
fn shown<'a>(listed: &BTreeSet<String>, label: Option<&'a str>) -> &'a str {
    let label = label.unwrap_or_default().trim();
    if listed.contains(label) { label } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
        pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn an_anonymous_round_shows_sources_only_when_every_source_reaches_the_threshold() {
        let enough = counts(&[("", 5), ("import", 3), ("paper", 3)]);
        assert!(Listing::shows_sources(false, 3, &enough));
        let few_paper = counts(&[("", 5), ("import", 3), ("paper", 2)]);
        assert!(!Listing::shows_sources(false, 3, &few_paper));
        let few_own = counts(&[("", 1), ("paper", 9)]);
        assert!(!Listing::shows_sources(false, 3, &few_own));
        assert!(Listing::shows_sources(false, 3, &counts(&[("", 4)])));
    }

    #[test]
    fn an_identified_round_always_shows_sources() {
        assert!(Listing::shows_sources(
            true,
            3,
            &counts(&[("", 5), ("paper", 1)])
        ));
    }
}
