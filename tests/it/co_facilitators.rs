//! Co-facilitators and facilitator accounts made on the web (issue 15): the owner shares a
//! partnership, the co-facilitator runs it until removed, and an administrator creates accounts.

use partnerscope::accounts::verify_password;
use partnerscope::store::Visible;
use partnerscope::web::messages::EN;

use crate::engines::Engine;
use crate::server::{TestApp, spawn_app};
use crate::web_facilitate::{Browser, answered_round, sign_in, signed_in, signed_in_account};

/// `text` as the pages write it (askama escapes quotes).
fn escaped(text: &str) -> String {
    text.replace('\'', "&#39;").replace('"', "&#34;")
}

/// Posts an address to the partnership's add-a-co-facilitator form.
async fn add(browser: &Browser, partnership_id: i64, email: &str) -> (u16, Option<String>, String) {
    browser
        .post_checked(
            &format!("/facilitator/partnerships/{partnership_id}/facilitators"),
            &[("email", email)],
        )
        .await
}

/// The addresses of a partnership's co-facilitators, as stored.
async fn co_facilitators(app: &TestApp, partnership_id: i64) -> Vec<String> {
    let partnership = app
        .store
        .partnership(partnership_id)
        .await
        .unwrap()
        .unwrap();
    app.store
        .partnership_facilitators(partnership_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| partnership.owner_id != Some(f.id))
        .map(|f| f.email)
        .collect()
}

