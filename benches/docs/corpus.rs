//! Deterministic realistic TechDocs for the docs benchmark.
//!
//! Real docs differ from the shared synthetic monorepo in one way that matters for speed: every
//! code block is different (so the highlight cache never hits) and they are long (20-80 lines)
//! and in the languages platform teams write about: TypeScript, TSX, Java, Kotlin, HCL, YAML,
//! Bash, plus JSON, Python, Go, SQL and Dockerfile. Each block here is built from a template of
//! real-looking code with names, fields, numbers and repetition counts drawn from a seeded
//! generator, so the same seed always gives the same files and no two blocks are equal.

use std::fmt::Write as _;
use std::path::Path;

/// Fence names of the generated blocks, most common first. The first seven are the languages of
/// issue 10; the others are cheap extras.
pub const LANGS: &[&str] =
    &["typescript", "tsx", "java", "kotlin", "hcl", "yaml", "bash", "json", "python", "go", "sql", "dockerfile"];

/// splitmix64: small, fast and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.range(0, items.len() - 1)]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const NOUNS: &[&str] = &[
    "order",
    "invoice",
    "payment",
    "customer",
    "shipment",
    "ledger",
    "account",
    "session",
    "tenant",
    "webhook",
    "report",
    "refund",
    "subscription",
    "quota",
    "parcel",
    "route",
    "courier",
    "depot",
    "warehouse",
    "cart",
    "coupon",
    "catalog",
    "price",
    "stock",
    "review",
    "ticket",
    "incident",
    "deployment",
    "release",
    "artifact",
];

const WORDS: &[&str] = &[
    "the",
    "service",
    "reads",
    "every",
    "event",
    "from",
    "the",
    "queue",
    "and",
    "writes",
    "a",
    "row",
    "per",
    "order",
    "into",
    "ledger",
    "retries",
    "are",
    "bounded",
    "by",
    "budget",
    "so",
    "an",
    "outage",
    "of",
    "payments",
    "provider",
    "never",
    "blocks",
    "checkout",
    "deploys",
    "run",
    "through",
    "canary",
    "first",
    "alerts",
    "page",
    "on-call",
    "team",
    "when",
    "latency",
    "exceeds",
    "objective",
    "for",
    "five",
    "minutes",
];

