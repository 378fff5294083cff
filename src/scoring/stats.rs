//! The statistical formulas of design section 3, as plain functions of plain numbers.
//!
//! Every function returns `None` where a statistic is undefined (too few values, zero spread), so a
//! report can never carry NaN or infinity.

use statrs::distribution::{Continuous, ContinuousCDF, FisherSnedecor, StudentsT};

/// Quantile of Student's t with `df` degrees of freedom, to full double precision.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let dist = StudentsT::new(0.0, 1.0, df).expect("df is positive");
    polish_quantile(&dist, p, dist.inverse_cdf(p))
}

/// Quantile of the F distribution with `df1` and `df2` degrees of freedom, to full double precision.
pub fn f_quantile(p: f64, df1: f64, df2: f64) -> f64 {
    let dist = FisherSnedecor::new(df1, df2).expect("df is positive");
    polish_quantile(&dist, p, dist.inverse_cdf(p))
}

/// Newton steps on the tail nearer to `p`: statrs' inverse (AS 64 and friends) is good to about
/// 1e-9, the reference implementations are good to the last bits, and the reports compare to them.
fn polish_quantile<D: ContinuousCDF<f64, f64> + Continuous<f64, f64>>(
    dist: &D,
    p: f64,
    start: f64,
) -> f64 {
    let mut x = start;
    for _ in 0..4 {
        let density = dist.pdf(x);
        if !(density.is_finite() && density > 0.0) {
            break;
        }
        // Work in the smaller tail, where the probabilities carry their full precision.
        let step = if p > 0.5 {
            (dist.sf(x) - (1.0 - p)) / density
        } else {
            (p - dist.cdf(x)) / density
        };
        if !step.is_finite() {
            break;
        }
        x += step;
        if step.abs() <= 1e-15 * x.abs() {
            break;
        }
    }
    x
}

/// Two-sided p-value of a t statistic.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    let dist = StudentsT::new(0.0, 1.0, df).expect("df is positive");
    (2.0 * dist.sf(t.abs())).min(1.0)
}

/// Describes a set of scores: count, centre, spread and range.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Number of values.
    pub n: u64,
    /// Mean.
    pub mean: Option<f64>,
    /// Standard deviation (denominator n − 1).
    pub sd: Option<f64>,
    /// Standard error of the mean.
    pub se: Option<f64>,
    /// Lower end of the t-based 95 % confidence interval of the mean.
    pub ci_low: Option<f64>,
    /// Upper end of the t-based 95 % confidence interval of the mean.
    pub ci_high: Option<f64>,
    /// Median (mean of the two middle values when n is even).
    pub median: Option<f64>,
    /// Smallest value.
    pub min: Option<f64>,
    /// Largest value.
    pub max: Option<f64>,
}

/// Summarises values given as `(value, count)` pairs sorted by ascending value.
pub fn summarize(sorted: &[(f64, u64)]) -> Summary {
    let n: u64 = sorted.iter().map(|&(_, c)| c).sum();
    if n == 0 {
        return Summary::default();
    }
    let nf = n as f64;
    let mean = match sorted {
        // Exactly the value, as R's refined mean gives it: v·n/n can miss v by a rounding
        // step, and that residue made an sd of 1e-16 and a change with t = 1e15 between two
        // rounds whose every partner answered alike.
        [(v, _)] => *v,
        _ => sorted.iter().map(|&(v, c)| v * c as f64).sum::<f64>() / nf,
    };
    let median = {
        // 1-based ranks of the middle value(s).
        let (lo, hi) = if n % 2 == 1 {
            (n.div_ceil(2), n.div_ceil(2))
        } else {
            (n / 2, n / 2 + 1)
        };
        let mut seen = 0;
        let (mut lo_v, mut hi_v) = (None, None);
        for &(v, c) in sorted {
            seen += c;
            if lo_v.is_none() && seen >= lo {
                lo_v = Some(v);
            }
            if seen >= hi {
                hi_v = Some(v);
                break;
            }
        }
        match (lo_v, hi_v) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            _ => None,
        }
    };
    let mut summary = Summary {
        n,
        mean: Some(mean),
        median,
        min: sorted.first().map(|&(v, _)| v),
        max: sorted.last().map(|&(v, _)| v),
        ..Summary::default()
    };
    if n >= 2 {
        let ss: f64 = sorted
            .iter()
            .map(|&(v, c)| c as f64 * (v - mean) * (v - mean))
            .sum();
        let sd = (ss / (nf - 1.0)).sqrt();
        let se = sd / nf.sqrt();
        let half = t_quantile(0.975, nf - 1.0) * se;
        summary.sd = Some(sd);
        summary.se = Some(se);
        summary.ci_low = Some(mean - half);
        summary.ci_high = Some(mean + half);
    }
    summary
}

