//! `partnerscope delete round|partnership|partner ID`: deleting for good from the command line,
//! exactly as the facilitator's Delete buttons do, and printing what was deleted in the words of
//! their confirmation page; `partnerscope delete response ROUND PSEUDONYM` as the round page's
//! "Delete the response" does.

use anyhow::{Context, bail};
use partnerscope::store::{self, Target, shown_url};
use partnerscope::survey::{Removal, Respondent, erased_values, is_pseudonym};
use partnerscope::web::messages::{EN, Named};

use super::{DeleteCommand, DeleteResponseArgs};

/// Runs a delete subcommand.
pub fn run(command: &DeleteCommand) -> anyhow::Result<()> {
    let (kind, target, args) = match command {
        DeleteCommand::Round(args) => ("round", Target::Round(args.id), args),
        DeleteCommand::Partnership(args) => ("partnership", Target::Partnership(args.id), args),
        DeleteCommand::Partner(args) => ("partner", Target::Partner(args.id), args),
        DeleteCommand::Response(args) => return response(args),
    };
    let database_url = &args.database_url;
    let unknown = || {
        format!(
            "there is no {kind} {} in {}",
            args.id,
            shown_url(database_url)
        )
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = store::open(database_url)
            .await
            .with_context(|| format!("cannot open the database {}", shown_url(database_url)))?;
        // Read first, to name what goes and to refuse an unknown id before touching anything.
        let (partnership, round, invitation);
        let named = match target {
            Target::Partnership(id) => {
                partnership = store.partnership(id).await?.with_context(unknown)?;
                Named::Partnership(&partnership.name)
            }
            Target::Round(id) => {
                round = store.round(id).await?.with_context(unknown)?;
                Named::Round(&round.wave)
            }
            Target::Partner(id) => {
                invitation = store.invitation(id).await?.with_context(unknown)?;
                round = store
                    .round(invitation.round_id)
                    .await?
                    .with_context(unknown)?;
                Named::Partner(&invitation.organisation, &round.wave)
            }
        };
        let contents = store
            .delete(target)
            .await
            .with_context(|| format!("cannot delete {kind} {}", args.id))?
            // Deleted by someone else in the meantime.
            .with_context(unknown)?;
        println!("deleted {}", EN.deletion(named, &contents));
        Ok(())
    })
}

/// Deletes the response `args.pseudonym` of round `args.round`.
fn response(args: &DeleteResponseArgs) -> anyhow::Result<()> {
    let pseudonym = args.pseudonym.trim().to_ascii_lowercase();
    if !is_pseudonym(&pseudonym) {
        bail!(
            "`{}` is not a pseudonym (16 hexadecimal digits)",
            args.pseudonym
        );
    }
    let database_url = &args.database_url;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = store::open(database_url)
            .await
            .with_context(|| format!("cannot open the database {}", shown_url(database_url)))?;
        let round = store.round(args.round).await?.with_context(|| {
            format!(
                "there is no round {} in {}",
                args.round,
                shown_url(database_url)
            )
        })?;
        let instrument = round.instrument()?;
        let who = Respondent::Pseudonym(&pseudonym);
        let erased = erased_values(&instrument);
        if !store
            .remove_response(round.id, who, Removal::Deleted(None), &erased)
            .await?
        {
            bail!(
                "the round {} has no response {pseudonym} that can be deleted",
                round.wave
            );
        }
        println!(
            "deleted the response {pseudonym} of the round {}: its answers are erased, and it \
             leaves the figures at the next release that qualifies",
            round.wave
        );
        Ok(())
    })
}
