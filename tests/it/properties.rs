//! Laws the statistics must obey for any data, and the parsers for any input, checked on
//! generated data.

use partnerscope::instrument::{Instrument, Library, LoadError, SHIPPED, load_str};
use partnerscope::report::{self, SummaryReport};
use partnerscope::responses::ResponsesReader;
use partnerscope::scoring::release::{self, Place, Release};
use partnerscope::scoring::stats::{Covariance, reliability};
use partnerscope::scoring::{
    Answer, Breakdowns, CellKey, Labels, Options, Reported, Results, Scorer, reverse_key,
};
use partnerscope::survey::partners::{self, Partner};
use proptest::prelude::*;

/// One dimension `trust` of `k` items on a 1..5 scale, the first half in factor `core`.
fn instrument(k: usize, reversed: &[bool]) -> Instrument {
    let mut toml = String::from(
        "id = \"p\"\nversion = \"1\"\ntitle = \"p\"\ndescription = \"p\"\n\
         [scales.s]\nvalues = [1, 2, 3, 4, 5]\nlabels = [\"a\", \"b\", \"c\", \"d\", \"e\"]\n\
         [[dimensions]]\nid = \"trust\"\ntitle = \"T\"\n\
         [[factors]]\nid = \"core\"\ndimension = \"trust\"\ntitle = \"C\"\n\
         [[bands]]\nlabel = \"High\"\nmin = 3.5\n[[bands]]\nlabel = \"Low\"\nmin = 1\n",
    );
    for i in 0..k {
        let parent = if i < k.div_ceil(2) {
            "factor = \"core\""
        } else {
            "dimension = \"trust\""
        };
        toml.push_str(&format!(
            "[[items]]\nid = \"i{i}\"\ntext = \"x\"\nscale = \"s\"\n{parent}\nreverse = {}\n",
            reversed.get(i).copied().unwrap_or(false)
        ));
    }
    load_str("generated.toml", &toml).expect("generated instrument is valid")
}

/// Rows of answers: each cell 1..5 or missing (about one in six).
fn rows(k: usize, max_rows: usize) -> impl Strategy<Value = Vec<Vec<Answer>>> {
    let cell = prop_oneof![1 => Just(None), 5 => (1i16..=5).prop_map(Some)];
    prop::collection::vec(prop::collection::vec(cell, k), 0..max_rows)
}

/// Rows with a group (4 means none) and a wave (3 means none).
fn labelled_rows(k: usize) -> impl Strategy<Value = Vec<(u8, u8, Vec<Answer>)>> {
    let cell = prop_oneof![1 => Just(None), 5 => (1i16..=5).prop_map(Some)];
    prop::collection::vec((0u8..5, 0u8..4, prop::collection::vec(cell, k)), 0..60)
}

fn label(prefix: &str, i: u8, none: u8) -> String {
    if i == none {
        String::new()
    } else {
        format!("{prefix}{i}")
    }
}

