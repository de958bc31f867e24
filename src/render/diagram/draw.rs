//! Writing a [`Layout`] as SVG: frames, captions, edges with their arrows and labels, boxes.

use std::fmt::Write as _;

use super::*;

pub(super) fn render(l: &Layout) -> String {
    let p = &l.prefix;
    let (w, h) = (num(l.width), num(l.height));
    // Shrinks to its container down to 80 % (text at 10 px and more); a container that is
    // narrower still scrolls it (`.dg-scroll`), so it stays readable on a phone.
    let min_w = num(l.width * 0.8);
    // `img` makes its children presentational, which would hide the links from assistive
    // technology; a diagram with links is a labelled group instead.
    let linked = l.boxes.iter().any(|b| href(b).is_some());
    let role = if linked { "group" } else { "img" };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="dg" role="{role}" aria-labelledby="{p}-title" aria-describedby="{p}-desc" viewBox="0 0 {w} {h}" width="{w}" height="{h}" style="max-width:100%;min-width:{min_w}px;height:auto" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="13" fill="currentColor">"#
    );
    let _ = write!(s, r#"<title id="{p}-title">{}</title><desc id="{p}-desc">{}</desc>"#, esc(&l.title), esc(&l.desc));
    let _ = write!(
        s,
        r#"<defs><marker id="{p}-arrow" class="dg-marker" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1L10,5L0,9z"/></marker></defs>"#
    );
    s.push_str(r#"<g class="dg-frames" aria-hidden="true">"#);
    for &(x, y, fw, fh) in &l.frames {
        let _ = write!(s, r#"<rect class="dg-frame" {} rx="8" fill="none"/>"#, area(x, y, fw, fh));
    }
    for c in &l.captions {
        let _ = write!(s, r#"<text class="dg-group-label" x="{}" y="{}">{}</text>"#, num(c.x), num(c.y), esc(&c.text));
    }
    // Stroke, fill and arrow head are inherited from the group: written once, not per edge.
    let _ = write!(
        s,
        r#"</g><g class="dg-edges" aria-hidden="true" fill="none" stroke="currentColor" marker-end="url(#{p}-arrow)">"#
    );
    for e in &l.edges {
        let (a, b) = (&l.boxes[e.from], &l.boxes[e.to]);
        let missing = [a, b].iter().any(|b| b.role == Role::Plain && b.node.url.is_none());
        let (class, dash) =
            if missing { ("dg-edge dg-edge-missing", r#" stroke-dasharray="5 3""#) } else { ("dg-edge", "") };
        let mut d = format!("M{},{}", num(e.points[0].0), num(e.points[0].1));
        for (k, (x, y)) in e.points[1..].iter().enumerate() {
            let _ = write!(d, "{}{},{}", if k % 3 == 0 { "C" } else { " " }, num(*x), num(*y));
        }
        let _ = write!(
            s,
            r#"<g class="{class}" data-rel="{}"><title>{} {} {}</title><path d="{d}"{dash}/>"#,
            esc(&e.relation),
            esc(&a.node.label),
            esc(&e.text),
            esc(&b.node.label)
        );
        if let Some((x, y)) = e.label {
            let (x, y, text) = (num(x), num(y), esc(&e.text));
            let _ = write!(
                s,
                r#"<text class="dg-edge-label" x="{x}" y="{y}" text-anchor="middle" fill="currentColor" stroke="none">{text}</text>"#
            );
        }
        s.push_str("</g>");
    }
    s.push_str(r#"</g><g class="dg-nodes">"#);
    for b in &l.boxes {
        render_node(&mut s, b);
    }
    s.push_str("</g></svg>");
    s
}

fn render_node(s: &mut String, b: &Placed) {
    let n = &b.node;
    let kind = sanitize(&n.kind);
    let kind = if kind.is_empty() { "other".to_owned() } else { kind };
    let role = match b.role {
        Role::Center => " dg-center",
        Role::More => " dg-more",
        Role::Plain if n.url.is_none() => " dg-missing",
        Role::Plain => "",
    };
    let _ = write!(s, r#"<g class="dg-node dg-kind-{kind}{role}">"#);
    let link = href(b);
    let name = if n.kind.is_empty() { n.label.clone() } else { format!("{} ({})", n.label, n.kind) };
    if let Some(url) = link {
        let _ = write!(s, r#"<a href="{}" aria-label="{}">"#, esc(url), esc(&name));
    }
    let title = if n.id.is_empty() || b.role == Role::More { name } else { format!("{name}, {}", n.id) };
    let _ = write!(s, "<title>{}</title>", esc(&title));
    let dash = if role == " dg-missing" { r#" stroke-dasharray="5 3""# } else { "" };
    let _ = write!(s, r#"<rect {} rx="6" fill="transparent" stroke="currentColor"{dash}/>"#, area(b.x, b.y, b.w, b.h));
    // Text sits in a nested viewport that clips it to the box should a font run wider than the
    // estimate; coordinates inside are relative to the box.
    let _ = write!(s, r#"<svg {} overflow="hidden">"#, area(b.x, b.y, b.w - 3.0, b.h));
    let (x, inner) = (num(PAD_X), b.w - 2.0 * PAD_X);
    let top = (b.h - node_size(n, b.role).1) / 2.0;
    if b.role == Role::More {
        let label = esc(&fit(&n.label, LABEL_CHAR_W, inner));
        let _ = write!(s, r#"<text class="dg-label" x="{x}" y="{}">{label}</text>"#, num(top + 20.0));
    } else {
        let caption = esc(&fit(&n.kind.to_uppercase(), SMALL_CHAR_W, inner));
        let label = esc(&fit(&n.label, LABEL_CHAR_W, inner));
        let _ =
            write!(s, r#"<text class="dg-caption" x="{x}" y="{}" font-size="10">{caption}</text>"#, num(top + 14.0));
        let _ = write!(s, r#"<text class="dg-label" x="{x}" y="{}">{label}</text>"#, num(top + 30.0));
        if let Some(sub) = &n.subtitle {
            let sub = esc(&fit(sub, SMALL_CHAR_W, inner));
            let _ = write!(s, r#"<text class="dg-sub" x="{x}" y="{}" font-size="11">{sub}</text>"#, num(top + 45.0));
        }
    }
    s.push_str("</svg>");
    if link.is_some() {
        s.push_str("</a>");
    }
    s.push_str("</g>");
}

/// The link target of a box: none for "+K more" boxes, missing entities and script URLs.
fn href(b: &Placed) -> Option<&str> {
    let url = b.node.url.as_deref().filter(|_| b.role != Role::More)?;
    let scheme = url.trim_start().split(':').next().unwrap_or("").to_ascii_lowercase();
    let unsafe_scheme = url.contains(':') && ["javascript", "vbscript", "data"].contains(&scheme.trim());
    (!unsafe_scheme).then_some(url)
}

fn esc(text: &str) -> String {
    crate::html::escape(text)
}

/// The `x`, `y`, `width` and `height` attributes of a rectangle.
fn area(x: f64, y: f64, w: f64, h: f64) -> String {
    format!(r#"x="{}" y="{}" width="{}" height="{}""#, num(x), num(y), num(w), num(h))
}

/// A coordinate with at most one decimal, without a trailing `.0`.
pub(super) fn num(v: f64) -> String {
    let tenths = (v * 10.0).round();
    if !tenths.is_finite() || tenths.abs() > 1e15 {
        let r = tenths / 10.0;
        return if r == r.trunc() { format!("{}", r as i64) } else { format!("{r:.1}") };
    }
    // Integer arithmetic: a diagram writes thousands of numbers, and float formatting was a
    // visible part of drawing one.
    let t = tenths as i64;
    let (sign, a) = if t < 0 { ("-", t.unsigned_abs()) } else { ("", t as u64) };
    if a % 10 == 0 { format!("{sign}{}", a / 10) } else { format!("{sign}{}.{}", a / 10, a % 10) }
}
