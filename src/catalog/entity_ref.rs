//! Entity references: `[kind:][namespace/]name`, parsed and displayed only here.
//!
//! Parsing follows `parseEntityRef` of `@backstage/catalog-model`: the first `:` separates the
//! kind unless a `/` comes before it (then the colon belongs to the name), the first `/`
//! separates the namespace, missing parts come from the context (the field's default kind and
//! the referring entity's namespace), and an empty part is an error. The canonical form used as
//! the identity of an entity everywhere in Portico is fully lower-case `kind:namespace/name`,
//! since Backstage compares references case-insensitively.

use std::fmt;

/// The namespace of entities that do not name one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A canonical (lower-case) reference to an entity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// Why a reference could not be parsed; the message is Backstage's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    Empty,
    Malformed(String),
    MissingKind(String),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Empty => f.write_str("entity reference must not be empty"),
            RefError::Malformed(r) => {
                write!(f, "entity reference \"{r}\" was not on the form [<kind>:][<namespace>/]<name>")
            }
            RefError::MissingKind(r) => write!(
                f,
                "entity reference \"{r}\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
            ),
        }
    }
}

/// The parts of a reference as written, before defaults are applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefParts<'a> {
    pub kind: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

/// Splits `[kind:][namespace/]name` exactly as Backstage's `parseRefString` does.
pub fn split(reference: &str) -> Result<RefParts<'_>, RefError> {
    if reference.is_empty() {
        return Err(RefError::Empty);
    }
    let slash = reference.find('/');
    let mut colon = reference.find(':');
    // A slash before the colon means the colon is part of the name.
    if let (Some(s), Some(c)) = (slash, colon)
        && s < c
    {
        colon = None;
    }
    let kind = colon.map(|c| &reference[..c]);
    let namespace = slash.map(|s| &reference[colon.map_or(0, |c| c + 1)..s]);
    let name_start = colon.map_or(0, |c| c + 1).max(slash.map_or(0, |s| s + 1));
    let name = &reference[name_start..];
    if kind == Some("") || namespace == Some("") || name.is_empty() {
        return Err(RefError::Malformed(reference.to_owned()));
    }
    Ok(RefParts { kind, namespace, name })
}

impl EntityRef {
    /// Builds the canonical reference of an entity from its kind, namespace and name.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef { kind: kind.to_lowercase(), namespace: namespace.to_lowercase(), name: name.to_lowercase() }
    }

    /// Parses `reference` with the defaults of the field it appears in.
    pub fn parse(reference: &str, default_kind: Option<&str>, default_namespace: &str) -> Result<Self, RefError> {
        let parts = split(reference)?;
        let kind = parts.kind.or(default_kind).ok_or_else(|| RefError::MissingKind(reference.to_owned()))?;
        let namespace =
            parts.namespace.unwrap_or(if default_namespace.is_empty() { DEFAULT_NAMESPACE } else { default_namespace });
        Ok(EntityRef::new(kind, namespace, parts.name))
    }

    /// `kind:name` in the default namespace, `kind:namespace/name` elsewhere: what Backstage's
    /// `humanizeEntityRef` shows.
    pub fn short(&self) -> String {
        if self.namespace == DEFAULT_NAMESPACE { format!("{}:{}", self.kind, self.name) } else { self.to_string() }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases from Backstage's `ref.test.ts` (parseEntityRef).
    #[test]
    fn parses_like_backstage() {
        let ok: &[(&str, Option<&str>, &str, &str)] = &[
            // (input, default kind, default namespace, canonical)
            ("a:b/c", None, "", "a:b/c"),
            ("a:c", None, "", "a:default/c"),
            ("b/c", Some("x"), "", "x:b/c"),
            ("c", Some("x"), "", "x:default/c"),
            ("c", Some("x"), "y", "x:y/c"),
            ("a:c", Some("x"), "y", "a:y/c"),
            ("a:b/c", Some("x"), "y", "a:b/c"),
            ("Component:Default/MyName", None, "", "component:default/myname"),
            // a slash before the colon cancels the kind: the colon belongs to the name
            ("b/c:d", Some("x"), "", "x:b/c:d"),
            ("a:b/c:d", None, "", "a:b/c:d"),
            ("a:b:c", None, "", "a:default/b:c"),
            ("a:b/c/d", None, "", "a:b/c/d"),
            ("group:team-a", Some("group"), "other", "group:other/team-a"),
        ];
        for (input, kind, ns, want) in ok {
            let got = EntityRef::parse(input, *kind, ns).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(got.to_string(), *want, "input {input:?}");
        }
    }

    #[test]
    fn rejects_like_backstage() {
        let bad: &[(&str, Option<&str>, RefError)] = &[
            ("", Some("x"), RefError::Empty),
            (":b/c", None, RefError::Malformed(":b/c".into())),
            ("a:/c", None, RefError::Malformed("a:/c".into())),
            ("a:b/", None, RefError::Malformed("a:b/".into())),
            ("a:", None, RefError::Malformed("a:".into())),
            ("/c", Some("x"), RefError::Malformed("/c".into())),
            ("b/", Some("x"), RefError::Malformed("b/".into())),
            ("c", None, RefError::MissingKind("c".into())),
            ("b/c", None, RefError::MissingKind("b/c".into())),
            ("b/c:d", None, RefError::MissingKind("b/c:d".into())),
        ];
        for (input, kind, want) in bad {
            assert_eq!(EntityRef::parse(input, *kind, "").unwrap_err(), *want, "input {input:?}");
        }
    }

    #[test]
    fn displays_short_form_in_default_namespace() {
        assert_eq!(EntityRef::new("Group", "default", "Team-A").short(), "group:team-a");
        assert_eq!(EntityRef::new("user", "dev", "guest").short(), "user:dev/guest");
    }
}