/// A covariance matrix of k items (row-major, k × k).
#[derive(Debug, Clone, PartialEq)]
pub struct Covariance {
    k: usize,
    c: Vec<f64>,
}

impl Covariance {
    /// Builds a matrix from its entries, row-major.
    pub fn new(k: usize, entries: Vec<f64>) -> Self {
        assert_eq!(entries.len(), k * k, "a k × k matrix needs k² entries");
        Covariance { k, c: entries }
    }

    /// The pairwise-complete covariance matrix of the columns of `rows` (each pair over the rows
    /// that answered both, denominator n − 1); `None` when a pair has fewer than two joint answers.
    pub fn pairwise(rows: &[Vec<Option<f64>>], k: usize) -> Option<Self> {
        let mut c = vec![0.0; k * k];
        for a in 0..k {
            for b in a..k {
                let joint: Vec<(f64, f64)> =
                    rows.iter().filter_map(|r| Some((r[a]?, r[b]?))).collect();
                if joint.len() < 2 {
                    return None;
                }
                let n = joint.len() as f64;
                let ma = joint.iter().map(|p| p.0).sum::<f64>() / n;
                let mb = joint.iter().map(|p| p.1).sum::<f64>() / n;
                let s: f64 = joint.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum();
                c[a * k + b] = s / (n - 1.0);
                c[b * k + a] = c[a * k + b];
            }
        }
        Some(Covariance { k, c })
    }

    /// Number of items.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Entry (a, b).
    pub fn get(&self, a: usize, b: usize) -> f64 {
        self.c[a * self.k + b]
    }

    /// The matrix of the items at `keep` (in that order).
    pub fn select(&self, keep: &[usize]) -> Covariance {
        let k = keep.len();
        let mut c = Vec::with_capacity(k * k);
        for &a in keep {
            for &b in keep {
                c.push(self.get(a, b));
            }
        }
        Covariance { k, c }
    }

    /// The matrix without item `drop`.
    pub fn without(&self, drop: usize) -> Covariance {
        let keep: Vec<usize> = (0..self.k).filter(|&i| i != drop).collect();
        self.select(&keep)
    }

    fn total(&self) -> f64 {
        self.c.iter().sum()
    }

    /// The sum of the cells' sizes, which says how large a rounding residue `total` can hold.
    fn magnitude(&self) -> f64 {
        self.c.iter().map(|x| x.abs()).sum()
    }

    fn trace(&self) -> f64 {
        (0..self.k).map(|i| self.get(i, i)).sum()
    }
}

/// Cronbach's alpha and its companions for one cell.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Reliability {
    /// Raw alpha from the covariance matrix.
    pub alpha: Option<f64>,
    /// Lower end of the Feldt 95 % interval.
    pub ci_low: Option<f64>,
    /// Upper end of the Feldt 95 % interval.
    pub ci_high: Option<f64>,
    /// Standardized alpha from the average inter-item correlation.
    pub std_alpha: Option<f64>,
    /// Average inter-item correlation of `cov2cor(C)`.
    pub average_r: Option<f64>,
}

