//! A round's partners: the form to add them one by one or as a pasted list, the list of them
//! (each with a button to delete them), and their personal links as a CSV file for a mail merge.

use askama::Template;
use std::io::Read;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::mailing::{self, MailSection};
use super::upload::spooled_file;
use super::{SignedInChrome, base_url, chrome, owned_round, see_other};
use crate::instrument::Instrument;
use crate::survey::links::{LinkRow, links_csv};
use crate::survey::partners::{self, Column, PartnerError, PartnerList, PartnerProblem};
use crate::survey::{InvitationProgress, Round, Status};
use crate::web::body::FieldRef;
use crate::web::errors::{AppError, field_words, text_detail};
use crate::web::language::interface;
use crate::web::messages::{Messages, fill};
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// Adding partners to a round.
#[derive(Template)]
#[template(path = "facilitate/partners.html")]
struct PartnersPage<'a> {
    chrome: SignedInChrome<'a>,
    round: Round,
    sectors: Vec<String>,
    list: String,
    problems: Vec<String>,
    /// The round's partners so far, each with what they got by e-mail (in words) and a button
    /// to delete them.
    invited: Vec<(InvitationProgress, String)>,
    /// The e-mail section: the send buttons and the job's progress.
    mailing: MailSection,
}

async fn partners_page(
    state: &AppState,
    status: StatusCode,
    signed_in: &SignedIn,
    round: Round,
    instrument: &Instrument,
    list: String,
    problems: &[PartnerError],
) -> Result<Response, AppError> {
    let invited = state.store.invitation_progress(round.id).await?;
    let mut mailing = mailing::section(state, &round).await?;
    let invited = invited
        .into_iter()
        .map(|progress| {
            let mail = mailing
                .lines
                .remove(&progress.invitation.id)
                .unwrap_or_default();
            (progress, mail)
        })
        .collect();
    Ok(html(
        status,
        &PartnersPage {
            chrome: chrome(signed_in, interface().partners_heading),
            round,
            sectors: instrument
                .profile
                .as_ref()
                .map(|p| p.options.clone())
                .unwrap_or_default(),
            list,
            problems: problems.iter().map(|p| in_words(interface(), p)).collect(),
            invited,
            mailing,
        },
    ))
}

/// A problem of a partner list or of the partner form in the reader's words: placed by row and
/// column as the list has them, or, in the form, naming its field.
pub(super) fn in_words(m: &Messages, error: &PartnerError) -> String {
    let field = FieldRef::Named(error.column.map_or("list", Column::name).into());
    let problem = match &error.problem {
        PartnerProblem::Empty => m.partner_list_empty.into(),
        PartnerProblem::Unreadable(reason) => fill(m.partner_unreadable, &[("reason", reason)]),
        PartnerProblem::NotUtf8 => m.partner_not_utf8.into(),
        PartnerProblem::HeadingControlCharacter(at) => {
            fill(m.partner_heading_control, &[("n", &at.to_string())])
        }
        PartnerProblem::ColumnTwice(name) => fill(m.partner_column_twice, &[("name", name)]),
        PartnerProblem::UnknownColumn(at, name) => fill(
            m.partner_unknown_column,
            &[("n", &at.to_string()), ("name", name)],
        ),
        PartnerProblem::NoColumn(name) => fill(m.partner_no_column, &[("name", name)]),
        PartnerProblem::NoPartners => m.partner_none.into(),
        PartnerProblem::Text(problem) => text_detail(m, &field, *problem),
        PartnerProblem::Blank => fill(m.partner_blank, &[("field", &field_words(m, &field))]),
        PartnerProblem::UnknownSector(sector, sectors) => fill(
            m.file_not_a_sector,
            &[("group", sector), ("sectors", &sectors.join(", "))],
        ),
        PartnerProblem::NotEmail(email) => fill(m.partner_not_email, &[("email", email)]),
        PartnerProblem::NotLanguageTag(language) => {
            fill(m.partner_not_language, &[("language", language)])
        }
    };
    let row = error.row.to_string();
    match error.column {
        _ if error.row == 0 => problem,
        None => fill(m.file_at_row, &[("row", &row), ("problem", &problem)]),
        Some(column) => fill(
            m.file_at_column,
            &[
                ("row", &row),
                ("column", column.name()),
                ("problem", &problem),
            ],
        ),
    }
}

/// `GET /facilitator/rounds/{id}/partners`.
pub async fn partners_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    partners_page(
        &state,
        StatusCode::OK,
        &signed_in,
        round,
        &instrument,
        String::new(),
        &[],
    )
    .await
}

