//! Answers that did not come through the web form (issue 15): the round's form printed on paper,
//! a page to key in one paper sheet at a time, and the upload of another tool's responses file.
//!
//! A keyed-in sheet goes through the same reading and completeness rule as a partner's
//! submission ([`form::read`], [`form::problems`]) and is stored as a submitted response marked
//! `paper` with the sheet's id, which the database keeps unique within the round, so a sheet
//! keyed in twice is refused however close together the two posts come. An uploaded file goes
//! through the very importer `partnerscope import` uses, all or nothing, its rows marked
//! `import`. Both are refused while the round is closed, as a partner's submission is.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::file_problems;
use super::upload::spooled_file;
use super::{SignedInChrome, checked_text, chrome, owned_round, see_other};
use crate::instrument::Instrument;
use crate::responses::{ImportTarget, Importer, Layout, ResponsesReader};
use crate::survey::Round;
use crate::survey::answers::Answers;
use crate::survey::text::Kind;
use crate::web::errors::AppError;
use crate::web::form::{self, Action, FormView, Link, Posted, Problem, decode_body};
use crate::web::language::{interface, texts_for};
use crate::web::messages::counted;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// What a paper sheet asks: the sector where the instrument has a profile question, as the open
/// link does, since nobody's invitation fixes it; no form id, no drafts.
const PAPER: Link = Link {
    asks_sector: true,
    has_form_id: false,
};

/// The paper form's questions with nothing ticked, in the facilitator's language where the
/// instrument has it.
fn blank_form(instrument: &Instrument) -> FormView {
    FormView::new(
        instrument,
        texts_for(instrument, None),
        PAPER,
        &Answers::default(),
        Vec::new(),
    )
}

/// The most sheets one paper form prints.
const MAX_SHEETS: u32 = 200;

/// The printable paper form.
#[derive(Template)]
#[template(path = "facilitate/paper.html")]
struct PaperPage<'a> {
    chrome: SignedInChrome<'a>,
    round: Round,
    /// Who asks: the round's title, or the partnership's name.
    asker: String,
    /// The questions, as the web form shows them.
    form: FormView,
    /// The statements as tables of boxes.
    tables: Vec<PaperTable>,
    /// The id printed on each sheet, one sheet each.
    sheets: Vec<String>,
}

/// Consecutive statements printed under one row of column headings: the labels of their scale
/// and missing options.
struct PaperTable {
    /// The heading of the factor (or dimension) they belong to, above its first table.
    title: Option<String>,
    /// The options' labels, one column of boxes each.
    labels: Vec<String>,
    /// Each statement's number and text.
    statements: Vec<(usize, String)>,
}

/// The statements of `form` as tables: a new table where a factor starts or the options change.
fn paper_tables(form: &FormView) -> Vec<PaperTable> {
    let mut tables: Vec<PaperTable> = Vec::new();
    for group in &form.groups {
        let mut first = true;
        for item in &group.items {
            let labels: Vec<String> = item.choices.iter().map(|c| c.label.clone()).collect();
            match tables.last_mut() {
                Some(table) if !first && table.labels == labels => {
                    table.statements.push((item.number, item.text.clone()));
                }
                _ => tables.push(PaperTable {
                    title: first.then(|| group.title.clone()),
                    labels,
                    statements: vec![(item.number, item.text.clone())],
                }),
            }
            first = false;
        }
    }
    tables
}

/// The id printed on sheet `number` of round `round_id`, such as `12-007`.
fn sheet_id(round_id: i64, number: u32) -> String {
    format!("{round_id}-{number:03}")
}

/// The value of `name` in a query string, if it has exactly one; a query that does not decode
/// has none.
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let fields = decode_body(query.unwrap_or_default().as_bytes()).ok()?;
    let mut values = fields.into_iter().filter(|(n, _)| n == name);
    match (values.next(), values.next()) {
        (Some((_, value)), None) => Some(value),
        _ => None,
    }
}