fn score_all(
    instrument: &Instrument,
    rows: &[(u8, u8, Vec<Answer>)],
    options: &Options,
) -> Results {
    let (mut groups, mut waves) = (Labels::default(), Labels::default());
    let mut scorer = Scorer::new(instrument);
    let mut scores = vec![None; scorer.score_count()];
    for (g, w, answers) in rows {
        let cell = CellKey {
            group: groups.intern(&label("g", *g, 4)),
            wave: waves.intern(&label("w", *w, 3)),
            language: None,
        };
        scorer.add(cell, answers, &mut scores);
    }
    let none = Labels::default();
    let labels = Breakdowns {
        groups: &groups,
        waves: &waves,
        languages: &none,
    };
    scorer.finish(instrument, &labels, options)
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * y.abs().max(1e-3),
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reversing_an_answer_twice_gives_it_back(min in -5i16..5, width in 1i16..10, offset in 0i16..10) {
        let max = min + width;
        let x = min + offset % (width + 1);
        let once = reverse_key(x, min, max);
        prop_assert!((min..=max).contains(&once));
        prop_assert_eq!(reverse_key(once, min, max), x);
    }

    #[test]
    fn alpha_does_not_depend_on_item_order(data in rows(5, 40), perm in Just((0..5).collect::<Vec<usize>>()).prop_shuffle()) {
        let as_f64: Vec<Vec<Option<f64>>> = data.iter().map(|r| r.iter().map(|v| v.map(f64::from)).collect()).collect();
        let permuted: Vec<Vec<Option<f64>>> = as_f64.iter().map(|r| perm.iter().map(|&i| r[i]).collect()).collect();
        let a = Covariance::pairwise(&as_f64, 5).map(|c| reliability(&c, data.len() as u64));
        let b = Covariance::pairwise(&permuted, 5).map(|c| reliability(&c, data.len() as u64));
        prop_assert_eq!(a.is_some(), b.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            prop_assert!(same(a.alpha, b.alpha) && same(a.std_alpha, b.std_alpha) && same(a.ci_low, b.ci_low));
        }
    }

    #[test]
    fn streamed_integer_sums_agree_with_the_direct_pairwise_formula(data in rows(4, 50), reversed in prop::collection::vec(any::<bool>(), 4)) {
        let instrument = instrument(4, &reversed);
        let labelled: Vec<(u8, u8, Vec<Answer>)> = data.iter().map(|r| (0, 0, r.clone())).collect();
        // Threshold 1: every data set with a score is published and compared.
        let results = score_all(&instrument, &labelled, &Options { min_group_size: 1 });
        let keyed: Vec<Vec<Option<f64>>> = data.iter().map(|r| {
            r.iter().zip(&reversed).map(|(v, &rev)| v.map(|x| f64::from(if rev { 6 - x } else { x }))).collect()
        }).collect();
        let direct = Covariance::pairwise(&keyed, 4).map(|c| reliability(&c, data.len() as u64)).unwrap_or_default();
        let streamed = match &results.dimensions[0] {
            Reported::Shown(stats) => stats.reliability,
            // Nobody has a score: nothing is published to compare.
            Reported::Suppressed { .. } => return Ok(()),
        };
        // A total variance of exactly zero: the integer sums see it and report no alpha, while the
        // float formula divides by rounding noise and gets an absurd one. Nothing to compare.
        prop_assume!(!(streamed.alpha.is_none() && direct.alpha.is_some_and(|a| a.abs() > 1e6)));
        prop_assert!(same(streamed.alpha, direct.alpha), "{:?} vs {:?}", streamed, direct);
        prop_assert!(same(streamed.average_r, direct.average_r));
        prop_assert!(same(streamed.ci_high, direct.ci_high));
    }

    #[test]
    fn splitting_the_rows_between_scorers_changes_nothing(data in labelled_rows(5), split in 0usize..60) {
        let instrument = instrument(5, &[false, true]);
        let options = Options::default();
        let whole = score_all(&instrument, &data, &options);
        let split = split.min(data.len());
        let (mut groups, mut waves) = (Labels::default(), Labels::default());
        let keys: Vec<CellKey> = data.iter().map(|(g, w, _)| CellKey {
            group: groups.intern(&label("g", *g, 4)), wave: waves.intern(&label("w", *w, 3)), language: None,
        }).collect();
        let mut first = Scorer::new(&instrument);
        let mut second = Scorer::new(&instrument);
        let mut scores = vec![None; first.score_count()];
        for (i, (key, (_, _, answers))) in keys.iter().zip(&data).enumerate() {
            let scorer = if i < split { &mut first } else { &mut second };
            scorer.add(*key, answers, &mut scores);
        }
        first.merge(second);
        let none = Labels::default();
        let labels = Breakdowns { groups: &groups, waves: &waves, languages: &none };
        prop_assert_eq!(first.finish(&instrument, &labels, &options), whole);
    }

    #[test]
    fn no_suppressed_cell_ever_carries_a_statistic(data in labelled_rows(3), threshold in 1u64..8) {
        let instrument = instrument(3, &[true]);
        let results = score_all(&instrument, &data, &Options { min_group_size: threshold });
        for report in [SummaryReport::Dimensions, SummaryReport::Factors, SummaryReport::Items, SummaryReport::Groups, SummaryReport::Waves] {
            let header = report.header();
            let n = header.iter().position(|&c| c == "n").unwrap();
            let flag = header.len() - 1;
            prop_assert_eq!(header[flag], "suppressed");
            let mut out = Vec::new();
            report::write_csv(&report.table(&instrument, &results), &mut out).unwrap();
            let mut reader = csv::Reader::from_reader(out.as_slice());
            for record in reader.records() {
                let record = record.unwrap();
                let count: u64 = record[n].parse().unwrap();
                if &record[flag] == "true" {
                    prop_assert!((n + 1..flag).all(|c| record[c].is_empty()), "{:?}", record);
                } else {
                    prop_assert!(count >= threshold, "{:?}", record);
                }
            }
        }
        let waves = &results.waves.dimensions;
        for c in &results.comparisons {
            if waves[c.from_wave][c.dimension].is_suppressed() || waves[c.to_wave][c.dimension].is_suppressed() {
                prop_assert!(c.change.mean_diff.is_none() && c.change.t.is_none() && c.change.cohens_d.is_none());
            }
        }
    }

    #[test]
    fn what_a_breakdown_leaves_unpublished_is_nobody_or_at_least_the_threshold(
        data in labelled_rows(5),
        threshold in 2u64..7,
    ) {
        let instrument = instrument(5, &[false, true]);
        let results = score_all(&instrument, &data, &Options { min_group_size: threshold });
        // Every dimension and factor, in the group and in the wave breakdown.
        let totals: Vec<u64> = results.dimensions.iter().chain(&results.factors).map(|r| r.n()).collect();
        for breakdown in [&results.groups, &results.waves] {
            let cells: Vec<Vec<(u64, bool)>> = breakdown.dimensions.iter().zip(&breakdown.factors).map(|(dims, factors)| {
                dims.iter().map(|c| (c.n(), c.is_suppressed()))
                    .chain(factors.iter().map(|c| (c.n(), c.is_suppressed())))
                    .collect()
            }).collect();
            for (composite, &total) in totals.iter().enumerate() {
                let published: u64 = cells.iter().map(|cell| cell[composite]).filter(|(_, suppressed)| !suppressed).map(|(n, _)| n).sum();
                let rest = total - published;
                // A small total is itself unpublished, so there is nothing to subtract from.
                prop_assert!(rest == 0 || rest >= threshold || total < threshold, "composite {composite}: {rest} unpublished of {total}");
                for cell in &cells {
                    prop_assert!(cell[composite].1 || cell[composite].0 >= threshold);
                }
            }
        }
        // A total below the threshold publishes nothing about it.
        for (reported, &total) in results.dimensions.iter().chain(&results.factors).zip(&totals) {
            prop_assert_eq!(reported.is_suppressed(), total < threshold);
        }
    }
}

