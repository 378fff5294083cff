//! The Excel workbook holds every report as a sheet, with the same values as the CSV files.

use calamine::{Data, Reader};
use partnerscope::report;
use partnerscope::scoring::Options;

use crate::support::{fixture, score_in_process, score_sequentially, workbook_of};

#[test]
fn the_workbook_has_a_sheet_per_report_with_the_values_of_the_csv_files() {
    let (instrument_path, responses) = (
        fixture("reference/basic.toml"),
        fixture("reference/basic.csv"),
    );
    let scored = score_in_process(&instrument_path, &responses, &Options::default());
    let mut book = workbook_of(&scored);
    assert_eq!(
        book.sheet_names(),
        report::Report::ALL.map(|r| r.name().to_string()).to_vec()
    );
    for (name, csv_bytes) in score_sequentially(&instrument_path, &responses) {
        let sheet = book.worksheet_range(&name).unwrap();
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv_bytes.as_slice());
        let csv_rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        let sheet_rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(sheet_rows.len(), csv_rows.len(), "{name}: rows");
        for (r, (cells, record)) in sheet_rows.iter().zip(&csv_rows).enumerate() {
            for (c, text) in record.iter().enumerate() {
                let cell = cells.get(c).unwrap_or(&Data::Empty);
                let at = format!("{name} row {} column {}", r + 1, c + 1);
                match cell {
                    Data::Empty => assert_eq!(text, "", "{at}"),
                    Data::String(s) => assert_eq!(s, &text.trim_start_matches('\''), "{at}"),
                    Data::Bool(b) => assert_eq!(b.to_string(), text, "{at}"),
                    Data::Float(x) => assert_eq!(*x, text.parse::<f64>().unwrap(), "{at}"),
                    Data::Int(i) => assert_eq!(*i, text.parse::<i64>().unwrap(), "{at}"),
                    other => panic!("{at}: unexpected {other:?}"),
                }
            }
        }
    }
}
