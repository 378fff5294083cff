//! The reports as one Excel workbook: a sheet per report, numbers stored at full precision and shown
//! with sensible formats, so facilitators who live in Excel never meet an encoding or separator
//! problem.
//!
//! A round may have a million respondents, so the respondents sheet is written in
//! `rust_xlsxwriter`'s constant-memory mode: each row goes to a temporary file as soon as the next
//! one starts, and the finished workbook is streamed to any `io::Write` (a file the server then
//! sends), never held whole in memory. That mode only takes rows in order, which is the order the
//! scores arrive in.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{Cell, Table};
use crate::instrument::Instrument;
use crate::scoring::Score;

/// Excel's last row (1,048,576 rows, the header included).
const MAX_DATA_ROWS: u32 = 1_048_575;

/// zlib level of the workbook's zip container. Level 3 is what Excel itself uses; against the
/// default 6 it zips a million respondents in about half the time for a file about a quarter
/// larger, where level 1 saves little more time for a file nearly twice as large
/// (docs/benchmarks.md, "The round's workbook").
const ZIP_LEVEL: u8 = 3;

/// Builds the workbook: respondent rows as they are scored, then the summary tables.
pub struct WorkbookWriter {
    workbook: Workbook,
    /// In constant-memory mode: rows reach a temporary file, so they must come in order.
    respondents: Worksheet,
    /// Data rows written (row 0 is the header).
    rows: u32,
    /// The data rows the sheet can hold: Excel's limit (smaller in tests).
    capacity: u32,
    /// The respondent for the sheet's last row, held back until it is known whether that row
    /// must instead say that the rest did not fit.
    last: Option<HeldRow>,
    /// Respondents beyond what one sheet can hold; the CSV downloads have them all.
    overflow: u64,
}

/// One respondent's row, owned while it waits for the sheet's last row.
struct HeldRow {
    respondent: String,
    group: String,
    wave: String,
    scores: Vec<Option<Score>>,
}

fn header_format() -> Format {
    Format::new().set_bold()
}

/// Display format of a column (the stored value keeps full precision).
fn column_format(name: &str) -> Format {
    let pattern = match name {
        "n" | "n_from" | "n_to" => "0",
        "p" => "0.0000",
        "df" => "0.0",
        "alpha" | "alpha_ci_low" | "alpha_ci_high" | "std_alpha" | "average_r" | "r_drop"
        | "alpha_if_deleted" | "rwg_j" | "cohens_d" => "0.000",
        "agree" | "disagree" => "0.0%",
        _ => "0.00",
    };
    Format::new().set_num_format(pattern)
}