/// A respondent of a simulated round: group (4: none), language (2: none), the release that
/// first included them, and answers.
struct Member {
    group: u8,
    language: u8,
    batch: i64,
    answers: Vec<Answer>,
}

/// Publishes the arrivals of a round one after another, as the server does: each arrival is
/// offered as the next release, and when nothing new may be published it waits for the next.
fn publish_all(
    instrument: &Instrument,
    arrivals: &[Vec<(u8, u8, Vec<Answer>)>],
    options: &Options,
) -> (Vec<Release>, Vec<Member>) {
    let (mut releases, mut members): (Vec<Release>, Vec<Member>) = (Vec::new(), Vec::new());
    let mut pending: Vec<(u8, u8, Vec<Answer>)> = Vec::new();
    for arrival in arrivals {
        pending.extend(arrival.iter().cloned());
        let number = releases.len() as i64 + 1;
        let (mut groups, mut batches) = (Labels::default(), Labels::default());
        let mut languages = Labels::default();
        let mut scorer = Scorer::new(instrument);
        let mut scores = vec![None; scorer.score_count()];
        let offered = members
            .iter()
            .map(|m| (m.group, m.language, m.batch, &m.answers))
            .chain(pending.iter().map(|(g, l, a)| (*g, *l, number, a)));
        for (group, language, batch, answers) in offered {
            let cell = CellKey {
                group: groups.intern(&label("g", group, 4)),
                wave: batches.intern(&batch.to_string()),
                language: languages.intern(&label("l", language, 2)),
            };
            scorer.add(cell, answers, &mut scores);
        }
        let labels = Breakdowns {
            groups: &groups,
            waves: &batches,
            languages: &languages,
        };
        if let Some(r) = release::publish(
            instrument,
            &scorer,
            &labels,
            &releases,
            &release::Round {
                wave: "w",
                number,
                options: *options,
                identified: false,
            },
        ) {
            members.extend(pending.drain(..).map(|(group, language, answers)| Member {
                group,
                language,
                batch: number,
                answers,
            }));
            releases.push(r);
        }
    }
    (releases, members)
}

