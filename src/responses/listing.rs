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
    /// An identified round's rows name their organisation instead of a pseudonym.
    pub identified: bool,
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

    /// The group a row shows: its sector where the listing shows it, else blank.
    pub fn group<'a>(&self, response: &'a ReleasedResponse) -> &'a str {
        let sector = response.sector.as_deref().unwrap_or_default().trim();
        if self.groups.contains(sector) {
            sector
        } else {
            ""
        }
    }
}
