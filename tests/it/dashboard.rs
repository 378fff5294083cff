//! The dashboard's view of a round: headline numbers, charts, suppression, change and warnings.

use partnerscope::report::dashboard::{self, ChartText, Previous, Warning};
use partnerscope::scoring::Options;

use std::path::Path;

use crate::support::{Scored, fixture, score_in_process};

fn text() -> ChartText {
    ChartText {
        title: "Scores".into(),
        by_sector: "{dimension} by sector".into(),
        too_few: "n = {n}: too few".into(),
        language_name: |tag| format!("language {tag}"),
    }
}

#[test]
fn the_dashboard_shows_formatted_numbers_and_hides_small_sectors() {
    let scored = score_in_process(
        &fixture("reference/basic.toml"),
        &fixture("reference/basic.csv"),
        &Options { min_group_size: 25 },
    );
    let board = dashboard::build(&scored.instrument, &scored.results, None, &text());
    let trust = &board.dimensions[0];
    assert_eq!((trust.id.as_str(), trust.n), ("trust", 117));
    // 3.5061253561253563 with interval 3.3427…–3.6695… in the fixture.
    assert_eq!(
        (trust.mean.as_str(), trust.ci.as_str()),
        ("3.51", "3.34–3.67")
    );
    assert_eq!(trust.band, "Borderline");
    assert_eq!(trust.factors.len(), 2);
    assert!(trust.change.is_none());
    assert!(
        board
            .chart
            .contains("3.51 (3.34–3.67) · Borderline · n = 117")
    );
    // The government sector has 21 trust scores, below the threshold of 25: only n is shown.
    let government = &board.sectors[0].rows[0];
    assert_eq!(
        (
            government.sector.as_str(),
            government.n,
            government.suppressed
        ),
        ("government", 21, true)
    );
    assert!(government.mean.is_empty() && government.ci.is_empty() && government.rwg.is_empty());
    assert!(board.sectors[0].chart.contains("n = 21: too few"));
    assert!(
        !board.sectors[0].chart.contains("3.65"),
        "a suppressed mean leaked into the chart"
    );
    assert_eq!(board.items.len(), 12);
}

#[test]
fn item_rows_show_agree_and_disagree_as_whole_percents_and_nothing_where_withheld() {
    let scored = score_in_process(
        &fixture("reference/basic.toml"),
        &fixture("reference/basic.csv"),
        &Options {
            min_group_size: 110,
        },
    );
    let board = dashboard::build(&scored.instrument, &scored.results, None, &text());
    let row = |id: &str| board.items.iter().find(|i| i.id == id).unwrap();
    let shares = |id: &str| (row(id).agree.as_str(), row(id).disagree.as_str());
    // basic.expected.json: t1 0.5272… and 0.2454…; t3, reverse-keyed, 0.1913… and 0.5478… of
    // its answers as worded.
    assert_eq!(shares("t1"), ("53\u{a0}%", "25\u{a0}%"));
    assert_eq!(shares("t3"), ("19\u{a0}%", "55\u{a0}%"));
    assert!(row("t3").reverse);
    // e3 has 106 answers, below the threshold of 110: n alone.
    let e3 = row("e3");
    assert_eq!((e3.n, e3.suppressed), (106, true));
    assert_eq!(shares("e3"), ("", ""));
}

/// Scores the rows of one wave of `responses` alone, as a round of its own.
fn score_wave(
    instrument: &Path,
    responses: &Path,
    wave: &str,
    dir: &Path,
    options: &Options,
) -> Scored {
    let text = std::fs::read_to_string(responses).unwrap();
    let mut lines = text.lines();
    let mut kept = format!("{}\n", lines.next().unwrap());
    for line in lines.filter(|line| line.split(',').nth(2) == Some(wave)) {
        kept.push_str(line);
        kept.push('\n');
    }
    let path = dir.join(format!("{wave}.csv"));
    std::fs::write(&path, kept).unwrap();
    score_in_process(instrument, &path, options)
}

