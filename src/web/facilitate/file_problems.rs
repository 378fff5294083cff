//! A refused responses file's problem in the words of the facilitator's language: its place
//! ("Fila 3, columna 5 (t1): …") and what is wrong, from the interface catalogue.
//!
//! The command line prints the same [`ResponsesError`] in English through its `Display`, which
//! speaks of command-line options (`--encoding`, `--strict`); the web words it for someone who
//! uploads a file from a browser instead. Texts that come from outside our code (the system's
//! reason a read failed, the CSV reader's) stay as they are, inside a worded frame.

use crate::instrument::Accepted;
use crate::responses::{Field, FileProblem, HeaderProblem, MissingItem, ResponsesError};
use crate::web::body::FieldRef;
use crate::web::errors::text_detail;
use crate::web::messages::{Messages, counted, fill};

/// `error` as the page lists it, in the language of `m`.
pub fn worded(m: &Messages, error: &ResponsesError) -> String {
    let problem = problem(m, &error.problem);
    let row = error.row.to_string();
    match &error.column {
        Some((column, name)) if !name.is_empty() => fill(
            m.file_at_cell,
            &[
                ("row", &row),
                ("column", &column.to_string()),
                ("name", name),
                ("problem", &problem),
            ],
        ),
        Some((column, _)) => fill(
            m.file_at_column,
            &[
                ("row", &row),
                ("column", &column.to_string()),
                ("problem", &problem),
            ],
        ),
        None => fill(m.file_at_row, &[("row", &row), ("problem", &problem)]),
    }
}

/// What is wrong, without its place.
fn problem(m: &Messages, problem: &FileProblem) -> String {
    match problem {
        // Where the read failed matters to the command line's reader only.
        FileProblem::Unopened(error) | FileProblem::Unreadable(error) => {
            fill(m.file_unreadable, &[("error", error)])
        }
        FileProblem::NotUtf8 { guess } => fill(m.file_not_utf8, &[("encoding", guess.name())]),
        FileProblem::UnknownEncoding { label } => {
            fill(m.file_unknown_encoding, &[("label", label)])
        }
        FileProblem::Csv(error) => fill(m.file_csv, &[("error", error)]),
        FileProblem::Empty => m.file_empty.to_string(),
        FileProblem::Header(problems) => {
            let each: Vec<String> = problems.iter().map(|p| header_problem(m, p)).collect();
            fill(m.file_header, &[("problems", &each.join("; "))])
        }
        FileProblem::Cells { len, expected } => fill(
            &counted(m.file_cells, *len),
            &[("expected", &expected.to_string())],
        ),
        FileProblem::BlankId => m.file_blank_id.to_string(),
        FileProblem::Repeated {
            respondent,
            earlier,
        } => fill(
            m.file_repeated,
            &[("respondent", respondent), ("row", &earlier.to_string())],
        ),
        FileProblem::NotTogether {
            respondent,
            earlier,
        } => fill(
            m.file_not_together,
            &[("respondent", respondent), ("row", &earlier.to_string())],
        ),
        FileProblem::Differs {
            field,
            value,
            kept,
            row,
        } => {
            let template = match field {
                Field::Wave => m.file_wave_differs,
                // A respondent's rows are the rows with its id, so only a group or wave differs.
                Field::Group | Field::Respondent => m.file_group_differs,
            };
            fill(
                template,
                &[("value", value), ("kept", kept), ("row", &row.to_string())],
            )
        }
        FileProblem::NotAnItem { name, near } => {
            let problem = fill(m.file_not_an_item, &[("name", name)]);
            did_you_mean(m, problem, near)
        }
        FileProblem::AlreadyAnswered { item, row } => fill(
            m.file_already_answered,
            &[("item", item), ("row", &row.to_string())],
        ),
        FileProblem::NotAnAnswer(refused) => fill(
            m.file_not_an_answer,
            &[
                ("cell", &refused.cell),
                ("accepted", &accepted(m, &refused.accepted)),
            ],
        ),
        FileProblem::WaveNotRound { wave, round } => {
            fill(m.file_wave_not_round, &[("wave", wave), ("round", round)])
        }
        FileProblem::NotASector { group, sectors } => fill(
            m.file_not_a_sector,
            &[("group", group), ("sectors", &quoted(m, sectors))],
        ),
        // The file's group is stored as the response's sector, its id as the organisation: the
        // words the forms use for those fields fit.
        FileProblem::GroupText(problem) => {
            text_detail(m, &FieldRef::Named("sector".into()), *problem)
        }
        FileProblem::OrganisationText(problem) => {
            text_detail(m, &FieldRef::Named("organisation".into()), *problem)
        }
        FileProblem::NoAnswer => m.file_no_answer.to_string(),
    }
}