/// Whether `target` is a combination of `rows`, in arithmetic modulo 10⁹ + 7 (a check written
/// apart from the one the audit uses).
fn in_span(rows: &[Vec<u64>], target: &[u64]) -> bool {
    const P: u64 = 1_000_000_007;
    let pow = |mut b: u64, mut e: u64| {
        let mut r = 1;
        while e > 0 {
            if e & 1 == 1 {
                r = r * b % P;
            }
            b = b * b % P;
            e >>= 1;
        }
        r
    };
    let mut basis: Vec<(usize, Vec<u64>)> = Vec::new();
    let reduce = |basis: &[(usize, Vec<u64>)], v: &mut Vec<u64>| {
        for (p, row) in basis {
            let f = v[*p];
            if f != 0 {
                for (x, r) in v.iter_mut().zip(row) {
                    *x = (*x + P - f * r % P) % P;
                }
            }
        }
    };
    for row in rows {
        let mut v = row.clone();
        reduce(&basis, &mut v);
        if let Some(p) = v.iter().position(|&x| x != 0) {
            let inv = pow(v[p], P - 2);
            v.iter_mut().for_each(|x| *x = *x * inv % P);
            basis.push((p, v));
        }
    }
    let mut v = target.to_vec();
    reduce(&basis, &mut v);
    v.iter().all(|&x| x == 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn releases_change_a_published_cell_by_nobody_or_the_threshold_and_never_determine_one_score(
        arrivals in prop::collection::vec(
            prop::collection::vec((0u8..5, 0u8..3, prop::collection::vec(prop_oneof![1 => Just(None), 6 => (1i16..=5).prop_map(Some)], 4)), 0..9),
            1..6,
        ),
        threshold in 2u64..5,
    ) {
        let instrument = instrument(4, &[false, true]);
        let options = Options { min_group_size: threshold };
        let (releases, members) = publish_all(&instrument, &arrivals, &options);
        // Which variables (the dimension, the factor, then the items) each member has a value on.
        let mut scorer = Scorer::new(&instrument);
        let mut scores = vec![None; scorer.score_count()];
        let has: Vec<Vec<bool>> = members.iter().map(|m| {
            scorer.add(CellKey { group: None, wave: None, language: None }, &m.answers, &mut scores);
            scores.iter().map(Option::is_some).chain(m.answers.iter().map(Option::is_some)).collect()
        }).collect();
        let in_cell = |m: &Member, place: &Place, about: i64| {
            m.batch <= about && match place {
                Place::Group(g) => label("g", m.group, 4) == *g,
                Place::Language(l) => label("l", m.language, 2) == *l,
                _ => true,
            }
        };
        for (k, r) in releases.iter().enumerate() {
            for (id, about) in &r.as_of {
                // A published cell is about exactly the members its release says.
                let n = members.iter().zip(&has).filter(|(m, h)| h[id.variable] && in_cell(m, &id.place, *about)).count() as u64;
                let shown = match (&id.place, id.variable) {
                    (Place::Overall, 0) => r.figures.dimensions[0].n(),
                    (Place::Overall, 1) => r.figures.factors[0].n(),
                    (Place::Overall, i) => r.figures.items[i - 2].n(),
                    _ => n,
                };
                prop_assert_eq!(n, shown, "release {} cell {:?}", r.number, id);
                // An item's agree and disagree, carried or fresh, are those of the same members:
                // the shares of their answers as worded in 4..5 and in 1..2.
                if let (Place::Overall, i) = (&id.place, id.variable) && i >= 2 {
                    let answers: Vec<i16> = members.iter()
                        .filter(|m| in_cell(m, &id.place, *about))
                        .filter_map(|m| m.answers[i - 2])
                        .collect();
                    let share = |hit: fn(&&i16) -> bool| (!answers.is_empty())
                        .then(|| answers.iter().filter(hit).count() as f64 / answers.len() as f64);
                    let item = r.figures.items[i - 2].shown().expect("a published cell is shown");
                    prop_assert_eq!(item.agree, share(|&&a| a >= 4), "release {} item {}", r.number, i - 2);
                    prop_assert_eq!(item.disagree, share(|&&a| a <= 2), "release {} item {}", r.number, i - 2);
                }
                // Against the last release that published it: no change, or the threshold's worth.
                if let Some(before) = releases[..k].iter().rev().find_map(|e| e.as_of(id)) {
                    let then = members.iter().zip(&has).filter(|(m, h)| h[id.variable] && in_cell(m, &id.place, before)).count() as u64;
                    prop_assert!(n == then || n.abs_diff(then) >= threshold, "{:?}: {} then {}", id, then, n);
                }
            }
        }
        // No member's score of any variable is a combination of the published cells' sums.
        let variables = instrument.dimensions.len() + instrument.factors.len() + instrument.items.len();
        for variable in 0..variables {
            let columns: Vec<usize> = has.iter().enumerate().filter(|(_, h)| h[variable]).map(|(i, _)| i).collect();
            let rows: Vec<Vec<u64>> = releases.iter().flat_map(|r| &r.as_of)
                .filter(|(id, _)| id.variable == variable)
                .map(|(id, about)| columns.iter().map(|&i| u64::from(in_cell(&members[i], &id.place, *about))).collect())
                .collect();
            for (j, member) in columns.iter().enumerate() {
                let mut unit = vec![0; columns.len()];
                unit[j] = 1;
                prop_assert!(!in_span(&rows, &unit), "variable {}: member {} is determined", variable, member);
            }
        }
    }
}

// The parsers: whatever a file or a form holds, it is read or refused with its problems located,
// never a panic. Their inputs are mutations of real files, valid headers with random cells, and
// random bytes; where a law exists (columns in any order, a list written back), it is checked too.

/// The shipped instrument with a "not applicable" code, comments and a profile question.
fn coalition() -> Instrument {
    Library::shipped()
        .expect("the shipped instruments load")
        .get("coalition-effectiveness")
        .expect("coalition-effectiveness is shipped")
        .clone()
}

/// Instrument files to mutate: a small fixture, a generated one and a shipped one.
const INSTRUMENT_FILES: [&str; 3] = [
    include_str!("../fixtures/web/mini.toml"),
    include_str!("../fixtures/reference/basic.toml"),
    SHIPPED[2].1,
];

/// Text an edit may put in: TOML syntax, numbers at the edges of every integer type, and
/// characters of several byte lengths.
const TOKENS: [&str; 22] = [
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "=",
    "{",
    "}",
    ",",
    "\n",
    "#",
    "\"\"\"",
    ".",
    "-",
    "9223372036854775807",
    "-9223372036854775808",
    "32768",
    "1e309",
    "nan",
    "é",
    "\u{feff}",
];

/// A near-valid instrument file: one of [`INSTRUMENT_FILES`] with a few edits (a number swapped
/// for one at the edge of an integer type, a token put in, a run of characters taken out).
fn mutated_instrument() -> impl Strategy<Value = String> {
    let edit = (
        0u8..3,
        any::<prop::sample::Index>(),
        0usize..TOKENS.len(),
        1usize..40,
    );
    (0..INSTRUMENT_FILES.len(), prop::collection::vec(edit, 1..4)).prop_map(|(file, edits)| {
        let mut text: Vec<char> = INSTRUMENT_FILES[file].chars().collect();
        for (kind, at, token, length) in edits {
            let at = at.index(text.len() + 1);
            match kind {
                0 => {
                    // One of the file's runs of digits becomes a number at an edge.
                    let runs: Vec<usize> = (0..text.len())
                        .filter(|&i| {
                            text[i].is_ascii_digit() && (i == 0 || !text[i - 1].is_ascii_digit())
                        })
                        .collect();
                    if runs.is_empty() {
                        continue;
                    }
                    let start = runs[at % runs.len()];
                    let end = (start..text.len())
                        .find(|&i| !text[i].is_ascii_digit())
                        .unwrap_or(text.len());
                    text.splice(start..end, TOKENS[15 + token % 5].chars());
                }
                1 => {
                    text.splice(at..at, TOKENS[token].chars());
                }
                _ => {
                    text.drain(at..(at + length).min(text.len()));
                }
            }
        }
        text.into_iter().collect()
    })
}

/// Checks what the loader made of `src`: an instrument whose indices are in range, or problems
/// that point into the file.
fn check_load(src: &str) -> Result<(), TestCaseError> {
    match load_str("prop.toml", src) {
        Ok(instrument) => {
            for item in &instrument.items {
                let scale = &instrument.scales[item.scale];
                prop_assert!(scale.min < scale.max);
                prop_assert!(item.dimension < instrument.dimensions.len());
                prop_assert!(item.factor.is_none_or(|f| f < instrument.factors.len()));
            }
        }
        Err(LoadError::Invalid { problems, .. }) => {
            prop_assert!(!problems.is_empty());
            let lines = src.lines().count() + 1;
            for p in &problems {
                prop_assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{:?}", p);
            }
        }
        Err(e) => prop_assert!(false, "load_str failed with {}", e),
    }
    Ok(())
}

/// The item ids of [`coalition`], then the other columns a responses file may have.
fn responses_columns(instrument: &Instrument) -> Vec<String> {
    let mut columns: Vec<String> = instrument.items.iter().map(|i| i.id.clone()).collect();
    for other in [
        "respondent",
        "group",
        "wave",
        "strength",
        "sector",
        "language",
        "source",
        "submitted_on",
    ] {
        columns.push(other.to_string());
    }
    columns
}

/// A cell of a responses file: mostly good values, some of every kind of bad one.
fn response_cell() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => (1u8..=5).prop_map(|v| vec![b'0' + v]),
        1 => prop::sample::select(vec![
            "", "NA", "na", "NA ", " 3 ", "+4", "-0", "0", "6", "05", "32767", "-32769",
            "99999999999999999999", "dk", "\"3\"", "\"a, b\"", "\"\"", "\"x\ny\"", "٣", "\u{feff}1",
        ]).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..6),
    ]
}