#[test]
fn the_change_between_rounds_scored_apart_equals_scoring_them_as_two_waves() {
    let (instrument, responses) = (
        fixture("reference/wide7.toml"),
        fixture("reference/wide7.csv"),
    );
    let dir = tempfile::tempdir().unwrap();
    let together = score_in_process(&instrument, &responses, &Options::default());
    let options = Options::default();
    let previous = score_wave(&instrument, &responses, "round 1", dir.path(), &options);
    let this = score_wave(&instrument, &responses, "round 2", dir.path(), &options);
    let apart = this.results.changes_since(&previous.results);
    assert_eq!(apart.len(), 3);
    assert_eq!(apart, together.results.comparisons);
    let waves = &together.results.waves.dimensions;
    assert_eq!(previous.results.waves.dimensions[0], waves[0]);
    assert_eq!(this.results.waves.dimensions[0], waves[1]);
    // A round below its threshold is suppressed, and so is every change it takes part in.
    let strict = Options { min_group_size: 31 };
    let previous = score_wave(&instrument, &responses, "round 1", dir.path(), &strict);
    let this = score_wave(&instrument, &responses, "round 2", dir.path(), &strict);
    let changes = this.results.changes_since(&previous.results);
    assert!(previous.results.dimensions.iter().all(|d| d.n() <= 30));
    assert!(
        changes
            .iter()
            .all(|c| c.change == Default::default() && c.n_from <= 30 && c.n_to <= 30)
    );
}

#[test]
fn the_dashboard_reports_change_since_the_previous_round_and_weak_spots() {
    let path = (
        fixture("reference/wide7.toml"),
        fixture("reference/wide7.csv"),
    );
    let dir = tempfile::tempdir().unwrap();
    // The file's two waves stand for the previous and this round.
    let options = Options::default();
    let previous = score_wave(&path.0, &path.1, "round 1", dir.path(), &options);
    let this = score_wave(&path.0, &path.1, "round 2", dir.path(), &options);
    let changes = this.results.changes_since(&previous.results);
    let board = dashboard::build(
        &this.instrument,
        &this.results,
        Some(Previous {
            results: &previous.results,
            changes: &changes,
        }),
        &text(),
    );
    // Reference (wide7.expected.json): mean_diff, Welch p and Cohen's d per dimension.
    let expected = [
        ("trust", "+0.14", "0.708", "0.10"),
        ("governance", "-0.14", "0.745", "-0.09"),
        ("engagement", "-0.02", "0.962", "-0.01"),
    ];
    for (card, (id, diff, p, d)) in board.dimensions.iter().zip(expected) {
        let change = card.change.as_ref().expect("a comparison per dimension");
        assert_eq!(card.id, id);
        assert_eq!(change.from_wave, "round 1");
        assert_eq!(
            (change.diff.as_str(), change.p.as_str(), change.d.as_str()),
            (diff, p, d),
            "{id}"
        );
        assert!(!change.suppressed);
        // Every wave mean lies in the same band (Mixed, 3.5 to 5): no transition to report.
        assert_eq!(change.transition, None, "{id}");
    }
    // Over the whole file, engagement's alpha is 0.6905 in the reference: below 0.7, it is
    // flagged; the others are not.
    let whole = score_in_process(&path.0, &path.1, &Options::default());
    let board = dashboard::build(&whole.instrument, &whole.results, None, &text());
    assert_eq!(
        board.dimensions[2].warnings,
        [Warning::LowAlpha("0.69".into())]
    );
    assert!(board.dimensions[0].warnings.is_empty() && board.dimensions[1].warnings.is_empty());
}

#[test]
fn every_chart_on_a_dashboard_names_its_title_with_its_own_id() {
    let scored = score_in_process(
        &fixture("reference/basic.toml"),
        &fixture("reference/basic.csv"),
        &Options::default(),
    );
    let board = dashboard::build(&scored.instrument, &scored.results, None, &text());
    let charts: Vec<&String> = std::iter::once(&board.chart)
        .chain(board.sectors.iter().map(|s| &s.chart))
        .collect();
    let mut ids: Vec<&str> = charts
        .iter()
        .flat_map(|svg| {
            svg.split(" id=\"")
                .skip(1)
                .map(|rest| rest.split('"').next().unwrap())
        })
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "ids repeat across the charts of one page");
    assert_eq!(count, 2 * charts.len());
}
