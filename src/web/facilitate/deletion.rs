//! Deleting for good, and removing a closed round's partner e-mail addresses: each a page that
//! says exactly what goes (GET) and a form that does it (POST, with the CSRF token, then 303).
//!
//! Access is checked as everywhere else: a partnership, round or partner the facilitator may not
//! see answers 404, before anything is counted.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{
    SignedInChrome, chrome, managed_partnership, owned_invitation, owned_round, see_other,
};
use crate::store::{Contents, StoreError, Target};
use crate::survey::{Invitation, Partnership, Round};
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::messages::{Named, counted};
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// A confirmation page: what an action takes away and the form that does it, or why it cannot
/// be done.
#[derive(Template)]
#[template(path = "facilitate/confirm.html")]
struct ConfirmPage<'a> {
    /// Its title is the page's heading.
    chrome: SignedInChrome<'a>,
    /// What the action takes away, in words; `None` when it is refused.
    what: Option<String>,
    /// Where the form posts and its button's text; `None` when the action is refused.
    action: Option<(String, &'static str)>,
    /// Why the action cannot be done, instead of the form.
    refusal: Option<&'static str>,
    /// The page the facilitator came from.
    back: String,
}

impl ConfirmPage<'_> {
    /// The page with `status`.
    fn render(&self, status: StatusCode) -> Response {
        html(status, self)
    }
}

/// What a deletion is about, once the facilitator was found to be allowed to see it.
enum Subject {
    Partnership(Partnership),
    Round(Round),
    Partner(Invitation, Round),
}

impl Subject {
    /// `target`, if the signed-in facilitator may see it; otherwise 404.
    async fn owned(
        state: &AppState,
        signed_in: &SignedIn,
        target: Target,
    ) -> Result<Subject, AppError> {
        Ok(match target {
            // Co-facilitators run the partnership, but only its owner may delete it.
            Target::Partnership(id) => {
                Subject::Partnership(managed_partnership(state, signed_in, id).await?)
            }
            Target::Round(id) => Subject::Round(owned_round(state, signed_in, id).await?.0),
            Target::Partner(id) => {
                let (invitation, round) = owned_invitation(state, signed_in, id).await?;
                Subject::Partner(invitation, round)
            }
        })
    }

    fn target(&self) -> Target {
        match self {
            Subject::Partnership(partnership) => Target::Partnership(partnership.id),
            Subject::Round(round) => Target::Round(round.id),
            Subject::Partner(invitation, _) => Target::Partner(invitation.id),
        }
    }

    fn named(&self) -> Named<'_> {
        match self {
            Subject::Partnership(partnership) => Named::Partnership(&partnership.name),
            Subject::Round(round) => Named::Round(&round.wave),
            Subject::Partner(invitation, round) => {
                Named::Partner(&invitation.organisation, &round.wave)
            }
        }
    }

    /// The page it is shown on, where its confirmation page leads back to.
    fn page(&self) -> String {
        match self {
            Subject::Partnership(partnership) => {
                format!("/facilitator/partnerships/{}", partnership.id)
            }
            Subject::Round(round) => format!("/facilitator/rounds/{}", round.id),
            Subject::Partner(_, round) => format!("/facilitator/rounds/{}/partners", round.id),
        }
    }

    /// Where the facilitator goes once it is deleted: the page that listed it.
    fn after(&self) -> String {
        match self {
            Subject::Partnership(_) => "/facilitator".to_string(),
            Subject::Round(round) => format!("/facilitator/partnerships/{}", round.partnership_id),
            Subject::Partner(..) => self.page(),
        }
    }

    /// Its confirmation page: what deleting it takes away, or why it cannot be deleted.
    fn confirm_page<'a>(
        &self,
        signed_in: &'a SignedIn,
        outcome: Result<Contents, Refused>,
    ) -> ConfirmPage<'a> {
        let (what, action, refusal) = match outcome {
            Ok(contents) => (
                Some(format!(
                    "{} {}.",
                    interface().delete_intro,
                    interface().deletion(self.named(), &contents)
                )),
                Some((self.delete_path(), interface().delete_confirm_button)),
                None,
            ),
            Err(Refused(why)) => (None, None, Some(why)),
        };
        ConfirmPage {
            chrome: chrome(signed_in, interface().delete_heading),
            what,
            action,
            refusal,
            back: self.page(),
        }
    }

    /// Where its confirmation page is and its form posts.
    fn delete_path(&self) -> String {
        match self {
            Subject::Partner(invitation, _) => {
                format!("/facilitator/partners/{}/delete", invitation.id)
            }
            _ => format!("{}/delete", self.page()),
        }
    }
}

