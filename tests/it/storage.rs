//! The store's own promises, beyond what the pages show: what happens in one transaction and
//! what is read in one query.

use std::collections::BTreeMap;
use std::sync::Arc;

use partnerscope::instrument::Instrument;
use partnerscope::releases;
use partnerscope::responses::Imported;
use partnerscope::store::{self, PageQuery, Store, Visible};
use partnerscope::survey::answers::{Answer, Answers};
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::partners::Partner;
use partnerscope::survey::{NewRound, OpenSubmission, Partnership, Round};

use crate::engines::{Engine, fresh_database};
use crate::server::mini;

/// What the rounds of these tests tell their partners: nothing.
static NO_DETAILS: RoundDetails = RoundDetails {
    title: String::new(),
    contact: String::new(),
    closes: None,
};

/// A round of `instrument` in `partnership_id` with the wave `wave`.
fn new_round<'a>(partnership_id: i64, instrument: &'a Instrument, wave: &'a str) -> NewRound<'a> {
    NewRound {
        partnership_id,
        instrument,
        wave,
        min_group_size: 3,
        open_link: false,
        identified: false,
        details: &NO_DETAILS,
    }
}

/// What a partner list would say about each invitation of a round, in order.
async fn partners_of(
    store: &dyn Store,
    round_id: i64,
) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
    store
        .invitation_progress(round_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            let i = p.invitation;
            (i.organisation, i.sector, i.email, i.language)
        })
        .collect()
}

async fn the_next_round_invites_the_same_partners_on_new_links_or_is_not_created_at_all(
    engine: Engine,
) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let store: Arc<dyn Store> = store::open(&url).await.unwrap();
    let instrument = mini();
    let partnership = store.create_partnership("Riverside", None).await.unwrap();
    let first = store
        .create_round(&new_round(partnership.id, &instrument, "2025 autumn"))
        .await
        .unwrap();
    let partners = [
        Partner {
            organisation: "City Housing".into(),
            sector: "government".into(),
            email: Some("housing@example.org".into()),
            language: Some("en".into()),
        },
        Partner {
            organisation: "Food Bank".into(),
            sector: "nonprofit".into(),
            email: None,
            language: None,
        },
    ];
    let invited = store.add_partners(first.id, &partners).await.unwrap();

    let next = store
        .start_next_round(
            &new_round(partnership.id, &instrument, "2026 spring"),
            first.id,
        )
        .await
        .unwrap();
    assert_eq!(next.wave, "2026 spring");
    assert_ne!(next.id, first.id);
    assert_eq!(
        partners_of(store.as_ref(), next.id).await,
        partners_of(store.as_ref(), first.id).await
    );
    let reinvited = store.invitation_progress(next.id).await.unwrap();
    for (old, new) in invited.iter().zip(&reinvited) {
        assert_ne!(old.token, new.invitation.token);
        assert_eq!(new.invitation.round_id, next.id);
        assert_eq!(new.status, None);
    }

    // A previous round that does not exist, or belongs to another partnership, fails the whole
    // step: the round created inside the transaction is rolled back.
    let other = store.create_partnership("Hillside", None).await.unwrap();
    let missing = next.id + 100;
    assert!(
        store
            .start_next_round(&new_round(partnership.id, &instrument, "orphan"), missing)
            .await
            .is_err()
    );
    assert!(
        store
            .start_next_round(&new_round(other.id, &instrument, "orphan"), first.id)
            .await
            .is_err()
    );
    let waves = |rounds: Vec<Round>| rounds.into_iter().map(|r| r.wave).collect::<Vec<_>>();
    assert_eq!(
        waves(store.rounds(partnership.id).await.unwrap()),
        ["2025 autumn", "2026 spring"]
    );
    assert!(store.rounds(other.id).await.unwrap().is_empty());
}

