//! `partnerscope facilitator add|reset-password`: facilitator accounts from the command line.
//!
//! The password is read from a prompt (twice, without echo) on a terminal, or as the first line
//! of standard input otherwise, so scripts can pipe it in and it never appears in `ps` output.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use partnerscope::accounts::{SignInEmail, hash_password};
use partnerscope::store::{self, StoreError, shown_url};

use super::FacilitatorCommand;

/// Runs a facilitator subcommand.
pub fn run(command: &FacilitatorCommand) -> anyhow::Result<()> {
    let (email, database_url) = match command {
        FacilitatorCommand::Add {
            email,
            database_url,
            ..
        }
        | FacilitatorCommand::ResetPassword {
            email,
            database_url,
        } => (email, database_url),
    };
    // The rules of the sign-in form, which the administrators' accounts page follows too: an
    // address it would refuse could never sign in.
    let email = SignInEmail::parse(email)
        .with_context(|| format!("`{email}` is not an e-mail address (at most 254 bytes)"))?;
    let email = email.as_str();
    let hash = hash_password(&read_password()?)?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = store::open(database_url)
            .await
            .with_context(|| format!("cannot open the database {}", shown_url(database_url)))?;
        match command {
            FacilitatorCommand::Add { admin, .. } => {
                match store.create_facilitator(email, &hash, *admin).await {
                    Err(StoreError::DuplicateEmail) => {
                        anyhow::bail!("a facilitator {email} already exists (use reset-password)")
                    }
                    other => other?,
                };
                println!(
                    "added {}facilitator {email}",
                    if *admin { "administrator " } else { "" }
                );
            }
            FacilitatorCommand::ResetPassword { .. } => {
                match store.set_password(email, &hash).await {
                    Err(StoreError::UnknownEmail) => {
                        anyhow::bail!("there is no facilitator {email}")
                    }
                    other => other?,
                };
                println!(
                    "new password set for {email}; their sessions have ended and their failed \
                     sign-ins are forgotten"
                );
            }
        }
        Ok(())
    })
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        anyhow::ensure!(password == again, "the two passwords differ");
        Ok(password)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
