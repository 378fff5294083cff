//! The raw responses CSV of a round, the file a facilitator downloads and `partnerscope export`
//! writes.
//!
//! The raw file is what `partnerscope score` reads: header `respondent,group,wave,<item ids…>`,
//! then the instrument's comment columns, `language` and `submitted_at`, which scoring ignores.
//! The respondent id is an opaque `R` + response id, never the organisation, so the file can be
//! shared with an analyst without naming anyone. Every text cell is neutralised against formula
//! injection and quoted as the report files are; rows are encoded one at a time, so the file
//! streams.

use crate::instrument::Instrument;
use crate::report::push_line;
use crate::survey::StoredResponse;
use crate::survey::answers::Answers;

/// The respondent id of a stored response in every download.
pub fn respondent_id(response_id: i64) -> String {
    format!("R{response_id}")
}

/// Encodes the raw responses CSV a line at a time into a caller's buffer, so a download can
/// hand each page of rows on as soon as it is written.
pub struct RawCsv {
    items: Vec<String>,
    comments: Vec<String>,
    wave: String,
}

/// One submitted response as the raw export needs it.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// The response's database id.
    pub response_id: i64,
    /// The sector, from the invitation or chosen on the open link (blank when unknown).
    pub group: &'a str,
    /// What was answered; its `language` fills the language column.
    pub answers: &'a Answers,
    /// When it was submitted (RFC 3339).
    pub submitted_at: &'a str,
}

impl RawCsv {
    /// The columns of `instrument`; every row gets the round's `wave` label.
    pub fn new(instrument: &Instrument, wave: &str) -> RawCsv {
        RawCsv {
            items: instrument.items.iter().map(|i| i.id.clone()).collect(),
            comments: instrument.comments.iter().map(|c| c.id.clone()).collect(),
            wave: wave.to_string(),
        }
    }

    /// Appends the header line.
    pub fn header(&self, out: &mut Vec<u8>) {
        let header = ["respondent", "group", "wave"]
            .into_iter()
            .chain(self.items.iter().map(String::as_str))
            .chain(self.comments.iter().map(String::as_str))
            .chain(["language", "submitted_at"]);
        push_line(out, header);
    }

    /// Appends one response: values as numbers, non-substantive answers as their codes.
    pub fn row(&self, row: RawRow<'_>, out: &mut Vec<u8>) {
        let answers = row.answers;
        let id = respondent_id(row.response_id);
        let values: Vec<String> = self
            .items
            .iter()
            .map(|id| match answers.items.get(id) {
                Some(answer) => answer.as_form_value(),
                None => String::new(),
            })
            .collect();
        let cells = [id.as_str(), row.group, self.wave.as_str()]
            .into_iter()
            .chain(values.iter().map(String::as_str))
            .chain(self.comments.iter().map(|id| {
                answers
                    .comments
                    .get(id)
                    .map(String::as_str)
                    .unwrap_or_default()
            }))
            .chain([
                answers.language.as_deref().unwrap_or_default(),
                row.submitted_at,
            ]);
        push_line(out, cells);
    }
}

/// Appends a page of stored responses to the raw CSV in `out`: the web download and
/// `partnerscope export` both write through this.
pub fn encode_page(csv: &RawCsv, page: &[StoredResponse], out: &mut Vec<u8>) {
    for response in page {
        csv.row(
            RawRow {
                response_id: response.id,
                group: response.answers.sector.as_deref().unwrap_or_default(),
                answers: &response.answers,
                submitted_at: response.submitted_at.as_deref().unwrap_or_default(),
            },
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responses::ResponsesReader;
    use crate::survey::answers::Answer;

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
        let csv = RawCsv::new(&mini(), "2026 spring");
        let mut out = Vec::new();
        csv.header(&mut out);
        for row in rows {
            csv.row(*row, &mut out);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_raw_file_has_one_row_per_response_with_codes_comments_language_and_time() {
        let answers = answers();
        let file = raw(&[RawRow {
            response_id: 7,
            group: "-nonprofit",
            answers: &answers,
            submitted_at: "2026-03-01T10:00:00Z",
        }]);
        assert_eq!(
            file,
            "respondent,group,wave,t1,t2,g1,g2,e1,e2,improve,language,submitted_at\n\
             R7,'-nonprofit,2026 spring,4,dk,1,5,3,,\"'=HYPERLINK(\"\"x\"\"), then \"\"more\"\"\",en,2026-03-01T10:00:00Z\n"
        );
    }

    #[test]
    fn the_raw_file_reads_back_as_a_responses_file() {
        let instrument = mini();
        let answers = answers();
        let file = raw(&[
            RawRow {
                response_id: 1,
                group: "government",
                answers: &answers,
                submitted_at: "2026-03-01T10:00:00Z",
            },
            RawRow {
                response_id: 2,
                group: "",
                answers: &Answers::default(),
                submitted_at: "2026-03-02T10:00:00Z",
            },
        ]);
        let mut reader = ResponsesReader::new(file.as_bytes(), &instrument).unwrap();
        let row = reader.next_row().unwrap().unwrap();
        assert_eq!(
            (row.respondent, row.group, row.wave),
            ("R1", "government", "2026 spring")
        );
        assert_eq!(
            row.answers,
            [Some(4), None, Some(1), Some(5), Some(3), None]
        );
        let row = reader.next_row().unwrap().unwrap();
        assert_eq!((row.respondent, row.group), ("R2", ""));
        assert_eq!(row.answers, [None; 6]);
        assert!(reader.next_row().unwrap().is_none());
    }
}
