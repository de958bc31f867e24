//! Byte-level encodings of the exported search files (decoded by `search.js`, `Reader`).
//!
//! - *varint*: unsigned LEB128 (7 bits per byte, low bits first, high bit = more).
//! - *string*: varint byte length, then UTF-8.
//! - *front-coded string*: varint bytes shared with the previous string of the same column,
//!   varint length of the rest, then the rest; for optional strings the length is stored plus
//!   one and 0 means none.
//! - *f32*: 4 bytes little-endian IEEE-754.
//! - *meta block*: the result metadata of `count` documents in columns (kind, title, url, owner,
//!   context, excerpt), each column front-coded, so the gzip of a chunk compresses repeated
//!   owners, contexts and URL prefixes to almost nothing.

use super::Meta;

#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    pub(crate) fn f32(&mut self, v: f32) {
        self.buf.extend(v.to_le_bytes());
    }

    pub(crate) fn string(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.buf.extend(s.as_bytes());
    }

    /// `s` front-coded against `prev` (bytes shared at a character boundary).
    pub(crate) fn front(&mut self, prev: &str, s: &str) {
        let shared = shared_prefix(prev, s);
        self.varint(shared as u64);
        self.string(&s[shared..]);
    }

    /// An optional string front-coded against `prev`.
    pub(crate) fn front_opt(&mut self, prev: &str, s: Option<&str>) {
        match s {
            None => {
                self.varint(0);
                self.varint(0);
            }
            Some(s) => {
                let shared = shared_prefix(prev, s);
                self.varint(shared as u64);
                self.varint((s.len() - shared) as u64 + 1);
                self.buf.extend(&s.as_bytes()[shared..]);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }
}

/// Bytes `a` and `b` share at the start, ending on a character boundary of both.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) || !a.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Appends a meta block for `metas` (in the given order). A URL ending in `#` followed by
/// [`slug`] of the title is stored with `\u{1}` in place of the slug.
pub(crate) fn meta_block(w: &mut Writer, metas: &[&Meta]) {
    w.varint(metas.len() as u64);
    let urls: Vec<String> = metas.iter().map(|m| short_url(m)).collect();
    let column = |w: &mut Writer, values: &mut dyn Iterator<Item = Option<&str>>| {
        let mut prev = "";
        for value in values {
            w.front_opt(prev, value);
            prev = value.unwrap_or("");
        }
    };
    column(w, &mut metas.iter().map(|m| Some(m.kind.as_str())));
    column(w, &mut metas.iter().map(|m| Some(m.title.as_str())));
    column(w, &mut urls.iter().map(|u| Some(u.as_str())));
    column(w, &mut metas.iter().map(|m| m.owner.as_deref()));
    column(w, &mut metas.iter().map(|m| m.context.as_deref()));
    column(w, &mut metas.iter().map(|m| Some(m.excerpt.as_str())));
}

fn short_url(meta: &Meta) -> String {
    let slug = slug(&meta.title);
    match meta.url.strip_suffix(slug.as_str()) {
        Some(base) if !slug.is_empty() && base.ends_with('#') => format!("{base}\u{1}"),
        _ => meta.url.clone(),
    }
}

/// The usual heading id of a title (MkDocs' for ASCII titles): ASCII letters, digits and `_`
/// lower-cased, runs of whitespace and `-` as one `-`, everything else dropped, no `-` at the
/// ends.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if (c == '-' || c.is_ascii_whitespace()) && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_front_coding() {
        let mut w = Writer::default();
        w.varint(0);
        w.varint(127);
        w.varint(128);
        w.varint(300);
        assert_eq!(w.buf, [0, 127, 0x80, 1, 0xac, 2]);
        let mut w = Writer::default();
        w.front("deploy", "deployment");
        w.front("héllo", "hèllo");
        w.front_opt("x", None);
        w.front_opt("ab", Some("ac"));
        assert_eq!(w.buf, [6, 4, b'm', b'e', b'n', b't', 1, 5, 0xc3, 0xa8, b'l', b'l', b'o', 0, 0, 1, 2, b'c']);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Canary Deploy  Rollout"), "canary-deploy-rollout");
        assert_eq!(slug(" Set up: the -- API (v2)! "), "set-up-the-api-v2");
        assert_eq!(slug("Ünïcode"), "ncode");
        let meta = Meta { title: "Set up".into(), url: "docs/x/#set-up".into(), ..Meta::default() };
        assert_eq!(short_url(&meta), "docs/x/#\u{1}");
    }
}
