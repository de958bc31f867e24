//! The theme: templates and assets. The default theme (`themes/default/`) is compiled into the
//! binary, so a built `portico` needs nothing beside it and reads nothing from the network.
//!
//! Output: a minijinja [`Environment`] with every template loaded, and the assets with their
//! content-hashed file names (`assets/style.3f2a9c1b.css`), so they can be cached forever.

use minijinja::Environment;

/// Templates of the default theme, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("macros.html", include_str!("../../themes/default/templates/macros.html")),
    ("home.html", include_str!("../../themes/default/templates/home.html")),
    ("catalog.html", include_str!("../../themes/default/templates/catalog.html")),
    ("entity.html", include_str!("../../themes/default/templates/entity.html")),
    ("orphans.html", include_str!("../../themes/default/templates/orphans.html")),
    ("docs.html", include_str!("../../themes/default/templates/docs.html")),
];

const STYLE: &str = include_str!("../../themes/default/assets/style.css");
/// mermaid 11 (MIT), see `themes/default/assets/vendor/README.md`.
const MERMAID: &[u8] = include_bytes!("../../themes/default/assets/vendor/mermaid.min.js");

/// An asset with its hashed output path.
pub struct Asset {
    /// Path relative to the site root.
    pub path: String,
    pub content: Vec<u8>,
}

pub struct Theme {
    pub env: Environment<'static>,
    pub style: Asset,
    /// Code highlighting colours (light and dark), from [`crate::highlight::stylesheet`].
    pub highlight: Asset,
    /// The diagram renderer, written only when some page needs it.
    pub mermaid: Asset,
}

impl Theme {
    /// The default theme. Templates are checked at load time, so a broken template is a clear
    /// error before any page renders.
    pub fn default_theme() -> Result<Theme, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Theme {
            env,
            style: hashed("assets/style", "css", STYLE.as_bytes().to_vec()),
            highlight: hashed("assets/highlight", "css", crate::highlight::stylesheet().into_bytes()),
            mermaid: hashed("assets/mermaid", "js", MERMAID.to_vec()),
        })
    }
}

/// Escapes `& < > " '` only. minijinja's default also escapes `/`, which is safe but turns every
/// URL into `&#x2f;` soup and adds bytes to every link.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(s) if *state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() => {
            let mut last = 0;
            for (i, b) in s.bytes().enumerate() {
                let rep = match b {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    b'\'' => "&#39;",
                    _ => continue,
                };
                out.write_str(&s[last..i])?;
                out.write_str(rep)?;
                last = i + 1;
            }
            out.write_str(&s[last..])?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn hashed(stem: &str, ext: &str, content: Vec<u8>) -> Asset {
    let hash = blake3::hash(&content).to_hex();
    Asset { path: format!("{stem}.{}.{ext}", &hash[..8]), content }
}
