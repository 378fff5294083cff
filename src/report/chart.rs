//! Server-rendered SVG charts: means with their 95 % confidence intervals on the scale, with the
//! interpretation bands marked. Every number is also written as text, shapes carry the meaning
//! (a dot for the mean, a bar with end caps for the interval, labelled band lines), so the chart
//! reads in greyscale, when printed and with a screen reader (`<title>` and `<desc>`).

use std::fmt::Write;

/// One row of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRow {
    /// Row label, e.g. a dimension title or a sector.
    pub label: String,
    /// Mean, if there is one to show (absent when suppressed or no scores).
    pub mean: Option<f64>,
    /// Lower end of the interval.
    pub ci_low: Option<f64>,
    /// Upper end of the interval.
    pub ci_high: Option<f64>,
    /// Text shown at the right, e.g. "3.72 (3.58–3.86) · Borderline · n = 41".
    pub note: String,
}

/// A band line to draw: its lower bound and label.
#[derive(Debug, Clone, PartialEq)]
pub struct BandMark {
    /// Lower bound on the scale.
    pub min: f64,
    /// Label, e.g. "Strength".
    pub label: String,
}

const LABEL_WIDTH: f64 = 190.0;
const PLOT_WIDTH: f64 = 360.0;
const NOTE_WIDTH: f64 = 330.0;
const ROW_HEIGHT: f64 = 34.0;
/// Room above the rows for the band labels, which alternate between two lines so neighbouring
/// bands' labels never overlap.
const TOP: f64 = 48.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Draws `rows` on a scale from `min` to `max`, titled `title`. `id` must be unique on the page:
/// it names the chart's `<title>` and `<desc>` for screen readers.
pub fn interval_chart(
    id: &str,
    title: &str,
    rows: &[ChartRow],
    min: f64,
    max: f64,
    bands: &[BandMark],
) -> String {
    let height = TOP + ROW_HEIGHT * rows.len() as f64 + 30.0;
    let width = LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH;
    let x = |v: f64| LABEL_WIDTH + (v.clamp(min, max) - min) / (max - min) * PLOT_WIDTH;
    let mut svg = String::new();
    let description: Vec<String> = rows
        .iter()
        .map(|r| format!("{}: {}", r.label, r.note))
        .collect();
    // `write!` to a String cannot fail.
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" class="chart" font-family="system-ui, sans-serif" font-size="13"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(&description.join("; "))
    );
    let bottom = TOP + ROW_HEIGHT * rows.len() as f64;
    for (i, band) in bands
        .iter()
        .filter(|b| b.min > min && b.min < max)
        .enumerate()
    {
        let bx = x(band.min);
        let _ = write!(
            svg,
            r##"<line x1="{bx}" y1="{}" x2="{bx}" y2="{bottom}" stroke="#767676" stroke-dasharray="4 3"/><text x="{bx}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
            TOP - 14.0,
            TOP - 18.0 - 14.0 * (i % 2) as f64,
            escape(&format!("{} ≥ {}", band.label, band.min))
        );
    }
    let mut tick = min.ceil();
    while tick <= max {
        let tx = x(tick);
        let _ = write!(
            svg,
            r##"<line x1="{tx}" y1="{bottom}" x2="{tx}" y2="{}" stroke="#333"/><text x="{tx}" y="{}" text-anchor="middle" fill="#333">{tick}</text>"##,
            bottom + 5.0,
            bottom + 20.0
        );
        tick += 1.0;
    }
    let _ = write!(
        svg,
        r##"<line x1="{LABEL_WIDTH}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##,
        LABEL_WIDTH + PLOT_WIDTH
    );
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * (i as f64 + 0.5);
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" fill="#111">{}</text>"##,
            LABEL_WIDTH - 10.0,
            y + 4.0,
            escape(&row.label)
        );
        if let (Some(lo), Some(hi)) = (row.ci_low, row.ci_high) {
            let (x1, x2) = (x(lo), x(hi));
            let _ = write!(
                svg,
                r##"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="#111" stroke-width="2"/><line x1="{x1}" y1="{}" x2="{x1}" y2="{}" stroke="#111" stroke-width="2"/><line x1="{x2}" y1="{}" x2="{x2}" y2="{}" stroke="#111" stroke-width="2"/>"##,
                y - 6.0,
                y + 6.0,
                y - 6.0,
                y + 6.0
            );
        }
        if let Some(mean) = row.mean {
            let _ = write!(
                svg,
                r##"<circle cx="{}" cy="{y}" r="6" fill="#1d4f91" stroke="#fff" stroke-width="1.5"/>"##,
                x(mean)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" fill="#111">{}</text>"##,
            LABEL_WIDTH + PLOT_WIDTH + 14.0,
            y + 4.0,
            escape(&row.note)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, mean: Option<f64>) -> ChartRow {
        ChartRow {
            label: label.into(),
            mean,
            ci_low: mean.map(|m| m - 0.2),
            ci_high: mean.map(|m| m + 0.2),
            note: "3.50 (3.30–3.70)".into(),
        }
    }

    #[test]
    fn chart_carries_every_number_as_text_and_escapes_labels() {
        let bands = [BandMark {
            min: 4.0,
            label: "Strength".into(),
        }];
        let svg = interval_chart(
            "chart-scores",
            "Scores",
            &[row("Trust & <b>", Some(3.5)), row("Small group", None)],
            1.0,
            5.0,
            &bands,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Trust &amp; &lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("3.50 (3.30–3.70)"));
        assert!(svg.contains("Strength ≥ 4"));
        assert!(svg.contains("<title id=\"chart-scores-title\">Scores</title>"));
        assert!(svg.contains("aria-labelledby=\"chart-scores-title chart-scores-desc\""));
        // One mean dot: the suppressed row draws none.
        assert_eq!(svg.matches("<circle").count(), 1);
    }
}
