//! Text kept compressed in memory.
//!
//! Rendered HTML that lives from one stage to a later one (docs page bodies, API references)
//! is held compressed: at 10,000 components there are 45,000 docs pages and 5,000 API
//! references. LZ4 (`lz4_flex`) rather than deflate, by measurement on the 4,486 docs pages
//! of the 1,000-component workload (57 MB of HTML): 22 MB against deflate's 20 MB at its
//! fastest level, for half its compression time (0.10 against 0.21 s) and a sixth of its
//! decompression time (0.02 against 0.12 s); every page is packed once and read back by the
//! search extraction and each rebuild. The bytes serialise as bytes into the build cache (see
//! [`crate::cache::disk::bytes`]).

/// A string, compressed (LZ4 block with its length in front).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Packed(#[serde(with = "crate::cache::disk::bytes")] Box<[u8]>);

impl Packed {
    pub fn new(text: &str) -> Packed {
        Packed(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice())
    }

    /// The text. Bytes that are not a packed string (a damaged cache file) read as empty text.
    pub fn text(&self) -> String {
        lz4_flex::decompress_size_prepended(&self.0)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Packed;

    #[test]
    fn round_trips() {
        for text in ["", "<p>x</p>", &"<div class=\"api-ref\">é ✓</div>\n".repeat(1000)] {
            assert_eq!(Packed::new(text).text(), text);
        }
        let long = "<tr><td>a</td></tr>".repeat(1000);
        assert!(std::mem::size_of_val(&*Packed::new(&long).0) < long.len() / 4);
    }

    #[test]
    fn damaged_bytes_read_as_empty_text() {
        let mut packed = Packed::new(&"<p>payments</p>".repeat(100));
        let len = packed.0.len();
        packed.0[len / 2] ^= 0xff;
        packed.0[4..len / 2].fill(0xff);
        assert_eq!(Packed(Box::new([1, 2])).text(), "");
        assert_eq!(packed.text(), "");
    }
}
