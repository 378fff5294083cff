//! What the meeting report adds to the dashboard's figures: the factors sorted into the
//! instrument's bands, strongest band first, so a coalition sees its strengths and concerns at
//! a glance; and the sectors' means of every dimension in one table, to fit on paper. Only
//! published figures take part: a suppressed factor is in no band, and a suppressed sector cell
//! shows only its size.

use crate::instrument::Instrument;
use crate::report::dashboard::{ItemRow, SectorTable, two};
use crate::scoring::Results;

/// One band and the factors whose published mean falls in it.
#[derive(Debug, Clone, PartialEq)]
pub struct BandGroup {
    /// The band's label, e.g. "Strength".
    pub label: String,
    /// What the band means, from the instrument; may be empty.
    pub description: String,
    /// Its factors, highest mean first.
    pub factors: Vec<FactorLine>,
}

/// A factor in a band.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorLine {
    /// The factor's title.
    pub title: String,
    /// Its dimension's title.
    pub dimension: String,
    /// Its mean, to two decimals.
    pub mean: String,
}

/// Every band of `instrument` (top band first) with the factors `results` place in it; bands
/// that no factor falls in are left out.
pub fn factors_by_band(instrument: &Instrument, results: &Results) -> Vec<BandGroup> {
    let mut placed: Vec<(usize, f64, FactorLine)> = instrument
        .factors
        .iter()
        .zip(&results.factors)
        .filter_map(|(factor, reported)| {
            let stats = reported.shown()?;
            let band = stats.band?;
            let mean = stats.summary.mean?;
            Some((
                band,
                mean,
                FactorLine {
                    title: instrument.texts().factor_title(factor).to_string(),
                    dimension: instrument
                        .texts()
                        .dimension_title(&instrument.dimensions[factor.dimension])
                        .to_string(),
                    mean: two(Some(mean)),
                },
            ))
        })
        .collect();
    placed.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    instrument
        .bands
        .iter()
        .enumerate()
        .filter_map(|(index, band)| {
            let factors: Vec<FactorLine> = placed
                .iter()
                .filter(|(b, _, _)| *b == index)
                .map(|(_, _, line)| line.clone())
                .collect();
            (!factors.is_empty()).then(|| BandGroup {
                label: instrument.texts().band_label(band).to_string(),
                description: instrument
                    .texts()
                    .band_description(band)
                    .unwrap_or_default()
                    .to_string(),
                factors,
            })
        })
        .collect()
}

/// The sectors' means of every dimension: one row per sector, one column per dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorMatrix {
    /// The dimensions' titles, the columns.
    pub dimensions: Vec<String>,
    /// One row per sector, in the breakdown's order.
    pub rows: Vec<SectorLine>,
}

/// A sector's means.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorLine {
    /// The sector.
    pub sector: String,
    /// Per dimension: the cell, or `None` where the breakdown has no such sector.
    pub cells: Vec<Option<SectorCell>>,
}

/// One sector's figure of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorCell {
    /// Respondents with a score, shown either way.
    pub n: u64,
    /// The mean to two decimals; `None` where the cell is suppressed.
    pub mean: Option<String>,
    /// Its band's label (empty when suppressed).
    pub band: String,
}