fn pascal(word: &str) -> String {
    word.split(['-', '_']).map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

fn sentence(rng: &mut Rng, n: usize) -> String {
    let mut s: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
    let first = pascal(s[0]);
    s[0] = &first;
    format!("{}.", s.join(" "))
}

/// Names and values one block is built from.
struct Names {
    noun: &'static str,
    other: &'static str,
    /// A number unique to the block (its position in the corpus), used where real code has one.
    serial: usize,
}

impl Names {
    fn new(rng: &mut Rng, serial: usize) -> Self {
        let noun = rng.pick(NOUNS);
        let mut other = rng.pick(NOUNS);
        while other == noun {
            other = rng.pick(NOUNS);
        }
        Names { noun, other, serial }
    }

    fn ty(&self) -> String {
        pascal(self.noun)
    }

    fn plural(&self) -> String {
        format!("{}s", self.noun)
    }
}

/// Field names with a TypeScript-ish type tag, for the object-shaped templates.
fn fields(rng: &mut Rng, min: usize, max: usize) -> Vec<(String, &'static str)> {
    const FIELDS: &[&str] = &[
        "amount", "currency", "status", "region", "owner", "note", "count", "weight", "priority", "email", "label",
        "version", "retries", "deadline", "active", "tags",
    ];
    const TYPES: &[&str] = &["string", "number", "boolean"];
    let n = rng.range(min, max);
    let mut out: Vec<(String, &'static str)> = Vec::new();
    while out.len() < n {
        let name = format!("{}{}", rng.pick(FIELDS), if rng.chance(30) { "Id" } else { "" });
        if out.iter().any(|(f, _)| *f == name) {
            continue;
        }
        out.push((name, rng.pick(TYPES)));
    }
    out
}

/// A code block of `lang` (one of [`LANGS`]), 20-80 lines, unique for each `serial`.
pub fn block(lang: &str, rng: &mut Rng, serial: usize) -> String {
    let n = Names::new(rng, serial);
    let code = match lang {
        "typescript" => typescript(rng, &n),
        "tsx" => tsx(rng, &n),
        "java" => java(rng, &n),
        "kotlin" => kotlin(rng, &n),
        "hcl" => hcl(rng, &n),
        "yaml" => yaml(rng, &n),
        "bash" => bash(rng, &n),
        "json" => json(rng, &n),
        "python" => python(rng, &n),
        "go" => go(rng, &n),
        "sql" => sql(rng, &n),
        "dockerfile" => dockerfile(rng, &n),
        other => panic!("no template for {other}"),
    };
    debug_assert!(code.lines().count() >= 20, "{lang} block too short:\n{code}");
    code
}

fn typescript(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 3, 7);
    let mut s = String::new();
    let _ = writeln!(s, "import {{ z }} from \"zod\";");
    let _ = writeln!(s, "import type {{ Logger }} from \"@acme/{}-logging\";", n.other);
    let _ = writeln!(s, "\n// {}", sentence(rng, 10));
    let _ = writeln!(s, "export enum {ty}Status {{");
    for st in ["Pending", "Active", "Failed", "Archived"] {
        let _ = writeln!(s, "  {st} = \"{}\",", st.to_lowercase());
    }
    let _ = writeln!(s, "}}\n\nexport interface {ty} {{\n  id: string;\n  status: {ty}Status;");
    for (f, t) in &fs {
        let _ = writeln!(s, "  {f}{}: {t};", if rng.chance(25) { "?" } else { "" });
    }
    let _ = writeln!(s, "  createdAt: Date;\n}}\n");
    let _ = writeln!(s, "const {}Schema = z.object({{\n  id: z.string().uuid(),", n.noun);
    for (f, t) in &fs {
        let _ = writeln!(s, "  {f}: z.{t}(),");
    }
    let _ = writeln!(s, "  createdAt: z.coerce.date(),\n}});\n");
    let _ = writeln!(s, "export class {ty}Client {{");
    let _ = writeln!(s, "  private readonly cache = new Map<string, {ty}>();");
    let _ = writeln!(s, "  private static readonly TIMEOUT_MS = {};\n", 1000 + n.serial);
    let _ = writeln!(
        s,
        "  constructor(\n    private readonly baseUrl: string,\n    private readonly logger: Logger,\n  ) {{}}\n"
    );
    let methods = rng.range(1, 2);
    for m in 0..methods {
        let verb = ["get", "refresh", "load"][m];
        let _ = writeln!(s, "  async {verb}{ty}(id: string): Promise<{ty} | undefined> {{");
        let _ = writeln!(
            s,
            "    const cached = this.cache.get(id);\n    if (cached && cached.status !== {ty}Status.Failed) return cached;"
        );
        let _ = writeln!(
            s,
            "    const res = await fetch(`${{this.baseUrl}}/{}/${{encodeURIComponent(id)}}`, {{",
            n.plural()
        );
        let _ = writeln!(
            s,
            "      headers: {{ Accept: \"application/json\" }},\n      signal: AbortSignal.timeout({ty}Client.TIMEOUT_MS),\n    }});"
        );
        let _ = writeln!(s, "    if (!res.ok) {{");
        let _ = writeln!(s, "      this.logger.warn(`{verb} {} ${{id}} failed: ${{res.status}}`);", n.noun);
        let _ = writeln!(s, "      return undefined;\n    }}");
        let _ = writeln!(s, "    const body = {}Schema.parse(await res.json()) as {ty};", n.noun);
        let _ = writeln!(s, "    this.cache.set(id, body);\n    return body;\n  }}\n");
    }
    let _ = writeln!(
        s,
        "  list{ty}s(filter: Partial<Pick<{ty}, \"status\">> = {{}}): {ty}[] {{\n    return [...this.cache.values()]\n      .filter((x) => !filter.status || x.status === filter.status)\n      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());\n  }}\n}}"
    );
    s
}

fn tsx(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 2, 5);
    let mut s = String::new();
    let _ = writeln!(s, "import React, {{ useEffect, useMemo, useState }} from \"react\";");
    let _ = writeln!(s, "import {{ Table, Spinner, Badge }} from \"@acme/{}-ui\";", n.other);
    let _ = writeln!(s, "import type {{ {ty} }} from \"../api/{}\";\n", n.plural());
    let _ = writeln!(
        s,
        "type Props = {{\n  tenant: string;\n  pageSize?: number;\n  onSelect?: (item: {ty}) => void;\n}};\n"
    );
    let _ = writeln!(s, "/** {} */", sentence(rng, 9));
    let _ =
        writeln!(s, "export function {ty}Table({{ tenant, pageSize = {}, onSelect }}: Props) {{", 10 + n.serial % 90);
    let _ = writeln!(s, "  const [items, setItems] = useState<{ty}[]>([]);");
    let _ = writeln!(s, "  const [error, setError] = useState<string | null>(null);\n");
    let _ = writeln!(s, "  useEffect(() => {{\n    const controller = new AbortController();");
    let _ = writeln!(
        s,
        "    fetch(`/api/${{tenant}}/{}?limit=${{pageSize}}`, {{ signal: controller.signal }})",
        n.plural()
    );
    let _ = writeln!(s, "      .then((res) => (res.ok ? res.json() : Promise.reject(new Error(res.statusText))))");
    let _ = writeln!(s, "      .then((data: {{ items: {ty}[] }}) => setItems(data.items))");
    let _ = writeln!(s, "      .catch((e: Error) => e.name !== \"AbortError\" && setError(e.message));");
    let _ = writeln!(s, "    return () => controller.abort();\n  }}, [tenant, pageSize]);\n");
    let _ = writeln!(
        s,
        "  const sorted = useMemo(\n    () => [...items].sort((a, b) => a.id.localeCompare(b.id)),\n    [items],\n  );\n"
    );
    let _ = writeln!(s, "  if (error) return <p className=\"error\">Could not load {}: {{error}}</p>;", n.plural());
    let _ = writeln!(s, "  if (!items.length) return <Spinner label=\"Loading {}\" />;\n", n.plural());
    let _ = writeln!(s, "  return (\n    <Table aria-label=\"{} of {{tenant}}\">", n.plural());
    let _ = writeln!(s, "      <thead>\n        <tr>\n          <th>ID</th>");
    for (f, _) in &fs {
        let _ = writeln!(s, "          <th>{}</th>", pascal(f));
    }
    let _ = writeln!(s, "        </tr>\n      </thead>\n      <tbody>");
    let _ = writeln!(s, "        {{sorted.map((item) => (");
    let _ = writeln!(s, "          <tr key={{item.id}} onClick={{() => onSelect?.(item)}}>");
    let _ = writeln!(
        s,
        "            <td>\n              <Badge tone={{item.status === \"failed\" ? \"red\" : \"green\"}}>{{item.id}}</Badge>\n            </td>"
    );
    for (f, t) in &fs {
        match *t {
            "boolean" => {
                let _ = writeln!(s, "            <td>{{item.{f} ? \"yes\" : \"no\"}}</td>");
            }
            "number" => {
                let _ = writeln!(s, "            <td className=\"num\">{{item.{f}.toLocaleString()}}</td>");
            }
            _ => {
                let _ = writeln!(s, "            <td>{{item.{f}}}</td>");
            }
        }
    }
    let _ = writeln!(s, "          </tr>\n        ))}}\n      </tbody>\n    </Table>\n  );\n}}");
    s
}