/// One reason the header row cannot be used.
fn header_problem(m: &Messages, problem: &HeaderProblem) -> String {
    match problem {
        HeaderProblem::NoColumn { field, name, near } => {
            let template = match field {
                Field::Respondent => m.file_no_respondent_column,
                Field::Group => m.file_no_group_column,
                Field::Wave => m.file_no_wave_column,
            };
            did_you_mean(m, fill(template, &[("name", name)]), near)
        }
        HeaderProblem::SameName {
            first,
            second,
            name,
        } => fill(
            m.file_same_name,
            &[
                ("first", &first.to_string()),
                ("second", &second.to_string()),
                ("name", name),
            ],
        ),
        HeaderProblem::SameItem {
            first,
            second,
            item,
        } => fill(
            m.file_same_item,
            &[
                ("first", &first.0.to_string()),
                ("first_name", &first.1),
                ("second", &second.0.to_string()),
                ("second_name", &second.1),
                ("item", item),
            ],
        ),
        HeaderProblem::LongColumn { name, near } => {
            did_you_mean(m, fill(m.file_long_column, &[("name", name)]), near)
        }
        HeaderProblem::MissingItems(items) => {
            let each: Vec<String> = items.iter().map(|item| missing_item(m, item)).collect();
            fill(m.file_missing_items, &[("columns", &each.join(", "))])
        }
        HeaderProblem::Strict(columns) => {
            let each: Vec<String> = columns
                .iter()
                .map(|(c, name)| format!("{c} ({})", quoted(m, std::slice::from_ref(name))))
                .collect();
            fill(m.file_extra_columns, &[("columns", &each.join(", "))])
        }
    }
}

/// The names an item's column may have, and the header it looks like.
fn missing_item(m: &Messages, item: &MissingItem) -> String {
    let names = match &item.column {
        Some(column) => fill(m.file_either, &[("id", &item.id), ("column", column)]),
        None => quoted(m, std::slice::from_ref(&item.id)),
    };
    did_you_mean(m, names, &item.near)
}

/// What a cell may say, as its item accepts it.
fn accepted(m: &Messages, accepted: &Accepted) -> String {
    let (min, max) = (accepted.min.to_string(), accepted.max.to_string());
    let mut parts = vec![fill(
        m.file_accepted_numbers,
        &[("min", &min), ("max", &max)],
    )];
    if !accepted.labels.is_empty() {
        let labels = quoted(m, &accepted.labels);
        parts.push(fill(m.file_accepted_labels, &[("labels", &labels)]));
    }
    for (code, label) in &accepted.missing {
        parts.push(fill(
            m.file_accepted_missing,
            &[("code", code), ("label", label)],
        ));
    }
    if !accepted.codes.is_empty() {
        let codes = quoted(m, &accepted.codes);
        parts.push(fill(m.file_accepted_codes, &[("codes", &codes)]));
    }
    parts.push(m.file_accepted_blank.to_string());
    parts.join(", ")
}

/// `problem`, followed by the name it may have meant where there is one.
fn did_you_mean(m: &Messages, problem: String, near: &Option<String>) -> String {
    match near {
        Some(name) => fill(
            m.file_did_you_mean,
            &[("problem", &problem), ("name", name)],
        ),
        None => problem,
    }
}