/// A near-valid responses file: a header of real columns, some dropped, repeated or unknown,
/// then rows of random cells, some of the wrong length.
fn near_valid_responses(columns: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    let n = columns.len();
    let header = prop::collection::vec(
        prop_oneof![
            20 => (0..n).prop_map(Some),
            1 => Just(None),
        ],
        0..n + 3,
    );
    let full = Just((0..n).map(Some).collect::<Vec<_>>()).prop_shuffle();
    let header = prop_oneof![3 => full, 1 => header];
    (
        header,
        prop::collection::vec(
            (prop::collection::vec(response_cell(), 0..n + 3), 0u8..4),
            0..8,
        ),
    )
        .prop_map(move |(header, rows)| {
            let mut file: Vec<u8> = header
                .iter()
                .map(|c| c.map_or("unknown", |c| columns[c].as_str()))
                .collect::<Vec<_>>()
                .join(",")
                .into_bytes();
            for (mut cells, width) in rows {
                // Most rows are as wide as the header.
                if width > 0 {
                    cells.resize(header.len(), b"3".to_vec());
                }
                file.extend_from_slice(if width == 1 { b"\r\n" } else { b"\n" });
                // The first cell is the respondent most of the time: make ids mostly unique.
                file.extend(cells.join(&b","[..]));
            }
            file
        })
}