fn write_header(sheet: &mut Worksheet, names: &[&str]) -> Result<(), XlsxError> {
    let bold = header_format();
    for (c, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Writes one respondent's row `r` of the respondents sheet.
fn write_respondent(
    sheet: &mut Worksheet,
    r: u32,
    respondent: &str,
    group: &str,
    wave: &str,
    scores: &[Option<Score>],
) -> Result<(), XlsxError> {
    // Cells in a workbook are never formulas unless written as one: no neutralising needed.
    sheet.write_string(r, 0, respondent)?;
    sheet.write_string(r, 1, group)?;
    sheet.write_string(r, 2, wave)?;
    for (c, score) in scores.iter().enumerate() {
        if let Some(s) = score {
            // Without a format of its own: the workbook's default shows it (see `with_capacity`).
            sheet.write_number(r, 3 + c as u16, s.value())?;
        }
    }
    Ok(())
}

/// The last row's note when `overflow` respondents did not fit: where to find them.
fn overflow_note(overflow: u64) -> String {
    let them = if overflow == 1 {
        "1 more respondent does not fit".to_string()
    } else {
        format!("{overflow} more respondents do not fit")
    };
    format!(
        "{them} here: an Excel sheet ends at row 1,048,576. Download respondents.csv for every \
         respondent's scores, or raw.csv for every response."
    )
}

impl WorkbookWriter {
    /// Starts the respondents sheet with its header. Its rows go to a file in the system's
    /// temporary directory (`TMPDIR`), removed when the writer is dropped.
    pub fn new(instrument: &Instrument) -> Result<Self, XlsxError> {
        Self::with_capacity(instrument, MAX_DATA_ROWS)
    }

    /// [`WorkbookWriter::new`] with room for `capacity` data rows (at least one), so tests can
    /// reach the limit without a million rows.
    fn with_capacity(instrument: &Instrument, capacity: u32) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        workbook.set_zip_compression_level(ZIP_LEVEL);
        // The scores' two-decimal format is the workbook's default (Excel's "Normal" style, still
        // Calibri 11 at 20 × 64 pixels) rather than each cell's own: looking up a cell's format
        // hashes the whole `Format`, which took 40 % of the time of a million-row sheet. Every
        // other number in the workbook carries its own format, and text is not affected.
        workbook.set_default_format(&column_format("mean"), 20, 64)?;
        let mut respondents = workbook.new_worksheet_with_constant_memory()?;
        respondents.set_name("respondents")?;
        let names: Vec<&str> = ["respondent", "group", "wave"]
            .into_iter()
            .chain(instrument.dimensions.iter().map(|d| d.id.as_str()))
            .chain(instrument.factors.iter().map(|f| f.id.as_str()))
            .collect();
        write_header(&mut respondents, &names)?;
        respondents.set_column_width(0, 16)?;
        respondents.set_column_width(1, 16)?;
        respondents.set_column_width(2, 14)?;
        Ok(WorkbookWriter {
            workbook,
            respondents,
            rows: 0,
            capacity,
            last: None,
            overflow: 0,
        })
    }

    /// Adds one respondent's scores (dimensions then factors).
    pub fn respondent(
        &mut self,
        respondent: &str,
        group: &str,
        wave: &str,
        scores: &[Option<Score>],
    ) -> Result<(), XlsxError> {
        if self.overflow > 0 {
            self.overflow += 1;
        } else if self.rows + 1 < self.capacity {
            self.rows += 1;
            write_respondent(
                &mut self.respondents,
                self.rows,
                respondent,
                group,
                wave,
                scores,
            )?;
        } else if self.last.take().is_some() {
            // The held respondent and this one: the last row becomes the note.
            self.overflow = 2;
        } else {
            self.last = Some(HeldRow {
                respondent: respondent.to_string(),
                group: group.to_string(),
                wave: wave.to_string(),
                scores: scores.to_vec(),
            });
        }
        Ok(())
    }

    /// Adds the summary tables as sheets and writes the `.xlsx` file to `out`, as it is zipped
    /// (a file or socket is best; the workbook of a large round is large).
    pub fn finish<W: Write + Send>(mut self, tables: &[Table], out: W) -> Result<(), XlsxError> {
        let last_row = self.capacity;
        if self.overflow > 0 {
            self.respondents
                .write_string(last_row, 0, overflow_note(self.overflow))?;
        } else if let Some(held) = self.last.take() {
            write_respondent(
                &mut self.respondents,
                last_row,
                &held.respondent,
                &held.group,
                &held.wave,
                &held.scores,
            )?;
        }
        self.workbook.push_worksheet(self.respondents);
        for table in tables {
            self.workbook.push_worksheet(table_sheet(table)?);
        }
        self.workbook.save_to_writer(out)
    }
}

fn table_sheet(table: &Table) -> Result<Worksheet, XlsxError> {
    let mut sheet = Worksheet::new();
    sheet.set_name(table.name)?;
    write_header(&mut sheet, table.header)?;
    let formats: Vec<Format> = table
        .header
        .iter()
        .map(|name| column_format(name))
        .collect();
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) if !s.is_empty() => {
                    sheet.write_string(r, col, s)?;
                }
                Cell::Number(Some(x)) if x.is_finite() => {
                    sheet.write_number_with_format(r, col, *x, &formats[c])?;
                }
                Cell::Count(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &formats[c])?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, col, *b)?;
                }
                Cell::Text(_) | Cell::Number(_) => {}
            }
        }
    }
    sheet.autofit();
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader};

    use super::*;

    fn instrument() -> Instrument {
        crate::instrument::Library::shipped()
            .unwrap()
            .get("coalition-effectiveness")
            .unwrap()
            .clone()
    }

    /// Writes `count` respondents (`r1`, `r2`, …) into a sheet with room for `capacity` rows and
    /// returns the `.xlsx` opened for reading.
    fn workbook(count: u32, capacity: u32) -> calamine::Xlsx<std::io::Cursor<Vec<u8>>> {
        let instrument = instrument();
        let mut writer = WorkbookWriter::with_capacity(&instrument, capacity).unwrap();
        let mut scores = vec![None; instrument.dimensions.len() + instrument.factors.len()];
        scores[0] = Some(Score {
            sum: 10,
            answered: 3,
        });
        for i in 1..=count {
            writer
                .respondent(&format!("r{i}"), "group", "wave", &scores)
                .unwrap();
        }
        let mut bytes = Vec::new();
        writer.finish(&[], &mut bytes).unwrap();
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap()
    }

    /// The respondents sheet's cells of [`workbook`].
    fn respondents_sheet(count: u32, capacity: u32) -> Vec<Vec<Data>> {
        let sheet = workbook(count, capacity)
            .worksheet_range("respondents")
            .unwrap();
        sheet.rows().map(<[Data]>::to_vec).collect()
    }

    fn first_column(rows: &[Vec<Data>]) -> Vec<String> {
        rows.iter().map(|row| row[0].to_string()).collect()
    }

    #[test]
    fn respondents_are_written_in_order_with_their_scores_at_full_precision() {
        let rows = respondents_sheet(2, 10);
        assert_eq!(first_column(&rows), ["respondent", "r1", "r2"]);
        assert_eq!(rows[1][1], Data::String("group".into()));
        assert_eq!(rows[1][3], Data::Float(10.0 / 3.0));
        assert_eq!(rows[1][4], Data::Empty);
    }

    /// The text of the part `name` of the `.xlsx` `bytes`.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
    }

    /// The value of `attribute` in the XML element text `element`.
    fn attribute<'a>(element: &'a str, attribute: &str) -> &'a str {
        let value = element.split(&format!(" {attribute}=\"")).nth(1).unwrap();
        &value[..value.find('"').unwrap()]
    }

    #[test]
    fn scores_show_two_decimals_through_the_default_format_under_a_bold_header() {
        let instrument = instrument();
        let mut writer = WorkbookWriter::new(&instrument).unwrap();
        let scores = vec![
            Some(Score {
                sum: 7,
                answered: 2
            });
            2
        ];
        writer.respondent("r1", "group", "wave", &scores).unwrap();
        let mut bytes = Vec::new();
        writer.finish(&[], &mut bytes).unwrap();

        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        let score = sheet.split("<c r=\"D2\"").nth(1).unwrap();
        let score = &score[..score.find('>').unwrap()];
        assert!(
            !score.contains(" s="),
            "D2 has no format of its own: {score}"
        );
        let styles = part(&bytes, "xl/styles.xml");
        let cell_formats = styles.split("<cellXfs").nth(1).unwrap();
        let default = cell_formats.split("<xf").nth(1).unwrap();
        let id = attribute(default, "numFmtId");
        assert!(
            styles.contains(&format!("<numFmt numFmtId=\"{id}\" formatCode=\"0.00\"/>")),
            "the default format is two decimals: {styles}"
        );

        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let header = book.worksheet_style("respondents").unwrap();
        let font = header.get((0, 3)).and_then(|style| style.font.as_ref());
        assert!(font.is_some_and(|f| f.is_bold()));
    }

    #[test]
    fn agree_and_disagree_show_as_percents_and_keep_their_full_value() {
        let table = Table {
            name: "items",
            header: &["item", "agree", "disagree"],
            rows: vec![vec![
                Cell::Text("t1".into()),
                Cell::Number(Some(29.0 / 55.0)),
                Cell::Number(None),
            ]],
        };
        let mut bytes = Vec::new();
        let writer = WorkbookWriter::new(&instrument()).unwrap();
        writer.finish(&[table], &mut bytes).unwrap();
        let styles = part(&bytes, "xl/styles.xml");
        assert!(styles.contains("formatCode=\"0.0%\""), "{styles}");
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.worksheet_range("items").unwrap();
        let row: Vec<Data> = sheet.rows().nth(1).unwrap().to_vec();
        assert_eq!(row[1], Data::Float(29.0 / 55.0));
        assert_eq!(row.get(2).unwrap_or(&Data::Empty), &Data::Empty);
    }

    #[test]
    fn a_sheet_filled_to_its_last_row_holds_every_respondent_and_no_note() {
        let rows = respondents_sheet(3, 3);
        assert_eq!(first_column(&rows), ["respondent", "r1", "r2", "r3"]);
        assert_eq!(rows[3][3], Data::Float(10.0 / 3.0));
    }

    #[test]
    fn respondents_past_the_last_row_give_it_up_to_a_note_pointing_to_the_csv_downloads() {
        let rows = respondents_sheet(5, 3);
        assert_eq!(rows.len(), 4, "the header, two respondents and the note");
        assert_eq!(first_column(&rows[..3]), ["respondent", "r1", "r2"]);
        let note = rows[3][0].to_string();
        assert!(note.starts_with("3 more respondents do not fit"), "{note}");
        assert!(note.contains("1,048,576"), "{note}");
        assert!(note.contains("respondents.csv"), "{note}");
        assert!(note.contains("raw.csv"), "{note}");
        assert!(
            rows[3][1..].iter().all(|cell| *cell == Data::Empty),
            "the note's row holds no respondent's cells: {:?}",
            rows[3]
        );
    }

    #[test]
    fn the_note_counts_one_left_over_respondent_in_the_singular() {
        assert_eq!(
            overflow_note(1).split(" here").next(),
            Some("1 more respondent does not fit")
        );
        assert!(overflow_note(2).starts_with("2 more respondents do not fit here"));
    }
}
