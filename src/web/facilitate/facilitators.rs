//! A partnership's facilitators: its owner and its co-facilitators, listed on the partnership's
//! page, where the owner (or an administrator) adds a co-facilitator by the e-mail address of an
//! existing account and removes one. A co-facilitator runs the partnership as the owner does
//! (the store's `Visible` rule lets them through every page) but cannot choose co-facilitators or
//! delete the partnership ([`managed_partnership`]).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{SignedInChrome, chrome, managed_partnership, owned_partnership, see_other};
use crate::accounts::SignInEmail;
use crate::survey::Partnership;
use crate::web::errors::AppError;
use crate::web::language::interface;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// One facilitator of a partnership, as its page lists them.
pub struct Listed {
    /// Their account's id, for the remove button.
    pub(super) id: i64,
    /// Their sign-in address.
    pub(super) email: String,
    /// Whether they own the partnership (else they co-facilitate it).
    pub(super) owner: bool,
}

/// What `_facilitators.html` shows: the facilitators, and for the owner or an administrator the
/// form that adds one (with what was typed and why it was refused, after a refusal).
pub struct FacilitatorsSection {
    /// The partnership, for the forms' addresses.
    pub(super) partnership_id: i64,
    /// Whether the partnership has an owner.
    pub(super) owned: bool,
    /// The owner first, then the co-facilitators.
    pub(super) listed: Vec<Listed>,
    /// Whether the signed-in facilitator may add and remove co-facilitators (and delete it).
    pub(super) manages: bool,
    /// The signed-in facilitator, who may leave a partnership they co-facilitate.
    pub(super) me: i64,
    /// The address typed into the form, kept after a refusal.
    pub(super) email: String,
    /// Why the address was refused.
    pub(super) problem: Option<&'static str>,
}

/// The facilitators section of `partnership`'s page, as `signed_in` sees it.
pub async fn section(
    state: &AppState,
    signed_in: &SignedIn,
    partnership: &Partnership,
) -> Result<FacilitatorsSection, AppError> {
    let listed = state
        .store
        .partnership_facilitators(partnership.id)
        .await?
        .into_iter()
        .map(|facilitator| Listed {
            owner: partnership.owner_id == Some(facilitator.id),
            id: facilitator.id,
            email: facilitator.email,
        })
        .collect();
    Ok(FacilitatorsSection {
        partnership_id: partnership.id,
        owned: partnership.owner_id.is_some(),
        listed,
        manages: partnership.managed_by(signed_in.facilitator()),
        me: signed_in.facilitator().id,
        email: String::new(),
        problem: None,
    })
}

/// The facilitators of a partnership on a page of their own: where a refused address is shown,
/// with the form to correct it.
#[derive(Template)]
#[template(path = "facilitate/facilitators.html")]
struct FacilitatorsPage<'a> {
    chrome: SignedInChrome<'a>,
    partnership: Partnership,
    facilitators: FacilitatorsSection,
}

/// `POST /facilitator/partnerships/{id}/facilitators`: adds the account with the address in
/// `email` as a co-facilitator and goes back to the partnership; a refused address shows the
/// facilitators again with the reason (422), nothing stored.
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let partnership = managed_partnership(&state, &form.signed_in, id).await?;
    let typed = form.field("email");
    let Err(problem) = add_co_facilitator(&state, &partnership, typed).await? else {
        return Ok(see_other(&format!(
            "/facilitator/partnerships/{id}#facilitators"
        )));
    };
    let mut facilitators = section(&state, &form.signed_in, &partnership).await?;
    facilitators.email = typed.to_string();
    facilitators.problem = Some(problem);
    Ok(html(
        StatusCode::UNPROCESSABLE_ENTITY,
        &FacilitatorsPage {
            chrome: chrome(&form.signed_in, interface().facilitators_heading),
            partnership,
            facilitators,
        },
    ))
}

/// Makes the account with the address `typed` a co-facilitator of `partnership`, or says why
/// not. Adding someone who already is one stores nothing and says so, so a retried post is
/// harmless; two racing posts are kept apart by the table's primary key.
async fn add_co_facilitator(
    state: &AppState,
    partnership: &Partnership,
    typed: &str,
) -> Result<Result<(), &'static str>, AppError> {
    let Some(email) = SignInEmail::parse(typed) else {
        return Ok(Err(interface().detail_email));
    };
    let Some((facilitator, _)) = state.store.facilitator_by_email(email.as_str()).await? else {
        return Ok(Err(interface().co_facilitator_unknown));
    };
    if partnership.owner_id == Some(facilitator.id) {
        return Ok(Err(interface().co_facilitator_owner));
    }
    if !state
        .store
        .add_co_facilitator(partnership.id, facilitator.id)
        .await?
    {
        return Ok(Err(interface().co_facilitator_already));
    }
    tracing::info!(
        partnership_id = partnership.id,
        facilitator_id = facilitator.id,
        "co-facilitator added"
    );
    Ok(Ok(()))
}

/// `POST /facilitator/partnerships/{id}/facilitators/{facilitator_id}/remove`: ends that
/// co-facilitator's access at once, back to the partnership; a co-facilitator who removes
/// themselves leaves it, back to their partnerships. Removing someone who is no longer one changes
/// nothing, so a retried post is harmless.
pub async fn remove(
    State(state): State<AppState>,
    Path((id, facilitator_id)): Path<(i64, i64)>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let leaving = facilitator_id == form.signed_in.facilitator().id;
    let partnership = if leaving {
        owned_partnership(&state, &form.signed_in, id).await?
    } else {
        managed_partnership(&state, &form.signed_in, id).await?
    };
    if state
        .store
        .remove_co_facilitator(partnership.id, facilitator_id)
        .await?
    {
        tracing::info!(
            partnership_id = partnership.id,
            facilitator_id,
            "co-facilitator removed"
        );
    }
    // Unless they manage it anyway (an administrator), it is no longer theirs to see.
    if leaving && !partnership.managed_by(form.signed_in.facilitator()) {
        return Ok(see_other("/facilitator"));
    }
    Ok(see_other(&format!(
        "/facilitator/partnerships/{id}#facilitators"
    )))
}
