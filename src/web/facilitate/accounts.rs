//! The administrators' page of facilitator accounts (`/facilitator/accounts`): every account,
//! and a form that creates one by the rules of `partnerscope facilitator add` (the address
//! normalised and checked as a sign-in reads it, the password hashed with argon2id, a taken
//! address refused by the database). Anyone else gets 404, as for any page they may not see.
//!
//! The new account gets a generated password ([`generated_password`]), shown once in the answer
//! to the form and kept only as its hash. That answer is a page, not the usual redirect: a
//! redirect's next page could only show the password if it were stored somewhere in clear.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{SignedInChrome, chrome, hash_off_thread};
use crate::accounts::{Account, SignInEmail, generated_password};
use crate::store::StoreError;
use crate::web::errors::{AppError, Failure};
use crate::web::language::interface;
use crate::web::session::{CheckedForm, SignedIn};
use crate::web::{AppState, html};

/// The accounts and the form that creates one.
#[derive(Template)]
#[template(path = "facilitate/accounts.html")]
struct AccountsPage<'a> {
    chrome: SignedInChrome<'a>,
    accounts: Vec<Account>,
    /// The account just created and its password, shown this once.
    created: Option<(String, String)>,
    /// The form's address and administrator box, kept after a refusal.
    email: String,
    admin: bool,
    /// Why the form was refused.
    problem: Option<&'static str>,
}

/// Nothing, if `signed_in` is an administrator; otherwise 404.
fn administrator(signed_in: &SignedIn) -> Result<(), AppError> {
    if signed_in.facilitator().is_admin {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// `page` with the accounts as they are now.
async fn render(
    state: &AppState,
    status: StatusCode,
    mut page: AccountsPage<'_>,
) -> Result<Response, AppError> {
    page.accounts = state.store.accounts().await?;
    Ok(html(status, &page))
}

/// The page with its form empty, before the accounts are read.
fn blank(signed_in: &SignedIn) -> AccountsPage<'_> {
    AccountsPage {
        chrome: chrome(signed_in, interface().accounts_heading),
        accounts: Vec::new(),
        created: None,
        email: String::new(),
        admin: false,
        problem: None,
    }
}

/// `GET /facilitator/accounts`.
pub async fn accounts(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, AppError> {
    administrator(&signed_in)?;
    render(&state, StatusCode::OK, blank(&signed_in)).await
}

/// `POST /facilitator/accounts`: creates the account with the address in `email`
/// (an administrator if `admin` is `yes`) and shows its password once; a refused address shows
/// the form again with the reason (422), nothing stored.
pub async fn create(
    State(state): State<AppState>,
    form: CheckedForm,
) -> Result<Response, AppError> {
    let signed_in = &form.signed_in;
    administrator(signed_in)?;
    let admin = form.field("admin") == "yes";
    let refused = |problem| AccountsPage {
        email: form.field("email").to_string(),
        admin,
        problem: Some(problem),
        ..blank(signed_in)
    };
    let Some(email) = SignInEmail::parse(form.field("email")) else {
        let refusal = refused(interface().detail_email);
        return render(&state, StatusCode::UNPROCESSABLE_ENTITY, refusal).await;
    };
    let password = generated_password();
    let hash = hash_off_thread(password.clone())
        .await?
        .map_err(Failure::Password)?;
    match state
        .store
        .create_facilitator(email.as_str(), &hash, admin)
        .await
    {
        Ok(facilitator) => {
            // Who made which account, for the operator: ids only, never the password.
            tracing::info!(
                facilitator_id = facilitator.id,
                by = signed_in.facilitator().id,
                admin,
                "facilitator account created"
            );
            let created = AccountsPage {
                created: Some((facilitator.email, password)),
                ..blank(signed_in)
            };
            render(&state, StatusCode::OK, created).await
        }
        Err(StoreError::DuplicateEmail) => {
            let refusal = refused(interface().account_duplicate);
            render(&state, StatusCode::UNPROCESSABLE_ENTITY, refusal).await
        }
        Err(error) => Err(error.into()),
    }
}