fn java(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 2, 5);
    let jt = |t: &str| match t {
        "number" => "long",
        "boolean" => "boolean",
        _ => "String",
    };
    let mut s = String::new();
    let _ = writeln!(s, "package com.acme.{}.api;\n", n.other);
    for i in ["java.time.Instant", "java.util.List", "java.util.Optional", "org.springframework.http.ResponseEntity"] {
        let _ = writeln!(s, "import {i};");
    }
    let _ = writeln!(s, "import org.springframework.web.bind.annotation.*;\n");
    let _ = writeln!(s, "/**\n * {}\n */", sentence(rng, 12));
    let _ = writeln!(s, "@RestController\n@RequestMapping(\"/api/v{}/{}\")", 1 + n.serial % 3, n.plural());
    let _ = writeln!(s, "public class {ty}Controller {{\n");
    let _ = writeln!(s, "    public record {ty}Dto(String id, Instant createdAt{}) {{}}\n", {
        fs.iter().map(|(f, t)| format!(", {} {f}", jt(t))).collect::<String>()
    });
    let _ = writeln!(s, "    private static final int MAX_PAGE_SIZE = {};", 50 + n.serial);
    let _ = writeln!(s, "    private final {ty}Repository repository;\n");
    let _ = writeln!(
        s,
        "    public {ty}Controller({ty}Repository repository) {{\n        this.repository = repository;\n    }}\n"
    );
    let _ = writeln!(s, "    @GetMapping(\"/{{id}}\")");
    let _ = writeln!(s, "    public ResponseEntity<{ty}Dto> get(@PathVariable String id) {{");
    let _ = writeln!(s, "        Optional<{ty}> found = repository.findById(id);");
    let _ = writeln!(
        s,
        "        return found.map(this::toDto)\n                .map(ResponseEntity::ok)\n                .orElseGet(() -> ResponseEntity.notFound().build());\n    }}\n"
    );
    let _ =
        writeln!(s, "    @GetMapping\n    public List<{ty}Dto> list(@RequestParam(defaultValue = \"20\") int limit,");
    let _ = writeln!(s, "                              @RequestParam(required = false) String status) {{");
    let _ = writeln!(s, "        int size = Math.min(limit, MAX_PAGE_SIZE);");
    let _ = writeln!(s, "        return repository.findAll().stream()");
    let _ = writeln!(s, "                .filter(x -> status == null || status.equalsIgnoreCase(x.getStatus()))");
    let _ = writeln!(
        s,
        "                .limit(size)\n                .map(this::toDto)\n                .toList();\n    }}\n"
    );
    if rng.chance(60) {
        let _ = writeln!(s, "    @PostMapping(\"/{{id}}/{}\")", n.other);
        let _ = writeln!(
            s,
            "    public ResponseEntity<Void> attach(@PathVariable String id, @RequestBody String {}Id) {{",
            n.other
        );
        let _ = writeln!(s, "        if ({}Id == null || {}Id.isBlank()) {{", n.other, n.other);
        let _ = writeln!(
            s,
            "            throw new IllegalArgumentException(\"{}Id must not be empty\");\n        }}",
            n.other
        );
        let _ = writeln!(
            s,
            "        repository.attach(id, {}Id);\n        return ResponseEntity.accepted().build();\n    }}\n",
            n.other
        );
    }
    let _ = writeln!(s, "    private {ty}Dto toDto({ty} x) {{");
    let _ = writeln!(s, "        return new {ty}Dto(x.getId(), x.getCreatedAt(){});\n    }}\n}}", {
        fs.iter().map(|(f, _)| format!(", x.get{}()", pascal(f))).collect::<String>()
    });
    s
}