/// Reads `file` to the end or the first problem; each row's values must be on their scales, and
/// a problem must name a row of the file.
fn read_responses(file: &[u8], instrument: &Instrument) -> Result<(), TestCaseError> {
    let lines = file.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 2;
    let mut reader = match ResponsesReader::new(file, instrument, &Default::default()) {
        Ok(reader) => reader,
        Err(e) => {
            prop_assert!(e.row <= lines, "{}", e);
            return Ok(());
        }
    };
    loop {
        match reader.next_row() {
            Ok(Some(row)) => {
                prop_assert!(!row.respondent.is_empty());
                for (answer, item) in row.answers.iter().zip(&instrument.items) {
                    if let Some(v) = answer {
                        prop_assert!(instrument.scales[item.scale].contains(*v));
                    }
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                prop_assert!(e.row <= lines, "{}", e);
                return Ok(());
            }
        }
    }
}

/// Every row of a responses file, owned.
fn all_rows(file: &[u8], instrument: &Instrument) -> Vec<(String, String, String, Vec<Answer>)> {
    let mut reader =
        ResponsesReader::new(file, instrument, &Default::default()).expect("the header is good");
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row().expect("the rows are good") {
        rows.push((
            row.respondent.to_string(),
            row.group.to_string(),
            row.wave.to_string(),
            row.answers.to_vec(),
        ));
    }
    rows
}

/// A cell of a partner list: real sectors in any case, addresses, language tags, blanks, text
/// that needs quoting, and junk.
fn partner_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "government", "Nonprofit", " HEALTH ", "funder", "other", "martians", "",
            "a@b.org", "x@y", "not-an-address", "a b@c.org", "en", "fr-CA", "zh-Hant-TW", "en-",
            "english please", "\"Food Bank, Eastside\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"",
            "\"unterminated", "\u{feff}", "organisation", "sector",
        ]).prop_map(str::to_string),
        1 => "[ -~é\u{a0}]{0,12}",
    ]
}

