//! The XSS corpus (issue 11): script payloads in every field a user controls, built without the
//! Content-Security-Policy (so sanitising alone is tested), then every page crawled in headless
//! Chromium by `tests/browser/xss.mjs`, which fails on any dialog, event handler attribute,
//! script URL or foreign inline script.

use std::path::Path;

use crate::support::Fixture;

/// Payloads, each calling `alert` (or writing `window.__xss`) when it runs.
const P: [&str; 7] = [
    "<script>alert('xss')</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(2)>",
    "javascript:alert(3)",
    "{{ 7*7 }}<b onmouseover=alert(4)>hover</b>",
    "</title><script>window.__xss=1</script>",
    "\u{2028}</script><script>alert(6)</script>",
];

/// A YAML double-quoted string of `s`.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn corpus() -> Fixture {
    let component = format!(
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: xss-component
  title: {p0}
  description: {p1_p4}
  annotations:
    backstage.io/techdocs-ref: dir:.
    backstage.io/source-location: 'url:javascript:alert(7)'
    backstage.io/view-url: ' JaVaScRiPt:alert(8)'
    backstage.io/edit-url: \"java\\tscript:alert(9)\"
    github.com/project-slug: {p1}
    pagerduty.com/service-id: {p0}
    example.com/note: {p2}
  links:
    - url: 'javascript:alert(10)'
      title: {p2}
      icon: {p1}
    - url: \" \\x01javascript:alert(11)\"
      title: control characters
    - url: 'data:text/html,<script>alert(12)</script>'
      title: data
    - url: 'https://example.com/\"><script>alert(13)</script>'
      title: quoted
spec:
  type: {p0}
  lifecycle: {p1}
  owner: team-a
  system: xss-system
  providesApis: [xss-openapi, xss-graphql, xss-asyncapi, xss-grpc]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: xss-system
  description: {p3}
spec:
  owner: team-a
  domain: xss-domain
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: xss-domain
  title: {p5}
spec:
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  description: {p6}
spec:
  type: team
  children: []
  profile:
    displayName: {p1}
    email: 'javascript:alert(14)'
    picture: 'javascript:alert(15)'
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ann
spec:
  memberOf: [team-a]
  profile:
    displayName: {p2}
    email: {p1}
    picture: 'data:text/html,<script>alert(16)</script>'
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {p1}
spec:
  type: service
  lifecycle: production
  owner: team-a
",
        p0 = q(P[0]),
        p1 = q(P[1]),
        p2 = q(P[2]),
        p3 = q(P[3]),
        p5 = q(P[5]),
        p6 = q(P[6]),
        p1_p4 = q(&format!("{} {}", P[1], P[4])),
    );
    let apis = format!(
        "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: xss-openapi
  description: {p0}
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: xss-graphql
spec:
  type: graphql
  lifecycle: production
  owner: team-a
  definition: |
    \"\"\"{p0} {p1}\"\"\"
    type Query {{
      \"\"\"{p2}\"\"\"
      payment(id: ID! = \"{p3}\"): String
    }}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: xss-asyncapi
spec:
  type: asyncapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./asyncapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: xss-grpc
spec:
  type: grpc
  lifecycle: production
  owner: team-a
  definition: |
    syntax = \"proto3\";
    // {p0}
    service Payments {{
      // {p1}
      rpc Pay (PayRequest) returns (PayReply);
    }}
    /* {p2} */
    message PayRequest {{ string id = 1; }}
    message PayReply {{ string status = 1; }}
",
        p0 = q(P[0]),
        p1 = P[1],
        p2 = P[2],
        p3 = P[3],
    );
    let openapi = format!(
        "openapi: 3.0.3
info:
  title: {p0}
  version: {p1}
  description: |
    {p1} [click](javascript:alert(17)) <iframe src=\"javascript:alert(18)\"></iframe>
servers:
  - url: {p3}
paths:
  /payments/{{id}}:
    get:
      operationId: {p2}
      summary: {p0}
      description: {p4}
      parameters:
        - name: {p1}
          in: path
          required: true
          description: {p2}
          schema: {{type: string, enum: [{p0}], example: {p1}, pattern: {p5}}}
      responses:
        '200':
          description: {p6}
          content:
            application/json:
              schema: {{$ref: {r2}}}
components:
  schemas:
    {p2}:
      type: object
      description: {p1}
      properties:
        {p0}: {{type: string, default: {p3}}}
",
        p0 = q(P[0]),
        p1 = q(P[1]),
        p2 = q(P[2]),
        p3 = q(P[3]),
        p4 = q(P[4]),
        p5 = q(P[5]),
        p6 = q(P[6]),
        r2 = q(&format!("#/components/schemas/{}", P[2])),
    );
    let asyncapi = format!(
        "asyncapi: 2.6.0
info: {{title: {p0}, version: '1', description: {p1}}}
channels:
  {p2}:
    description: {p3}
    subscribe:
      summary: {p4}
      message:
        name: {p0}
        payload: {{type: object, properties: {{ {p1}: {{type: string, description: {p2}}} }}}}
",
        p0 = q(P[0]),
        p1 = q(P[1]),
        p2 = q(P[2]),
        p3 = q(P[3]),
        p4 = q(P[4]),
    );
    let template = format!(
        "apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: xss-template
  title: {p0}
  description: {p1}
spec:
  owner: team-a
  type: {p2}
  parameters:
    - title: {p0}
      description: {p1}
      required: [name]
      properties:
        name:
          title: {p2}
          description: {p4}
          type: string
          pattern: {p1}
          default: {p0}
          enum: [{p1}, {p3}]
          enumNames: [{p2}, {p6}]
          ui:help: {p1}
          ui:field: {p0}
          ui:options:
            allowedKinds: [{p2}]
  steps:
    - id: fetch
      name: {p0}
      action: fetch:template
      if: {p1}
      input:
        url: ./skeleton
        values: {{name: {p2}}}
  output:
    links:
      - title: {p1}
        url: 'javascript:alert(19)'
      - title: {p2}
        entityRef: {p0}
    text:
      - title: {p3}
        content: {p1}
",
        p0 = q(P[0]),
        p1 = q(P[1]),
        p2 = q(P[2]),
        p3 = q(P[3]),
        p4 = q(P[4]),
        p6 = q(P[6]),
    );
    let mkdocs = format!(
        "site_name: {p0}
repo_url: 'javascript:alert(20)'
edit_uri: 'javascript:alert(21)/'
nav:
  - {p1}: index.md
  - {p2}: 'javascript:alert(22)'
  - Evil URL: 'javascript://comment%0aalert(23)'
  - {p5}:
    - Page: page.md
markdown_extensions:
  - abbr
  - attr_list
  - admonition
  - pymdownx.tabbed
  - pymdownx.details
  - footnotes
",
        p0 = q(P[0]),
        p1 = q(P[1]),
        p2 = q(P[2]),
        p5 = q(P[5]),
    );
    let page = format!(
        "---
title: {p0}
description: {p1}
---
# Payments {p2}

{p0} {p1} {p2} {p4} {p5}

<div onclick=\"alert(24)\">raw <b onmouseover=alert(25)>html</b></div>
<a href=\"javascript:alert(26)\">raw link</a> <a href=\" jav&#x09;ascript:alert(27)\">entity</a>
<img src=\"javascript:alert(28)\"> <iframe src=\"https://example.com\"></iframe>
<object data=\"javascript:alert(29)\"></object><embed src=\"x.swf\">
<form action=\"javascript:alert(30)\"><button formaction=\"javascript:alert(31)\">go</button></form>
<svg><script>alert(32)</script><a xlink:href=\"javascript:alert(33)\"><text>t</text></a></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert(34)></style></mglyph></table></mtext></math>

[link](javascript:alert(35)) [spaced]( JaVaScRiPt:alert(36)) ![image](javascript:alert(37))
[attr](https://example.com){{: href=\"javascript:alert(38)\" onclick=\"alert(39)\" formaction=\"javascript:alert(40)\" }}
![attr image](logo.png){{: onerror=\"alert(41)\" src=\"javascript:alert(42)\" }}
## Heading {{: onclick=\"alert(43)\" }}
<https://example.com/\"onmouseover=\"alert(44)>

!!! note {p1q}
    Admonition {p0}

??? warning {p2q}
    Details {p1}

=== {p0q}
    Tab {p1}

```{p1}
code {p0}
```

``` title={p1q} hl_lines=\"1\"
{p2}
```

`{p0}` and `#!html {p1}`

Term
:   {p0}

*[HTML]: {p1}
HTML and a footnote[^x].

[^x]: {p2}

| {p0} | b |
|---|---|
| {p1} | {p3} |

--8<-- \"docs/snippet.md\"
",
        p0 = P[0],
        p1 = P[1],
        p2 = P[2],
        p3 = P[3],
        p4 = P[4],
        p5 = P[5],
        p1q = q(P[1]),
        p2q = q(P[2]),
        p0q = q(P[0]),
    );
    Fixture::empty()
        .file("portico.yaml", "csp: false\ntitle: \"<script>alert('title')</script>\"\n")
        .file("catalog-info.yaml", &component)
        .file("apis/catalog-info.yaml", &apis)
        .file("apis/openapi.yaml", &openapi)
        .file("apis/asyncapi.yaml", &asyncapi)
        .file("templates/xss/catalog-info.yaml", &template)
        .file("mkdocs.yml", &mkdocs)
        .file("docs/index.md", &page)
        .file("docs/page.md", &format!("{}\n\n# {}\n", P[4], P[0]))
        .file("docs/snippet.md", &format!("Snippet {} {}\n", P[0], P[1]))
        .file("docs/logo.png", "not really a png")
        .file(
            "docs/diagram.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(45)\"><script>alert(46)</script></svg>",
        )
}

#[test]
fn issue_11_no_payload_runs_in_a_browser() {
    if crate::browser::skip() {
        return;
    }
    let f = corpus();
    let run = f.run(&["build", ".", "--format", "json"]);
    run.assert_code(0);
    for expected in ["\"code\":\"unsafe-url\"", "\"code\":\"invalid-format\""] {
        assert!(run.stdout.contains(expected), "{expected} not reported:\n{}", run.stdout);
    }
    let port = crate::browser::serve(f.path().join("public"), "/");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/xss.mjs");
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}/"))
        .args(["xss", "alert", "onerror", "payments", "script"])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let visited: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("visited "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the crawler did not finish:\n{stdout}\n{stderr}"));
    assert!(visited >= 20, "only {visited} pages visited:\n{stdout}");
    assert!(out.status.success(), "payloads ran:\n{stdout}\n{stderr}");
}