fn kotlin(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 2, 5);
    let kt = |t: &str| match t {
        "number" => "Long",
        "boolean" => "Boolean",
        _ => "String",
    };
    let mut s = String::new();
    let _ = writeln!(s, "package com.acme.{}\n", n.other);
    let _ = writeln!(
        s,
        "import kotlinx.coroutines.flow.Flow\nimport kotlinx.coroutines.flow.flow\nimport kotlinx.coroutines.delay\nimport java.time.Instant\n"
    );
    let _ = writeln!(s, "// {}", sentence(rng, 10));
    let _ = writeln!(s, "data class {ty}(\n    val id: String,");
    for (f, t) in &fs {
        let _ = writeln!(s, "    val {f}: {}{},", kt(t), if rng.chance(25) { "? = null" } else { "" });
    }
    let _ = writeln!(s, "    val createdAt: Instant = Instant.now(),\n)\n");
    let _ = writeln!(s, "sealed interface {ty}Event {{");
    let _ = writeln!(s, "    data class Created(val {}: {ty}) : {ty}Event", n.noun);
    let _ = writeln!(s, "    data class Failed(val id: String, val reason: String) : {ty}Event");
    let _ = writeln!(s, "    object Drained : {ty}Event\n}}\n");
    let _ = writeln!(
        s,
        "class {ty}Poller(\n    private val client: {}Client,\n    private val intervalMs: Long = {}L,\n) {{",
        pascal(n.other),
        500 + n.serial
    );
    let _ = writeln!(s, "    fun events(tenant: String): Flow<{ty}Event> = flow {{");
    let _ = writeln!(s, "        var cursor: String? = null\n        while (true) {{");
    let _ = writeln!(s, "            val page = runCatching {{ client.list(tenant, cursor) }}.getOrElse {{ e ->");
    let _ = writeln!(
        s,
        "                emit({ty}Event.Failed(id = tenant, reason = e.message ?: \"unknown\"))\n                return@flow\n            }}"
    );
    let _ = writeln!(s, "            page.items.forEach {{ emit({ty}Event.Created(it)) }}");
    let _ = writeln!(
        s,
        "            cursor = page.next ?: break\n            delay(intervalMs)\n        }}\n        emit({ty}Event.Drained)\n    }}\n}}\n"
    );
    let _ = writeln!(s, "fun {ty}Event.describe(): String = when (this) {{");
    let _ = writeln!(s, "    is {ty}Event.Created -> \"created ${{{}.id}}\"", n.noun);
    let _ = writeln!(s, "    is {ty}Event.Failed -> \"failed $id: $reason\"\n    {ty}Event.Drained -> \"drained\"\n}}");
    if rng.chance(50) {
        let _ = writeln!(
            s,
            "\nfun List<{ty}>.byRegion(): Map<String, List<{ty}>> =\n    groupBy {{ it.id.substringBefore('-') }}\n        .mapValues {{ (_, v) -> v.sortedBy {{ it.createdAt }} }}"
        );
    }
    s
}

