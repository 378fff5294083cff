//! Which cells of a breakdown may be published (design section 3, small-cell suppression).
//!
//! Publishing a cell's statistics publishes the sum of its members' scores. Any cell below the
//! threshold is withheld (primary suppression), and so is any cell whose publication would leave
//! fewer than the threshold respondents unaccounted for: the overall sum minus the published cells'
//! sums would otherwise be the sum, and with one respondent the score, of those few
//! (complementary suppression).

/// The cells of one breakdown of one dimension or factor that may be published.
///
/// `sizes` holds each cell's `n` (respondents with a score) and its label; `total` is the overall
/// `n`, which also counts respondents in no cell. A cell is published when it has at least
/// `threshold` respondents and the respondents of unpublished cells number 0 or at least the
/// threshold. Where they would not, the smallest published cell (on a tie, the label that sorts
/// first) is withheld too, until they do.
pub fn published(sizes: &[(u64, &str)], total: u64, threshold: u64) -> Vec<bool> {
    let mut shown: Vec<bool> = sizes.iter().map(|&(n, _)| n >= threshold).collect();
    loop {
        let covered: u64 = sizes
            .iter()
            .zip(&shown)
            .filter(|(_, shown)| **shown)
            .map(|(&(n, _), _)| n)
            .sum();
        let rest = total.saturating_sub(covered);
        if rest == 0 || rest >= threshold {
            return shown;
        }
        let smallest = (0..sizes.len())
            .filter(|&i| shown[i])
            .min_by(|&a, &b| sizes[a].cmp(&sizes[b]));
        match smallest {
            Some(i) => shown[i] = false,
            // Nothing left to withhold: the total itself is small, and the overall row says so.
            None => return shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::published;

    #[test]
    fn a_lone_small_cell_takes_the_smallest_other_cell_with_it() {
        // Health 4, education 4, government 1: hiding government alone leaves 9 − 4 − 4 = 1.
        let cells = [(4, "health"), (4, "education"), (1, "government")];
        assert_eq!(published(&cells, 9, 3), [true, false, false]);
    }

    #[test]
    fn respondents_without_a_group_count_as_unpublished() {
        // Two respondents without a sector would be the difference between the total and the cells.
        assert_eq!(published(&[(5, "a"), (4, "b")], 11, 3), [true, false]);
        assert_eq!(published(&[(5, "a"), (4, "b")], 12, 3), [true, true]);
    }

    #[test]
    fn withholding_repeats_until_the_remainder_is_large_enough() {
        // Withholding `d` leaves 1 unpublished; withholding `b` too (of the two cells of 3, the
        // label that sorts first) leaves 4.
        let cells = [(6, "a"), (3, "c"), (3, "b"), (1, "d")];
        assert_eq!(published(&cells, 13, 3), [true, true, false, false]);
        let cells = [(3, "c"), (3, "b"), (2, "d")];
        assert_eq!(published(&cells, 8, 3), [true, false, false]);
    }

    #[test]
    fn a_complete_partition_publishes_every_large_cell() {
        assert_eq!(published(&[(3, "a"), (3, "b")], 6, 3), [true, true]);
        assert_eq!(published(&[(0, "a"), (3, "b")], 3, 3), [false, true]);
    }

    #[test]
    fn a_small_total_publishes_nothing() {
        assert_eq!(published(&[(1, "a"), (1, "b")], 2, 3), [false, false]);
        assert_eq!(published(&[], 2, 3), Vec::<bool>::new());
    }
}
