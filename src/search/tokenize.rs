//! The identifier-aware tokenizer of the search index, shared by indexing and querying.
//!
//! Input: any text. Output: lower-case tokens with positions. The browser client
//! (`themes/default/assets/search.js`, `tokenize`) implements the same rules; the case table
//! below is its contract, and the parity test runs both on real queries.
//!
//! Rules:
//! - A *compound* is a maximal run of alphanumeric characters (`char::is_alphanumeric`:
//!   Unicode `Alphabetic` or `Numeric`; in JavaScript `[\p{Alphabetic}\p{N}]`) and the
//!   connectors `-`, `_`, `.`. Everything else separates compounds.
//! - A compound splits into *parts* at connectors and at case boundaries: lower → upper
//!   (`paymentsGateway`), upper → upper followed by lower (`HTTPServer` → `HTTP`, `Server`) and
//!   digit → upper (`v2Api` → `v2`, `Api`). Letters and digits otherwise stay together (`svc42`,
//!   `log4j`).
//! - Parts are lower-cased (`str::to_lowercase`, `String.prototype.toLowerCase`) and get
//!   consecutive positions. Parts longer than [`MAX_TOKEN_CHARS`] characters are dropped.
//! - Index side: a compound of two or more parts also yields *joins*: every run of 2 to
//!   [`MAX_JOIN_PARTS`] consecutive parts concatenated, and the whole compound, each at the
//!   position of its first part (`payments-gateway-api` → `payments`, `paymentsgateway`,
//!   `paymentsgatewayapi`, `gateway`, `gatewayapi`, `api`). Tokens come in position order.
//! - Query side ([`query_terms`]): a compound is one term, its join (`Payments-Gateway`,
//!   `PaymentsGateway` and `payments_gateway` all mean `paymentsgateway`, which finds all three
//!   spellings and `payments-gateway-api`, but not the two words `payments gateway`; those are
//!   two terms and find all of them). Inside quotes ([`phrase_terms`]) the parts are used.

/// Longer parts (hashes, base64, minified code) are not indexed.
pub(crate) const MAX_TOKEN_CHARS: usize = 40;

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '_' | '.')
}

/// Whether a part boundary lies between `prev` and `c` (both alphanumeric), `next` following.
fn case_boundary(prev: char, c: char, next: Option<char>) -> bool {
    if !c.is_uppercase() {
        return false;
    }
    prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next.is_some_and(char::is_lowercase))
}

/// Spans of up to this many parts are also indexed joined (plus the whole compound).
pub(crate) const MAX_JOIN_PARTS: usize = 4;

/// Reusable buffers for tokenizing many texts.
#[derive(Clone, Default)]
pub(crate) struct Tokenizer {
    part: String,
    parts: Vec<String>,
    count: usize,
    join: String,
}

impl Tokenizer {
    /// Calls `compound(parts)` with the lower-case parts of every compound of `text`.
    pub(crate) fn compounds(&mut self, text: &str, compound: &mut impl FnMut(&[String])) {
        if text.is_ascii() {
            return self.ascii_compounds(text.as_bytes(), compound);
        }
        let mut chars = text.chars().peekable();
        let mut part_chars = 0usize;
        let mut prev: Option<char> = None;
        loop {
            let c = chars.next();
            match c {
                Some(c) if c.is_alphanumeric() => {
                    if let Some(p) = prev
                        && p.is_alphanumeric()
                        && case_boundary(p, c, chars.peek().copied())
                    {
                        self.end_part(&mut part_chars);
                    }
                    self.part.push(c);
                    part_chars += 1;
                }
                Some(c) if is_connector(c) => self.end_part(&mut part_chars),
                _ => {
                    self.end_part(&mut part_chars);
                    if self.count > 0 {
                        compound(&self.parts[..self.count]);
                        self.count = 0;
                    }
                    if c.is_none() {
                        return;
                    }
                }
            }
            prev = c;
        }
    }