fn hcl(rng: &mut Rng, n: &Names) -> String {
    let mut s = String::new();
    let name = format!("{}-{}", n.noun, n.other);
    let _ = writeln!(s, "# {}", sentence(rng, 9));
    let _ = writeln!(
        s,
        "variable \"environment\" {{\n  type        = string\n  description = \"Deployment environment (staging or production)\"\n  default     = \"staging\"\n}}\n"
    );
    let _ = writeln!(
        s,
        "locals {{\n  name = \"{name}-${{var.environment}}\"\n  tags = {{\n    team        = \"{}\"\n    service     = \"{name}\"\n    cost-center = \"cc-{}\"\n  }}\n}}\n",
        n.other,
        1000 + n.serial
    );
    let _ = writeln!(
        s,
        "resource \"aws_s3_bucket\" \"{}\" {{\n  bucket = \"acme-${{local.name}}\"\n  tags   = local.tags\n}}\n",
        n.noun
    );
    let _ = writeln!(s, "resource \"aws_sqs_queue\" \"{}\" {{", n.plural());
    let _ = writeln!(
        s,
        "  name                       = \"${{local.name}}-events\"\n  visibility_timeout_seconds = {}\n  message_retention_seconds  = 1209600",
        30 + n.serial % 300
    );
    let _ = writeln!(
        s,
        "  redrive_policy = jsonencode({{\n    deadLetterTargetArn = aws_sqs_queue.dlq.arn\n    maxReceiveCount     = {}\n  }})\n  tags = local.tags\n}}\n",
        rng.range(3, 10)
    );
    let _ = writeln!(
        s,
        "resource \"aws_iam_role_policy\" \"{}_access\" {{\n  name = \"${{local.name}}-access\"\n  role = aws_iam_role.service.id",
        n.noun
    );
    let _ = writeln!(s, "  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [");
    for action in ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "sqs:ReceiveMessage"].iter().take(rng.range(2, 4))
    {
        let _ = writeln!(
            s,
            "      {{\n        Effect   = \"Allow\"\n        Action   = [\"{action}\"]\n        Resource = [\"*\"]\n      }},"
        );
    }
    let _ = writeln!(s, "    ]\n  }})\n}}\n");
    let _ = writeln!(
        s,
        "module \"alarms\" {{\n  source   = \"../modules/alarms\"\n  for_each = toset([\"p50\", \"p99\"])\n  metric   = \"${{local.name}}-latency-${{each.key}}\"\n  enabled  = var.environment == \"production\" ? true : false\n}}\n"
    );
    let _ = writeln!(s, "output \"queue_url\" {{\n  value = aws_sqs_queue.{}.url\n}}", n.plural());
    s
}

fn yaml(rng: &mut Rng, n: &Names) -> String {
    let mut s = String::new();
    let name = format!("{}-{}", n.noun, n.other);
    if rng.chance(50) {
        let _ = writeln!(s, "# {}", sentence(rng, 8));
        let _ = writeln!(
            s,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: {}",
            n.other
        );
        let _ = writeln!(
            s,
            "spec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  template:",
            rng.range(2, 6)
        );
        let _ = writeln!(
            s,
            "    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n      containers:"
        );
        let _ = writeln!(
            s,
            "        - name: app\n          image: registry.acme.io/{name}:1.{}.{}\n          ports:\n            - containerPort: 8080\n              name: http",
            n.serial % 40,
            rng.range(0, 9)
        );
        let _ = writeln!(s, "          env:");
        for (k, v) in [("LOG_LEVEL", "info"), ("DATABASE_URL", "postgres://db:5432/app"), ("FEATURE_FLAGS", "'a,b'")]
            .iter()
            .take(rng.range(1, 3))
        {
            let _ = writeln!(s, "            - name: {k}\n              value: {v}");
        }
        let _ = writeln!(
            s,
            "          resources:\n            requests: {{ cpu: {}m, memory: {}Mi }}\n            limits:\n              memory: 1Gi",
            100 + rng.range(0, 4) * 100,
            128 << rng.range(0, 3)
        );
        let _ = writeln!(
            s,
            "          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            periodSeconds: 10\n---"
        );
        let _ = writeln!(
            s,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - port: 80\n      targetPort: http"
        );
    } else {
        let _ = writeln!(
            s,
            "name: {name}\n\non:\n  push:\n    branches: [main]\n    paths:\n      - \"services/{name}/**\"\n  pull_request:\n\npermissions:\n  contents: read\n  id-token: write\n"
        );
        let _ = writeln!(s, "env:\n  SERVICE: {name}\n  NODE_VERSION: \"{}\"\n", 18 + 2 * rng.range(0, 3));
        let _ = writeln!(
            s,
            "jobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: {}\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: ${{{{ env.NODE_VERSION }}}}\n          cache: npm",
            10 + n.serial % 50
        );
        let _ = writeln!(
            s,
            "      - run: npm ci\n      - run: npm test -- --coverage\n      - name: Upload coverage\n        if: always()\n        uses: actions/upload-artifact@v4\n        with:\n          name: coverage-${{{{ github.sha }}}}\n          path: coverage/"
        );
        let _ = writeln!(
            s,
            "  deploy:\n    needs: test\n    if: github.ref == 'refs/heads/main'\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - run: ./scripts/deploy.sh \"$SERVICE\" production  # {}",
            sentence(rng, 5)
        );
    }
    s
}

