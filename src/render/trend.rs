//! The scorecard trend, drawn at build time as SVG: per level, the share of a card's entities
//! at that level or above, one line per level over the rows of the history; a dashed line
//! marks the builds whose rules changed (not movement of the entities).

use crate::html::escape;
use crate::scorecards::Rules;
use crate::scorecards::history::History;

const W: f64 = 640.0;
const H: f64 = 160.0;
const PAD: f64 = 28.0;

/// The chart of card `card` (empty when the history has no row of it).
pub fn svg(history: &History, rules: &Rules, card: &str) -> String {
    let rows: Vec<(usize, &crate::scorecards::history::CardRow, &str, &str)> = history
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.cards.get(card).map(|c| (i, c, r.rules.as_str(), r.date.as_str())))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let n = rows.len();
    let x = |i: usize| if n == 1 { W / 2.0 } else { PAD + (W - 2.0 * PAD) * i as f64 / (n - 1) as f64 };
    let y = |share: f64| H - PAD - (H - 2.0 * PAD) * share;
    let mut out = format!(
        r#"<svg class="trend" viewBox="0 0 {W} {H}" role="img" aria-label="Levels of {} over {n} builds" xmlns="http://www.w3.org/2000/svg">"#,
        escape(card)
    );
    for (share, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        out.push_str(&format!(
            r#"<line class="grid" x1="{PAD}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="2" y="{:.1}">{label}</text>"#,
            W - PAD,
            y(share) + 4.0,
            y = y(share)
        ));
    }
    for (i, w) in rows.windows(2).enumerate() {
        if w[0].2 != w[1].2 {
            let at = x(i + 1);
            out.push_str(&format!(
                r#"<line class="rules-changed" x1="{at:.1}" x2="{at:.1}" y1="{PAD}" y2="{}"><title>rules changed on {}</title></line>"#,
                H - PAD,
                escape(w[1].3)
            ));
        }
    }
    for (l, level) in rules.levels.iter().enumerate() {
        let points: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (_, c, _, _))| {
                let total: usize = c.levels.values().sum();
                let at_or_above: usize = rules.levels[l..].iter().filter_map(|name| c.levels.get(name)).sum();
                let share = if total == 0 { 0.0 } else { at_or_above as f64 / total as f64 };
                format!("{:.1},{:.1}", x(i), y(share))
            })
            .collect();
        let class = format!("level-line rank-{}", l + 1);
        if n == 1 {
            let (px, py) = points[0].split_once(',').unwrap_or(("0", "0"));
            out.push_str(&format!(
                r#"<circle class="{class}" cx="{px}" cy="{py}" r="3"><title>{} or above</title></circle>"#,
                escape(level)
            ));
        } else {
            out.push_str(&format!(
                r#"<polyline class="{class}" fill="none" points="{}"><title>{} or above</title></polyline>"#,
                points.join(" "),
                escape(level)
            ));
        }
    }
    let (first, last) = (rows[0].3, rows[n - 1].3);
    out.push_str(&format!(
        r#"<text class="axis" x="{PAD}" y="{}">{}</text><text class="axis" x="{}" y="{}" text-anchor="end">{}</text></svg>"#,
        H - 8.0,
        escape(first),
        W - PAD,
        H - 8.0,
        escape(last)
    ));
    out
}