/// A near-valid partner list: a header of the real columns (any case, some repeated, dropped or
/// unknown), then rows of random cells of any width.
fn near_valid_partner_list() -> impl Strategy<Value = String> {
    let column = prop::sample::select(vec![
        "organisation",
        "sector",
        "email",
        "language",
        "Sector",
        " EMAIL ",
        "name",
        "",
    ]);
    let header = prop_oneof![
        3 => Just(vec!["organisation", "sector", "email", "language"]).prop_shuffle(),
        1 => prop::collection::vec(column, 0..6),
    ];
    let rows = prop::collection::vec(prop::collection::vec(partner_cell(), 0..6), 0..30);
    (any::<bool>(), header, rows).prop_map(|(bom, header, rows)| {
        let mut list = if bom {
            String::from("\u{feff}")
        } else {
            String::new()
        };
        list.push_str(&header.join(","));
        for row in rows {
            list.push('\n');
            list.push_str(&row.join(","));
        }
        list
    })
}

/// Checks what the partner-list parser made of `list`: partners on the survey's sectors, or
/// problems on rows of the list.
fn check_partner_list(list: &str, instrument: &Instrument) -> Result<(), TestCaseError> {
    let sectors = &instrument.profile.as_ref().expect("a profile").options;
    match partners::parse(list, instrument) {
        Ok(partners) => {
            prop_assert!(!partners.is_empty());
            for p in &partners {
                prop_assert!(!p.organisation.is_empty() && p.organisation.trim() == p.organisation);
                prop_assert!(sectors.contains(&p.sector), "{:?}", p);
            }
        }
        Err(problems) => {
            prop_assert!(!problems.is_empty());
            // A record ends at `\n`, `\r` or both; `\r\n` counts twice, which only loosens the bound.
            let rows = list.bytes().filter(|&b| b == b'\n' || b == b'\r').count() as u64 + 2;
            for p in &problems {
                prop_assert!(p.row >= 1 && p.row <= rows, "{}", p);
            }
        }
    }
    Ok(())
}