fn bash(rng: &mut Rng, n: &Names) -> String {
    let mut s = String::new();
    let name = format!("{}-{}", n.noun, n.other);
    let _ = writeln!(s, "#!/usr/bin/env bash\n# {}\nset -euo pipefail\n", sentence(rng, 9));
    let _ = writeln!(
        s,
        "SERVICE=\"${{1:-{name}}}\"\nENVIRONMENT=\"${{2:-staging}}\"\nTIMEOUT={}\nREGIONS=(eu-west-1 us-east-1{})\n",
        60 + n.serial,
        if rng.chance(50) { " ap-southeast-2" } else { "" }
    );
    let _ = writeln!(s, "log() {{\n  printf '%s [%s] %s\\n' \"$(date -u +%FT%TZ)\" \"$SERVICE\" \"$*\" >&2\n}}\n");
    let _ = writeln!(s, "die() {{\n  log \"error: $*\"\n  exit 1\n}}\n");
    let _ = writeln!(
        s,
        "case \"$ENVIRONMENT\" in\n  staging|production) ;;\n  *) die \"unknown environment '$ENVIRONMENT'\" ;;\nesac\n"
    );
    let _ = writeln!(s, "command -v kubectl >/dev/null || die \"kubectl is not installed\"");
    let _ = writeln!(s, "IMAGE=\"registry.acme.io/${{SERVICE}}:$(git rev-parse --short HEAD)\"\n");
    let _ = writeln!(s, "for region in \"${{REGIONS[@]}}\"; do\n  log \"deploying $IMAGE to $region\"");
    let _ = writeln!(
        s,
        "  kubectl --context \"$ENVIRONMENT-$region\" -n {} set image \"deploy/$SERVICE\" app=\"$IMAGE\"",
        n.other
    );
    let _ = writeln!(
        s,
        "  if ! kubectl --context \"$ENVIRONMENT-$region\" -n {} rollout status \"deploy/$SERVICE\" --timeout=\"${{TIMEOUT}}s\"; then",
        n.other
    );
    let _ = writeln!(
        s,
        "    log \"rollout failed in $region, rolling back\"\n    kubectl --context \"$ENVIRONMENT-$region\" -n {} rollout undo \"deploy/$SERVICE\"\n    exit 2\n  fi\ndone\n",
        n.other
    );
    let _ = writeln!(
        s,
        "cat <<EOF > \"deploy-${{SERVICE}}.json\"\n{{\"service\": \"$SERVICE\", \"image\": \"$IMAGE\", \"regions\": ${{#REGIONS[@]}}}}\nEOF"
    );
    let _ = writeln!(
        s,
        "curl -fsS -X POST -H 'Content-Type: application/json' \\\n  --data @\"deploy-${{SERVICE}}.json\" \"https://deploys.acme.io/api/{}\" || log \"could not record the deploy\"",
        n.plural()
    );
    let _ = writeln!(s, "log \"done in ${{SECONDS}}s\"");
    s
}

fn json(rng: &mut Rng, n: &Names) -> String {
    let fs = fields(rng, 3, 6);
    let mut s = String::new();
    let _ = writeln!(s, "{{\n  \"data\": [");
    let items = rng.range(2, 4);
    for i in 0..items {
        let _ = writeln!(
            s,
            "    {{\n      \"id\": \"{}_{:05}{i}\",\n      \"type\": \"{}\",",
            &n.noun[..3],
            n.serial,
            n.noun
        );
        for (f, t) in &fs {
            let v = match *t {
                "number" => format!("{}", rng.range(1, 9999)),
                "boolean" => (rng.chance(50)).to_string(),
                _ => format!("\"{}\"", rng.pick(WORDS)),
            };
            let _ = writeln!(s, "      \"{f}\": {v},");
        }
        let _ = writeln!(s, "      \"links\": {{ \"self\": \"/api/{}/{i}\", \"{}\": null }}", n.plural(), n.other);
        let _ = writeln!(s, "    }}{}", if i + 1 < items { "," } else { "" });
    }
    let _ = writeln!(
        s,
        "  ],\n  \"meta\": {{\n    \"total\": {},\n    \"next\": \"cursor-{}\",\n    \"warnings\": []\n  }}\n}}",
        100 + n.serial,
        n.serial * 31
    );
    s
}

