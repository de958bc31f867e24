//! Inline text of docs pages: what techdocs-core's inline extensions do to plain text.
//!
//! Input: the text of one Markdown text run (outside code) and the site's [`Extensions`].
//! Output: escaped HTML with bare-URL magic links (pymdownx.magiclink), emoji shortcodes
//! (pymdownx.emoji; with Material's index also icon shortcodes such as `:material-check:`),
//! keyboard keys `++ctrl+c++` (pymdownx.keys, when the site enables it) and abbreviations
//! (`*[HTML]: ...`). Also the text of a heading as the table of contents shows it and as its id
//! is computed from (emoji and icons contribute nothing, as their images do in MkDocs).

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;

use super::markdown::escape;
use super::mkdocs::Extensions;

static MAGIC_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:https?://|www\.)[^\s<>"]*[^\s<>"'.,:;!?)\]]"#).expect("static pattern"));
static EMOJI: LazyLock<Regex> = LazyLock::new(|| Regex::new(r":([a-z0-9_+\-]+):").expect("static pattern"));
static KEYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\+\+((?:[\w\-]+|"[^"]+"|'[^']+')(?:\+(?:[\w\-]+|"[^"]+"|'[^']+'))*)\+\+"#).expect("static pattern")
});

/// Icon sets of Material for MkDocs' emoji index (`:material-check:`, `:octicons-alert-16:`).
const ICON_SETS: [&str; 4] = ["material-", "fontawesome-", "octicons-", "simple-"];

/// How a page's text is decorated.
pub struct Inline {
    ext: Extensions,
    abbr: Option<(Regex, Vec<(String, String)>)>,
}

impl Inline {
    pub fn new(ext: Extensions, abbreviations: &[(String, String)]) -> Self {
        let abbr = (!abbreviations.is_empty())
            .then(|| {
                let alternatives: Vec<String> = abbreviations.iter().map(|(a, _)| regex::escape(a)).collect();
                Regex::new(&format!(r"\b(?:{})\b", alternatives.join("|"))).ok().map(|re| (re, abbreviations.to_vec()))
            })
            .flatten();
        Inline { ext, abbr }
    }

    /// A text run as HTML; `in_link` when it is a link's text (no magic links there).
    pub fn text(&self, text: &str, in_link: bool) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        let mut last = 0;
        if !in_link {
            for m in MAGIC_LINK.find_iter(text) {
                out.push_str(&self.keys(&text[last..m.start()]));
                let url = m.as_str();
                let href = if url.to_ascii_lowercase().starts_with("www.") {
                    format!("https://{url}")
                } else {
                    url.to_owned()
                };
                let _ = write!(out, "<a class=\"magiclink\" href=\"{}\">{}</a>", escape(&href), escape(url));
                last = m.end();
            }
        }
        out.push_str(&self.keys(&text[last..]));
        out
    }

    /// Keyboard keys (when enabled), then [`Inline::decorate`] for the rest.
    fn keys(&self, text: &str) -> String {
        if !self.ext.keys || !text.contains("++") {
            return self.decorate(text);
        }
        let mut out = String::with_capacity(text.len() + 32);
        let mut last = 0;
        for c in KEYS.captures_iter(text) {
            let m = c.get(0).expect("whole match");
            let Some(html) = keys_html(&c[1]) else { continue };
            out.push_str(&self.decorate(&text[last..m.start()]));
            out.push_str(&html);
            last = m.end();
        }
        out.push_str(&self.decorate(&text[last..]));
        out
    }

    /// Escapes text and applies emoji shortcodes and abbreviations.
    fn decorate(&self, text: &str) -> String {
        let escaped = escape(text);
        let with_emoji = if escaped.contains(':') {
            EMOJI
                .replace_all(&escaped, |c: &regex::Captures| match emojis::get_by_shortcode(&c[1]) {
                    Some(e) => format!("<span class=\"emoji\" title=\"{}\">{}</span>", &c[0], e.as_str()),
                    None if self.is_icon(&c[1]) => {
                        // The icon sets are not bundled: the icon's name is its label.
                        format!("<span class=\"icon\" role=\"img\" title=\"{0}\" aria-label=\"{0}\"></span>", &c[1])
                    }
                    None => c[0].to_owned(),
                })
                .into_owned()
        } else {
            escaped
        };
        match &self.abbr {
            Some((re, list)) => re
                .replace_all(&with_emoji, |c: &regex::Captures| {
                    let title = list.iter().find(|(a, _)| *a == c[0]).map_or("", |(_, t)| t.as_str());
                    format!("<abbr title=\"{}\">{}</abbr>", escape(title), &c[0])
                })
                .into_owned(),
            None => with_emoji,
        }
    }

    fn is_icon(&self, name: &str) -> bool {
        self.ext.icons && ICON_SETS.iter().any(|set| name.starts_with(set))
    }

    /// A heading's text without emoji and icon shortcodes (which render as images in MkDocs).
    pub fn without_shortcodes(&self, text: &str) -> String {
        EMOJI
            .replace_all(text, |c: &regex::Captures| {
                if emojis::get_by_shortcode(&c[1]).is_some() || self.is_icon(&c[1]) {
                    String::new()
                } else {
                    c[0].to_owned()
                }
            })
            .into_owned()
    }
}