async fn a_co_facilitator_runs_the_partnership_as_its_owner_does_until_removed(engine: Engine) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let ben = signed_in(&app, "ben@example.org").await;
    let carl = signed_in(&app, "carl@example.org").await;
    let round = answered_round(&app, &ana.facilitator, "2026 spring").await;
    let partnership = format!("/facilitator/partnerships/{}", round.partnership_id);
    let r = format!("/facilitator/rounds/{}", round.id);
    let download = format!("{r}/reports/dimensions.csv");
    assert_eq!(ben.get(&r).await.0, 404, "not shared yet");

    let (status, location, _) = add(&ana, round.partnership_id, " Ben@Example.org ").await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("{partnership}#facilitators"));
    let (_, page) = ana.get(&partnership).await;
    assert!(page.contains("ana@example.org</span> (owner)"), "{page}");
    assert!(page.contains("ben@example.org</span> (co-facilitator)"));
    assert!(page.contains("/facilitators/") && page.contains("/remove\""));

    // Ben sees it on his home page and does what the owner does.
    let (_, home) = ben.get("/facilitator").await;
    assert!(home.contains("Riverside") && home.contains(&format!("href=\"{r}\"")));
    let (status, page) = ben.get(&partnership).await;
    assert_eq!(status, 200);
    assert!(page.contains("ben@example.org</span> (co-facilitator)"));
    assert!(
        !page.contains("co-facilitator-email"),
        "a co-facilitator gets no form to choose others"
    );
    assert_eq!(page.matches("/remove\"").count(), 1, "only his own: {page}");
    assert!(page.contains(&format!("/facilitators/{}/remove\"", ben.facilitator.id)));
    assert!(page.contains("Leave this partnership"));
    assert!(!page.contains(&format!("{partnership}/delete")));
    assert_eq!(ben.get(&r).await.0, 200);
    assert_eq!(ben.get(&format!("{r}/partners")).await.0, 200);
    let (status, _, _) = ben.post_checked(&format!("{r}/close"), &[]).await;
    assert_eq!(status, 303);
    assert!(!app.store.round(round.id).await.unwrap().unwrap().is_open());
    let (status, csv) = ben.get(&download).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("dimension,"), "{csv}");
    let (status, next, _) = ben
        .post_checked(&format!("{r}/next"), &[("wave", "2027 spring")])
        .await;
    assert_eq!(status, 303, "he starts the next round");
    let next = next.unwrap();
    assert_eq!(
        ben.post_checked(&format!("{next}/delete"), &[]).await.0,
        303
    );
    assert_eq!(
        app.store.rounds(round.partnership_id).await.unwrap().len(),
        1
    );

    // He cannot choose co-facilitators or delete the partnership.
    let (status, _, body) = add(&ben, round.partnership_id, "carl@example.org").await;
    assert_eq!(status, 403);
    assert!(body.contains(&escaped(EN.owner_only_text)));
    let remove_ben = format!("{partnership}/facilitators/{}/remove", ben.facilitator.id);
    let remove_ana = format!("{partnership}/facilitators/{}/remove", ana.facilitator.id);
    assert_eq!(ben.post_checked(&remove_ana, &[]).await.0, 403);
    assert_eq!(ben.get(&format!("{partnership}/delete")).await.0, 403);
    let (status, _, _) = ben
        .post_checked(&format!("{partnership}/delete"), &[])
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        co_facilitators(&app, round.partnership_id).await,
        ["ben@example.org"]
    );
    assert!(app.store.round(round.id).await.unwrap().is_some());

    // A third facilitator still gets nothing.
    let (_, home) = carl.get("/facilitator").await;
    assert!(!home.contains("Riverside"));
    for path in [&partnership, &r, &download] {
        assert_eq!(carl.get(path).await.0, 404, "{path}");
    }
    assert_eq!(carl.post_checked(&remove_ben, &[]).await.0, 404);

    // Removed, Ben loses access at once; removing again changes nothing.
    let (status, location, _) = ana.post_checked(&remove_ben, &[]).await;
    assert_eq!(
        (status, location),
        (303, Some(format!("{partnership}#facilitators")))
    );
    assert!(co_facilitators(&app, round.partnership_id).await.is_empty());
    for path in [&partnership, &r, &download] {
        assert_eq!(ben.get(path).await.0, 404, "{path}");
    }
    let (_, home) = ben.get("/facilitator").await;
    assert!(!home.contains("Riverside"));
    assert_eq!(ana.post_checked(&remove_ben, &[]).await.0, 303);
    assert_eq!(ana.get(&download).await.0, 200, "the owner keeps it");

    // Added again, he leaves by himself: back to his own partnerships, without this one.
    assert_eq!(
        add(&ana, round.partnership_id, "ben@example.org").await.0,
        303
    );
    let (status, location, _) = ben.post_checked(&remove_ben, &[]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/facilitator")));
    assert!(co_facilitators(&app, round.partnership_id).await.is_empty());
    assert_eq!(ben.get(&partnership).await.0, 404);

    // The owner deletes the partnership with a co-facilitator on it: the link goes with it.
    assert_eq!(
        add(&ana, round.partnership_id, "carl@example.org").await.0,
        303
    );
    let (status, location, _) = ana
        .post_checked(&format!("{partnership}/delete"), &[])
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/facilitator")));
    assert!(
        app.store
            .partnership(round.partnership_id)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(carl.get(&partnership).await.0, 404);
}

async fn a_refused_co_facilitator_address_is_named_on_the_form_and_nothing_is_stored(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let ana = signed_in(&app, "ana@example.org").await;
    let ben = signed_in(&app, "ben@example.org").await;
    let round = answered_round(&app, &ana.facilitator, "2026 spring").await;
    let id = round.partnership_id;
    for (typed, problem) in [
        ("ben.example.org", EN.detail_email),
        ("ben@exa mple.org", EN.detail_email),
        ("nobody@example.org", EN.co_facilitator_unknown),
        ("ANA@example.org", EN.co_facilitator_owner),
    ] {
        let (status, _, page) = add(&ana, id, typed).await;
        assert_eq!(status, 422, "{typed}");
        assert!(page.contains(&escaped(problem)), "{typed}: {page}");
        assert!(page.contains("aria-invalid=\"true\""), "{typed}");
        assert!(
            page.contains(&format!("value=\"{typed}\"")),
            "{typed} is kept to correct"
        );
    }
    assert!(co_facilitators(&app, id).await.is_empty());

    // A form without the session's token is refused.
    let (status, _, _) = ana
        .post(
            &format!("/facilitator/partnerships/{id}/facilitators"),
            &[("email", "ben@example.org")],
        )
        .await;
    assert_eq!(status, 403);
    assert!(co_facilitators(&app, id).await.is_empty());

    // Adding twice (a retried post) stores one co-facilitator and says so the second time.
    assert_eq!(add(&ana, id, "ben@example.org").await.0, 303);
    let (status, _, page) = add(&ana, id, "ben@example.org").await;
    assert_eq!(status, 422);
    assert!(page.contains(&escaped(EN.co_facilitator_already)));
    assert_eq!(co_facilitators(&app, id).await, ["ben@example.org"]);

    // Removing without the token is refused too.
    let remove = format!(
        "/facilitator/partnerships/{id}/facilitators/{}/remove",
        ben.facilitator.id
    );
    assert_eq!(ana.post(&remove, &[]).await.0, 403);
    assert_eq!(co_facilitators(&app, id).await, ["ben@example.org"]);

    // An administrator chooses co-facilitators of any partnership.
    let admin = signed_in_account(&app, "admin@example.org", true).await;
    assert_eq!(admin.post_checked(&remove, &[]).await.0, 303);
    assert!(co_facilitators(&app, id).await.is_empty());
}

async fn an_administrator_creates_an_account_whose_password_is_shown_once_and_signs_in(
    engine: Engine,
) {
    let Some(app) = spawn_app(engine).await else {
        return;
    };
    let admin = signed_in_account(&app, "admin@example.org", true).await;
    let (status, home) = admin.get("/facilitator").await;
    assert_eq!(status, 200);
    assert!(home.contains("href=\"/facilitator/accounts\""));
    let (status, page) = admin.get("/facilitator/accounts").await;
    assert_eq!(status, 200);
    let today = &app.store.accounts().await.unwrap()[0].created_at[..10];
    assert!(page.contains(&format!(
        "<th scope=\"row\">admin@example.org</th><td>yes</td><td>{today}</td>"
    )));

    let (status, _, page) = admin
        .post_checked("/facilitator/accounts", &[("email", " Dana@Example.org ")])
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("The account dana@example.org was created"));
    assert!(page.contains("<th scope=\"row\">dana@example.org</th><td>no</td>"));
    let start = page
        .find("<code id=\"new-password\">")
        .expect("the password")
        + 24;
    let password = &page[start..page[start..].find('<').unwrap() + start];
    assert_eq!(password.len(), 24, "{password}");
    let (dana, hash) = app
        .store
        .facilitator_by_email("dana@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(!dana.is_admin);
    assert!(verify_password(password, &hash) && !hash.contains(password));
    let (_, again) = admin.get("/facilitator/accounts").await;
    assert!(!again.contains(password), "shown only once");
    let dana = sign_in(&app, dana, password).await;
    assert_eq!(dana.get("/facilitator").await.0, 200);

    let (status, _, page) = admin
        .post_checked(
            "/facilitator/accounts",
            &[("email", "erin@example.org"), ("admin", "yes")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<th scope=\"row\">erin@example.org</th><td>yes</td>"));

    for (typed, problem) in [
        ("DANA@example.org", EN.account_duplicate),
        ("dana", EN.detail_email),
    ] {
        let (status, _, page) = admin
            .post_checked(
                "/facilitator/accounts",
                &[("email", typed), ("admin", "yes")],
            )
            .await;
        assert_eq!(status, 422, "{typed}");
        assert!(page.contains(&escaped(problem)), "{typed}: {page}");
        assert!(page.contains(&format!("value=\"{typed}\"")) && page.contains(" checked"));
        assert!(!page.contains("new-password"));
    }
    let (status, _, _) = admin
        .post("/facilitator/accounts", &[("email", "forged@example.org")])
        .await;
    assert_eq!(status, 403, "without the CSRF token");
    let accounts = app.store.accounts().await.unwrap();
    let emails: Vec<&str> = accounts
        .iter()
        .map(|a| a.facilitator.email.as_str())
        .collect();
    assert_eq!(
        emails,
        ["admin@example.org", "dana@example.org", "erin@example.org"]
    );
    assert!(
        app.store
            .partnerships(Visible::All)
            .await
            .unwrap()
            .is_empty()
    );

    // Anyone else: no link, and the page does not exist for them.
    let (_, home) = dana.get("/facilitator").await;
    assert!(!home.contains("/facilitator/accounts"));
    assert_eq!(dana.get("/facilitator/accounts").await.0, 404);
    let (status, _, _) = dana
        .post_checked("/facilitator/accounts", &[("email", "fay@example.org")])
        .await;
    assert_eq!(status, 404);
    assert_eq!(app.store.accounts().await.unwrap().len(), 3);
}

crate::on_both_engines!(
    a_co_facilitator_runs_the_partnership_as_its_owner_does_until_removed,
    a_refused_co_facilitator_address_is_named_on_the_form_and_nothing_is_stored,
    an_administrator_creates_an_account_whose_password_is_shown_once_and_signs_in,
);
