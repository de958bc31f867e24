//! Issue 10: docs as techdocs-core renders them, on fixtures modelled on real TechDocs sites
//! (`tests/fixtures/docs/<name>/`): a runbook with lists as truly-sane lists nests them, a
//! terraform-docs README with `<a name>` anchors, pages without a `# ` heading, a site's own
//! `markdown_extensions`, and a monorepo whose docs links must all lead to generated pages.
//!
//! Expected structure, titles and anchors were worked out from the sources of Python-Markdown
//! 3.10, mdx_truly_sane_lists 1.3, pymdown-extensions, MkDocs 1.6 and mkdocs-techdocs-core 1.7
//! (no MkDocs run is available to the test suite).

use crate::docs::{built, diags, fixture, md, nav_links, page, title};
use crate::links::broken_links;

/// The rendered body with highlighted code reduced to `<code>text</code>`.
fn structure(body: &str) -> String {
    let code =
        regex::Regex::new(r#"(?s)<div class="highlight"[^>]*><pre class="hl-code"><code>(.*?)</code></pre></div>"#)
            .unwrap();
    let tags = regex::Regex::new(r"<[^>]+>").unwrap();
    code.replace_all(body, |c: &regex::Captures| format!("<code>{}</code>", tags.replace_all(&c[1], "").trim()))
        .into_owned()
}

#[test]
fn issue_10_lists_nest_by_two_columns_and_keep_fences_and_admonitions_in_their_items() {
    let f = built("runbook-lists");
    assert_eq!(diags(&f), Vec::<String>::new());

    let home = page(&f, "payments-api", "");
    let body = structure(md(&home));
    // `1.` items with children indented by 2 (CommonMark needs 3): one list, nested bullets.
    assert_eq!(body.matches("<ol>").count(), 1, "{body}");
    assert!(
        body.contains("<p>Clone the repository and install the toolchain:</p>\n<ul>\n<li>Go 1.22"),
        "the tools are nested under step 1: {body}"
    );
    // A fence right under an item (2 columns, no blank line) and one after a blank line.
    assert!(body.contains("<p>Start the dependencies:</p>\n<code>docker compose up -d postgres kafka</code>\n</li>"));
    assert!(body.contains(
        "<p>Run the service with the local profile:</p>\n<code>export PAYMENTS_PROFILE=local\ngo run ./cmd/payments-api</code>\n</li>"
    ));
    assert!(body.contains("<li>\n<p>Open <a href=\"http://localhost:8080/healthz\""), "step 4 is in the same list");
    // Three levels of 2-column bullets.
    assert!(
        body.contains("<li><code>staging</code> and <code>production</code> read from Vault\n<ul>\n<li>the Vault role")
    );

    let runbook = page(&f, "payments-api", "runbook/");
    let body = structure(md(&runbook));
    insta::assert_snapshot!(body);
    assert_eq!(body.matches("<ol>").count(), 1, "one list of four steps: {body}");
    assert_eq!(body.matches("<code>kubectl -n payments rollout undo").count(), 1);
    // The admonition indented by 2 after a blank line belongs to step 2, after its bullets.
    assert!(
        body.contains(
            "</ul>\n<div class=\"admonition warning\">\n<p class=\"admonition-title\">Card schemes notice</p>"
        )
    );
    // An unindented fence right after step 3 is step 3's (pymdownx.superfences finds it first).
    assert!(body.contains("Roll back the last deploy:</p>\n<code>kubectl"), "{body}");
    assert!(body.contains("<p>The summary names the alert"), "step 4's second paragraph");
    // Nothing after the lists is swallowed by a fence.
    for id in ["alert-paymentsapilatencyhigh", "escalation"] {
        assert!(body.contains(&format!("<h2 id=\"{id}\">")), "#{id} is a heading: {body}");
        assert!(runbook.contains(&format!("<a href=\"#{id}\">")), "#{id} is in the table of contents");
    }
    assert!(body.contains("<li>Then check the database:<code>SELECT pid"));
    assert!(body.contains("<p>Page the secondary on-call after 30 minutes without progress.</p>"));
}

#[test]
fn issue_10_terraform_docs_a_name_anchors_are_kept_and_are_link_targets() {
    let f = built("terraform-module");
    // Only the anchor that really is missing is reported (no false broken-anchor warnings).
    assert_eq!(diags(&f), ["docs/upgrading.md:6:9 warning broken-anchor"]);
    let home = f.read("public/docs/default/resource/terraform-aws-rds/index.html");
    let body = md(&home);
    for name in ["requirement_terraform", "provider_aws", "input_instance_class", "input_name", "output_endpoint"] {
        assert!(body.contains(&format!("<a name=\"{name}\"")), "<a name=\"{name}\"> survives sanitising: {body}");
    }
    assert!(body.contains("<a href=\"#input_instance_class\""), "escaped underscores are unescaped in links");
    let upgrading = f.read("public/docs/default/resource/terraform-aws-rds/upgrading/index.html");
    assert!(md(&upgrading).contains("<a href=\"/docs/default/resource/terraform-aws-rds/#input_name\">"));
    // The crawler counts `<a name>` as a target too: only the deliberate broken anchor remains.
    let (_, broken) = broken_links(&f, "/");
    assert_eq!(
        broken,
        [
            "docs/default/resource/terraform-aws-rds/upgrading/index.html -> /docs/default/resource/terraform-aws-rds/#output_address (no id output_address)"
        ]
    );
}

#[test]
fn issue_10_pages_without_a_leading_h1_are_titled_as_mkdocs_titles_them() {
    let f = built("page-titles");
    let titles: Vec<String> = nav_links(&page(&f, "checkout-web", "")).into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        titles,
        [
            "Checkout web",
            // Badges come before the h1: MkDocs takes no title from it; the home page is "Home".
            "Home",
            "Release process",  // nav title
            "Deploy checklist", // file name
            "On-call",
            "Index",                     // an index page below the top is named after its file
            "Escalation policy",         // setext h1
            "Feature flags in checkout", // front matter
        ]
    );
    let cases = [
        ("", "Home", None),
        ("releasing/", "Release process", Some("Release process")),
        ("deploy-checklist/", "Deploy checklist", Some("Deploy checklist")),
        ("on-call/", "Index", Some("Index")),
        ("on-call/escalation/", "Escalation policy", None),
        ("feature_flags/", "Feature flags in checkout", Some("Feature flags in checkout")),
    ];
    for (url, want, shown) in cases {
        let p = page(&f, "checkout-web", url);
        assert_eq!(title(&p), format!("{want} · Checkout web · Developer Portal"), "{url}");
        // A page whose body has no <h1> shows its title as one (Material for MkDocs does).
        let body = md(&p);
        assert_eq!(body.matches("<h1").count(), 1, "{url}: exactly one h1: {body}");
        if let Some(shown) = shown {
            assert!(body.starts_with(&format!("<div class=\"md\">\n  <h1>{shown}</h1>")), "{url}: {body}");
        }
    }
    assert_eq!(diags(&f), Vec::<String>::new());
}

