//! A `curl` command per OpenAPI operation: the first server's URL, the path with its parameters
//! (examples where the definition gives them, else `{name}` placeholders), required query
//! parameters and headers, and a JSON body from the request body's example.

use serde_json::Value as Json;

/// One parameter as the command uses it.
pub(super) struct Param {
    pub name: String,
    pub location: String,
    pub required: bool,
    /// An example value when the definition gives one.
    pub example: Option<Json>,
}

fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `'…'` for the shell when needed.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,%+".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The command, one option a line.
pub(super) fn command(
    server: Option<&str>,
    method: &str,
    path: &str,
    params: &[Param],
    body: Option<(&str, &Json)>,
) -> String {
    let mut url = server.unwrap_or("").trim_end_matches('/').to_owned();
    let mut path = path.to_owned();
    for p in params.iter().filter(|p| p.location == "path") {
        if let Some(e) = &p.example {
            path = path.replace(&format!("{{{}}}", p.name), &text(e));
        }
    }
    url.push_str(&path);
    let query: Vec<String> = params
        .iter()
        .filter(|p| p.location == "query" && (p.required || p.example.is_some()))
        .map(|p| {
            let value = p.example.as_ref().map_or_else(|| format!("<{}>", p.name), text);
            format!("{}={}", p.name, percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC))
        })
        .collect();
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let mut lines = vec![format!("curl -X {} {}", method.to_ascii_uppercase(), quote(&url))];
    for p in params.iter().filter(|p| p.location == "header" && (p.required || p.example.is_some())) {
        let value = p.example.as_ref().map_or_else(|| format!("<{}>", p.name), text);
        lines.push(format!("  -H {}", quote(&format!("{}: {value}", p.name))));
    }
    if let Some((media, example)) = body {
        lines.push(format!("  -H {}", quote(&format!("Content-Type: {media}"))));
        let data = if media.contains("json") {
            serde_json::to_string_pretty(example).unwrap_or_default()
        } else {
            text(example)
        };
        lines.push(format!("  --data {}", quote(&data)));
    }
    lines.join(" \\\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_command_has_the_server_path_query_headers_and_body() {
        let params = [
            Param { name: "petId".into(), location: "path".into(), required: true, example: Some(json!(42)) },
            Param { name: "limit".into(), location: "query".into(), required: true, example: None },
            Param { name: "verbose".into(), location: "query".into(), required: false, example: None },
            Param { name: "X-Trace".into(), location: "header".into(), required: true, example: Some(json!("abc")) },
        ];
        let body = json!({"name": "Rex"});
        let got = command(
            Some("https://api.example.com/v1/"),
            "put",
            "/pets/{petId}",
            &params,
            Some(("application/json", &body)),
        );
        assert_eq!(
            got,
            "curl -X PUT 'https://api.example.com/v1/pets/42?limit=%3Climit%3E' \\\n  -H 'X-Trace: abc' \\\n  -H 'Content-Type: application/json' \\\n  --data '{\n  \"name\": \"Rex\"\n}'"
        );
        assert_eq!(command(None, "get", "/pets/{id}", &[], None), "curl -X GET '/pets/{id}'");
    }
}