/// `GET /facilitator/rounds/{id}/paper?sheets=N`: the round's form to print, `N` sheets (1 to
/// [`MAX_SHEETS`], default 1), each with its own id. A closed round's form prints too.
pub async fn paper_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (round, partnership) = owned_round(&state, &signed_in, id).await?;
    let count = match query_value(query.as_deref(), "sheets") {
        None => 1,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_SHEETS).contains(n))
            .ok_or(AppError::BadForm(interface().detail_sheets))?,
    };
    let instrument = round.instrument()?;
    let form = blank_form(&instrument);
    let asker = round.details.asker(&partnership.name).to_string();
    let title = format!("{} · {}", interface().paper_heading, round.wave);
    Ok(html(
        StatusCode::OK,
        &PaperPage {
            chrome: chrome(&signed_in, &title),
            asker,
            tables: paper_tables(&form),
            form,
            sheets: (1..=count).map(|n| sheet_id(round.id, n)).collect(),
            round,
        },
    ))
}

/// Keying in paper sheets and uploading a responses file.
#[derive(Template)]
#[template(path = "facilitate/paper_entry.html")]
struct EntryPage<'a> {
    chrome: SignedInChrome<'a>,
    round: Round,
    /// The questions with what was keyed in and the problems found.
    form: FormView,
    /// The sheet id keyed in.
    sheet_id: String,
    /// Whether the sheet id is listed in the error summary.
    sheet_invalid: bool,
    /// The consent box's label, worded for whoever ticks it.
    consent_label: &'static str,
    /// Whether statements show their number, as the paper form prints them.
    numbered: bool,
    /// What the last post did: a sheet stored, a file imported.
    notice: Option<String>,
    /// Why an uploaded file was refused, placed by row and column.
    import_problems: Vec<String>,
}

impl EntryPage<'_> {
    fn new<'a>(
        signed_in: &'a SignedIn,
        round: Round,
        form: FormView,
        sheet_id: String,
    ) -> EntryPage<'a> {
        EntryPage {
            chrome: chrome(signed_in, interface().paper_entry_heading),
            round,
            sheet_invalid: form.problems.iter().any(|p| p.anchor == "sheet_id"),
            form,
            sheet_id,
            consent_label: interface().paper_consent_label,
            numbered: true,
            notice: None,
            import_problems: Vec::new(),
        }
    }
}

/// The round `id` if the facilitator may see it and it takes answers; otherwise 404, or the
/// closed round's refusal.
async fn open_round(
    state: &AppState,
    signed_in: &SignedIn,
    id: i64,
) -> Result<(Round, std::sync::Arc<Instrument>), AppError> {
    let (round, _) = owned_round(state, signed_in, id).await?;
    if !round.is_open() {
        return Err(AppError::RoundClosed);
    }
    let instrument = round.instrument()?;
    Ok((round, instrument))
}

/// `GET /facilitator/rounds/{id}/paper/entry`: an empty sheet to key in, with what the last post
/// stored (`?stored=` a sheet id, `?imported=` a count).
pub async fn entry_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (round, instrument) = open_round(&state, &signed_in, id).await?;
    let form = blank_form(&instrument);
    let mut page = EntryPage::new(&signed_in, round, form, String::new());
    let query = query.as_deref();
    page.notice = match (query_value(query, "stored"), query_value(query, "imported")) {
        (Some(sheet), _) => Some(interface().paper_stored.replace("{sheet}", &sheet)),
        (None, Some(count)) => count
            .parse()
            .ok()
            .map(|count| counted(interface().import_stored, count)),
        _ => None,
    };
    Ok(html(StatusCode::OK, &page))
}

/// Takes the field `name` out of `fields`: its value, or empty; refused when repeated.
fn take_field(fields: &mut Vec<(String, String)>, name: &str) -> Result<String, AppError> {
    let mut taken = fields.extract_if(.., |(n, _)| n == name);
    let value = taken.next().map(|(_, value)| value).unwrap_or_default();
    if taken.next().is_some() {
        return Err(AppError::BadForm(interface().detail_repeated_field));
    }
    Ok(value)
}