#[test]
fn issue_10_the_sites_markdown_extensions_settings_are_honoured() {
    let f = built("markdown-extensions");
    let home = page(&f, "dev-cli", "");
    let body = md(&home);
    insta::assert_snapshot!(structure(body));
    // pymdownx.highlight `linenums: false`.
    assert!(body.contains("<div class=\"highlight\""));
    assert!(!body.contains("class=\"linenos\""), "no line numbers: {body}");
    // pymdownx.keys.
    assert!(body.contains("<span class=\"keys\"><kbd class=\"key-ctrl\">Ctrl</kbd><span>+</span><kbd class=\"key-shift\">Shift</kbd><span>+</span><kbd class=\"key-p\">P</kbd></span>"));
    // smarty.
    assert!(body.contains("every day – builds, tests and deploys – behind"));
    assert!(body.contains("type “dev: deploy”… then"));
    // Material's emoji index: icons are not text, and add nothing to heading ids.
    assert!(body.contains("<h2 id=\"install\"><span class=\"icon\" role=\"img\" title=\"material-download\""));
    assert!(
        body.contains("<td style=\"text-align: center\"><span class=\"icon\" role=\"img\" title=\"material-check\"")
    );
    assert!(home.contains("<a href=\"#install\">Install</a>"), "the table of contents shows no shortcode");
    // Escaped spaces in ^sup^ and ~sub~; an emoji starting a line is no definition.
    assert!(body.contains("memory<sup>per job</sup> and run on ARM<sub>Graviton 3</sub> workers"));
    assert!(body.contains("<p><span class=\"emoji\" title=\":warning:\">⚠️</span> Deploys to production"));
    assert!(!body.contains("<dl>"));
    assert_eq!(diags(&f), Vec::<String>::new());

    // Without the site's settings: techdocs-core's defaults.
    let plain =
        fixture("markdown-extensions").file("mkdocs.yml", "site_name: Developer CLI\nplugins:\n  - techdocs-core\n");
    plain.build(&[]).assert_code(0);
    let home = page(&plain, "dev-cli", "");
    let body = md(&home);
    assert!(body.contains("class=\"linenos\""), "techdocs-core numbers lines");
    assert!(body.contains("palette with ++ctrl+shift+p++ and type &quot;dev: deploy&quot;... then"));
    assert!(body.contains("every day -- builds"));
    assert!(body.contains("<h2 id=\"material-download-install\">:material-download: Install"), "{body}");
    assert!(body.contains("<td style=\"text-align: center\">:material-check:</td>"));
}