/// Raw alpha `k/(k−1) · (1 − trace(C)/ΣC)`; `None` when k < 2 or ΣC ≤ 0.
pub fn raw_alpha(c: &Covariance) -> Option<f64> {
    let k = c.k as f64;
    let total = c.total();
    if c.k < 2 || total.is_nan() || total <= ROUNDING * c.magnitude() {
        return None;
    }
    Some(k / (k - 1.0) * (1.0 - c.trace() / total))
}

/// How close to zero, relative to the sum of its cells' sizes, a sum of covariances counts as
/// zero: covariances that cancel exactly in exact arithmetic leave a residue of a few units in
/// the last place, and dividing by that residue makes an alpha of ±10¹⁶ whose sign depends on
/// the order of the items.
const ROUNDING: f64 = 1e-12;

/// Alpha with Feldt interval, standardized alpha and average r; `rows` is the number of rows of the
/// cell (all of them, answered or not), which the Feldt interval takes as its n.
pub fn reliability(c: &Covariance, rows: u64) -> Reliability {
    let Some(alpha) = raw_alpha(c).filter(|_| rows >= 2) else {
        return Reliability::default();
    };
    let k = c.k as f64;
    let n = rows as f64;
    let (df1, df2) = (n - 1.0, (n - 1.0) * (k - 1.0));
    let mut out = Reliability {
        alpha: Some(alpha),
        ci_low: Some(1.0 - (1.0 - alpha) * f_quantile(0.975, df1, df2)),
        ci_high: Some(1.0 - (1.0 - alpha) * f_quantile(0.025, df1, df2)),
        ..Reliability::default()
    };
    let sd: Vec<f64> = (0..c.k).map(|i| c.get(i, i).sqrt()).collect();
    if sd.iter().all(|&s| s > 0.0) {
        let mut total_r = 0.0;
        for a in 0..c.k {
            for b in 0..c.k {
                total_r += c.get(a, b) / (sd[a] * sd[b]);
            }
        }
        let r = (total_r - k) / (k * (k - 1.0));
        out.average_r = Some(r);
        out.std_alpha = Some(k * r / (1.0 + (k - 1.0) * r));
    }
    out
}

/// Corrected item-total correlation of item `i` (psych's `r.drop`).
pub fn r_drop(c: &Covariance, i: usize) -> Option<f64> {
    if c.k < 2 {
        return None;
    }
    let column: f64 = (0..c.k).map(|b| c.get(i, b)).sum();
    let rest = c.without(i).total();
    let denominator = (c.get(i, i) * rest).sqrt();
    let r = (column - c.get(i, i)) / denominator;
    (denominator > 0.0 && r.is_finite()).then_some(r)
}

/// Alpha of the matrix without item `i`; `None` when k ≤ 2.
pub fn alpha_if_deleted(c: &Covariance, i: usize) -> Option<f64> {
    if c.k <= 2 {
        return None;
    }
    raw_alpha(&c.without(i))
}

/// Within-group agreement rwg(j) from the J item variances of the complete members of a group,
/// with the null (uniform) variance of an A-point scale.
pub fn rwg_j(item_variances: &[f64], points: u32) -> Option<f64> {
    if item_variances.is_empty() || points < 2 {
        return None;
    }
    let j = item_variances.len() as f64;
    let null = (f64::from(points).powi(2) - 1.0) / 12.0;
    let s = (item_variances.iter().sum::<f64>() / j).min(null);
    let ratio = s / null;
    Some(j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio))
}

/// Count, mean and variance of one side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Variance (denominator n − 1).
    pub var: f64,
}

/// Welch's unequal-variance t-test of `to` against `from`, with Cohen's d on the pooled sd.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// `mean_to − mean_from`.
    pub mean_diff: Option<f64>,
    /// Welch's t.
    pub t: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Cohen's d with the pooled standard deviation.
    pub cohens_d: Option<f64>,
}

