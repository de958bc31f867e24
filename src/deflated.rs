//! Text kept deflated in memory.
//!
//! Rendered HTML that lives from one stage to a later one (docs page bodies, API references)
//! is held compressed: at 10,000 components there are 45,000 docs pages and 5,000 API
//! references, and HTML shrinks about five times with the fastest deflate level. The bytes
//! serialise as bytes into the build cache (see [`crate::cache::disk::bytes`]).

use std::io::{Read, Write};

/// A string, deflated.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deflated(#[serde(with = "crate::cache::disk::bytes")] Box<[u8]>);

impl Deflated {
    pub fn new(text: &str) -> Deflated {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        // Writing into memory cannot fail.
        let _ = encoder.write_all(text.as_bytes());
        Deflated(encoder.finish().unwrap_or_default().into_boxed_slice())
    }

    /// The text, inflated.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let _ = flate2::read::DeflateDecoder::new(&self.0[..]).read_to_string(&mut text);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::Deflated;

    #[test]
    fn round_trips() {
        for text in ["", "<p>x</p>", &"<div class=\"api-ref\">é ✓</div>\n".repeat(1000)] {
            assert_eq!(Deflated::new(text).text(), text);
        }
        let long = "<tr><td>a</td></tr>".repeat(1000);
        assert!(std::mem::size_of_val(&*Deflated::new(&long).0) < long.len() / 4);
    }
}