/// The dashboard's per-dimension sector tables as one matrix; sectors in the order they first
/// appear.
pub fn sector_matrix(tables: &[SectorTable]) -> SectorMatrix {
    let mut sectors: Vec<&str> = Vec::new();
    for row in tables.iter().flat_map(|t| &t.rows) {
        if !sectors.contains(&row.sector.as_str()) {
            sectors.push(&row.sector);
        }
    }
    let rows = sectors
        .iter()
        .map(|&sector| SectorLine {
            sector: sector.to_string(),
            cells: tables
                .iter()
                .map(|table| {
                    let row = table.rows.iter().find(|r| r.sector == sector)?;
                    Some(SectorCell {
                        n: row.n,
                        mean: (!row.suppressed).then(|| row.mean.clone()),
                        band: row.band.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    SectorMatrix {
        dimensions: tables.iter().map(|t| t.title.clone()).collect(),
        rows,
    }
}

/// The statements grouped under their dimensions, in the instrument's order: consecutive
/// statements of one dimension form one group.
pub fn statements_by_dimension(items: &[ItemRow]) -> Vec<(String, Vec<ItemRow>)> {
    let mut groups: Vec<(String, Vec<ItemRow>)> = Vec::new();
    for item in items {
        match groups.last_mut() {
            Some((dimension, rows)) if *dimension == item.dimension => rows.push(item.clone()),
            _ => groups.push((item.dimension.clone(), vec![item.clone()])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::load_str;
    use crate::scoring::{Options, one_cell};

    /// Three factors in two dimensions, on 1..5 with three bands.
    const INSTRUMENT: &str = r#"
id = "bands"
version = "1"
title = "Bands"
description = "Three factors in two dimensions."

[scales.agree5]
values = [1, 2, 3, 4, 5]
labels = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]

[[dimensions]]
id = "trust"
title = "Trust"

[[dimensions]]
id = "governance"
title = "Governance"

[[factors]]
id = "respect"
dimension = "trust"
title = "Respect"

[[factors]]
id = "candour"
dimension = "trust"
title = "Candour"

[[factors]]
id = "roles"
dimension = "governance"
title = "Roles"

[[items]]
id = "r1"
text = "We respect each other."
scale = "agree5"
factor = "respect"

[[items]]
id = "c1"
text = "We speak openly."
scale = "agree5"
factor = "candour"

[[items]]
id = "g1"
text = "Roles are clear."
scale = "agree5"
factor = "roles"

[[bands]]
label = "Strength"
min = 4.0
description = "Keep it up."

[[bands]]
label = "Borderline"
min = 3.0

[[bands]]
label = "Concern"
min = 1.0
description = "Talk about it."
"#;

    fn instrument() -> Instrument {
        load_str("bands.toml", INSTRUMENT).expect("the instrument loads")
    }

    /// The statistics of `rows` (answers to r1, c1, g1), everyone in one cell.
    fn results(rows: &[[i16; 3]]) -> Results {
        let rows: Vec<_> = rows.iter().map(|row| row.map(Some)).collect();
        one_cell(&instrument(), &rows, &Options::default())
    }

    #[test]
    fn factors_are_listed_under_their_band_strongest_band_and_highest_mean_first() {
        // Means: respect 4.33, candour 2.0, roles 4.67.
        let results = results(&[[5, 2, 5], [4, 2, 4], [4, 2, 5]]);
        let groups = factors_by_band(&instrument(), &results);
        let summary: Vec<(&str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.label.as_str(),
                    g.factors.iter().map(|f| f.title.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Strength", vec!["Roles", "Respect"]),
                ("Concern", vec!["Candour"])
            ]
        );
        assert_eq!(groups[0].factors[0].dimension, "Governance");
        assert_eq!(groups[0].factors[0].mean, "4.67");
        assert_eq!(groups[1].description, "Talk about it.");
    }

    #[test]
    fn a_suppressed_factor_is_in_no_band() {
        // Two respondents: below the threshold of 3, every factor is withheld.
        let results = results(&[[5, 2, 5], [4, 2, 4]]);
        assert!(factors_by_band(&instrument(), &results).is_empty());
    }

    #[test]
    fn the_sector_tables_become_one_matrix_and_a_suppressed_cell_keeps_only_its_size() {
        use crate::report::dashboard::SectorRow;
        let row = |sector: &str, n: u64, mean: &str, suppressed: bool| SectorRow {
            sector: sector.into(),
            n,
            mean: mean.into(),
            ci: String::new(),
            rwg: String::new(),
            band: if suppressed {
                String::new()
            } else {
                "Strength".into()
            },
            suppressed,
        };
        let table = |title: &str, rows: Vec<SectorRow>| SectorTable {
            title: title.into(),
            rows,
            chart: String::new(),
        };
        let matrix = sector_matrix(&[
            table(
                "Trust",
                vec![
                    row("business", 7, "4.10", false),
                    row("health", 2, "", true),
                ],
            ),
            table("Governance", vec![row("business", 7, "4.30", false)]),
        ]);
        assert_eq!(matrix.dimensions, ["Trust", "Governance"]);
        let business = &matrix.rows[0];
        assert_eq!(business.sector, "business");
        let means: Vec<Option<&str>> = business
            .cells
            .iter()
            .map(|c| c.as_ref().and_then(|c| c.mean.as_deref()))
            .collect();
        assert_eq!(means, [Some("4.10"), Some("4.30")]);
        let health = &matrix.rows[1];
        let trust = health.cells[0].as_ref().expect("health has a trust cell");
        assert_eq!((trust.n, trust.mean.as_deref()), (2, None));
        assert_eq!(health.cells[1], None);
    }
}
