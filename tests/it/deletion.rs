//! Deletion and retention: deleting partnerships, rounds and partners for good over HTTP and from
//! the command line, what is left in SQLite's files afterwards, the retention purge, and removing
//! a closed round's partner e-mail addresses.

use partnerscope::accounts::{SignInEmail, ThrottleKey, unix_now};
use partnerscope::store::{Purged, StoreError, Target};
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::partners::Partner;
use partnerscope::survey::{Invitation, NewRound, Round, Status};
use sqlx::Connection;

use crate::engines::Engine;
use crate::server::{TestApp, complete_answers, mini, mini_round_in, post_form, spawn_app};
use crate::support::{partnerscope, stderr};
use crate::web_facilitate::{Browser, signed_in};

/// A round of the mini instrument in partnership `partnership_id`: three government partners
/// (with e-mail addresses) who submitted, each with a comment (the first one's is
/// `first_comment`), and a nonprofit with a draft and a comment. Answered over HTTP, as partners
/// do.
async fn answered_round(
    app: &TestApp,
    partnership_id: i64,
    wave: &str,
    first_comment: &str,
) -> (Round, Vec<Invitation>) {
    let round = mini_round_in(app.store.as_ref(), partnership_id, wave).await;
    let partner = |organisation: &str, sector: &str, email: Option<&str>| Partner {
        organisation: organisation.into(),
        sector: sector.into(),
        email: email.map(Into::into),
        language: None,
    };
    let partners = [
        partner("City Housing", "government", Some("housing@example.org")),
        partner("County Health", "government", Some("health@example.org")),
        partner("Parks Office", "government", Some("parks@example.org")),
        partner("Food Bank", "nonprofit", None),
    ];
    let invitations = app.store.add_partners(round.id, &partners).await.unwrap();
    for (n, invitation) in invitations.iter().enumerate() {
        let comment = match n {
            0 => first_comment.to_string(),
            n => format!("Comment number {n}."),
        };
        let mut fields: Vec<(&str, &str)> = complete_answers()
            .into_iter()
            .filter(|(name, _)| *name != "comment-improve")
            .collect();
        fields.push(("comment-improve", &comment));
        fields.push(("action", if n < 3 { "submit" } else { "save" }));
        let (status, _, _) = app.post(&format!("/s/{}", invitation.token), &fields).await;
        assert_eq!(status, 303, "partner {n} answered");
    }
    (round, invitations)
}

/// A partnership named `name` owned by the browser's facilitator.
async fn partnership(app: &TestApp, browser: &Browser, name: &str) -> i64 {
    app.store
        .create_partnership(name, Some(browser.facilitator.id))
        .await
        .unwrap()
        .id
}

/// A connection of the test's own to the app's database, to arrange and check rows directly.
async fn connect(app: &TestApp) -> sqlx::AnyConnection {
    // The store installed the drivers when the app opened it.
    sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap()
}

/// The number of rows `sql` (a `SELECT COUNT(*)`) counts.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&mut connect(app).await)
        .await
        .unwrap()
}

/// How many of the responses with these ids are still stored (with their answers), and how many
/// comments are stored for them, whether or not the responses themselves still exist.
async fn responses_and_comments(app: &TestApp, responses_of: &[i64]) -> (i64, i64) {
    let ids = responses_of
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    (
        count(
            app,
            &format!("SELECT COUNT(*) FROM responses WHERE id IN ({ids})"),
        )
        .await,
        count(
            app,
            &format!("SELECT COUNT(*) FROM response_comments WHERE response_id IN ({ids})"),
        )
        .await,
    )
}

async fn response_ids(app: &TestApp, round_id: i64) -> Vec<i64> {
    let responses = app.store.responses(round_id).await.unwrap();
    responses.iter().map(|r| r.id).collect()
}