fn python(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 2, 5);
    let pt = |t: &str| match t {
        "number" => "int",
        "boolean" => "bool",
        _ => "str",
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\"\"\"{}\"\"\"\nfrom __future__ import annotations\n\nimport logging\nfrom dataclasses import dataclass, field\nfrom datetime import datetime, timezone\n\nimport httpx\n",
        sentence(rng, 9)
    );
    let _ = writeln!(s, "log = logging.getLogger(__name__)\nRETRIES = {}\n\n", 2 + n.serial % 5);
    let _ = writeln!(s, "@dataclass(frozen=True)\nclass {ty}:\n    id: str");
    for (f, t) in &fs {
        let _ = writeln!(s, "    {}: {}", snake(f), pt(t));
    }
    let _ = writeln!(s, "    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))\n\n");
    let _ = writeln!(s, "class {ty}Client:\n    def __init__(self, base_url: str, token: str) -> None:");
    let _ = writeln!(
        s,
        "        self._http = httpx.Client(base_url=base_url, headers={{\"Authorization\": f\"Bearer {{token}}\"}})\n"
    );
    let _ = writeln!(s, "    def get(self, {}_id: str) -> {ty} | None:", n.noun);
    let _ = writeln!(
        s,
        "        for attempt in range(RETRIES):\n            try:\n                r = self._http.get(f\"/{}/{{{}_id}}\", timeout=5.0)",
        n.plural(),
        n.noun
    );
    let _ = writeln!(
        s,
        "            except httpx.TransportError as e:\n                log.warning(\"attempt %d failed: %s\", attempt + 1, e)\n                continue"
    );
    let _ = writeln!(
        s,
        "            if r.status_code == 404:\n                return None\n            r.raise_for_status()\n            return {ty}(**r.json())\n        raise RuntimeError(f\"{} {{{}_id}} unavailable after {{RETRIES}} attempts\")",
        n.noun, n.noun
    );
    s
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn go(rng: &mut Rng, n: &Names) -> String {
    let ty = n.ty();
    let fs = fields(rng, 2, 5);
    let gt = |t: &str| match t {
        "number" => "int64",
        "boolean" => "bool",
        _ => "string",
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "package {}\n\nimport (\n\t\"context\"\n\t\"encoding/json\"\n\t\"errors\"\n\t\"net/http\"\n\t\"time\"\n)\n",
        n.other
    );
    let _ = writeln!(
        s,
        "// {ty} is {}\ntype {ty} struct {{\n\tID        string    `json:\"id\"`",
        sentence(rng, 7).to_lowercase()
    );
    for (f, t) in &fs {
        let _ = writeln!(s, "\t{} {} `json:\"{}\"`", pascal(f), gt(t), snake(f));
    }
    let _ = writeln!(s, "\tCreatedAt time.Time `json:\"created_at\"`\n}}\n");
    let _ = writeln!(s, "var Err{ty}NotFound = errors.New(\"{} not found\")\n", n.noun);
    let _ = writeln!(s, "type Store interface {{\n\tGet(ctx context.Context, id string) (*{ty}, error)\n}}\n");
    let _ = writeln!(
        s,
        "func Handle{ty}(store Store) http.HandlerFunc {{\n\treturn func(w http.ResponseWriter, r *http.Request) {{"
    );
    let _ = writeln!(
        s,
        "\t\tctx, cancel := context.WithTimeout(r.Context(), {}*time.Millisecond)\n\t\tdefer cancel()\n",
        200 + n.serial
    );
    let _ = writeln!(
        s,
        "\t\tv, err := store.Get(ctx, r.PathValue(\"id\"))\n\t\tswitch {{\n\t\tcase errors.Is(err, Err{ty}NotFound):\n\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)\n\t\t\treturn"
    );
    let _ = writeln!(
        s,
        "\t\tcase err != nil:\n\t\t\thttp.Error(w, \"internal error\", http.StatusInternalServerError)\n\t\t\treturn\n\t\t}}\n\t\tw.Header().Set(\"Content-Type\", \"application/json\")\n\t\t_ = json.NewEncoder(w).Encode(v)\n\t}}\n}}"
    );
    s
}

fn sql(rng: &mut Rng, n: &Names) -> String {
    let fs = fields(rng, 3, 6);
    let st = |t: &str| match t {
        "number" => "BIGINT NOT NULL DEFAULT 0",
        "boolean" => "BOOLEAN NOT NULL DEFAULT FALSE",
        _ => "TEXT",
    };
    let table = n.plural();
    let mut s = String::new();
    let _ = writeln!(s, "-- {}\nBEGIN;\n", sentence(rng, 9));
    let _ = writeln!(
        s,
        "CREATE TABLE IF NOT EXISTS {table} (\n    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n    {}_id UUID NOT NULL REFERENCES {}s (id) ON DELETE CASCADE,",
        n.other, n.other
    );
    for (f, t) in &fs {
        let _ = writeln!(s, "    {:<11} {},", snake(f), st(t));
    }
    let _ = writeln!(s, "    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n");
    let _ = writeln!(s, "CREATE INDEX {table}_{}_idx ON {table} ({}_id, created_at DESC);\n", n.other, n.other);
    let _ = writeln!(s, "/* Daily totals for the last {} days. */", 7 + n.serial % 60);
    let _ = writeln!(
        s,
        "SELECT date_trunc('day', t.created_at) AS day,\n       count(*)                       AS n,\n       count(DISTINCT t.{}_id)      AS {}s",
        n.other, n.other
    );
    let _ = writeln!(
        s,
        "FROM {table} t\nJOIN {}s o ON o.id = t.{}_id\nWHERE t.created_at > now() - interval '{} days'\n  AND o.status <> 'archived'\nGROUP BY 1\nHAVING count(*) > {}\nORDER BY day DESC;\n\nCOMMIT;",
        n.other,
        n.other,
        7 + n.serial % 60,
        rng.range(0, 20)
    );
    s
}