    /// [`Tokenizer::compounds`] of ASCII text, byte by byte (the same rules; most text is ASCII).
    fn ascii_compounds(&mut self, text: &[u8], compound: &mut impl FnMut(&[String])) {
        let mut start: Option<usize> = None;
        for i in 0..=text.len() {
            let c = text.get(i).copied();
            match c {
                Some(c) if c.is_ascii_alphanumeric() => {
                    if let Some(s) = start
                        && c.is_ascii_uppercase()
                        && {
                            let p = text[i - 1];
                            p.is_ascii_lowercase()
                                || p.is_ascii_digit()
                                || (p.is_ascii_uppercase() && text.get(i + 1).is_some_and(u8::is_ascii_lowercase))
                        }
                    {
                        self.ascii_part(&text[s..i]);
                        start = Some(i);
                    } else if start.is_none() {
                        start = Some(i);
                    }
                }
                Some(b'-' | b'_' | b'.') => {
                    if let Some(s) = start.take() {
                        self.ascii_part(&text[s..i]);
                    }
                }
                _ => {
                    if let Some(s) = start.take() {
                        self.ascii_part(&text[s..i]);
                    }
                    if self.count > 0 {
                        compound(&self.parts[..self.count]);
                        self.count = 0;
                    }
                }
            }
        }
    }

    /// Adds a part of ASCII alphanumerics (lower-cased) unless it is too long.
    fn ascii_part(&mut self, part: &[u8]) {
        if part.len() > MAX_TOKEN_CHARS {
            return;
        }
        if self.count == self.parts.len() {
            self.parts.push(String::new());
        }
        let slot = &mut self.parts[self.count];
        slot.clear();
        slot.extend(part.iter().map(|b| char::from(b.to_ascii_lowercase())));
        self.count += 1;
    }

    fn end_part(&mut self, part_chars: &mut usize) {
        if self.part.is_empty() {
            return;
        }
        if *part_chars <= MAX_TOKEN_CHARS {
            if self.count == self.parts.len() {
                self.parts.push(String::new());
            }
            let slot = &mut self.parts[self.count];
            slot.clear();
            if self.part.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                slot.push_str(&self.part);
            } else {
                slot.push_str(&self.part.to_lowercase());
            }
            self.count += 1;
        }
        self.part.clear();
        *part_chars = 0;
    }

    /// Index side: calls `emit(token, position, joined)` for every part and join of `text`, in
    /// position order, positions starting at `position`. Returns the position after the last
    /// part.
    pub(crate) fn run(&mut self, text: &str, mut position: usize, emit: &mut impl FnMut(&str, usize, bool)) -> usize {
        let mut join = std::mem::take(&mut self.join);
        self.compounds(text, &mut |parts| {
            for i in 0..parts.len() {
                emit(&parts[i], position + i, false);
                let longest = (parts.len() - i).min(MAX_JOIN_PARTS);
                let whole = i == 0 && parts.len() > MAX_JOIN_PARTS;
                for len in (2..=longest).chain(whole.then_some(parts.len())) {
                    join.clear();
                    for p in &parts[i..i + len] {
                        join.push_str(p);
                    }
                    if join.len() <= MAX_TOKEN_CHARS || join.chars().count() <= MAX_TOKEN_CHARS {
                        emit(&join, position + i, true);
                    }
                }
            }
            position += parts.len();
        });
        self.join = join;
        position
    }
}

/// The tokenizer as a tantivy analyzer (`ident`), for the test comparing the index with
/// tantivy's: tokens are produced into reused buffers.
#[cfg(test)]
#[derive(Clone, Default)]
pub(crate) struct IdentTokenizer {
    inner: Tokenizer,
    tokens: Vec<tantivy::tokenizer::Token>,
}

#[cfg(test)]
impl tantivy::tokenizer::Tokenizer for IdentTokenizer {
    type TokenStream<'a> = IdentStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IdentStream<'a> {
        let mut len = 0;
        let tokens = &mut self.tokens;
        self.inner.run(text, 0, &mut |token, position, _| {
            if len == tokens.len() {
                tokens.push(tantivy::tokenizer::Token::default());
            }
            let slot = &mut tokens[len];
            slot.text.clear();
            slot.text.push_str(token);
            slot.position = position;
            slot.position_length = 1;
            len += 1;
        });
        IdentStream { tokens: &mut self.tokens[..len], next: 0 }
    }
}

