//! The demo partnership of `partnerscope serve --demo`, as the benchmarks of its pages find it.

use partnerscope::store::{Store, Visible};

/// The largest round of the demo partnership, by submitted responses: its id and that count.
pub async fn largest_demo_round(store: &dyn Store) -> (i64, usize) {
    let mut largest = (0, 0);
    let partnerships = store.partnerships(Visible::All).await.unwrap();
    for partnership in partnerships
        .iter()
        .filter(|p| p.name == partnerscope::demo::PARTNERSHIP)
    {
        for round in store.rounds(partnership.id).await.unwrap() {
            let submitted = store
                .responses(round.id)
                .await
                .unwrap()
                .iter()
                .filter(|r| r.submitted_at.is_some())
                .count();
            if submitted > largest.1 {
                largest = (round.id, submitted);
            }
        }
    }
    largest
}