#[test]
fn issue_10_every_docs_link_leads_to_a_generated_page_and_shared_directories_make_one_site() {
    let f = fixture("docs-sites");
    assert_eq!(
        diags(&f),
        [
            "services/legacy-billing/catalog-info.yaml:6:32 warning techdocs-ref-outside",
            "services/notifications/catalog-info.yaml:6:32 warning invalid-techdocs-ref",
            "services/payments-worker/catalog-info.yaml:7:40 warning techdocs-entity-path-missing",
            "services/refunds/catalog-info.yaml:6:32 warning docs-empty",
        ],
        "annotation problems are warnings: the build goes on without those docs"
    );
    f.build(&[]).assert_code(0);
    let (checked, broken) = broken_links(&f, "/");
    assert!(checked > 200, "only {checked} links checked");
    assert_eq!(broken, Vec::<String>::new());

    let docs_link = |entity: &str| {
        let html = f.read(&format!("public/catalog/default/{entity}/index.html"));
        let marker = "<dt>Docs</dt><dd><a href=\"";
        let start = html.find(marker)? + marker.len();
        Some(html[start..start + html[start..].find('"').unwrap()].to_owned())
    };
    // One site for the three entities naming `services/payments-api`, at the URL of the first
    // by reference (component < domain < system).
    for entity in ["component/payments-api", "domain/payments", "system/payments"] {
        assert_eq!(docs_link(entity).as_deref(), Some("/docs/default/component/payments-api/"), "{entity}");
    }
    assert!(!f.path().join("public/docs/default/system").exists());
    assert!(!f.path().join("public/docs/default/domain").exists());
    let shared = f.read("public/docs/default/component/payments-api/index.html");
    assert!(shared.contains("Docs of <a href=\"/catalog/default/component/payments-api/\""));
    assert!(shared.contains(", <a href=\"/catalog/default/domain/payments/\""), "the page names every entity");
    // No index.md: the site's home is its first page.
    assert_eq!(
        docs_link("component/fraud-scoring").as_deref(),
        Some("/docs/default/component/fraud-scoring/getting-started/")
    );
    assert!(!f.path().join("public/docs/default/component/fraud-scoring/index.html").exists());
    // `dir:../docs` leaves the descriptor's folder but not the repository: resolved.
    assert_eq!(docs_link("component/ledger").as_deref(), Some("/docs/default/component/ledger/"));
    // Empty docs, a `dir:` outside the root and a bare value: no docs, no link.
    for entity in ["component/refunds", "component/legacy-billing", "component/notifications"] {
        assert_eq!(docs_link(entity), None, "{entity}");
    }
    // techdocs-entity-path: a page that exists (without its trailing slash, with a fragment),
    // else the home page.
    assert_eq!(
        docs_link("component/fraud-model-trainer").as_deref(),
        Some("/docs/default/component/fraud-scoring/model/#features")
    );
    assert_eq!(
        docs_link("component/payments-worker").as_deref(),
        Some("/docs/default/component/fraud-scoring/getting-started/")
    );
    // The docs index lists three sites, each once, with every entity it documents.
    let index = f.read("public/docs/index.html");
    assert_eq!(index.matches("<tr><td><a href=").count(), 3, "{index}");
    assert!(index.contains("<a href=\"/docs/default/component/fraud-scoring/getting-started/\">fraud-scoring</a>"));
}