/// Compares two sides; statistics are `None` when a side has n < 2 or there is no spread.
pub fn change(from: Moments, to: Moments) -> Change {
    let mut out = Change::default();
    if from.n == 0 || to.n == 0 {
        return out;
    }
    let diff = to.mean - from.mean;
    out.mean_diff = Some(diff);
    if from.n < 2 || to.n < 2 {
        return out;
    }
    let (n1, n2) = (to.n as f64, from.n as f64);
    let (q1, q2) = (to.var / n1, from.var / n2);
    let se2 = q1 + q2;
    if se2 > 0.0 {
        let t = diff / se2.sqrt();
        let df = se2 * se2 / (q1 * q1 / (n1 - 1.0) + q2 * q2 / (n2 - 1.0));
        out.t = Some(t);
        out.df = Some(df);
        out.p = Some(t_two_sided_p(t, df));
    }
    let pooled = (((n1 - 1.0) * to.var + (n2 - 1.0) * from.var) / (n1 + n2 - 2.0)).sqrt();
    if pooled > 0.0 {
        out.cohens_d = Some(diff / pooled);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn everyone_scoring_alike_has_no_spread_and_no_test_of_change() {
        let third = 25.0 / 9.0;
        assert_ne!(third * 3.0 / 3.0, third, "a value whose mean rounds");
        let summary = summarize(&[(third, 3)]);
        assert_eq!((summary.mean, summary.sd), (Some(third), Some(0.0)));
        let moments = |mean: f64| Moments {
            n: 3,
            mean,
            var: 0.0,
        };
        let change = change(moments(third), moments(third + 1.0));
        assert_eq!(change.mean_diff, Some(third + 1.0 - third));
        assert_eq!((change.t, change.p, change.cohens_d), (None, None, None));
    }

    #[test]
    fn covariances_that_cancel_give_no_alpha_in_any_item_order() {
        // Found by the item-order property: ΣC is 0 in exact arithmetic, and its rounding
        // residue (about 1e-15, of either sign) made alphas of ±1e16.
        let rows = [
            [Some(4.0), None, Some(2.0), Some(5.0), Some(1.0)],
            [Some(4.0), Some(4.0), Some(3.0), Some(1.0), Some(1.0)],
            [None, Some(1.0), Some(4.0), None, None],
            [Some(1.0), Some(2.0), Some(5.0), Some(5.0), Some(2.0)],
        ];
        for order in [[0, 1, 2, 3, 4], [1, 0, 2, 4, 3]] {
            let permuted: Vec<Vec<Option<f64>>> = rows
                .iter()
                .map(|row| order.iter().map(|&i| row[i]).collect())
                .collect();
            let c = Covariance::pairwise(&permuted, 5).expect("every pair has two answers");
            assert_eq!(raw_alpha(&c), None, "order {order:?}");
        }
    }

    // Reference quantiles from scipy 1.17.1: stats.t.ppf / stats.f.ppf, printed with repr().
    #[test]
    fn t_quantiles_match_scipy_to_full_precision() {
        assert!(close(t_quantile(0.975, 1.0), 12.706204736174694, 1e-13));
        assert!(close(t_quantile(0.975, 4.0), 2.7764451051977934, 1e-13));
        assert!(close(t_quantile(0.975, 29.0), 2.045229642132703, 1e-13));
        // statrs' incomplete beta loses digits at a = df/2 = 5e5: its raw inverse is off by 2e-5
        // there, the polished one by 6e-11, inside the 1e-9 the reports promise.
        assert!(close(
            t_quantile(0.975, 999_999.0),
            1.9599663568164791,
            1e-10
        ));
    }

    #[test]
    fn f_quantiles_match_scipy_to_full_precision() {
        assert!(close(
            f_quantile(0.975, 9.0, 36.0),
            2.4922445088916096,
            1e-12
        ));
        assert!(close(
            f_quantile(0.025, 9.0, 36.0),
            0.2837749786956962,
            1e-12
        ));
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        let s = summarize(&[(1.0, 1), (2.0, 1), (4.0, 1), (10.0, 1)]);
        assert_eq!(s.median, Some(3.0));
        let s = summarize(&[(1.0, 2), (3.0, 1)]);
        assert_eq!(s.median, Some(1.0));
    }

    #[test]
    fn one_value_has_a_mean_but_no_spread() {
        let s = summarize(&[(3.5, 1)]);
        assert_eq!((s.n, s.mean, s.median), (1, Some(3.5), Some(3.5)));
        assert_eq!((s.sd, s.se, s.ci_low, s.ci_high), (None, None, None, None));
    }

    #[test]
    fn no_values_give_an_empty_summary() {
        assert_eq!(summarize(&[]), Summary::default());
    }

    #[test]
    fn alpha_keeps_zero_variance_items_but_blanks_standardized_alpha() {
        // Item 3 never varies: k stays 3, cov2cor is undefined.
        let c = Covariance::new(3, vec![1.0, 0.5, 0.0, 0.5, 1.0, 0.0, 0.0, 0.0, 0.0]);
        let r = reliability(&c, 10);
        assert!(close(r.alpha.unwrap(), 1.5 * (1.0 - 2.0 / 3.0), 1e-15));
        assert_eq!((r.std_alpha, r.average_r), (None, None));
    }

    #[test]
    fn alpha_is_blank_for_one_item_or_one_row_or_no_total_variance() {
        assert_eq!(
            reliability(&Covariance::new(1, vec![2.0]), 10),
            Reliability::default()
        );
        let c = Covariance::new(2, vec![1.0, 0.5, 0.5, 1.0]);
        assert_eq!(reliability(&c, 1), Reliability::default());
        let flat = Covariance::new(2, vec![0.0; 4]);
        assert_eq!(reliability(&flat, 10), Reliability::default());
    }

    #[test]
    fn rwg_is_one_for_perfect_agreement_and_zero_at_or_beyond_the_null_variance() {
        assert_eq!(rwg_j(&[0.0, 0.0, 0.0], 5), Some(1.0));
        assert_eq!(rwg_j(&[2.0, 2.0], 5), Some(0.0));
        assert_eq!(rwg_j(&[9.0, 9.0], 5), Some(0.0));
        // J = 1, S = 1 on a 5-point scale: 1 − 1/2.
        assert!(close(rwg_j(&[1.0], 5).unwrap(), 0.5, 1e-15));
    }

    #[test]
    fn change_is_blank_without_spread_or_with_a_single_value() {
        let flat = Moments {
            n: 3,
            mean: 2.0,
            var: 0.0,
        };
        let c = change(
            flat,
            Moments {
                n: 4,
                mean: 3.0,
                var: 0.0,
            },
        );
        assert_eq!(c.mean_diff, Some(1.0));
        assert_eq!((c.t, c.df, c.p, c.cohens_d), (None, None, None, None));
        let c = change(
            flat,
            Moments {
                n: 1,
                mean: 3.0,
                var: 0.0,
            },
        );
        assert_eq!((c.mean_diff, c.t), (Some(1.0), None));
    }

    #[test]
    fn welch_matches_scipy() {
        // scipy.stats.ttest_ind([3,4,5,6], [1,2,2,3,5], equal_var=False)
        let to = Moments {
            n: 4,
            mean: 4.5,
            var: 5.0 / 3.0,
        };
        let from = Moments {
            n: 5,
            mean: 2.6,
            var: 2.3,
        };
        let c = change(from, to);
        assert!(close(c.t.unwrap(), 2.0292537353503777, 1e-12));
        assert!(close(c.df.unwrap(), 6.938177076367527, 1e-12));
        assert!(close(c.p.unwrap(), 0.08236384112670372, 1e-12));
    }
}