/// Why an action cannot be done, in words for the facilitator.
struct Refused(&'static str);

/// A store refusal the facilitator can act on, in words; any other error stays an error.
fn refused(error: StoreError) -> Result<Refused, AppError> {
    match error {
        StoreError::SubmittedResponseLinked => Ok(Refused(interface().delete_refused_linked)),
        StoreError::RoundOpen => Ok(Refused(interface().detail_round_open)),
        other => Err(other.into()),
    }
}

/// The confirmation page of deleting `target`.
async fn confirm(
    state: &AppState,
    signed_in: &SignedIn,
    target: Target,
) -> Result<Response, AppError> {
    let subject = Subject::owned(state, signed_in, target).await?;
    let outcome = match state.store.contents(subject.target()).await {
        Ok(contents) => Ok(contents.ok_or(AppError::NotFound)?),
        Err(error) => Err(refused(error)?),
    };
    Ok(subject
        .confirm_page(signed_in, outcome)
        .render(StatusCode::OK))
}

/// Deletes `target` and goes to the page that listed it; a refusal shows the confirmation page
/// with the reason (409).
async fn delete(
    state: &AppState,
    form: &CheckedForm,
    target: Target,
) -> Result<Response, AppError> {
    let subject = Subject::owned(state, &form.signed_in, target).await?;
    match state.store.delete(subject.target()).await {
        Ok(Some(contents)) => {
            // Who deleted what, for the operator: ids and counts, never names.
            tracing::info!(
                ?target,
                ?contents,
                facilitator_id = form.signed_in.facilitator().id,
                "deleted"
            );
            Ok(see_other(&subject.after()))
        }
        Ok(None) => Err(AppError::NotFound),
        Err(error) => Ok(subject
            .confirm_page(&form.signed_in, Err(refused(error)?))
            .render(StatusCode::CONFLICT)),
    }
}

/// `GET /facilitator/partnerships/{id}/delete`.
pub async fn confirm_partnership(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    confirm(&state, &signed_in, Target::Partnership(id)).await
}

/// `POST /facilitator/partnerships/{id}/delete`: deletes the partnership and all its rounds, back
/// to the list of partnerships.
pub async fn delete_partnership(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    delete(&state, &form, Target::Partnership(id)).await
}

/// `GET /facilitator/rounds/{id}/delete`.
pub async fn confirm_round(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    confirm(&state, &signed_in, Target::Round(id)).await
}

/// `POST /facilitator/rounds/{id}/delete`: deletes the round with everything it holds, back to
/// its partnership.
pub async fn delete_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    delete(&state, &form, Target::Round(id)).await
}

/// `GET /facilitator/partners/{id}/delete` (`id`: the invitation).
pub async fn confirm_partner(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    confirm(&state, &signed_in, Target::Partner(id)).await
}

/// `POST /facilitator/partners/{id}/delete`: deletes the partner's invitation and draft, back to
/// the round's partners.
pub async fn delete_partner(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    delete(&state, &form, Target::Partner(id)).await
}

/// The confirmation page of removing a round's partner e-mail addresses.
async fn emails_page<'a>(
    state: &AppState,
    signed_in: &'a SignedIn,
    round: &Round,
    refusal: Option<Refused>,
) -> Result<ConfirmPage<'a>, AppError> {
    let path = format!("/facilitator/rounds/{}", round.id);
    let refusal = refusal.or_else(|| {
        round
            .is_open()
            .then_some(Refused(interface().detail_round_open))
    });
    let (what, action) = if refusal.is_some() {
        (None, None)
    } else {
        let addresses = state
            .store
            .invitation_progress(round.id)
            .await?
            .iter()
            .filter(|p| p.invitation.email.is_some())
            .count();
        (
            Some(counted(interface().emails_text, addresses as u64).replace("{wave}", &round.wave)),
            Some((
                format!("{path}/remove-emails"),
                interface().emails_confirm_button,
            )),
        )
    };
    Ok(ConfirmPage {
        chrome: chrome(signed_in, interface().emails_heading),
        what,
        action,
        refusal: refusal.map(|Refused(why)| why),
        back: path,
    })
}

/// `GET /facilitator/rounds/{id}/remove-emails`: what removing a closed round's partner e-mail
/// addresses does.
pub async fn confirm_remove_emails(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &signed_in, id).await?;
    Ok(emails_page(&state, &signed_in, &round, None)
        .await?
        .render(StatusCode::OK))
}

/// `POST /facilitator/rounds/{id}/remove-emails`: removes them, back to the round; an open round
/// shows the confirmation page with the reason (409).
pub async fn remove_emails(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let (round, _) = owned_round(&state, &form.signed_in, id).await?;
    match state.store.remove_partner_emails(round.id).await {
        Ok(_) => Ok(see_other(&format!("/facilitator/rounds/{id}"))),
        Err(error) => Ok(
            emails_page(&state, &form.signed_in, &round, Some(refused(error)?))
                .await?
                .render(StatusCode::CONFLICT),
        ),
    }
}
