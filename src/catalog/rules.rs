//! Field format rules of `@backstage/catalog-model` 1.10 (`KubernetesValidatorFunctions`,
//! `CommonValidatorFunctions`), one function per rule, with Backstage's wording of what each
//! expects. Checked against the cases of Backstage's own tests below.

use std::sync::LazyLock;

use regex::Regex;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static pattern compiles")
}

static OBJECT_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));
static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$"));
// The default `isValidTag` of `makeValidator` (the one the policy uses) allows `:`; the message
// Backstage prints does not mention it.
static TAG: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"));
static KIND: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-zA-Z][a-z0-9A-Z]*$"));
static API_VERSION_SUFFIX: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9A-Z]+$"));

/// Length as JavaScript counts it (UTF-16 code units), since Backstage's limits use `.length`.
fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub fn is_valid_object_name(s: &str) -> bool {
    (1..=63).contains(&js_len(s)) && OBJECT_NAME.is_match(s)
}

pub fn is_valid_dns_label(s: &str) -> bool {
    (1..=63).contains(&js_len(s)) && DNS_LABEL.is_match(s)
}

pub fn is_valid_dns_subdomain(s: &str) -> bool {
    (1..=253).contains(&js_len(s)) && s.split('.').all(is_valid_dns_label)
}

/// `prefix/suffix` or `suffix`, as `isValidPrefixAndOrSuffix` splits on every `/`.
fn prefix_and_or_suffix(s: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [only] => suffix(only),
        [p, s] => prefix(p) && suffix(s),
        _ => false,
    }
}

pub fn is_valid_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, |n| (1..=63).contains(&js_len(n)) && API_VERSION_SUFFIX.is_match(n))
}

pub fn is_valid_kind(s: &str) -> bool {
    (1..=63).contains(&js_len(s)) && KIND.is_match(s)
}

pub fn is_valid_namespace(s: &str) -> bool {
    is_valid_dns_label(s)
}

pub fn is_valid_label_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, is_valid_object_name)
}

pub fn is_valid_label_value(s: &str) -> bool {
    s.is_empty() || is_valid_object_name(s)
}

pub fn is_valid_annotation_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, is_valid_object_name)
}

pub fn is_valid_tag(s: &str) -> bool {
    (1..=63).contains(&js_len(s)) && TAG.is_match(s)
}

/// `new URL(value)` succeeds: an absolute URL per the WHATWG URL standard.
pub fn is_valid_url(s: &str) -> bool {
    url::Url::parse(s).is_ok()
}

/// `isNonEmptyString`: not empty after trimming.
pub fn is_non_empty_string(s: &str) -> bool {
    !s.trim().is_empty()
}

/// What a rule expects, in Backstage's words (`FieldFormatEntityPolicy`).
pub const EXPECT_OBJECT_NAME: &str =
    "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total";
pub const EXPECT_PREFIX_SUFFIX: &str = "a valid prefix and/or suffix";
pub const EXPECT_DNS_LABEL: &str =
    "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total";
pub const EXPECT_TAG: &str =
    "a string that is sequences of [a-z0-9+#] separated by [-], at most 63 characters in total";
pub const EXPECT_KIND: &str = "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total";
pub const EXPECT_URL: &str = "a string that is a valid url";
pub const EXPECT_NON_EMPTY: &str = "a non empty string";

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: fn(&str) -> bool, valid: &[&str], invalid: &[&str]) {
        for v in valid {
            assert!(rule(v), "expected valid: {v:?}");
        }
        for v in invalid {
            assert!(!rule(v), "expected invalid: {v:?}");
        }
    }

    // Cases from KubernetesValidatorFunctions.test.ts and CommonValidatorFunctions.test.ts.
    #[test]
    fn object_names() {
        let long63 = "a".repeat(63);
        let long64 = "a".repeat(64);
        check(
            is_valid_object_name,
            &["a", "A", "0", "a-b", "a_b", "a.b", "a--b", "a__b", "a..b", "a-_.b", "Component1", &long63],
            &["", "-", "_", ".", "-a", "a-", "_a", "a_", ".a", "a.", "a b", "a/b", "a:b", "ä", &long64],
        );
    }

    #[test]
    fn namespaces_are_dns_labels() {
        check(
            is_valid_namespace,
            &["a", "a-b", "a--b", "0", "default", "a1-b2"],
            &["", "A", "-a", "a-", "a_b", "a.b", "a b", &"a".repeat(64)],
        );
    }

    #[test]
    fn dns_subdomains() {
        check(
            is_valid_dns_subdomain,
            &["a", "a.b", "a-b.c-d", "backstage.io", &format!("{}.{}", "a".repeat(63), "b".repeat(63))],
            &["", ".", "a.", ".a", "a..b", "A.b", "a_b.c", &"a.".repeat(127)],
        );
    }

    #[test]
    fn api_versions() {
        check(
            is_valid_api_version,
            &["v1", "backstage.io/v1alpha1", "scaffolder.backstage.io/v1beta3", "a/B2", "a-b.c/v1"],
            &["", "/", "a/", "/v1", "a/b/c", "A.io/v1", "backstage.io/v1-alpha", "backstage.io/v1.0"],
        );
    }

    #[test]
    fn kinds() {
        check(
            is_valid_kind,
            &["a", "A", "Component", "API", "a1", "AiResource", &"a".repeat(63)],
            &["", "1a", "-a", "a-b", "a_b", "a.b", "a b", &"a".repeat(64)],
        );
    }

    #[test]
    fn label_and_annotation_keys() {
        for rule in [is_valid_label_key as fn(&str) -> bool, is_valid_annotation_key] {
            check(
                rule,
                &["a", "a/b", "backstage.io/techdocs-ref", "github.com/project-slug", "a.b/c_d", "A", "a/B"],
                &["", "/", "a/", "/a", "a/b/c", "A/b", "a b", "a/-b", &format!("a/{}", "b".repeat(64))],
            );
        }
    }

    #[test]
    fn label_values() {
        check(is_valid_label_value, &["", "a", "a-b", "A.b_c"], &["-", "a b", "a/b", &"a".repeat(64)]);
    }

    #[test]
    fn tags() {
        check(
            is_valid_tag,
            &["a", "a-b", "java", "c++", "c#", "a1", "0", "a:b", "lang:go", &"a".repeat(63)],
            &["", "A", "-a", "a-", "a--b", "a_b", "a.b", "a b", "Hello World", &"a".repeat(64)],
        );
    }

    #[test]
    fn urls_and_strings() {
        check(
            is_valid_url,
            &["https://example.com", "http://a", "mailto:a@b.c", "slack://channel", "https://a.com/b?c#d"],
            &["", "example.com", "/relative", "a b"],
        );
        check(is_non_empty_string, &["a", " a "], &["", "   "]);
    }
}
