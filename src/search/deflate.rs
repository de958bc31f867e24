//! A small gzip (RFC 1952 / DEFLATE RFC 1951) encoder for the exported search files.
//!
//! Input: bytes. Output: a gzip member the browser inflates with `DecompressionStream("gzip")`.
//! The files are compressed here, not by the web server, so every static host (GitHub Pages, S3,
//! a plain file server) transfers the same small bytes. LZ77 with hash chains and one-step lazy
//! matching, dynamic Huffman blocks with length-limited codes. Deterministic: no timestamp, the
//! same input gives the same bytes. (The crate graph has `flate2` through syntect; this module
//! exists so the search module needs no dependency beyond tantivy. Swapping in
//! `flate2::write::GzEncoder` would change nothing for the client.)

const WINDOW: usize = 32 * 1024;
const HASH_BITS: u32 = 15;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const MAX_CHAIN: usize = 32;
/// A match this long ends the search for a longer one.
const NICE_MATCH: usize = 64;
/// Symbols per block.
const BLOCK_SYMBOLS: usize = 1 << 15;

const LEN_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// `data` as a gzip member.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits { out: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255], acc: 0, n: 0 };
    let symbols = lz77(data);
    let blocks: Vec<&[Symbol]> = symbols.chunks(BLOCK_SYMBOLS).collect();
    if blocks.is_empty() {
        write_block(&mut bits, &[], true);
    }
    for (i, block) in blocks.iter().enumerate() {
        write_block(&mut bits, block, i + 1 == blocks.len());
    }
    bits.flush();
    let mut out = bits.out;
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[derive(Clone, Copy)]
enum Symbol {
    Literal(u8),
    Match { len: u16, dist: u16 },
}

