//! YAML with positions: the only module that touches the YAML crate (`serde-saphyr`).
//!
//! Input: the text of a YAML file. Output: one [`Node`] tree per non-empty document, every node
//! and every mapping key carrying its absolute 1-based line and column in the file (also in the
//! n-th document), plus one [`YamlError`] per document that failed. Rules, as Backstage's YAML
//! 1.2 reader applies them: merge keys (`<<`) are ordinary keys, duplicate keys are an error,
//! `yes`/`on` are strings, empty documents are skipped. Anchors and aliases are expanded within
//! the crate's alias budget, so a "billion laughs" file is an error, not a hang.

mod explain;

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::diagnostics::Pos;

/// A YAML value with the position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// Integers above `i64::MAX`.
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in file order; keys are unique (duplicates are a parse error).
    Map(Vec<(Key, Node)>),
}

/// A mapping key with its own position (scalars of any type become their text, as in JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

/// A document that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Option<Pos>,
    pub message: String,
    /// What rule the text broke and how to write it, for the common mistakes.
    pub hint: Option<String>,
}

/// One YAML document of a file; `index` counts non-empty documents from 0.
#[derive(Clone, Debug)]
pub struct Document {
    pub index: usize,
    pub root: Node,
}

impl Node {
    pub fn new(pos: Pos, value: Value) -> Self {
        Node { pos, value }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k, v))
    }

    /// A short name of the value's type for messages ("a string", "a list", ...).
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The value as JSON, the shape Backstage serves entities in.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(|(k, v)| (k.name.clone(), v.to_json())).collect()),
        }
    }

    /// Builds a node tree from JSON (for `$json` placeholders), every node at `pos`.
    pub fn from_json(value: &serde_json::Value, pos: Pos) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(u)) => Value::UInt(u),
                _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|v| Node::from_json(v, pos)).collect()),
            J::Object(map) => {
                Value::Map(map.iter().map(|(k, v)| (Key { name: k.clone(), pos }, Node::from_json(v, pos))).collect())
            }
        };
        Node { pos, value }
    }
}

/// A typed value with the position it was written at, for configuration fields whose problems
/// are found after deserialising (a glob that does not compile, a path that does not exist).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for At<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<T>::deserialize(d)?;
        Ok(At { pos: pos_of(&spanned), value: spanned.value })
    }
}

/// Parses every document of `text`. A document that fails yields a [`YamlError`] at its absolute
/// position and the documents before it are kept; a syntax error ends the file (the parser cannot
/// know where the next document starts), a semantic one (duplicate key) does not.
pub fn parse_documents(text: &str) -> (Vec<Document>, Vec<YamlError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut reader = text.as_bytes();
    for result in serde_saphyr::read_with_options::<_, Spanned<RawNode>>(&mut reader, options()) {
        match result {
            Ok(raw) => {
                let root = into_node(raw);
                if !root.is_null() {
                    docs.push(Document { index: docs.len(), root });
                }
            }
            Err(err) => errors.push(convert_error(&err, text)),
        }
    }
    (docs, errors)
}

/// Deserialises a single-document file into `T` (configuration files), with the position of
/// the first problem. An empty file gives `None`.
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<Option<T>, YamlError> {
    serde_saphyr::from_str_with_options::<Option<T>>(text, options()).map_err(|e| convert_error(&e, text))
}

/// Writes `value` as YAML (block style, as people write catalog files).
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_saphyr::to_string(value).map_err(|e| e.to_string())
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        merge_keys: serde_saphyr::MergeKeyPolicy::AsOrdinary,
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    }
}

fn convert_error(err: &serde_saphyr::Error, source: &str) -> YamlError {
    let pos = err.location().and_then(|l| (l.line() > 0).then(|| Pos::new(l.line() as u32, l.column().max(1) as u32)));
    let text = err.without_snippet().to_string();
    // The crate appends " at line L, column C"; the position travels separately.
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let message = message.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    let hint = explain::explain(&message, source, pos);
    YamlError { pos, message, hint }
}

fn pos_of<T>(s: &Spanned<T>) -> Pos {
    Pos::new(s.referenced.line() as u32, s.referenced.column() as u32)
}

/// The crate-facing tree: children wrapped in `Spanned` so the crate records their positions.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawKey>, Spanned<RawNode>)>),
}

fn into_node(raw: Spanned<RawNode>) -> Node {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || into_node_inner(raw))
}

