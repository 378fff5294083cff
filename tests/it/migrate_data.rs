//! `partnerscope migrate-data`: a deployment's data moves to a new database, whole and usable.

use partnerscope::demo;
use partnerscope::instrument::Library;
use partnerscope::store::{self, Store, TABLES, Visible};

use crate::engines::{Engine, fresh_database};
use crate::support::{partnerscope, stderr};

/// Everything a store holds, in a comparable form.
async fn contents(store: &dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    for partnership in store.partnerships(Visible::All).await.unwrap() {
        out.push(format!("{partnership:?}"));
        for round in store.rounds(partnership.id).await.unwrap() {
            out.push(format!("{round:?}"));
            for progress in store.invitation_progress(round.id).await.unwrap() {
                out.push(format!("{progress:?}"));
            }
            for response in store.responses(round.id).await.unwrap() {
                out.push(format!("{response:?}"));
            }
        }
    }
    out
}

async fn demo_database() -> (String, tempfile::TempDir) {
    let (url, dir) = fresh_database(Engine::Sqlite).await.unwrap();
    let source = store::open(&url).await.unwrap();
    let instrument = Library::shipped()
        .unwrap()
        .get(demo::INSTRUMENT)
        .unwrap()
        .clone();
    demo::ensure(source.as_ref(), &instrument).await.unwrap();
    (url, dir)
}

async fn everything_is_copied_and_the_copy_keeps_working(engine: Engine) {
    let Some((target_url, _target_dir)) = fresh_database(engine).await else {
        return;
    };
    let (source_url, _source_dir) = demo_database().await;
    let output = partnerscope(&["migrate-data", "--from", &source_url, "--to", &target_url]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(
        printed.contains("responses: ") && printed.contains("response_answers: "),
        "{printed}"
    );

    let source = store::open(&source_url).await.unwrap();
    let target = store::open(&target_url).await.unwrap();
    let expected = contents(source.as_ref()).await;
    assert!(expected.len() > 50, "the demo has data to copy");
    assert_eq!(contents(target.as_ref()).await, expected);

    // New rows get fresh ids after the copied ones.
    let before = target.partnerships(Visible::All).await.unwrap();
    let added = target
        .create_partnership("After the move", None)
        .await
        .unwrap();
    assert!(before.iter().all(|p| p.id < added.id));

    // A second copy into the same (now full) database is refused and changes nothing.
    let again = partnerscope(&["migrate-data", "--from", &source_url, "--to", &target_url]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("the target database is not empty (table `partnerships` has rows)")
    );
    assert_eq!(
        target.partnerships(Visible::All).await.unwrap().len(),
        before.len() + 1
    );
}

#[tokio::test]
async fn the_copy_knows_every_table_of_the_schema() {
    let (url, _dir) = fresh_database(Engine::Sqlite).await.unwrap();
    store::open(&url).await.unwrap();
    let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut connection)
    .await
    .unwrap();
    tables.sort();
    let mut known: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    known.sort();
    assert_eq!(
        tables, known,
        "a table missing from store::TABLES would not be migrated"
    );
}

crate::on_both_engines!(everything_is_copied_and_the_copy_keeps_working);