async fn deleting_a_round_over_http_names_what_goes_then_removes_exactly_its_rows(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (doomed, _) = answered_round(&app, partnership_id, "2026 spring", "First.").await;
    let (kept, _) = answered_round(&app, partnership_id, "2025 autumn", "Kept.").await;
    let path = format!("/facilitator/rounds/{}", doomed.id);
    let (status, _, _) = ana.post_checked(&format!("{path}/close"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(app.store.releases(doomed.id).await.unwrap().len(), 1);
    let doomed_responses = response_ids(&app, doomed.id).await;
    let kept_responses = response_ids(&app, kept.id).await;
    assert_eq!(
        responses_and_comments(&app, &doomed_responses).await,
        (4, 4),
        "four responses, each with its answers and a comment"
    );

    let (_, page) = ana.get(&path).await;
    assert!(
        page.contains(&format!(r#"action="{path}/delete""#)),
        "{page}"
    );
    let (status, page) = ana.get(&format!("{path}/delete")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "This deletes the round 2026 spring: 4 partners, 3 submitted responses, 1 draft, \
             4 comments, 1 release."
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"name="csrf""#),
        "the form carries the token"
    );

    let (status, _, _) = post_form(&ana.client, &ana.url(&format!("{path}/delete")), &[]).await;
    assert_eq!(status, 403, "no CSRF token, no deletion");
    assert!(app.store.round(doomed.id).await.unwrap().is_some());

    let (status, location, _) = ana.post_checked(&format!("{path}/delete"), &[]).await;
    assert_eq!(
        (status, location),
        (
            303,
            Some(format!("/facilitator/partnerships/{partnership_id}"))
        )
    );
    assert!(app.store.round(doomed.id).await.unwrap().is_none());
    assert!(
        app.store
            .invitation_progress(doomed.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(app.store.responses(doomed.id).await.unwrap().is_empty());
    assert!(app.store.releases(doomed.id).await.unwrap().is_empty());
    assert_eq!(
        responses_and_comments(&app, &doomed_responses).await,
        (0, 0)
    );
    assert_eq!(ana.get(&path).await.0, 404);
    if engine == Engine::Postgres {
        // SQLite's counterpart, the emptied write-ahead log, is checked byte by byte below.
        let vacuumed = count(
            &app,
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL \
             AND relname IN ('responses', 'response_comments')",
        )
        .await;
        assert_eq!(
            vacuumed, 2,
            "the deletion vacuumed the tables it deleted from"
        );
    }

    // The other round of the partnership is untouched.
    assert_eq!(
        app.store.rounds(partnership_id).await.unwrap(),
        std::slice::from_ref(&kept)
    );
    assert_eq!(response_ids(&app, kept.id).await, kept_responses);
    assert_eq!(
        app.store.invitation_progress(kept.id).await.unwrap().len(),
        4
    );
    assert_eq!(responses_and_comments(&app, &kept_responses).await, (4, 4));
}

async fn deleting_a_partnership_over_http_deletes_all_its_rounds_and_nothing_else(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let doomed = partnership(&app, &ana, "Riverside").await;
    let kept = partnership(&app, &ana, "Harbour Alliance").await;
    let (first, _) = answered_round(&app, doomed, "2025 autumn", "One.").await;
    let (second, _) = answered_round(&app, doomed, "2026 spring", "Two.").await;
    let (other, _) = answered_round(&app, kept, "2026 spring", "Three.").await;
    let path = format!("/facilitator/partnerships/{doomed}");
    let (_, page) = ana.get(&path).await;
    assert!(
        page.contains(&format!(r#"action="{path}/delete""#)),
        "{page}"
    );
    let (status, page) = ana.get(&format!("{path}/delete")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "This deletes the partnership Riverside: 2 rounds, 8 partners, 6 submitted \
             responses, 2 drafts, 8 comments, 0 releases."
        ),
        "{page}"
    );
    let (status, location, _) = ana.post_checked(&format!("{path}/delete"), &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/facilitator")));
    assert!(app.store.partnership(doomed).await.unwrap().is_none());
    for round in [&first, &second] {
        assert!(app.store.round(round.id).await.unwrap().is_none());
        assert!(app.store.responses(round.id).await.unwrap().is_empty());
    }
    assert_eq!(
        app.store.rounds(kept).await.unwrap(),
        std::slice::from_ref(&other)
    );
    assert_eq!(app.store.responses(other.id).await.unwrap().len(), 4);
    let (_, home) = ana.get("/facilitator").await;
    assert!(!home.contains("Riverside") && home.contains("Harbour Alliance"));
}

async fn deleting_a_partner_takes_their_draft_along_and_is_refused_while_their_submission_is_linked(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (round, invitations) = answered_round(&app, partnership_id, "2026 spring", "A.").await;
    let partners_path = format!("/facilitator/rounds/{}/partners", round.id);
    let (_, page) = ana.get(&partners_path).await;
    for invitation in &invitations {
        assert!(
            page.contains(&format!(
                r#"action="/facilitator/partners/{}/delete""#,
                invitation.id
            )),
            "{page}"
        );
    }

    // The nonprofit has a draft: it goes with them.
    let drafted = &invitations[3];
    let draft = app
        .store
        .invitation_response(drafted.id)
        .await
        .unwrap()
        .unwrap();
    let path = format!("/facilitator/partners/{}/delete", drafted.id);
    let (status, page) = ana.get(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "This deletes the partner Food Bank of the round 2026 spring: 1 draft, 1 comment."
        ),
        "{page}"
    );
    let (status, location, _) = ana.post_checked(&path, &[]).await;
    assert_eq!((status, location), (303, Some(partners_path.clone())));
    assert!(app.store.invitation(drafted.id).await.unwrap().is_none());
    assert_eq!(responses_and_comments(&app, &[draft.id]).await, (0, 0));
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 3);

    // An anonymous round's submission names no partner: deleting a partner who submitted
    // leaves every submission, so no published figure can change because of it.
    let submitted = &invitations[0];
    let path = format!("/facilitator/partners/{}/delete", submitted.id);
    let (status, location, _) = ana.post_checked(&path, &[]).await;
    assert_eq!((status, location), (303, Some(partners_path.clone())));
    assert!(app.store.invitation(submitted.id).await.unwrap().is_none());
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 3);

    // In an identified round the submission is stored with the partner's name: refused.
    let identified = app
        .store
        .create_round(&NewRound {
            partnership_id: round.partnership_id,
            instrument: &mini(),
            wave: "named",
            min_group_size: 1,
            open_link: false,
            identified: true,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap();
    let named = crate::server::new_invitation(app.store.as_ref(), identified.id, "Named").await;
    let mut fields = complete_answers();
    fields.push(("action", "submit"));
    let (status, _, _) = app.post(&format!("/s/{}", named.token), &fields).await;
    assert_eq!(status, 303);
    let path = format!("/facilitator/partners/{}/delete", named.id);
    let (status, page) = ana.get(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Delete the response first"), "{page}");
    assert!(!page.contains(r#"method="post" action="/facilitator/partners"#));
    let (status, _, page) = ana.post_checked(&path, &[]).await;
    assert_eq!(status, 409);
    assert!(page.contains("Delete the response first"), "{page}");
    assert!(matches!(
        app.store.delete(Target::Partner(named.id)).await,
        Err(StoreError::SubmittedResponseLinked)
    ));
    assert!(app.store.invitation(named.id).await.unwrap().is_some());

    // Once the submission is no longer linked to the invitation, the partner goes and the
    // submission stays. (Until responses are unlinked for real, an open-link form id stands in
    // for the invitation, as the schema wants one of them.)
    let unlinked = &invitations[1];
    sqlx::query(
        "UPDATE responses SET invitation_id = NULL, open_form_id = 'unlinked' \
         WHERE invitation_id = $1",
    )
    .bind(unlinked.id)
    .execute(&mut connect(&app).await)
    .await
    .unwrap();
    let contents = app
        .store
        .delete(Target::Partner(unlinked.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((contents.partners, contents.submitted), (1, 0));
    assert!(app.store.invitation(unlinked.id).await.unwrap().is_none());
    let responses = app.store.responses(round.id).await.unwrap();
    assert_eq!(responses.len(), 3, "the unlinked submission stays");
    assert!(responses.iter().all(|r| r.status == Status::Submitted));
}

async fn another_facilitators_partnerships_rounds_and_partners_answer_404_and_stay(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let ben = signed_in(&app, "ben@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (round, invitations) = answered_round(&app, partnership_id, "2026 spring", "A.").await;
    ana.post_checked(&format!("/facilitator/rounds/{}/close", round.id), &[])
        .await;
    let paths = [
        format!("/facilitator/partnerships/{partnership_id}/delete"),
        format!("/facilitator/rounds/{}/delete", round.id),
        format!("/facilitator/partners/{}/delete", invitations[3].id),
        format!("/facilitator/rounds/{}/remove-emails", round.id),
    ];
    for path in &paths {
        assert_eq!(ben.get(path).await.0, 404, "GET {path}");
        assert_eq!(ben.post_checked(path, &[]).await.0, 404, "POST {path}");
        assert_eq!(ana.get(path).await.0, 200, "GET {path} by its owner");
    }
    for path in [
        "/facilitator/partnerships/999999/delete",
        "/facilitator/rounds/999999/delete",
        "/facilitator/partners/999999/delete",
    ] {
        assert_eq!(ana.get(path).await.0, 404, "GET {path}");
        assert_eq!(ana.post_checked(path, &[]).await.0, 404, "POST {path}");
    }
    assert!(
        app.store
            .partnership(partnership_id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(app.store.responses(round.id).await.unwrap().len(), 4);
    let progress = app.store.invitation_progress(round.id).await.unwrap();
    assert_eq!(progress.len(), 4);
    assert_eq!(
        progress
            .iter()
            .filter(|p| p.invitation.email.is_some())
            .count(),
        3
    );
}

/// Whether `marker` is in any of the SQLite database's files.
pub fn in_sqlite_files(database: &std::path::Path, marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", database.display());
        let bytes = std::fs::read(&path).unwrap_or_default();
        if bytes
            .windows(marker.len())
            .any(|window| window == marker.as_bytes())
        {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn a_deleted_rounds_comment_is_in_none_of_the_sqlite_files_afterwards() {
    let app = spawn_app(Engine::Sqlite).await.unwrap();
    let database = app.dir.path().join("test.db");
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let marker = format!("unique-marker-{}", partnerscope::survey::new_token());
    let (round, _) = answered_round(&app, partnership_id, "2026 spring", &marker).await;
    let path = format!("/facilitator/rounds/{}", round.id);
    ana.post_checked(&format!("{path}/close"), &[]).await;
    assert!(
        !in_sqlite_files(&database, &marker).is_empty(),
        "the comment is stored before the deletion"
    );

    let (status, _, _) = ana.post_checked(&format!("{path}/delete"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(in_sqlite_files(&database, &marker), Vec::<String>::new());
}

async fn the_purge_removes_old_drafts_expired_sessions_and_stale_sign_in_failures_only(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (round, invitations) = answered_round(&app, partnership_id, "2026 spring", "A.").await;
    // A second draft, saved now.
    let fields = [("item-t1", "4"), ("action", "save")];
    let recent = app
        .store
        .add_partners(
            round.id,
            &[Partner {
                organisation: "Clinic".into(),
                sector: "nonprofit".into(),
                email: None,
                language: None,
            }],
        )
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        app.post(&format!("/s/{}", recent.token), &fields).await.0,
        303
    );
    // The nonprofit's draft and a submission were last saved 91 days ago.
    let now = unix_now();
    let long_ago = time::OffsetDateTime::from_unix_timestamp(now - 91 * 24 * 60 * 60)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let old_draft = app
        .store
        .invitation_response(invitations[3].id)
        .await
        .unwrap()
        .unwrap();
    for invitation in [&invitations[3], &invitations[0]] {
        sqlx::query("UPDATE responses SET updated_at = $1 WHERE invitation_id = $2")
            .bind(&long_ago)
            .bind(invitation.id)
            .execute(&mut connect(&app).await)
            .await
            .unwrap();
    }
    let facilitator = ana.facilitator.id;
    app.store
        .create_session(facilitator, "expired", "csrf", now - 1, None)
        .await
        .unwrap();
    app.store
        .create_session(facilitator, "valid", "csrf", now + 3600, None)
        .await
        .unwrap();
    let email = |address| [ThrottleKey::Email(SignInEmail::parse(address).unwrap())];
    app.store
        .record_sign_in_failure(&email("old@example.org"), now - 2 * 24 * 60 * 60)
        .await
        .unwrap();
    app.store
        .record_sign_in_failure(&email("recent@example.org"), now - 60 * 60)
        .await
        .unwrap();

    let purged = app.store.purge(90, now).await.unwrap();
    assert_eq!(
        purged,
        Purged {
            drafts: 1,
            sessions: 1,
            sign_in_failures: 1
        }
    );
    assert!(
        app.store
            .invitation_response(invitations[3].id)
            .await
            .unwrap()
            .is_none(),
        "the old draft is gone"
    );
    assert!(
        app.store
            .invitation(invitations[3].id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(responses_and_comments(&app, &[old_draft.id]).await, (0, 0));
    // Submissions have random ids, so their order says nothing: count them.
    let responses = app.store.responses(round.id).await.unwrap();
    let count = |status| responses.iter().filter(|r| r.status == status).count();
    assert_eq!(
        (count(Status::Submitted), count(Status::Draft)),
        (3, 1),
        "old submissions and the recent draft stay"
    );
    assert!(app.store.session("valid", now).await.unwrap().is_some());
    assert_eq!(ana.get("/facilitator").await.0, 200, "live sessions stay");
    assert_eq!(
        app.store
            .sign_in_failures(&email("old@example.org"))
            .await
            .unwrap(),
        [None]
    );
    assert!(
        app.store
            .sign_in_failures(&email("recent@example.org"))
            .await
            .unwrap()[0]
            .is_some()
    );
    assert!(
        app.store.purge(90, now).await.unwrap().is_empty(),
        "a second purge, as another server's, finds nothing"
    );
}

async fn partner_e_mail_addresses_are_removed_only_from_a_closed_round(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (round, _) = answered_round(&app, partnership_id, "2026 spring", "A.").await;
    let (other, _) = answered_round(&app, partnership_id, "2025 autumn", "B.").await;
    let emails = |round_id: i64| {
        let app = &app;
        async move {
            app.store
                .invitation_progress(round_id)
                .await
                .unwrap()
                .into_iter()
                .filter(|p| p.invitation.email.is_some())
                .count()
        }
    };
    let path = format!("/facilitator/rounds/{}", round.id);
    let remove = format!("{path}/remove-emails");

    let (_, page) = ana.get(&path).await;
    assert!(!page.contains(&remove), "no button while the round is open");
    let (status, page) = ana.get(&remove).await;
    assert_eq!(status, 200);
    assert!(page.contains("close it before removing"), "{page}");
    assert!(!page.contains(&format!(r#"action="{remove}""#)), "{page}");
    assert_eq!(ana.post_checked(&remove, &[]).await.0, 409);
    assert!(matches!(
        app.store.remove_partner_emails(round.id).await,
        Err(StoreError::RoundOpen)
    ));
    assert_eq!(emails(round.id).await, 3);

    ana.post_checked(&format!("{path}/close"), &[]).await;
    let (_, page) = ana.get(&path).await;
    assert!(page.contains(&format!(r#"action="{remove}""#)), "{page}");
    let (status, page) = ana.get(&remove).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("This removes the e-mail addresses of 3 partners of the round 2026 spring."),
        "{page}"
    );
    let (status, location, _) = ana.post_checked(&remove, &[]).await;
    assert_eq!((status, location), (303, Some(path.clone())));
    assert_eq!(emails(round.id).await, 0);
    assert_eq!(
        app.store.invitation_progress(round.id).await.unwrap().len(),
        4,
        "the partners stay"
    );
    assert_eq!(emails(other.id).await, 3, "other rounds keep theirs");
}

async fn the_delete_command_prints_what_it_deleted_and_an_unknown_id_fails_clearly(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let partnership_id = partnership(&app, &ana, "Riverside").await;
    let (first, invitations) = answered_round(&app, partnership_id, "2025 autumn", "A.").await;
    answered_round(&app, partnership_id, "2026 spring", "B.").await;
    let url = app.database_url.clone();
    let delete = |kind: &str, id: i64| {
        partnerscope(&["delete", kind, &id.to_string(), "--database-url", &url])
    };

    let output = delete("partner", invitations[3].id);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "deleted the partner Food Bank of the round 2025 autumn: 1 draft, 1 comment\n"
    );
    // An anonymous round's submission names no partner: deleting the partner leaves it.
    let output = delete("partner", invitations[0].id);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(app.store.responses(first.id).await.unwrap().len(), 3);

    let output = delete("round", first.id);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "deleted the round 2025 autumn: 2 partners, 3 submitted responses, 0 drafts, \
         3 comments, 0 releases\n"
    );
    assert!(app.store.round(first.id).await.unwrap().is_none());

    let output = delete("partnership", partnership_id);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "deleted the partnership Riverside: 1 round, 4 partners, 3 submitted responses, \
         1 draft, 4 comments, 0 releases\n"
    );
    assert!(
        app.store
            .partnership(partnership_id)
            .await
            .unwrap()
            .is_none()
    );

    for kind in ["round", "partnership", "partner"] {
        let output = delete(kind, 999_999);
        assert!(!output.status.success(), "{kind}");
        assert!(
            stderr(&output).contains(&format!("there is no {kind} 999999")),
            "{}",
            stderr(&output)
        );
    }
}

crate::on_both_engines!(
    deleting_a_round_over_http_names_what_goes_then_removes_exactly_its_rows,
    deleting_a_partnership_over_http_deletes_all_its_rounds_and_nothing_else,
    deleting_a_partner_takes_their_draft_along_and_is_refused_while_their_submission_is_linked,
    another_facilitators_partnerships_rounds_and_partners_answer_404_and_stay,
    the_purge_removes_old_drafts_expired_sessions_and_stale_sign_in_failures_only,
    partner_e_mail_addresses_are_removed_only_from_a_closed_round,
    the_delete_command_prints_what_it_deleted_and_an_unknown_id_fails_clearly,
);