fn into_node_inner(raw: Spanned<RawNode>) -> Node {
    let pos = pos_of(&raw);
    let value = match raw.value {
        RawNode::Null => Value::Null,
        RawNode::Bool(b) => Value::Bool(b),
        RawNode::Int(i) => Value::Int(i),
        RawNode::UInt(u) => Value::UInt(u),
        RawNode::Float(f) => Value::Float(f),
        RawNode::Str(s) => Value::Str(s),
        RawNode::Seq(items) => Value::Seq(items.into_iter().map(into_node).collect()),
        RawNode::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key { pos: pos_of(&k), name: k.value.0 };
                    (key, into_node(v))
                })
                .collect(),
        ),
    };
    Node { pos, value }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawNode;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<RawNode, E> {
                Ok(RawNode::Null)
            }
            fn visit_none<E>(self) -> Result<RawNode, E> {
                Ok(RawNode::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
                RawNode::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
                Ok(RawNode::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
                Ok(RawNode::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
                Ok(i64::try_from(v).map_or(RawNode::UInt(v), RawNode::Int))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
                Ok(RawNode::Float(v as f64))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
                Ok(RawNode::Float(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
                Ok(RawNode::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
                Ok(RawNode::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
                Ok(RawNode::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
                Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawNode, A::Error> {
                let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0));
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(RawNode::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawNode, A::Error> {
                let mut entries = Vec::with_capacity(a.size_hint().unwrap_or(0));
                while let Some(entry) = a.next_entry()? {
                    entries.push(entry);
                }
                Ok(RawNode::Map(entries))
            }
        }
        // Deeply nested input recurses deeply; grow the stack on the heap instead of overflowing
        // (rayon and test threads have small stacks, debug frames are large).
        stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || d.deserialize_any(V))
    }
}

/// A mapping key: any scalar, as its text.
struct RawKey(String);

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_unit<E>(self) -> Result<RawKey, E> {
                Ok(RawKey("null".into()))
            }
            fn visit_none<E>(self) -> Result<RawKey, E> {
                Ok(RawKey("null".into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawKey, E> {
                Ok(RawKey(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawKey, E> {
                Ok(RawKey(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawKey, E> {
                Ok(RawKey(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_absolute_in_later_documents() {
        let text = "a: 1\n---\nb: 2\n---\n---\nkind: C\nmetadata:\n  name: x\n";
        let (docs, errors) = parse_documents(text);
        assert!(errors.is_empty());
        assert_eq!(docs.len(), 3, "the empty document is skipped");
        let name = docs[2].root.get("metadata").unwrap().entry("name").unwrap();
        assert_eq!(name.0.pos, Pos::new(8, 3));
        assert_eq!(name.1.pos, Pos::new(8, 9));
        assert_eq!(docs[2].index, 2);
    }

    #[test]
    fn error_in_fifth_document_keeps_the_first_four() {
        let text = "a: 1\n---\nb: 1\n---\nc: 1\n---\nd: 1\n---\ne: [1,\nf: 2\n";
        let (docs, errors) = parse_documents(text);
        assert_eq!(docs.len(), 4);
        assert_eq!(errors.len(), 1);
        // reported where the unclosed `[` opens, in the file's own numbering
        assert_eq!(errors[0].pos.unwrap().line, 9);
    }

    #[test]
    fn duplicate_keys_are_errors_and_later_documents_survive() {
        let (docs, errors) = parse_documents("a: 1\na: 2\n---\nb: 1\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "duplicate mapping key: a");
        assert_eq!(errors[0].pos, Some(Pos::new(2, 1)));
        assert_eq!(docs.len(), 1);
        assert!(docs[0].root.get("b").is_some());
    }

    #[test]
    fn yaml_1_2_scalars_and_merge_keys() {
        let (docs, _) = parse_documents("a: yes\nb: on\nc: true\nd: 007\nbase: &b {x: 1}\ne:\n  <<: *b\n");
        let root = &docs[0].root;
        assert_eq!(root.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(root.get("b").unwrap().value, Value::Str("on".into()));
        assert_eq!(root.get("c").unwrap().value, Value::Bool(true));
        // `<<` is an ordinary key: nothing is merged.
        let e = root.get("e").unwrap();
        assert!(e.get("<<").is_some());
        assert!(e.get("x").is_none());
    }

    #[test]
    fn deep_nesting_is_an_error_or_a_tree_never_a_crash() {
        // Run on a thread with a small stack, like rayon's workers.
        let result = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut out = Vec::new();
                for depth in [10usize, 60, 200, 5000] {
                    let flow = format!("a: {}1{}\n", "[".repeat(depth), "]".repeat(depth));
                    let block: String =
                        (0..depth.min(300)).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect::<String>()
                            + &format!("{}v: 1\n", "  ".repeat(depth.min(300)));
                    for text in [flow, block] {
                        let (docs, errors) = parse_documents(&text);
                        out.push(docs.len() + errors.len());
                    }
                }
                out
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert!(result.iter().all(|n| *n >= 1));
    }

    #[test]
    fn numeric_keys_become_text() {
        let (docs, _) = parse_documents("responses:\n  200: {description: OK}\n");
        assert!(docs[0].root.get("responses").unwrap().get("200").is_some());
    }
}