/// `POST /facilitator/rounds/{id}/paper/entry`: one paper sheet, checked as a partner's
/// submission is, stored as a submitted response marked `paper`; then the next, empty sheet.
/// An incomplete sheet, or one whose id the round already has, comes back (422) with every
/// problem listed and what was keyed in kept.
pub async fn enter(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let CheckedForm {
        signed_in,
        mut fields,
    } = form;
    let (round, instrument) = open_round(&state, &signed_in, id).await?;
    let typed = take_field(&mut fields, "sheet_id")?;
    let sheet = checked_text("sheet_id", Kind::Label, typed.trim())?.to_string();
    let Posted {
        action,
        mut answers,
        ..
    } = form::read(&instrument, PAPER, interface(), fields)?;
    if action != Action::Submit {
        return Err(AppError::BadForm(interface().detail_action));
    }
    answers.language = Some(texts_for(&instrument, None).lang().to_string());
    let mut problems = Vec::new();
    if sheet.is_empty() {
        problems.push(Problem {
            anchor: "sheet_id".into(),
            message: interface().error_sheet_id,
            subject: None,
        });
    }
    problems.extend(form::problems(
        &instrument,
        texts_for(&instrument, None),
        PAPER,
        interface(),
        &answers,
    ));
    if problems.is_empty() {
        if state.store.submit_paper(round.id, &sheet, &answers).await? {
            let sheet = utf8_percent_encode(&sheet, NON_ALPHANUMERIC);
            return Ok(see_other(&format!(
                "/facilitator/rounds/{}/paper/entry?stored={sheet}",
                round.id
            )));
        }
        problems.push(Problem {
            anchor: "sheet_id".into(),
            message: interface().error_sheet_taken,
            subject: Some(sheet.clone()),
        });
    }
    let form = FormView::new(
        &instrument,
        texts_for(&instrument, None),
        PAPER,
        &answers,
        problems,
    );
    let page = EntryPage::new(&signed_in, round, form, sheet);
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// `POST /facilitator/rounds/{id}/import`: a responses file (multipart: `csrf`, then `file`),
/// read with the layout `partnerscope import` reads by default and stored through the same
/// importer, all or nothing. A refused file stores nothing and comes back (422) with its problem
/// placed by row and column, in the facilitator's language.
pub async fn import(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (round, instrument) = open_round(&state, &signed_in, id).await?;
    let file = spooled_file(&signed_in, multipart).await?;
    let layout = Layout::default();
    let problem = match ResponsesReader::new(std::io::BufReader::new(file), &instrument, &layout) {
        Ok(reader) => {
            let mut importer = Importer::new(reader, ImportTarget::of(&round, &instrument));
            match state
                .store
                .import_responses(round.id, &mut importer)
                .await?
            {
                Ok(count) => {
                    return Ok(see_other(&format!(
                        "/facilitator/rounds/{}/paper/entry?imported={count}",
                        round.id
                    )));
                }
                Err(problem) => problem,
            }
        }
        Err(problem) => problem,
    };
    let form = blank_form(&instrument);
    let mut page = EntryPage::new(&signed_in, round, form, String::new());
    page.import_problems = vec![file_problems::worded(interface(), &problem)];
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mini() -> Instrument {
        let src = include_str!("../../../tests/fixtures/web/mini.toml");
        crate::instrument::load_str("mini.toml", src).unwrap()
    }

    #[test]
    fn sheet_ids_are_the_round_and_a_three_digit_number() {
        assert_eq!(sheet_id(12, 7), "12-007");
        assert_eq!(sheet_id(3, 200), "3-200");
    }

    #[test]
    fn statements_are_numbered_in_order_and_tabled_by_factor() {
        let instrument = mini();
        let form = blank_form(&instrument);
        let tables = paper_tables(&form);
        let numbers: Vec<usize> = tables
            .iter()
            .flat_map(|t| t.statements.iter().map(|(n, _)| *n))
            .collect();
        assert_eq!(numbers, (1..=instrument.items.len()).collect::<Vec<_>>());
        assert_eq!(tables.len(), form.groups.len());
        for (table, group) in tables.iter().zip(&form.groups) {
            assert_eq!(table.title.as_deref(), Some(group.title.as_str()));
            assert!(table.labels.len() > 2);
        }
    }

    #[test]
    fn only_one_well_formed_value_is_read_from_a_query() {
        assert_eq!(
            query_value(Some("sheets=3"), "sheets").as_deref(),
            Some("3")
        );
        assert_eq!(query_value(Some("sheets=3&sheets=4"), "sheets"), None);
        assert_eq!(query_value(Some("stored=12-007"), "sheets"), None);
        assert_eq!(query_value(None, "sheets"), None);
        assert_eq!(
            query_value(Some("stored=A%20B"), "stored").as_deref(),
            Some("A B")
        );
    }
}
