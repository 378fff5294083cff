//! The order waves are compared in (design section 3, *Wave order*): an explicit list when one is
//! given, otherwise the natural sort order of the labels, so `wave 2` comes before `wave 10` and
//! `2025-fall` before `2026-spring` whatever order the rows of a file come in.

use std::cmp::Ordering;

use super::{CellKey, Labels, Scorer};

/// How consecutive waves are chosen for comparisons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WaveOrder {
    /// Natural sort order of the labels ([`natural_cmp`]).
    #[default]
    Natural,
    /// Exactly these waves, in this order (`--waves A,B,C`).
    Given(Vec<String>),
    /// The server's rounds in the order they were created: as [`WaveOrder::Given`], except that a
    /// round no row has (one without responses yet) is left out.
    Rounds(Vec<String>),
}

/// Why the waves of the rows cannot be put in the order asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaveOrderError {
    /// The order names waves no row has.
    #[error("the wave order names {} that no row has: {}", plural(.0.len()), list(.0))]
    Absent(Vec<String>),
    /// Rows have waves the order does not name.
    #[error("the rows have {} that the wave order does not name: {} (add {} to the order)", plural(.0.len()), list(.0), if .0.len() == 1 { "it" } else { "them" })]
    Unnamed(Vec<String>),
    /// The order names a wave twice.
    #[error("the wave order names `{0}` twice")]
    Repeated(String),
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "a wave" } else { "waves" }
}

fn list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl WaveOrder {
    /// The labels of `waves` in this order.
    pub fn arrange(&self, waves: &Labels) -> Result<Labels, WaveOrderError> {
        let names = waves.names();
        let ordered = match self {
            WaveOrder::Natural => {
                let mut sorted = names.to_vec();
                sorted.sort_by(|a, b| natural_cmp(a, b));
                sorted
            }
            WaveOrder::Given(order) | WaveOrder::Rounds(order) => {
                for (i, label) in order.iter().enumerate() {
                    if order[..i].contains(label) {
                        return Err(WaveOrderError::Repeated(label.clone()));
                    }
                }
                let absent: Vec<String> = order
                    .iter()
                    .filter(|label| !names.contains(label))
                    .cloned()
                    .collect();
                if !absent.is_empty() && matches!(self, WaveOrder::Given(_)) {
                    return Err(WaveOrderError::Absent(absent));
                }
                let unnamed: Vec<String> = names
                    .iter()
                    .filter(|label| !order.contains(label))
                    .cloned()
                    .collect();
                if !unnamed.is_empty() {
                    return Err(WaveOrderError::Unnamed(unnamed));
                }
                order
                    .iter()
                    .filter(|label| names.contains(label))
                    .cloned()
                    .collect()
            }
        };
        let mut arranged = Labels::default();
        for label in &ordered {
            arranged.intern(label);
        }
        Ok(arranged)
    }

    /// `scorer`, whose cells' waves index `waves`, with its waves in this order: the scorer with
    /// its cells rekeyed, and the labels they now index.
    pub fn apply(
        &self,
        scorer: &Scorer,
        waves: &Labels,
    ) -> Result<(Scorer, Labels), WaveOrderError> {
        let arranged = self.arrange(waves)?;
        let position: Vec<Option<u32>> = waves
            .names()
            .iter()
            .map(|label| arranged.index(label))
            .collect();
        let rekeyed = scorer.rekeyed(|key| {
            Some(CellKey {
                wave: key.wave.and_then(|w| position[w as usize]),
                ..key
            })
        });
        Ok((rekeyed, arranged))
    }
}

