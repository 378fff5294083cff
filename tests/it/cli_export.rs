//! `partnerscope export`: the rows a round's release lists, as the raw CSV that `score` reads.

use partnerscope::instrument::Library;
use partnerscope::store::Visible;
use partnerscope::{demo, store};

use crate::engines::{Engine, fresh_database};
use crate::support::{partnerscope, read_csv, stderr};

async fn a_round_exports_as_the_raw_csv_that_score_reads(engine: Engine) {
    let Some((url, dir)) = fresh_database(engine).await else {
        return;
    };
    let store = store::open(&url).await.unwrap();
    let instrument = Library::shipped()
        .unwrap()
        .get(demo::INSTRUMENT)
        .unwrap()
        .clone();
    demo::ensure(store.as_ref(), &instrument).await.unwrap();
    let partnership = store.partnerships(Visible::All).await.unwrap().remove(0);
    let round = store.rounds(partnership.id).await.unwrap().remove(0);
    let submitted = store.responses(round.id).await.unwrap().len();

    let raw = dir.path().join("raw.csv");
    let round_id = round.id.to_string();
    let output = partnerscope(&[
        "export",
        "--round",
        &round_id,
        "--database-url",
        &url,
        "--out",
        raw.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let (header, rows) = read_csv(&raw);
    assert_eq!(
        &header[..4],
        [
            "respondent",
            "group",
            "wave",
            instrument.items[0].id.as_str()
        ]
    );
    assert_eq!(header.last().map(String::as_str), Some("submitted_on"));
    assert_eq!(rows.len(), submitted);
    assert!(rows.iter().all(|r| r[2] == round.wave));

    // `score` reads the export as it is.
    let reports = dir.path().join("reports");
    let scored = partnerscope(&[
        "score",
        "--instrument",
        demo::INSTRUMENT,
        "--responses",
        raw.to_str().unwrap(),
        "--out",
        reports.to_str().unwrap(),
    ]);
    assert!(scored.status.success(), "{}", stderr(&scored));
    let (_, respondents) = read_csv(&reports.join("respondents.csv"));
    assert_eq!(respondents.len(), submitted);

    // An unknown round is an error that names it, and no file is left behind.
    let missing = dir.path().join("missing.csv");
    let output = partnerscope(&[
        "export",
        "--round",
        "999999",
        "--database-url",
        &url,
        "--out",
        missing.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("there is no round 999999"));
    assert!(!missing.exists());
}

crate::on_both_engines!(a_round_exports_as_the_raw_csv_that_score_reads);