async fn partnerships_come_with_their_rounds_in_order_for_whoever_may_see_them(engine: Engine) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let store: Arc<dyn Store> = store::open(&url).await.unwrap();
    let instrument = mini();
    let admin = store
        .create_facilitator("admin@example.org", "hash", true)
        .await
        .unwrap();
    let ana = store
        .create_facilitator("ana@example.org", "hash", false)
        .await
        .unwrap();
    let ben = store
        .create_facilitator("ben@example.org", "hash", false)
        .await
        .unwrap();
    let nobodys = store.create_partnership("Nobody's", None).await.unwrap();
    let anas = store
        .create_partnership("Ana's", Some(ana.id))
        .await
        .unwrap();
    let anas_empty = store
        .create_partnership("Ana's new", Some(ana.id))
        .await
        .unwrap();
    let mut rounds = Vec::new();
    // Interleaved, so ids alone do not group the rounds by partnership.
    for (partnership, wave) in [(&anas, "one"), (&nobodys, "one"), (&anas, "two")] {
        rounds.push(
            store
                .create_round(&new_round(partnership.id, &instrument, wave))
                .await
                .unwrap(),
        );
    }
    let expected = |list: &[(&Partnership, &[&Round])]| -> Vec<(Partnership, Vec<Round>)> {
        list.iter()
            .map(|(p, rs)| ((*p).clone(), rs.iter().map(|r| (*r).clone()).collect()))
            .collect()
    };
    let everything = expected(&[
        (&nobodys, &[&rounds[1]]),
        (&anas, &[&rounds[0], &rounds[2]]),
        (&anas_empty, &[]),
    ]);
    let seen = |visible| store.partnerships_with_rounds(visible);
    assert_eq!(seen(Visible::All).await.unwrap(), everything);
    assert_eq!(seen(Visible::To(&admin)).await.unwrap(), everything);
    assert_eq!(
        seen(Visible::To(&ana)).await.unwrap(),
        expected(&[(&anas, &[&rounds[0], &rounds[2]]), (&anas_empty, &[])])
    );
    assert_eq!(seen(Visible::To(&ben)).await.unwrap(), Vec::new());
    // The same as asking partnership by partnership.
    let mut one_by_one = Vec::new();
    for partnership in store.partnerships(Visible::To(&ana)).await.unwrap() {
        let rounds = store.rounds(partnership.id).await.unwrap();
        one_by_one.push((partnership, rounds));
    }
    assert_eq!(seen(Visible::To(&ana)).await.unwrap(), one_by_one);
}

async fn pages_of_a_round_meet_without_dropping_or_repeating_a_row(engine: Engine) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let store: Arc<dyn Store> = store::open(&url).await.unwrap();
    let instrument = mini();
    let partnership = store.create_partnership("Riverside", None).await.unwrap();
    let round = store
        .create_round(&new_round(partnership.id, &instrument, "2026 spring"))
        .await
        .unwrap();
    let imported = responses(11);
    let mut feed = imported.clone().into_iter().map(Ok);
    assert_eq!(
        store
            .import_responses(round.id, &mut feed)
            .await
            .unwrap()
            .unwrap(),
        11
    );
    let batch = store.begin_release(round.id).await.unwrap();
    // Pages of two, then of three: the last page is short, and keys meet inside the round.
    let mut read = Vec::new();
    for limit in [2, 3] {
        let mut query = PageQuery {
            through: batch.number,
            after: String::new(),
            left: false,
        };
        let mut rows = Vec::new();
        loop {
            let page = store.submitted_page(round.id, &query, limit).await.unwrap();
            assert!(page.len() <= limit as usize);
            let Some(last) = page.last() else { break };
            query.after.clone_from(&last.pseudonym);
            rows.extend(page);
        }
        read.push(rows);
    }
    let rows = &read[0];
    assert_eq!(rows, &read[1]);
    let pseudonyms: Vec<&str> = rows.iter().map(|r| r.pseudonym.as_str()).collect();
    let mut distinct = pseudonyms.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(pseudonyms, distinct, "in pseudonym order, each once");
    assert_eq!(rows.len(), 11);
    // Every response came through with its group and answers.
    let mut answered: Vec<(Option<String>, Option<String>)> = rows
        .iter()
        .map(|r| {
            (
                r.sector.clone(),
                r.items.get("t1").map(Answer::as_form_value),
            )
        })
        .collect();
    answered.sort();
    let mut expected: Vec<(Option<String>, Option<String>)> = imported
        .iter()
        .map(|i| {
            let t1 = i.answers.items.get("t1").map(Answer::as_form_value);
            (i.answers.sector.clone(), t1)
        })
        .collect();
    expected.sort();
    assert_eq!(answered, expected);
    assert!(rows.iter().all(|r| r.released_in == Some(batch.number)));
}

/// `count` imported responses of three sectors, every one answering `t1`.
fn responses(count: usize) -> Vec<Imported> {
    let sectors = ["business", "government", "nonprofit"];
    (0..count)
        .map(|i| {
            let mut answers = Answers {
                consent: true,
                sector: Some(sectors[i % 3].to_string()),
                ..Answers::default()
            };
            answers
                .items
                .insert("t1".into(), Answer::Value(1 + (i % 5) as i16));
            Imported {
                organisation: None,
                answers,
            }
        })
        .collect()
}

