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
        printed.contains("responses: ") && printed.contains("response_comments: "),
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

/// Rows in every table of the database at `url`.
async fn rows_per_table(url: &str) -> Vec<(&'static str, i64)> {
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(url)
        .await
        .unwrap();
    let mut counts = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(&sql)
            .fetch_one(&mut connection)
            .await
            .unwrap();
        counts.push((*table, n));
    }
    counts
}

/// SQLite stores a NUL byte in a text, and deployments did before issue 12 refused them at the
/// door; PostgreSQL cannot hold one. The copy names the row to correct and copies nothing, and
/// once it is corrected the copy goes through.
#[tokio::test]
async fn a_nul_byte_in_the_source_stops_a_copy_into_postgresql_naming_its_row_and_copies_nothing() {
    let Some((target_url, _target_dir)) = fresh_database(Engine::Postgres).await else {
        return;
    };
    let (source_url, _source_dir) = demo_database().await;
    let mut source = <sqlx::SqliteConnection as sqlx::Connection>::connect(&source_url)
        .await
        .unwrap();
    let partnership: i64 = sqlx::query_scalar("SELECT MIN(id) FROM partnerships")
        .fetch_one(&mut source)
        .await
        .unwrap();
    let (response, question, body): (i64, String, String) = sqlx::query_as(
        "SELECT response_id, comment_id, body FROM response_comments \
         ORDER BY response_id DESC, comment_id LIMIT 1",
    )
    .fetch_one(&mut source)
    .await
    .unwrap();
    let set_name =
        format!("UPDATE partnerships SET name = name || char(0) WHERE id = {partnership}");
    sqlx::query(&set_name).execute(&mut source).await.unwrap();
    let set_comment = format!(
        "UPDATE response_comments SET body = 'Fine' || char(0) || 'print' \
         WHERE response_id = {response} AND comment_id = '{question}'"
    );
    sqlx::query(&set_comment)
        .execute(&mut source)
        .await
        .unwrap();

    let migrate = || partnerscope(&["migrate-data", "--from", &source_url, "--to", &target_url]);
    let empty: Vec<(&str, i64)> = TABLES.iter().map(|t| (*t, 0)).collect();

    let output = migrate();
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains(&format!(
            "table `partnerships`, column `name`, row 1 (id {partnership}): the text contains a NUL byte"
        )),
        "{error}"
    );
    assert!(error.contains("nothing was copied"), "{error}");
    assert_eq!(rows_per_table(&target_url).await, empty);

    // (SQLite's string functions stop at a NUL, so the corrections bind whole values.)
    sqlx::query("UPDATE partnerships SET name = 'Riverside' WHERE id = ?")
        .bind(partnership)
        .execute(&mut source)
        .await
        .unwrap();
    let output = migrate();
    assert!(!output.status.success());
    let error = stderr(&output);
    assert!(
        error.contains("table `response_comments`, column `body`, row ")
            && error.contains(&format!(
                " (response_id {response}, comment_id {question:?}): the text contains a NUL byte"
            )),
        "{error}"
    );
    assert_eq!(rows_per_table(&target_url).await, empty);

    sqlx::query("UPDATE response_comments SET body = ? WHERE response_id = ? AND comment_id = ?")
        .bind(&body)
        .bind(response)
        .bind(&question)
        .execute(&mut source)
        .await
        .unwrap();
    let output = migrate();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        rows_per_table(&target_url).await,
        rows_per_table(&source_url).await
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