/// The partners as a list with every column, the way a spreadsheet saves it.
fn write_partner_list(partners: &[Partner]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["organisation", "sector", "email", "language"])
        .unwrap();
    for p in partners {
        let email = p.email.as_deref().unwrap_or("");
        let language = p.language.as_deref().unwrap_or("");
        out.write_record([&p.organisation, &p.sector, email, language])
            .unwrap();
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

/// A good partner: any organisation name (commas, quotes, line breaks and all), a real sector, a
/// plausible address and language tag, or none.
fn partner(sectors: Vec<String>) -> impl Strategy<Value = Partner> {
    (
        // One line: an organisation is refused with a tab or line break (`survey::text`).
        "[A-Za-z0-9 ,;\"'&é—\u{a0}-]{1,24}".prop_filter_map("a name", |s| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        }),
        prop::sample::select(sectors),
        prop::option::of("[a-z,\"'.+]{1,6}@[a-z.,\"]{1,8}"),
        prop::option::of(prop::sample::select(vec![
            "en",
            "fr-CA",
            "zh-Hant-TW",
            "es-419",
        ])),
    )
        .prop_map(|(organisation, sector, email, language)| Partner {
            organisation,
            sector,
            email,
            language: language.map(str::to_string),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn an_edited_instrument_file_loads_or_is_refused_with_problems_inside_the_file(src in mutated_instrument()) {
        check_load(&src)?;
    }

    #[test]
    fn any_text_as_an_instrument_file_loads_or_is_refused_with_problems_inside_the_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_load(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn a_responses_file_with_random_cells_is_read_or_refused_at_a_row_of_the_file(file in near_valid_responses(responses_columns(&coalition()))) {
        read_responses(&file, &coalition())?;
    }

    #[test]
    fn random_bytes_as_a_responses_file_are_read_or_refused_at_a_row_of_the_file(
        header in Just(responses_columns(&coalition())).prop_shuffle(),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut file = header.join(",").into_bytes();
        file.push(b'\n');
        file.extend(&bytes);
        read_responses(&file, &coalition())?;
        read_responses(&bytes, &coalition())?;
    }

    #[test]
    fn the_columns_of_a_responses_file_may_come_in_any_order(
        rows in prop::collection::vec(
            ("[a-z ]{0,6}", "[a-z0-9 ,]{0,6}", prop::collection::vec(prop_oneof![5 => (1i16..=5).prop_map(Some), 1 => Just(None)], 35)),
            0..12,
        ),
        order in Just((0..38).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let instrument = coalition();
        prop_assert_eq!(instrument.items.len(), 35);
        // Columns: respondent, group, wave, then the items in instrument order.
        let mut header = vec!["respondent".to_string(), "group".into(), "wave".into()];
        header.extend(instrument.items.iter().map(|i| i.id.clone()));
        let records: Vec<Vec<String>> = rows.iter().enumerate().map(|(i, (group, wave, answers))| {
            let mut record = vec![format!("r{i}"), group.clone(), wave.clone()];
            record.extend(answers.iter().map(|a| a.map_or(String::new(), |v| v.to_string())));
            record
        }).collect();
        let write = |permute: &dyn Fn(&[String]) -> Vec<String>| {
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(permute(&header)).unwrap();
            for record in &records {
                out.write_record(permute(record)).unwrap();
            }
            out.into_inner().unwrap()
        };
        let as_is = all_rows(&write(&|r| r.to_vec()), &instrument);
        let reordered = all_rows(&write(&|r| order.iter().map(|&c| r[c].clone()).collect()), &instrument);
        prop_assert_eq!(as_is.len(), rows.len());
        prop_assert_eq!(reordered, as_is);
    }

    #[test]
    fn a_partner_list_with_random_cells_is_read_or_refused_on_rows_of_the_list(list in near_valid_partner_list()) {
        check_partner_list(&list, &coalition())?;
    }

    #[test]
    fn random_bytes_as_a_partner_list_are_read_or_refused_on_rows_of_the_list(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_partner_list(&String::from_utf8_lossy(&bytes), &coalition())?;
        let mut list = String::from("organisation,sector\n");
        list.push_str(&String::from_utf8_lossy(&bytes));
        check_partner_list(&list, &coalition())?;
    }

    #[test]
    fn a_partner_list_written_from_its_partners_reads_back_the_same(
        partners in prop::collection::vec(partner(coalition().profile.unwrap().options), 1..12),
    ) {
        let instrument = coalition();
        let read = partners::parse(&write_partner_list(&partners), &instrument);
        prop_assert_eq!(read.as_ref(), Ok(&partners));
    }
}
