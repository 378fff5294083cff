//! The raw responses CSV of a round, the file a facilitator downloads and `partnerscope export`
//! writes.
//!
//! The raw file is what `partnerscope score` reads: header `respondent,group,wave,<item ids…>`,
//! then `language`, `source` and `submitted_on`, which scoring ignores. Its rows are those a
//! release lists (design section 3, *Rows*): the respondent is the response's random pseudonym
//! and rows come in pseudonym order, so neither says who answered when; the group is shown only
//! where the release publishes it; the language only where the release publishes it; the source (`paper`, `import`, blank for a partner's own answers)
//! only where [`Listing::shows_sources`] allows; the day of submission without its time; and no
//! comments, which have a download of their own. Every text cell is neutralised against formula
//! injection and quoted as the report files are; rows are encoded one at a time, so the file
//! streams.

use super::Listing;
use crate::instrument::Instrument;
use crate::report::push_line;
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::survey::ReleasedResponse;
use crate::survey::answers::Answer;

/// Encodes the raw responses CSV a line at a time into a caller's buffer, so a download can
/// hand each page of rows on as soon as it is written.
pub struct RawCsv {
    items: Vec<String>,
    listing: Listing,
}

/// One listed response as the raw export needs it.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// The respondent id it shows.
    pub respondent: &'a str,
    /// The group it shows (blank when not shown).
    pub group: &'a str,
    /// The language it shows (blank when not shown).
    pub language: &'a str,
    /// What was answered to the items.
    pub items: &'a BTreeMap<String, Answer>,
    /// Where it came from (blank when not shown).
    pub source: &'a str,
    /// When it was submitted (RFC 3339); only its day is written.
    pub submitted_at: &'a str,
}

impl RawCsv {
    /// The columns of `instrument`, for rows as `listing` lists them.
    pub fn new(instrument: &Instrument, listing: Listing) -> RawCsv {
        RawCsv {
            items: instrument.items.iter().map(|i| i.id.clone()).collect(),
            listing,
        }
    }

    /// Appends the header line.
    pub fn header(&self, out: &mut Vec<u8>) {
        let header = ["respondent", "group", "wave"]
            .into_iter()
            .chain(self.items.iter().map(String::as_str))
            .chain(["language", "source", "submitted_on"]);
        push_line(out, header);
    }

    /// Appends one response: values as numbers, non-substantive answers as their codes.
    pub fn row(&self, row: RawRow<'_>, out: &mut Vec<u8>) {
        // The answers' text in one buffer, each cell ending at its offset: a large round's
        // download writes tens of millions of cells, and a string each would dominate it.
        let mut values = String::new();
        let mut ends = Vec::with_capacity(self.items.len());
        for id in &self.items {
            match row.items.get(id) {
                Some(Answer::Value(value)) => {
                    // Writing to a String cannot fail.
                    let _ = write!(values, "{value}");
                }
                Some(Answer::Code(code)) => values.push_str(code),
                None => {}
            }
            ends.push(values.len());
        }
        let cells = ends.iter().scan(0, |start, &end| {
            let cell = &values[*start..end];
            *start = end;
            Some(cell)
        });
        // RFC 3339 starts with the date: `2026-03-01T10:00:00Z`.
        let day = row.submitted_at.get(..10).unwrap_or_default();
        let line = [row.respondent, row.group, self.listing.wave.as_str()]
            .into_iter()
            .chain(cells)
            .chain([row.language, row.source, day]);
        push_line(out, line);
    }
}

/// Appends a page of stored responses to the raw CSV in `out`: the web download and
/// `partnerscope export` both write through this.
pub fn encode_page(csv: &RawCsv, page: &[ReleasedResponse], out: &mut Vec<u8>) {
    for response in page {
        csv.row(
            RawRow {
                respondent: csv.listing.respondent(response),
                group: csv.listing.group(response),
                language: csv.listing.language(response),
                items: &response.items,
                source: csv.listing.source(response),
                submitted_at: &response.submitted_at,
            },
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responses::ResponsesReader;
    use crate::survey::answers::Answers;

    fn mini() -> Instrument {
        let src = include_str!("../../tests/fixtures/web/mini.toml");
        crate::instrument::load_str("mini.toml", src).unwrap()
    }

    fn answers() -> Answers {
        let mut answers = Answers {
            consent: true,
            language: Some("en".into()),
            ..Answers::default()
        };
        for (id, answer) in [
            ("t1", Answer::Value(4)),
            ("t2", Answer::Code("dk".into())),
            ("g1", Answer::Value(1)),
            ("g2", Answer::Value(5)),
            ("e1", Answer::Value(3)),
        ] {
            answers.items.insert(id.into(), answer);
        }
        answers
            .comments
            .insert("improve".into(), "=HYPERLINK(\"x\"), then \"more\"".into());
        answers
    }

    fn raw(rows: &[RawRow<'_>]) -> String {
        let listing = Listing {
            wave: "2026 spring".into(),
            groups: ["-nonprofit".to_string(), "government".to_string()].into(),
            languages: ["es".to_string()].into(),
            identified: false,
            sources: true,
        };
        let csv = RawCsv::new(&mini(), listing);
        let mut out = Vec::new();
        csv.header(&mut out);
        for row in rows {
            csv.row(*row, &mut out);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_row_has_its_id_codes_group_language_source_and_day_but_no_comment_or_time() {
        let answers = answers();
        let file = raw(&[
            RawRow {
                respondent: "9f2c61d0a4b7e385",
                group: "-nonprofit",
                language: "es",
                items: &answers.items,
                source: "paper",
                submitted_at: "2026-03-01T10:00:00Z",
            },
            RawRow {
                respondent: "a0b1c2d3e4f50617",
                group: "",
                language: "",
                items: &answers.items,
                source: "",
                submitted_at: "2026-03-02T23:59:59Z",
            },
        ]);
        assert_eq!(
            file,
            "respondent,group,wave,t1,t2,g1,g2,e1,e2,language,source,submitted_on\n\
             9f2c61d0a4b7e385,\"'-nonprofit\",2026 spring,4,dk,1,5,3,,es,paper,2026-03-01\n\
             a0b1c2d3e4f50617,,2026 spring,4,dk,1,5,3,,,,2026-03-02\n"
        );
    }

    #[test]
    fn the_raw_file_reads_back_as_a_responses_file() {
        let instrument = mini();
        let answers = answers();
        let file = raw(&[
            RawRow {
                respondent: "p1",
                group: "government",
                language: "",
                items: &answers.items,
                source: "",
                submitted_at: "2026-03-01T10:00:00Z",
            },
            RawRow {
                respondent: "p2",
                group: "",
                language: "",
                items: &BTreeMap::new(),
                source: "import",
                submitted_at: "2026-03-02T10:00:00Z",
            },
        ]);
        let mut reader =
            ResponsesReader::new(file.as_bytes(), &instrument, &Default::default()).unwrap();
        let row = reader.next_row().unwrap().unwrap();
        assert_eq!(
            (row.respondent, row.group, row.wave),
            ("p1", "government", "2026 spring")
        );
        assert_eq!(
            row.answers,
            [Some(4), None, Some(1), Some(5), Some(3), None]
        );
        let row = reader.next_row().unwrap().unwrap();
        assert_eq!((row.respondent, row.group), ("p2", ""));
        assert_eq!(row.answers, [None; 6]);
        assert!(reader.next_row().unwrap().is_none());
    }
}