#[cfg(test)]
pub(crate) struct IdentStream<'a> {
    tokens: &'a mut [tantivy::tokenizer::Token],
    next: usize,
}

#[cfg(test)]
impl tantivy::tokenizer::TokenStream for IdentStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Query side: one term per compound of `text`, in order: its only part, or all parts joined
/// (the parts themselves when the join would be too long to be indexed).
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    Tokenizer::default().compounds(text, &mut |parts| {
        let joined: String = parts.concat();
        if parts.len() == 1 || joined.chars().count() > MAX_TOKEN_CHARS {
            out.extend(parts.iter().cloned());
        } else {
            out.push(joined);
        }
    });
    out
}

/// The parts of `text`, in order: the terms of a quoted phrase.
pub(crate) fn phrase_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    Tokenizer::default().compounds(text, &mut |parts| out.extend(parts.iter().cloned()));
    out
}

/// Every token of `text` (parts and joined), for tests and highlighting.
#[cfg(test)]
pub(crate) fn all_tokens(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    Tokenizer::default().run(text, 0, &mut |token, position, _| out.push((token.to_owned(), position)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_table() {
        let cases: &[(&str, &[&str])] = &[
            (
                "payments-gateway-api",
                &["payments", "paymentsgateway", "paymentsgatewayapi", "gateway", "gatewayapi", "api"],
            ),
            ("PaymentsGateway", &["payments", "paymentsgateway", "gateway"]),
            ("payments_gateway", &["payments", "paymentsgateway", "gateway"]),
            ("payments gateway", &["payments", "gateway"]),
            ("HTTPServer", &["http", "httpserver", "server"]),
            ("getHTTPResponse", &["get", "gethttp", "gethttpresponse", "http", "httpresponse", "response"]),
            ("svc-42", &["svc", "svc42", "42"]),
            ("svc42", &["svc42"]),
            ("log4j", &["log4j"]),
            ("v2Api", &["v2", "v2api", "api"]),
            ("S3Bucket", &["s3", "s3bucket", "bucket"]),
            ("ALLCAPS", &["allcaps"]),
            ("  Hello, World!  ", &["hello", "world"]),
            ("end of sentence.", &["end", "of", "sentence"]),
            ("v1.2.3", &["v1", "v12", "v123", "2", "23", "3"]),
            ("/pets/{petId}", &["pets", "pet", "petid", "id"]),
            ("group:default/team-a", &["group", "default", "team", "teama", "a"]),
            (
                "a-b-c-d-e",
                &["a", "ab", "abc", "abcd", "abcde", "b", "bc", "bcd", "bcde", "c", "cd", "cde", "d", "de", "e"],
            ),
            ("Ünïcödé Straße", &["ünïcödé", "straße"]),
            ("ÄrgerÜber", &["ärger", "ärgerüber", "über"]),
            ("日本語 テキスト", &["日本語", "テキスト"]),
            ("--__..", &[]),
            ("", &[]),
        ];
        for (text, expected) in cases {
            let got: Vec<String> = all_tokens(text).into_iter().map(|(t, _)| t).collect();
            assert_eq!(&got, expected, "{text:?}");
        }
    }

    #[test]
    fn joins_share_the_position_of_their_first_part() {
        assert_eq!(
            all_tokens("the payments-gateway works"),
            vec![
                ("the".to_owned(), 0),
                ("payments".to_owned(), 1),
                ("paymentsgateway".to_owned(), 1),
                ("gateway".to_owned(), 2),
                ("works".to_owned(), 3),
            ]
        );
    }

    #[test]
    fn query_terms_join_compounds_and_phrases_keep_parts() {
        assert_eq!(query_terms("Payments-Gateway api"), vec!["paymentsgateway", "api"]);
        assert_eq!(query_terms("PaymentsGateway payments_gateway"), vec!["paymentsgateway", "paymentsgateway"]);
        assert_eq!(phrase_terms("svc-42 api"), vec!["svc", "42", "api"]);
        let long = "a".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(query_terms(&format!("x {long} y")), vec!["x", "y"]);
        let parts = format!("{}-{}", "a".repeat(30), "b".repeat(30));
        assert_eq!(query_terms(&parts), vec!["a".repeat(30), "b".repeat(30)]);
    }
}