/// Natural sort order: runs of digits compare as numbers (`wave 2` < `wave 10`), the rest
/// ignoring case; labels equal that way fall back to plain byte order, so the order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a, b);
    loop {
        match (x.is_empty(), y.is_empty()) {
            (true, true) => return a.cmp(b),
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (run_x, rest_x) = split_run(x);
        let (run_y, rest_y) = split_run(y);
        let ordering = match (is_digits(run_x), is_digits(run_y)) {
            (true, true) => compare_numbers(run_x, run_y),
            // A number sorts before text, as `2` before `a` does in byte order.
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => compare_text(run_x, run_y),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
        (x, y) = (rest_x, rest_y);
    }
}

fn is_digits(run: &str) -> bool {
    run.starts_with(|c: char| c.is_ascii_digit())
}

/// The leading run of `s` (all ASCII digits, or all other characters) and the rest.
fn split_run(s: &str) -> (&str, &str) {
    let digits = is_digits(s);
    let end = s
        .find(|c: char| c.is_ascii_digit() != digits)
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Digit runs as numbers of any length: without leading zeros, the longer is larger.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn compare_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(labels: &[&str]) -> Vec<String> {
        let mut waves = Labels::default();
        for label in labels {
            waves.intern(label);
        }
        WaveOrder::Natural.arrange(&waves).unwrap().names().to_vec()
    }

    #[test]
    fn digit_runs_compare_as_numbers() {
        assert_eq!(
            sorted(&["wave 10", "wave 2", "wave 1"]),
            ["wave 1", "wave 2", "wave 10"]
        );
        assert_eq!(
            sorted(&["2026-spring", "2025-fall", "2024-fall", "2025-spring"]),
            ["2024-fall", "2025-fall", "2025-spring", "2026-spring"]
        );
        assert_eq!(sorted(&["R10", "r9", "R009b"]), ["r9", "R009b", "R10"]);
    }

    #[test]
    fn labels_equal_but_for_case_or_zeros_still_have_an_order() {
        assert_eq!(natural_cmp("Wave 1", "wave 1"), Ordering::Less);
        assert_eq!(natural_cmp("wave 01", "wave 1"), Ordering::Less);
        assert_eq!(natural_cmp("wave 1", "wave 1"), Ordering::Equal);
        let huge = "wave 123456789012345678901234567890";
        assert_eq!(natural_cmp(huge, "wave 99"), Ordering::Greater);
    }

    #[test]
    fn a_given_order_is_kept_and_must_name_every_wave_once() {
        let mut waves = Labels::default();
        for label in ["2026", "2024", "2025"] {
            waves.intern(label);
        }
        let given = |order: &[&str]| {
            WaveOrder::Given(order.iter().map(|s| s.to_string()).collect()).arrange(&waves)
        };
        assert_eq!(
            given(&["2026", "2025", "2024"]).unwrap().names(),
            ["2026", "2025", "2024"]
        );
        assert_eq!(
            given(&["2024", "2025", "2026", "2027"]).unwrap_err(),
            WaveOrderError::Absent(vec!["2027".into()])
        );
        let unnamed = given(&["2024", "2026"]).unwrap_err();
        assert_eq!(unnamed, WaveOrderError::Unnamed(vec!["2025".into()]));
        assert!(unnamed.to_string().contains("`2025`"), "{unnamed}");
        assert_eq!(
            given(&["2024", "2025", "2024", "2026"]).unwrap_err(),
            WaveOrderError::Repeated("2024".into())
        );
    }

    #[test]
    fn the_servers_rounds_leave_out_a_round_without_rows_but_refuse_an_unknown_wave() {
        let mut waves = Labels::default();
        for label in ["spring", "autumn"] {
            waves.intern(label);
        }
        let rounds = |order: &[&str]| {
            WaveOrder::Rounds(order.iter().map(|s| s.to_string()).collect()).arrange(&waves)
        };
        assert_eq!(
            rounds(&["autumn", "winter", "spring"]).unwrap().names(),
            ["autumn", "spring"]
        );
        assert_eq!(
            rounds(&["autumn"]).unwrap_err(),
            WaveOrderError::Unnamed(vec!["spring".into()])
        );
    }

    proptest::proptest! {
        #[test]
        fn natural_order_is_a_total_order(
            a in "[a-c0-9 ]{0,6}", b in "[a-c0-9 ]{0,6}", c in "[a-c0-9 ]{0,6}"
        ) {
            proptest::prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            proptest::prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
            if natural_cmp(&a, &b).is_le() && natural_cmp(&b, &c).is_le() {
                proptest::prop_assert!(natural_cmp(&a, &c).is_le());
            }
        }
    }
}