fn hash(data: &[u8], pos: usize) -> usize {
    let v = u32::from(data[pos]) << 16 | u32::from(data[pos + 1]) << 8 | u32::from(data[pos + 2]);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

fn lz77(data: &[u8]) -> Vec<Symbol> {
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let mut out = Vec::with_capacity(data.len() / 2);
    let insert = |head: &mut Vec<usize>, prev: &mut Vec<usize>, pos: usize| {
        if pos + MIN_MATCH <= data.len() {
            let h = hash(data, pos);
            prev[pos % WINDOW] = head[h];
            head[h] = pos;
        }
    };
    let longest = |head: &Vec<usize>, prev: &Vec<usize>, pos: usize| -> (usize, usize) {
        if pos + MIN_MATCH > data.len() {
            return (0, 0);
        }
        let max = (data.len() - pos).min(MAX_MATCH);
        let (mut best_len, mut best_dist) = (0, 0);
        let mut candidate = head[hash(data, pos)];
        let mut chain = 0;
        while candidate != usize::MAX && candidate < pos && pos - candidate <= WINDOW && chain < MAX_CHAIN {
            if data[candidate + best_len.min(max - 1)] == data[pos + best_len.min(max - 1)] {
                let len = data[candidate..candidate + max]
                    .iter()
                    .zip(&data[pos..pos + max])
                    .take_while(|(a, b)| a == b)
                    .count();
                if len > best_len {
                    best_len = len;
                    best_dist = pos - candidate;
                    if len >= max.min(NICE_MATCH) {
                        break;
                    }
                }
            }
            let next = prev[candidate % WINDOW];
            if next == usize::MAX || next >= candidate {
                break;
            }
            candidate = next;
            chain += 1;
        }
        if best_len >= MIN_MATCH { (best_len, best_dist) } else { (0, 0) }
    };
    let mut pos = 0;
    while pos < data.len() {
        let (len, dist) = longest(&head, &prev, pos);
        insert(&mut head, &mut prev, pos);
        if len == 0 {
            out.push(Symbol::Literal(data[pos]));
            pos += 1;
            continue;
        }
        // One-step lazy matching: a longer match one byte later wins.
        let (next_len, _) = if len < 16 { longest(&head, &prev, pos + 1) } else { (0, 0) };
        if next_len > len {
            out.push(Symbol::Literal(data[pos]));
            pos += 1;
            continue;
        }
        out.push(Symbol::Match { len: len as u16, dist: dist as u16 });
        for p in pos + 1..pos + len {
            insert(&mut head, &mut prev, p);
        }
        pos += len;
    }
    out
}

fn len_code(len: u16) -> usize {
    LEN_BASE.iter().rposition(|&b| b <= len).expect("len >= 3")
}

fn dist_code(dist: u16) -> usize {
    DIST_BASE.iter().rposition(|&b| b <= dist).expect("dist >= 1")
}

fn write_block(bits: &mut Bits, block: &[Symbol], last: bool) {
    let mut lit_freq = [0u32; 286];
    let mut dist_freq = [0u32; 30];
    for s in block {
        match *s {
            Symbol::Literal(b) => lit_freq[b as usize] += 1,
            Symbol::Match { len, dist } => {
                lit_freq[257 + len_code(len)] += 1;
                dist_freq[dist_code(dist)] += 1;
            }
        }
    }
    lit_freq[256] = 1;
    // Complete trees need two codes at least.
    for freq in [&mut lit_freq[..], &mut dist_freq[..]] {
        let used = freq.iter().filter(|&&f| f > 0).count();
        for slot in freq.iter_mut().filter(|f| **f == 0).take(2usize.saturating_sub(used)) {
            *slot = 1;
        }
    }
    let lit_lens = code_lengths(&lit_freq, 15);
    let dist_lens = code_lengths(&dist_freq, 15);
    let hlit = 257.max(lit_lens.iter().rposition(|&l| l > 0).map_or(0, |i| i + 1));
    let hdist = 1.max(dist_lens.iter().rposition(|&l| l > 0).map_or(0, |i| i + 1));
    let all: Vec<u8> = lit_lens[..hlit].iter().chain(&dist_lens[..hdist]).copied().collect();
    let rle = run_lengths(&all);
    let mut cl_freq = [0u32; 19];
    for &(sym, _) in &rle {
        cl_freq[sym as usize] += 1;
    }
    let cl_lens = code_lengths(&cl_freq, 7);
    let hclen = 4.max(CL_ORDER.iter().rposition(|&i| cl_lens[i] > 0).map_or(0, |i| i + 1));

    bits.put(u32::from(last), 1);
    bits.put(2, 2);
    bits.put((hlit - 257) as u32, 5);
    bits.put((hdist - 1) as u32, 5);
    bits.put((hclen - 4) as u32, 4);
    for &i in &CL_ORDER[..hclen] {
        bits.put(u32::from(cl_lens[i]), 3);
    }
    let cl_codes = codes(&cl_lens);
    for &(sym, extra) in &rle {
        bits.put(cl_codes[sym as usize], u32::from(cl_lens[sym as usize]));
        match sym {
            16 => bits.put(u32::from(extra), 2),
            17 => bits.put(u32::from(extra), 3),
            18 => bits.put(u32::from(extra), 7),
            _ => {}
        }
    }
    let lit_codes = codes(&lit_lens);
    let dist_codes = codes(&dist_lens);
    for s in block {
        match *s {
            Symbol::Literal(b) => bits.put(lit_codes[b as usize], u32::from(lit_lens[b as usize])),
            Symbol::Match { len, dist } => {
                let lc = len_code(len);
                bits.put(lit_codes[257 + lc], u32::from(lit_lens[257 + lc]));
                bits.put(u32::from(len - LEN_BASE[lc]), u32::from(LEN_EXTRA[lc]));
                let dc = dist_code(dist);
                bits.put(dist_codes[dc], u32::from(dist_lens[dc]));
                bits.put(u32::from(dist - DIST_BASE[dc]), u32::from(DIST_EXTRA[dc]));
            }
        }
    }
    bits.put(lit_codes[256], u32::from(lit_lens[256]));
}

/// Code lengths (run-length coded with 16, 17, 18) as (symbol, extra bits value).
fn run_lengths(lens: &[u8]) -> Vec<(u8, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lens.len() {
        let l = lens[i];
        let run = lens[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 3 {
            let n = run.min(138);
            out.push(if n >= 11 { (18, (n - 11) as u8) } else { (17, (n - 3) as u8) });
            i += n;
        } else if l != 0 && run >= 4 {
            out.push((l, 0));
            let n = (run - 1).min(6);
            out.push((16, (n - 3) as u8));
            i += 1 + n;
        } else {
            out.push((l, 0));
            i += 1;
        }
    }
    out
}

/// Huffman code lengths of `freq`, at most `limit` bits (frequencies are halved until they fit).
fn code_lengths(freq: &[u32], limit: u8) -> Vec<u8> {
    let mut freq: Vec<u64> = freq.iter().map(|&f| u64::from(f)).collect();
    loop {
        let lens = huffman(&freq);
        if lens.iter().all(|&l| l <= limit) {
            return lens;
        }
        for f in freq.iter_mut().filter(|f| **f > 0) {
            *f = (*f / 2).max(1);
        }
    }
}

fn huffman(freq: &[u64]) -> Vec<u8> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut parent: Vec<usize> = Vec::new();
    let mut heap = BinaryHeap::new();
    let mut leaves = vec![usize::MAX; freq.len()];
    for (sym, &f) in freq.iter().enumerate().filter(|(_, f)| **f > 0) {
        leaves[sym] = parent.len();
        heap.push(Reverse((f, parent.len())));
        parent.push(usize::MAX);
    }
    let mut lens = vec![0u8; freq.len()];
    if parent.len() == 1 {
        lens[leaves.iter().position(|&l| l != usize::MAX).expect("one leaf")] = 1;
        return lens;
    }
    while heap.len() > 1 {
        let Reverse((fa, a)) = heap.pop().expect("two nodes");
        let Reverse((fb, b)) = heap.pop().expect("two nodes");
        let node = parent.len();
        parent.push(usize::MAX);
        parent[a] = node;
        parent[b] = node;
        heap.push(Reverse((fa + fb, node)));
    }
    for (sym, &leaf) in leaves.iter().enumerate() {
        if leaf != usize::MAX {
            let mut depth = 0u8;
            let mut n = leaf;
            while parent[n] != usize::MAX {
                n = parent[n];
                depth = depth.saturating_add(1);
            }
            lens[sym] = depth;
        }
    }
    lens
}

/// Canonical codes for `lens`, bit-reversed for LSB-first output.
fn codes(lens: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lens {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (32 - u32::from(l))
        })
        .collect()
}

struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn flush(&mut self) {
        if self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        table
    });
    !data.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = std::process::Command::new("python3")
            .args(["-c", "import sys, gzip; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        child.stdin.take().expect("stdin").write_all(data).expect("write");
        let out = child.wait_with_output().expect("python3 output");
        assert!(out.status.success(), "python3 rejected the gzip stream");
        out.stdout
    }

    #[test]
    fn round_trips_through_a_standard_inflater() {
        let mut text = Vec::new();
        for i in 0..20_000u32 {
            text.extend(format!("term{} {} ", i % 97, i.wrapping_mul(2_654_435_761) % 13).as_bytes());
        }
        let random: Vec<u8> = (0..70_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for data in [&b""[..], b"a", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"abcabcabcabd", &text, &random] {
            let packed = gzip(data);
            assert_eq!(gunzip(&packed), data, "length {}", data.len());
        }
        assert!(gzip(&text).len() < text.len() / 4);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