/// `POST /facilitator/rounds/{id}/partners`: one partner from the form fields, or a pasted CSV
/// list in `list`; all stored or, with any problem, none.
pub async fn add_partners(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    let instrument = round.instrument()?;
    let list = form.field("list");
    let added = if list.trim().is_empty() {
        match partners::check(
            &instrument,
            form.field("organisation"),
            form.field("sector"),
            form.field("email"),
            form.field("language"),
        ) {
            Ok(partner) => {
                state.store.add_partners(round.id, &[partner]).await?;
                Ok(())
            }
            Err(problems) => Err(problems),
        }
    } else {
        add_list(&state, round.id, &instrument, list.as_bytes()).await?
    };
    let list = list.to_string();
    outcome(&state, &form.signed_in, round, &instrument, list, added).await
}

/// Where adding partners leads: back to the round, or to the partners page listing the
/// problems (with the pasted `list` to correct), nothing added.
async fn outcome(
    state: &AppState,
    signed_in: &SignedIn,
    round: Round,
    instrument: &Instrument,
    list: String,
    added: Result<(), Vec<PartnerError>>,
) -> Result<Response, AppError> {
    match added {
        Ok(()) => Ok(see_other(&format!("/facilitator/rounds/{}", round.id))),
        Err(problems) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            partners_page(state, status, signed_in, round, instrument, list, &problems).await
        }
    }
}

/// Stores the partner list `input`, all or nothing; its problems otherwise.
async fn add_list(
    state: &AppState,
    round_id: i64,
    instrument: &Instrument,
    input: impl Read + Send,
) -> Result<Result<(), Vec<PartnerError>>, AppError> {
    let mut list = match PartnerList::new(input, instrument) {
        Ok(list) => list,
        Err(problems) => return Ok(Err(problems)),
    };
    Ok(state
        .store
        .add_partner_list(round_id, &mut list)
        .await?
        .map(drop))
}

/// `POST /facilitator/rounds/{id}/partners/upload`: a partner list file (multipart: `csrf`, then
/// `file`, see [`super::upload`]), all stored or, with any problem, none.
pub async fn upload_partners(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let instrument = round.instrument()?;
    let file = spooled_file(&signed_in, multipart).await?;
    let added = add_list(&state, round.id, &instrument, file).await?;
    outcome(&state, &signed_in, round, &instrument, String::new(), added).await
}

/// `GET /facilitator/rounds/{id}/links.csv`: the personal links for a mail merge; with
/// `?only=unsubmitted`, those of the partners who have not submitted, for a reminder.
pub async fn links(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    let base = base_url(&state, &headers);
    let mut invitations = state.store.invitation_progress(round.id).await?;
    // `?only=unsubmitted`: the partners a reminder is for.
    if query.as_deref() == Some("only=unsubmitted") {
        invitations.retain(|p| !p.invitation.submitted);
    }
    let links: Vec<String> = invitations
        .iter()
        .map(|p| format!("{base}/s/{}", p.invitation.token))
        .collect();
    let body = links_csv(invitations.iter().zip(&links).map(|(p, link)| LinkRow {
        organisation: &p.invitation.organisation,
        sector: p.invitation.sector.as_deref().unwrap_or_default(),
        email: p.invitation.email.as_deref().unwrap_or_default(),
        language: p.invitation.language.as_deref().unwrap_or_default(),
        link,
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"partnerscope-round-{id}-links.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::text::{TextError, Unit};
    use crate::web::messages::CATALOGUES;

    #[test]
    fn every_partner_problem_is_worded_whole_in_every_catalogue() {
        let problems = [
            PartnerProblem::Empty,
            PartnerProblem::Unreadable("found a record with more fields".into()),
            PartnerProblem::NotUtf8,
            PartnerProblem::HeadingControlCharacter(2),
            PartnerProblem::ColumnTwice("email"),
            PartnerProblem::UnknownColumn(4, "colour".into()),
            PartnerProblem::NoColumn("sector"),
            PartnerProblem::NoPartners,
            PartnerProblem::Text(TextError::TooLong {
                max: 254,
                unit: Unit::Bytes,
            }),
            PartnerProblem::Blank,
            PartnerProblem::UnknownSector("martians".into(), vec!["health".into()]),
            PartnerProblem::NotEmail("clinic.example".into()),
            PartnerProblem::NotLanguageTag("english please".into()),
        ];
        for m in CATALOGUES {
            for problem in &problems {
                for (row, column) in [
                    (0, Some(Column::Email)),
                    (3, None),
                    (3, Some(Column::Sector)),
                ] {
                    let error = PartnerError {
                        row,
                        column,
                        problem: problem.clone(),
                    };
                    let words = in_words(m, &error);
                    assert!(!words.contains('{'), "{}: {words}", m.lang);
                    assert_eq!(row > 0, words.contains(" 3"), "{}: {words}", m.lang);
                }
            }
        }
        let error = PartnerError {
            row: 4,
            column: Some(Column::Email),
            problem: PartnerProblem::NotEmail("clinic.example".into()),
        };
        assert_eq!(
            in_words(&crate::web::messages::ES, &error),
            "Fila 4, columna email: “clinic.example” no es una dirección de correo electrónico"
        );
    }
}