async fn a_release_read_once_is_read_again_only_when_another_server_stored_a_newer_one(
    engine: Engine,
) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let one: Arc<dyn Store> = store::open(&url).await.unwrap();
    let other: Arc<dyn Store> = store::open(&url).await.unwrap();
    let instrument = Arc::new(mini());
    let partnership = one.create_partnership("Riverside", None).await.unwrap();
    let round = one
        .create_round(&new_round(partnership.id, &instrument, "2026 spring"))
        .await
        .unwrap();
    one.set_interim_releases(round.id, true).await.unwrap();
    let round = one.round(round.id).await.unwrap().unwrap();
    let mut feed = responses(9).into_iter().map(Ok);
    one.import_responses(round.id, &mut feed)
        .await
        .unwrap()
        .unwrap();
    let first = releases::latest(&one, &instrument, &round)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.release.number, first.release.responses), (1, 9));
    let again = releases::latest(&one, &instrument, &round)
        .await
        .unwrap()
        .unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "the same release is not parsed again"
    );
    // The other server, on the same database, reads its own copy and then stores release 2.
    let theirs = releases::latest(&other, &instrument, &round)
        .await
        .unwrap()
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &theirs));
    assert_eq!(theirs.release, first.release);
    let mut feed = responses(6).into_iter().map(Ok);
    other
        .import_responses(round.id, &mut feed)
        .await
        .unwrap()
        .unwrap();
    let (second, waiting) = releases::latest_and_waiting(&other, &instrument, &round)
        .await
        .unwrap();
    let second = second.unwrap();
    assert_eq!(
        (second.release.number, second.release.responses, waiting),
        (2, 15, 0)
    );
    let seen = releases::latest(&one, &instrument, &round)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.release, second.release);
}

/// Answers with a comment, consent, and every mini item answered `value`.
fn answers(value: i16) -> Answers {
    let mut answers = Answers {
        consent: true,
        ..Answers::default()
    };
    for item in ["t1", "t2", "g1", "g2", "e1", "e2"] {
        answers.items.insert(item.into(), Answer::Value(value));
    }
    answers
        .comments
        .insert("improve".into(), format!("Comment {value}"));
    answers
}

async fn submissions_committed_together_are_each_stored_or_refused_on_their_own(engine: Engine) {
    let Some((url, _dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let round = crate::server::new_round(store.as_ref(), &mini(), true).await;
    let mut invitations = Vec::new();
    for i in 0..12 {
        invitations
            .push(crate::server::new_invitation(store.as_ref(), round.id, &format!("P{i}")).await);
    }
    // Everything at once, so the writer commits them in shared batches: each invitation twice,
    // each open form id twice, a form id of a round that is closed, and an invitation that does
    // not exist, whose database error fails its batch, so the others are stored one by one.
    let closed = crate::server::new_round(store.as_ref(), &mini(), true).await;
    store.close_round(closed.id).await.unwrap();
    let mut racers = tokio::task::JoinSet::new();
    for copy in 0..2 {
        for (i, invitation) in invitations.iter().enumerate() {
            let (store, id) = (Arc::clone(&store), invitation.id);
            racers.spawn(async move {
                let outcome = store.submit(id, &answers(3), &format!("r{i}-{copy}")).await;
                (
                    format!("invitation {i}"),
                    outcome.map(|()| OpenSubmission::Stored),
                )
            });
        }
        for i in 0..12 {
            let store = Arc::clone(&store);
            racers.spawn(async move {
                let form = format!("form{i}");
                let outcome = store
                    .submit_open(round.id, &form, &answers(4), &format!("o{i}-{copy}"))
                    .await;
                (form, outcome)
            });
        }
        let store = Arc::clone(&store);
        racers.spawn(async move {
            let outcome = store
                .submit_open(closed.id, "late", &answers(5), &format!("c{copy}"))
                .await;
            ("closed".to_string(), outcome)
        });
    }
    let unknown = Arc::clone(&store);
    racers.spawn(async move {
        let outcome = unknown.submit(i64::MAX, &answers(1), "unknown").await;
        (
            "unknown".to_string(),
            outcome.map(|()| OpenSubmission::Stored),
        )
    });
    let mut outcomes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (what, outcome) in racers.join_all().await {
        let outcome = match outcome {
            Ok(stored) => format!("{stored:?}"),
            Err(refused) => refused.to_string(),
        };
        outcomes.entry(what).or_default().push(outcome);
    }
    for (what, mut seen) in outcomes {
        seen.sort();
        let expected = match what.as_str() {
            "closed" => vec!["the round is closed"; 2],
            "unknown" => vec!["database error"],
            w if w.starts_with("form") => vec!["AlreadyStored", "Stored"],
            _ => vec!["Stored", "the response was already submitted"],
        };
        assert_eq!(seen, expected, "{what}");
    }
    let stored = store.responses(round.id).await.unwrap();
    assert_eq!(stored.len(), 24);
    assert!(
        stored
            .iter()
            .all(|r| r.answers.items.len() == 6 && r.answers.comments.len() == 1)
    );
    assert!(store.responses(closed.id).await.unwrap().is_empty());
}

crate::on_both_engines!(
    a_release_read_once_is_read_again_only_when_another_server_stored_a_newer_one,
    submissions_committed_together_are_each_stored_or_refused_on_their_own,
    the_next_round_invites_the_same_partners_on_new_links_or_is_not_created_at_all,
    partnerships_come_with_their_rounds_in_order_for_whoever_may_see_them,
    pages_of_a_round_meet_without_dropping_or_repeating_a_row,
);
