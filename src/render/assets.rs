//! Docs assets that a browser would run: SVG and HTML files of a docs folder.
//!
//! An SVG or HTML file opened directly (not through `<img>`) runs its scripts on the portal's
//! origin. Input: the file's bytes and its name. Output: the bytes to publish, or why the file is
//! left out. SVG is parsed as XML and written again without `script`, `foreignObject`, frames and
//! plugins, `set` and animations of links or event handlers, event handler attributes, links with
//! schemes the URL policy refuses ([`crate::urls`]) and DTDs (entity expansion); an SVG that does
//! not parse is left out. HTML is cleaned as Markdown's raw HTML is. With
//! `docs.allow_raw_html: true` (trusted repositories) files are published as they are.

use quick_xml::events::{BytesStart, Event};

/// Elements dropped with everything inside them.
const DROPPED: [&str; 8] = ["script", "foreignobject", "iframe", "embed", "object", "handler", "listener", "set"];

/// What to publish for the docs asset `name`, or why it is left out.
pub fn publishable(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let ext = name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "svg" => {
            let text = std::str::from_utf8(&bytes).map_err(|_| "the SVG is not UTF-8".to_owned())?;
            sanitize_svg(text).map(String::into_bytes)
        }
        "html" | "htm" | "xhtml" => {
            let text = String::from_utf8_lossy(&bytes);
            Ok(crate::docs::sanitize::clean(&text).into_bytes())
        }
        _ => Ok(bytes),
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => name,
    }
}

/// `start` without event handlers and unsafe links; `None` when the element must go.
fn clean_start(start: &BytesStart) -> Option<BytesStart<'static>> {
    let name = local(start.name().as_ref());
    if DROPPED.contains(&name.as_str()) {
        return None;
    }
    let mut out = BytesStart::new(String::from_utf8_lossy(start.name().as_ref()).into_owned());
    for attr in start.attributes().with_checks(false).flatten() {
        let key = local(attr.key.as_ref());
        let value = attr.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
        if key.starts_with("on") {
            continue;
        }
        if matches!(key.as_str(), "href" | "src" | "action" | "formaction") && crate::urls::check(&value).is_err() {
            continue;
        }
        // `<animate attributeName="href" to="javascript:…">` changes a link after the fact.
        if name.starts_with("animate")
            && key == "attributename"
            && (value.to_ascii_lowercase().ends_with("href") || value.to_ascii_lowercase().starts_with("on"))
        {
            return None;
        }
        out.push_attribute((String::from_utf8_lossy(attr.key.as_ref()).as_ref(), value.as_str()));
    }
    Some(out)
}

/// `svg` without anything that could run.
pub fn sanitize_svg(svg: &str) -> Result<String, String> {
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut writer = quick_xml::Writer::new(Vec::new());
    // Depth inside a dropped element (0: not inside one).
    let mut dropped = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| format!("the SVG is not well-formed XML: {e}"))?;
        let write = match event {
            Event::Eof => break,
            _ if dropped > 0 => {
                match event {
                    Event::Start(_) => dropped += 1,
                    Event::End(_) => dropped -= 1,
                    _ => {}
                }
                None
            }
            Event::Start(start) => match clean_start(&start) {
                Some(clean) => Some(Event::Start(clean)),
                None => {
                    dropped = 1;
                    None
                }
            },
            Event::Empty(start) => clean_start(&start).map(Event::Empty),
            Event::DocType(_) | Event::PI(_) => None,
            other => Some(other),
        };
        if let Some(event) = write {
            writer.write_event(event).map_err(|e| e.to_string())?;
        }
    }
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_keeps_drawing_and_loses_scripts() {
        let svg = r##"<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <SCRIPT type="text/javascript"><![CDATA[alert(3)]]></SCRIPT>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(4)"/></div></foreignObject>
  <a xlink:href="javascript:alert(5)"><rect width="5" height="5" fill="red" onclick="alert(6)"/></a>
  <a href=" JaVaScRiPt:alert(7)"><text>x</text></a>
  <animate attributeName="href" to="javascript:alert(8)"/>
  <set attributeName="onmouseover" to="alert(9)"/>
  <a href="https://example.com/docs"><circle cx="5" cy="5" r="2"/></a>
  <animate attributeName="r" from="1" to="3" dur="1s"/>
</svg>"##;
        let clean = sanitize_svg(svg).unwrap();
        for bad in
            ["alert", "script", "SCRIPT", "onload", "onclick", "onerror", "foreignObject", "ENTITY", "javascript"]
        {
            assert!(!clean.to_lowercase().contains(&bad.to_lowercase()), "{bad} left in {clean}");
        }
        for kept in [
            "viewBox=\"0 0 10 10\"",
            "<rect width=\"5\" height=\"5\" fill=\"red\"/>",
            "href=\"https://example.com/docs\"",
            "attributeName=\"r\"",
        ] {
            assert!(clean.contains(kept), "{kept} missing from {clean}");
        }
        assert!(sanitize_svg("<svg><g></svg>").is_err());
        assert_eq!(publishable("diagram.PNG", vec![1, 2, 3]).unwrap(), vec![1, 2, 3]);
        let html = String::from_utf8(
            publishable("x.html", b"<p onclick=\"a()\">hi</p><script>b()</script>".to_vec()).unwrap(),
        )
        .unwrap();
        assert_eq!(html, "<p>hi</p>");
    }
}
