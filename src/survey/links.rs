//! The invitation links CSV a facilitator downloads for a mail merge:
//! `organisation,sector,email,language,link`, spreadsheet-safe like every download.

use crate::report::push_line;

/// One line of the invitation links file.
#[derive(Debug, Clone, Copy)]
pub struct LinkRow<'a> {
    /// The partner organisation.
    pub organisation: &'a str,
    /// Its sector.
    pub sector: &'a str,
    /// Its e-mail address (blank when none was given).
    pub email: &'a str,
    /// The language of its form (blank for the instrument's).
    pub language: &'a str,
    /// The full personal link.
    pub link: &'a str,
}

/// The invitation links CSV: `organisation,sector,email,language,link`.
pub fn links_csv<'a>(rows: impl IntoIterator<Item = LinkRow<'a>>) -> Vec<u8> {
    let mut out = Vec::new();
    push_line(
        &mut out,
        ["organisation", "sector", "email", "language", "link"],
    );
    for row in rows {
        push_line(
            &mut out,
            [
                row.organisation,
                row.sector,
                row.email,
                row.language,
                row.link,
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_file_lists_every_invitation_spreadsheet_safe() {
        let out = links_csv([LinkRow {
            organisation: "@Home Services",
            sector: "nonprofit",
            email: "",
            language: "en",
            link: "https://survey.example/s/abc",
        }]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "organisation,sector,email,language,link\n\
             \"'@Home Services\",nonprofit,,en,https://survey.example/s/abc\n"
        );
    }
}