/// `ctrl+alt+del` (or quoted names) as pymdownx.keys writes it; `None` when a key is unknown,
/// which leaves the text as written.
fn keys_html(spec: &str) -> Option<String> {
    let mut html = String::from("<span class=\"keys\">");
    for (n, key) in spec.split('+').enumerate() {
        if n > 0 {
            html.push_str("<span>+</span>");
        }
        let quoted = key.strip_prefix('"').and_then(|k| k.strip_suffix('"'));
        let quoted = quoted.or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')));
        match quoted {
            Some(label) => {
                let _ = write!(html, "<kbd>{}</kbd>", escape(label.trim()));
            }
            None => {
                let (class, label) = key_name(key)?;
                let _ = write!(html, "<kbd class=\"key-{class}\">{}</kbd>", escape(&label));
            }
        }
    }
    html.push_str("</span>");
    Some(html)
}

/// The canonical name (the CSS class suffix) and the label of a key.
fn key_name(key: &str) -> Option<(String, String)> {
    let key = key.to_ascii_lowercase();
    let canonical = match key.as_str() {
        "control" => "ctrl",
        "esc" => "escape",
        "del" => "delete",
        "ins" => "insert",
        "pgup" => "page-up",
        "pgdn" => "page-down",
        "up" => "arrow-up",
        "down" => "arrow-down",
        "left" => "arrow-left",
        "right" => "arrow-right",
        "win" => "windows",
        "command" => "cmd",
        "opt" => "option",
        "return" => "enter",
        "bksp" => "backspace",
        "capslock" => "caps-lock",
        other => other,
    };
    let label = match canonical {
        "ctrl" => "Ctrl",
        "alt" => "Alt",
        "shift" => "Shift",
        "cmd" => "Cmd",
        "meta" => "Meta",
        "option" => "Option",
        "windows" => "Win",
        "super" => "Super",
        "fn" => "Fn",
        "enter" => "Enter",
        "tab" => "Tab",
        "space" => "Space",
        "backspace" => "Backspace",
        "delete" => "Del",
        "insert" => "Ins",
        "escape" => "Esc",
        "home" => "Home",
        "end" => "End",
        "page-up" => "Page Up",
        "page-down" => "Page Down",
        "arrow-up" => "Up",
        "arrow-down" => "Down",
        "arrow-left" => "Left",
        "arrow-right" => "Right",
        "caps-lock" => "Caps Lock",
        "num-lock" => "Num Lock",
        "scroll-lock" => "Scroll Lock",
        "print-screen" => "Print Screen",
        "pause" => "Pause",
        "context-menu" => "Menu",
        "plus" => "+",
        "minus" => "-",
        "comma" => ",",
        "period" => ".",
        "slash" => "/",
        "backslash" => "\\",
        "semicolon" => ";",
        "quote" => "'",
        "backtick" => "`",
        "bracket-left" => "[",
        "bracket-right" => "]",
        "equal" => "=",
        k if k.len() == 1 && k.chars().all(|c| c.is_ascii_alphanumeric()) => {
            return Some((k.to_owned(), k.to_ascii_uppercase()));
        }
        k if k.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).is_some_and(|n| (1..=24).contains(&n)) => {
            return Some((k.to_owned(), k.to_ascii_uppercase()));
        }
        _ => return None,
    };
    Some((canonical.to_owned(), label.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inline(ext: Extensions) -> Inline {
        Inline::new(ext, &[("API".to_owned(), "Application Programming Interface".to_owned())])
    }

    #[test]
    fn keys_only_when_the_site_enables_them() {
        let keys = inline(Extensions { keys: true, ..Extensions::default() });
        assert_eq!(
            keys.text(r#"Press ++ctrl+alt+del++ or ++cmd+"Save"++."#, false),
            "Press <span class=\"keys\"><kbd class=\"key-ctrl\">Ctrl</kbd><span>+</span><kbd class=\"key-alt\">Alt</kbd><span>+</span><kbd class=\"key-delete\">Del</kbd></span> or <span class=\"keys\"><kbd class=\"key-cmd\">Cmd</kbd><span>+</span><kbd>Save</kbd></span>."
        );
        // Unknown keys and C++ stay text.
        assert_eq!(keys.text("++ctrl+frobnicate++ in C++ and C++", false), "++ctrl+frobnicate++ in C++ and C++");
        assert_eq!(inline(Extensions::default()).text("++ctrl+c++", false), "++ctrl+c++");
    }

    #[test]
    fn icons_need_materials_emoji_index() {
        let text = ":material-check: done :rocket: :nope:";
        let plain = inline(Extensions::default());
        assert_eq!(
            plain.text(text, false),
            ":material-check: done <span class=\"emoji\" title=\":rocket:\">🚀</span> :nope:"
        );
        assert_eq!(plain.without_shortcodes(text), ":material-check: done  :nope:");
        let icons = inline(Extensions { icons: true, ..Extensions::default() });
        assert!(icons.text(text, false).starts_with(
            "<span class=\"icon\" role=\"img\" title=\"material-check\" aria-label=\"material-check\"></span> done"
        ));
        assert_eq!(icons.without_shortcodes(text), " done  :nope:");
    }

    #[test]
    fn magic_links_abbreviations_and_escaping() {
        let i = inline(Extensions::default());
        assert_eq!(
            i.text("The API at www.example.com/v1, <b>", false),
            "The <abbr title=\"Application Programming Interface\">API</abbr> at <a class=\"magiclink\" href=\"https://www.example.com/v1\">www.example.com/v1</a>, &lt;b&gt;"
        );
        assert_eq!(i.text("https://x.org", true), "https://x.org");
    }
}
