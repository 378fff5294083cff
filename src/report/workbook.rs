//! The reports as one Excel workbook: a sheet per report, numbers stored at full precision and shown
//! with sensible formats, so facilitators who live in Excel never meet an encoding or separator
//! problem.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{Cell, Table};
use crate::instrument::Instrument;
use crate::scoring::Score;

/// Excel's last row (1,048,576 rows, the header included).
const MAX_DATA_ROWS: u32 = 1_048_575;

/// Builds the workbook: respondent rows as they are scored, then the summary tables.
pub struct WorkbookWriter {
    respondents: Worksheet,
    rows: u32,
    /// Respondents beyond what one sheet can hold; the CSV has them all.
    overflow: u64,
    score_format: Format,
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

impl WorkbookWriter {
    /// Starts the respondents sheet with its header.
    pub fn new(instrument: &Instrument) -> Result<Self, XlsxError> {
        let mut respondents = Worksheet::new();
        respondents.set_name("respondents")?;
        let names: Vec<&str> = ["respondent", "group", "wave"]
            .into_iter()
            .chain(instrument.dimensions.iter().map(|d| d.id.as_str()))
            .chain(instrument.factors.iter().map(|f| f.id.as_str()))
            .collect();
        write_header(&mut respondents, &names)?;
        Ok(WorkbookWriter {
            respondents,
            rows: 0,
            overflow: 0,
            score_format: column_format("mean"),
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
        if self.rows == MAX_DATA_ROWS {
            self.overflow += 1;
            return Ok(());
        }
        self.rows += 1;
        let (r, sheet) = (self.rows, &mut self.respondents);
        // Cells in a workbook are never formulas unless written as one: no neutralising needed.
        sheet.write_string(r, 0, respondent)?;
        sheet.write_string(r, 1, group)?;
        sheet.write_string(r, 2, wave)?;
        for (c, score) in scores.iter().enumerate() {
            if let Some(s) = score {
                sheet.write_number_with_format(r, 3 + c as u16, s.value(), &self.score_format)?;
            }
        }
        Ok(())
    }

    /// Adds the summary tables as sheets and returns the `.xlsx` bytes.
    pub fn finish(mut self, tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        if self.overflow > 0 {
            let note = format!(
                "{} more respondents do not fit in one sheet; respondents.csv has them all",
                self.overflow
            );
            self.respondents.write_string(MAX_DATA_ROWS, 0, note)?;
        }
        self.respondents.set_column_width(0, 16)?;
        self.respondents.set_column_width(1, 16)?;
        self.respondents.set_column_width(2, 14)?;
        workbook.push_worksheet(self.respondents);
        for table in tables {
            workbook.push_worksheet(table_sheet(table)?);
        }
        workbook.save_to_buffer()
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