fn dockerfile(rng: &mut Rng, n: &Names) -> String {
    let name = format!("{}-{}", n.noun, n.other);
    let mut s = String::new();
    let _ = writeln!(s, "# syntax=docker/dockerfile:1.7\n# {}", sentence(rng, 8));
    let _ = writeln!(
        s,
        "ARG NODE_VERSION={}\n\nFROM node:${{NODE_VERSION}}-bookworm-slim AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci --omit=dev\n",
        18 + 2 * rng.range(0, 3)
    );
    let _ = writeln!(
        s,
        "FROM deps AS build\nCOPY tsconfig.json ./\nCOPY src ./src\nRUN npm run build && npm prune --omit=dev\n"
    );
    let _ = writeln!(
        s,
        "FROM gcr.io/distroless/nodejs20-debian12 AS runtime\nLABEL org.opencontainers.image.title=\"{name}\" \\\n      org.opencontainers.image.source=\"https://github.com/acme/monorepo\""
    );
    let _ = writeln!(
        s,
        "ENV NODE_ENV=production \\\n    PORT={} \\\n    SERVICE_NAME={name}\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist",
        3000 + n.serial
    );
    let _ = writeln!(
        s,
        "USER nonroot\nEXPOSE {}\nHEALTHCHECK --interval=30s --timeout=3s CMD [\"/nodejs/bin/node\", \"dist/healthcheck.js\"]\nCMD [\"dist/server.js\"]",
        3000 + n.serial
    );
    s
}

/// Settings of the generated monorepo.
pub struct Corpus {
    pub sites: usize,
    pub pages_per_site: (usize, usize),
    pub blocks_per_page: (usize, usize),
    pub seed: u64,
}

/// Writes `sites` components, each with TechDocs of realistic pages, under `root`; returns the
/// number of pages and of code blocks.
pub fn write_monorepo(root: &Path, corpus: &Corpus) -> (usize, usize) {
    let mut rng = Rng::new(corpus.seed);
    let mut serial = 0;
    let mut pages = 0;
    for site in 0..corpus.sites {
        let name = format!("{}-{}-{site}", rng.pick(NOUNS), rng.pick(&["service", "api", "worker", "gateway"]));
        let dir = root.join("services").join(&name);
        std::fs::create_dir_all(dir.join("docs")).expect("create docs dir");
        let catalog = format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-{}\n",
            site % 7
        );
        std::fs::write(dir.join("catalog-info.yaml"), catalog).expect("write catalog-info.yaml");
        std::fs::write(dir.join("mkdocs.yml"), format!("site_name: {}\n", pascal(&name))).expect("write mkdocs.yml");
        let count = rng.range(corpus.pages_per_site.0, corpus.pages_per_site.1);
        for p in 0..count {
            let mut md =
                format!("# {} {}\n\n{}\n\n", pascal(rng.pick(NOUNS)), pascal(rng.pick(NOUNS)), sentence(&mut rng, 30));
            for _ in 0..rng.range(corpus.blocks_per_page.0, corpus.blocks_per_page.1) {
                // The seven languages of issue 10 twice as often as the extras.
                let lang = if rng.chance(67) { LANGS[rng.range(0, 6)] } else { LANGS[rng.range(7, LANGS.len() - 1)] };
                let _ = write!(
                    md,
                    "## {} the {}\n\n{} {}\n\n",
                    pascal(rng.pick(&["Configuring", "Calling", "Deploying", "Debugging"])),
                    rng.pick(NOUNS),
                    sentence(&mut rng, 20),
                    sentence(&mut rng, 14)
                );
                let code = block(lang, &mut rng, serial);
                serial += 1;
                let mut attrs = String::new();
                if rng.chance(30) {
                    let _ = write!(
                        attrs,
                        " title=\"{}\"",
                        rng.pick(&["main.ts", "deploy.sh", "values.yaml", "main.tf", "App.kt"])
                    );
                }
                if rng.chance(25) {
                    let a = rng.range(2, 10);
                    let _ = write!(attrs, " hl_lines=\"{a} {}-{}\"", a + 3, a + 5);
                }
                let _ = write!(md, "```{lang}{attrs}\n{code}```\n\n");
            }
            let file = if p == 0 { "index.md".to_owned() } else { format!("page-{p}.md") };
            std::fs::write(dir.join("docs").join(file), md).expect("write page");
            pages += 1;
        }
    }
    (pages, serial)
}