/// `texts`, each quoted, separated by commas.
fn quoted(m: &Messages, texts: &[String]) -> String {
    let each: Vec<String> = texts
        .iter()
        .map(|text| fill(m.file_quoted, &[("text", text)]))
        .collect();
    each.join(", ")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::instrument::NotAnAnswer;
    use crate::survey::text::{TextError, Unit};
    use crate::web::messages::{CATALOGUES, EN, ES};

    fn at(row: u64, column: Option<(usize, &str)>, problem: FileProblem) -> ResponsesError {
        ResponsesError {
            row,
            column: column.map(|(c, name)| (c, name.to_string())),
            problem,
        }
    }

    fn refused(cell: &str) -> FileProblem {
        FileProblem::NotAnAnswer(NotAnAnswer {
            cell: cell.into(),
            accepted: Arc::new(Accepted {
                min: 1,
                max: 5,
                labels: vec!["Agree".into(), "De acuerdo".into()],
                missing: vec![("dk".into(), "Don't know".into())],
                codes: vec!["SA".into()],
            }),
        })
    }

    #[test]
    fn a_refused_cell_is_placed_and_lists_what_its_statement_accepts_in_the_readers_language() {
        let error = at(3, Some((5, "t2")), refused("7"));
        assert_eq!(
            worded(&EN, &error),
            "Row 3, column 5 (t2): “7” is not an answer to this statement (accepted: the numbers \
             1 to 5, the labels “Agree”, “De acuerdo”, “dk” or “Don't know”, the codes “SA”, a \
             blank cell or NA)"
        );
        assert_eq!(
            worded(&ES, &error),
            "Fila 3, columna 5 (t2): “7” no es una respuesta para esta afirmación (se aceptan: \
             los números del 1 al 5, las etiquetas “Agree”, “De acuerdo”, “dk” o “Don't know”, \
             los códigos “SA”, una celda vacía o NA)"
        );
        assert_eq!(
            error.to_string(),
            "row 3, column 5 (t2): `7` is not an answer on the item's scale (accepted: 1..5 or \
             the labels `Agree`, `De acuerdo`, dk or Don't know, the codes `SA`, blank or NA)",
            "the command line keeps its words"
        );
    }

    #[test]
    fn text_that_is_not_utf8_asks_for_a_utf8_file_instead_of_a_command_line_option() {
        let guess = encoding_rs::WINDOWS_1252;
        let error = at(4, Some((2, "")), FileProblem::NotUtf8 { guess });
        let english = worded(&EN, &error);
        assert!(english.starts_with("Row 4, column 2: "), "{english}");
        assert!(english.contains("windows-1252"), "{english}");
        assert!(english.contains("“CSV UTF-8”"), "{english}");
        assert!(!english.contains("--encoding"), "{english}");
        assert!(error.to_string().contains("--encoding windows-1252"));
        assert_eq!(
            worded(&ES, &error),
            "Fila 4, columna 2: El texto no está en UTF-8 (el archivo parece estar en \
             windows-1252). Guarde el archivo como UTF-8 (en Excel: “CSV UTF-8 (delimitado por \
             comas)”) y vuelva a subirlo"
        );
    }

    #[test]
    fn every_reason_the_header_is_refused_is_listed_with_the_name_it_looks_like() {
        let error = at(
            1,
            None,
            FileProblem::Header(vec![
                HeaderProblem::NoColumn {
                    field: Field::Group,
                    name: "group".into(),
                    near: Some("Group".into()),
                },
                HeaderProblem::MissingItems(vec![
                    MissingItem {
                        id: "t1".into(),
                        column: Some("Q1".into()),
                        near: Some("q 1".into()),
                    },
                    MissingItem {
                        id: "t2".into(),
                        column: None,
                        near: None,
                    },
                ]),
            ]),
        );
        assert_eq!(
            worded(&ES, &error),
            "Fila 1: No se puede usar la primera fila, con los nombres de las columnas: no hay \
             una columna de grupo “group” (¿quiso decir “Group”?); algunas afirmaciones no \
             tienen columna: “t1” o “Q1” (¿quiso decir “q 1”?), “t2”"
        );
        assert_eq!(
            worded(&EN, &error),
            "Row 1: The first row, which names the columns, cannot be used: there is no group \
             column “group” (did you mean “Group”?); some statements have no column: “t1” or \
             “Q1” (did you mean “q 1”?), “t2”"
        );
    }

    #[test]
    fn a_group_that_cannot_be_stored_is_worded_as_the_forms_word_a_sector() {
        let too_long = TextError::TooLong {
            max: 200,
            unit: Unit::Characters,
        };
        let error = at(2, Some((2, "group")), FileProblem::GroupText(too_long));
        assert_eq!(
            worded(&ES, &error),
            "Fila 2, columna 2 (group): El sector tiene más de 200 caracteres"
        );
        assert_eq!(
            worded(&EN, &error),
            "Row 2, column 2 (group): The sector is longer than 200 characters"
        );
    }

    #[test]
    fn a_row_of_one_cell_is_counted_in_the_singular() {
        let short = |len| at(4, None, FileProblem::Cells { len, expected: 9 });
        assert_eq!(
            worded(&EN, &short(1)),
            "Row 4: The row has 1 cell, but the first row has 9"
        );
        assert_eq!(
            worded(&ES, &short(2)),
            "Fila 4: La fila tiene 2 celdas, pero la primera fila tiene 9"
        );
        assert_eq!(
            short(1).to_string(),
            "row 4: the row has 1 cell but the header has 9"
        );
    }

    #[test]
    fn braces_in_the_files_text_are_shown_as_they_are() {
        let error = at(2, Some((1, "{name}")), refused("{problem}"));
        let spanish = worded(&ES, &error);
        assert!(
            spanish.starts_with("Fila 2, columna 1 ({name}): “{problem}” no es una respuesta"),
            "{spanish}"
        );
    }

    /// One problem of every kind, with texts that hold no braces.
    fn every_problem() -> Vec<FileProblem> {
        let text = || "x".to_string();
        let near = || Some("y".to_string());
        vec![
            FileProblem::Unopened(text()),
            FileProblem::Unreadable(text()),
            FileProblem::NotUtf8 {
                guess: encoding_rs::UTF_16LE,
            },
            FileProblem::UnknownEncoding { label: text() },
            FileProblem::Csv(text()),
            FileProblem::Empty,
            FileProblem::Header(vec![
                HeaderProblem::NoColumn {
                    field: Field::Respondent,
                    name: text(),
                    near: near(),
                },
                HeaderProblem::NoColumn {
                    field: Field::Wave,
                    name: text(),
                    near: None,
                },
                HeaderProblem::SameName {
                    first: 1,
                    second: 2,
                    name: text(),
                },
                HeaderProblem::SameItem {
                    first: (1, text()),
                    second: (2, text()),
                    item: text(),
                },
                HeaderProblem::LongColumn {
                    name: "item",
                    near: near(),
                },
                HeaderProblem::Strict(vec![(3, text())]),
            ]),
            FileProblem::Cells {
                len: 3,
                expected: 4,
            },
            FileProblem::BlankId,
            FileProblem::Repeated {
                respondent: text(),
                earlier: 2,
            },
            FileProblem::NotTogether {
                respondent: text(),
                earlier: 2,
            },
            FileProblem::Differs {
                field: Field::Wave,
                value: text(),
                kept: text(),
                row: 2,
            },
            FileProblem::Differs {
                field: Field::Group,
                value: text(),
                kept: text(),
                row: 2,
            },
            FileProblem::NotAnItem {
                name: text(),
                near: near(),
            },
            FileProblem::AlreadyAnswered {
                item: text(),
                row: 2,
            },
            refused("x"),
            FileProblem::WaveNotRound {
                wave: text(),
                round: text(),
            },
            FileProblem::NotASector {
                group: text(),
                sectors: vec![text(), text()],
            },
            FileProblem::GroupText(TextError::NotOneLine),
            FileProblem::OrganisationText(TextError::ControlCharacter),
            FileProblem::NoAnswer,
        ]
    }

    #[test]
    fn every_problem_fills_every_placeholder_and_reads_differently_in_each_language() {
        for problem in every_problem() {
            let error = at(2, Some((1, "x")), problem);
            let words: Vec<String> = CATALOGUES.iter().map(|m| worded(m, &error)).collect();
            for text in &words {
                assert!(!text.contains(['{', '}']), "{text}");
            }
            assert_ne!(words[0], words[1], "{error:?}");
        }
    }
}
