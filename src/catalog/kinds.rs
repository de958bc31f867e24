//! The built-in kinds of Backstage: accepted `apiVersion`s, the JSON schema of `spec` (as data,
//! transcribed from `@backstage/catalog-model` 1.10's `schema/kinds/*.schema.json` and
//! `@backstage/plugin-scaffolder-common`'s `Template.v1beta3.schema.json`), and which spec
//! fields emit which relation (`BuiltinKindsEntityProcessor`). Spec schemas allow extra fields,
//! as Backstage's do.

use crate::diagnostics::Pos;
use crate::yaml::{Node, Value};

/// A subset of JSON schema, enough for Backstage's kind schemas.
#[derive(Clone, Copy, Debug)]
pub enum Schema {
    /// `{type: string}`.
    Str,
    /// `{type: string, minLength: 1}`.
    NonEmpty,
    /// `{type: string, minLength: 1, maxLength: N}`.
    NonEmptyMax(usize),
    /// `{type: [string, boolean]}`.
    StrOrBool,
    /// `{type: object}` with known properties (others allowed) and required ones.
    Obj { props: &'static [(&'static str, Schema)], required: &'static [&'static str] },
    /// `{type: object, additionalProperties: S}` besides known properties.
    ObjWithRest { props: &'static [(&'static str, Schema)], rest: &'static Schema },
    /// `{type: array, items: S, minItems: N}`.
    Arr { items: &'static Schema, min: usize },
    /// `oneOf` of alternatives: valid when exactly one matches.
    OneOf(&'static [Schema]),
    /// `{type: string, enum: [...]}` (also `const`).
    Enum(&'static [&'static str]),
}

const ANY_OBJ: Schema = Schema::Obj { props: &[], required: &[] };
const STR_LIST: Schema = Schema::Arr { items: &Schema::NonEmpty, min: 0 };
const PERMISSIONS: Schema =
    Schema::Obj { props: &[("tags", Schema::Arr { items: &Schema::Str, min: 0 })], required: &[] };
const PROFILE: Schema = Schema::Obj {
    props: &[("displayName", Schema::NonEmpty), ("email", Schema::NonEmpty), ("picture", Schema::NonEmpty)],
    required: &[],
};
const PARAMETER_STEP: Schema = Schema::Obj { props: &[("backstage:permissions", PERMISSIONS)], required: &[] };
const TEMPLATE_STEP: Schema = Schema::Obj {
    props: &[
        ("id", Schema::Str),
        ("name", Schema::Str),
        ("action", Schema::Str),
        ("input", ANY_OBJ),
        ("if", Schema::StrOrBool),
        ("backstage:permissions", PERMISSIONS),
    ],
    required: &["action"],
};
const DECORATOR: Schema = Schema::Obj { props: &[("id", Schema::Str), ("input", ANY_OBJ)], required: &[] };
const OUTPUT_LINK: Schema = Schema::Obj {
    props: &[
        ("if", Schema::StrOrBool),
        ("url", Schema::NonEmpty),
        ("entityRef", Schema::NonEmpty),
        ("title", Schema::NonEmpty),
        ("icon", Schema::NonEmpty),
    ],
    required: &[],
};
const OUTPUT_TEXT: Schema = Schema::Obj {
    props: &[
        ("if", Schema::StrOrBool),
        ("title", Schema::NonEmpty),
        ("icon", Schema::NonEmpty),
        ("content", Schema::Str),
    ],
    required: &[],
};
const MCP_REMOTE: Schema =
    Schema::Obj { props: &[("type", Schema::NonEmpty), ("url", Schema::NonEmpty)], required: &["type", "url"] };

/// A spec field that names other entities.
#[derive(Debug)]
pub struct RelationField {
    pub field: &'static str,
    pub relation: &'static str,
    pub inverse: &'static str,
    /// Kind assumed when the reference names none; `None` means the reference must name one.
    pub default_kind: Option<&'static str>,
}

const fn rel(
    field: &'static str,
    relation: &'static str,
    inverse: &'static str,
    default_kind: Option<&'static str>,
) -> RelationField {
    RelationField { field, relation, inverse, default_kind }
}

pub const OWNED_BY: &str = "ownedBy";
pub const OWNER_OF: &str = "ownerOf";
pub const PART_OF: &str = "partOf";
pub const HAS_PART: &str = "hasPart";
pub const DEPENDS_ON: &str = "dependsOn";
pub const DEPENDENCY_OF: &str = "dependencyOf";
pub const PROVIDES_API: &str = "providesApi";
pub const API_PROVIDED_BY: &str = "apiProvidedBy";
pub const CONSUMES_API: &str = "consumesApi";
pub const API_CONSUMED_BY: &str = "apiConsumedBy";
pub const MEMBER_OF: &str = "memberOf";
pub const HAS_MEMBER: &str = "hasMember";
pub const CHILD_OF: &str = "childOf";
pub const PARENT_OF: &str = "parentOf";

const OWNER: RelationField = rel("owner", OWNED_BY, OWNER_OF, Some("Group"));
const SYSTEM: RelationField = rel("system", PART_OF, HAS_PART, Some("System"));
const DEPENDS: RelationField = rel("dependsOn", DEPENDS_ON, DEPENDENCY_OF, None);
const DEPENDENCY: RelationField = rel("dependencyOf", DEPENDENCY_OF, DEPENDS_ON, None);

/// One accepted shape of a kind, selected by `spec.type` when `spec_type` is set: the required
/// spec fields and the properties it adds to the kind's common ones.
#[derive(Debug)]
pub struct Variant {
    pub spec_type: Option<&'static str>,
    pub required: &'static [&'static str],
    pub props: &'static [(&'static str, Schema)],
}

/// A built-in kind.
#[derive(Debug)]
pub struct KindDef {
    pub kind: &'static str,
    pub api_versions: &'static [&'static str],
    /// Spec properties of every variant.
    pub common: &'static [(&'static str, Schema)],
    /// Specific variants first; the last one (with `spec_type: None`) is the default.
    pub variants: &'static [Variant],
    pub relations: &'static [RelationField],
}

const V1: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const V1ALPHA1: &[&str] = &["backstage.io/v1alpha1"];

pub static KINDS: &[KindDef] = &[
    KindDef {
        kind: "Component",
        api_versions: V1,
        common: &[
            ("type", Schema::NonEmpty),
            ("lifecycle", Schema::NonEmpty),
            ("owner", Schema::NonEmpty),
            ("system", Schema::NonEmpty),
            ("subcomponentOf", Schema::NonEmpty),
            ("providesApis", STR_LIST),
            ("consumesApis", STR_LIST),
            ("dependsOn", STR_LIST),
        ],
        variants: &[Variant { spec_type: None, required: &["type", "lifecycle", "owner"], props: &[] }],
        relations: &[
            OWNER,
            rel("subcomponentOf", PART_OF, HAS_PART, Some("Component")),
            rel("providesApis", PROVIDES_API, API_PROVIDED_BY, Some("API")),
            rel("consumesApis", CONSUMES_API, API_CONSUMED_BY, Some("API")),
            DEPENDS,
            DEPENDENCY,
            SYSTEM,
        ],
    },
    KindDef {
        kind: "API",
        api_versions: V1,
        common: &[("lifecycle", Schema::NonEmpty), ("owner", Schema::NonEmpty), ("system", Schema::NonEmpty)],
        variants: &[
            Variant {
                spec_type: Some("mcp-server"),
                required: &["type", "lifecycle", "owner", "remotes"],
                props: &[("remotes", Schema::Arr { items: &MCP_REMOTE, min: 1 })],
            },
            Variant {
                spec_type: None,
                required: &["type", "lifecycle", "owner", "definition"],
                props: &[("type", Schema::NonEmpty), ("definition", Schema::NonEmpty)],
            },
        ],
        relations: &[OWNER, SYSTEM],
    },
    KindDef {
        kind: "Resource",
        api_versions: V1,
        common: &[
            ("type", Schema::NonEmpty),
            ("owner", Schema::NonEmpty),
            ("dependsOn", STR_LIST),
            ("system", Schema::NonEmpty),
        ],
        variants: &[Variant { spec_type: None, required: &["type", "owner"], props: &[] }],
        relations: &[OWNER, DEPENDS, DEPENDENCY, SYSTEM],
    },
    KindDef {
        kind: "System",
        api_versions: V1,
        common: &[("owner", Schema::NonEmpty), ("domain", Schema::NonEmpty), ("type", Schema::NonEmpty)],
        variants: &[Variant { spec_type: None, required: &["owner"], props: &[] }],
        relations: &[OWNER, rel("domain", PART_OF, HAS_PART, Some("Domain"))],
    },
    KindDef {
        kind: "Domain",
        api_versions: V1,
        common: &[("owner", Schema::NonEmpty), ("subdomainOf", Schema::NonEmpty), ("type", Schema::NonEmpty)],
        variants: &[Variant { spec_type: None, required: &["owner"], props: &[] }],
        relations: &[OWNER, rel("subdomainOf", PART_OF, HAS_PART, Some("Domain"))],
    },
    KindDef {
        kind: "Group",
        api_versions: V1,
        common: &[
            ("type", Schema::NonEmpty),
            ("profile", PROFILE),
            ("parent", Schema::NonEmpty),
            ("children", STR_LIST),
            ("members", STR_LIST),
        ],
        variants: &[Variant { spec_type: None, required: &["type", "children"], props: &[] }],
        relations: &[
            rel("parent", CHILD_OF, PARENT_OF, Some("Group")),
            rel("children", PARENT_OF, CHILD_OF, Some("Group")),
            rel("members", HAS_MEMBER, MEMBER_OF, Some("User")),
        ],
    },
    KindDef {
        kind: "User",
        api_versions: V1,
        common: &[("profile", PROFILE), ("memberOf", STR_LIST)],
        variants: &[Variant { spec_type: None, required: &["memberOf"], props: &[] }],
        relations: &[rel("memberOf", MEMBER_OF, HAS_MEMBER, Some("Group"))],
    },
    KindDef {
        kind: "Location",
        api_versions: V1,
        common: &[
            ("type", Schema::NonEmpty),
            ("target", Schema::NonEmpty),
            ("targets", STR_LIST),
            ("presence", Schema::Enum(&["required", "optional"])),
        ],
        variants: &[Variant { spec_type: None, required: &[], props: &[] }],
        relations: &[],
    },
    KindDef {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        common: &[
            ("type", Schema::NonEmpty),
            ("owner", Schema::NonEmpty),
            ("lifecycle", Schema::NonEmpty),
            ("parameters", Schema::OneOf(&[PARAMETER_STEP, Schema::Arr { items: &PARAMETER_STEP, min: 0 }])),
            ("secrets", Schema::Obj { props: &[("schema", ANY_OBJ)], required: &[] }),
            (
                "presentation",
                Schema::Obj {
                    props: &[(
                        "buttonLabels",
                        Schema::Obj {
                            props: &[
                                ("backButtonText", Schema::Str),
                                ("createButtonText", Schema::Str),
                                ("reviewButtonText", Schema::Str),
                            ],
                            required: &[],
                        },
                    )],
                    required: &[],
                },
            ),
            ("EXPERIMENTAL_recovery", Schema::Obj { props: &[("EXPERIMENTAL_strategy", Schema::Str)], required: &[] }),
            ("formDecorators", Schema::Arr { items: &DECORATOR, min: 0 }),
            ("EXPERIMENTAL_formDecorators", Schema::Arr { items: &DECORATOR, min: 0 }),
            ("steps", Schema::Arr { items: &TEMPLATE_STEP, min: 0 }),
            (
                "output",
                Schema::ObjWithRest {
                    props: &[
                        ("links", Schema::Arr { items: &OUTPUT_LINK, min: 0 }),
                        ("text", Schema::Arr { items: &OUTPUT_TEXT, min: 0 }),
                    ],
                    rest: &Schema::Str,
                },
            ),
        ],
        variants: &[Variant { spec_type: None, required: &["type", "steps"], props: &[] }],
        relations: &[OWNER],
    },
    KindDef {
        kind: "AiResource",
        api_versions: V1ALPHA1,
        common: &[
            ("type", Schema::NonEmpty),
            ("lifecycle", Schema::NonEmpty),
            ("owner", Schema::NonEmpty),
            ("system", Schema::NonEmpty),
        ],
        variants: &[
            Variant {
                spec_type: Some("skill"),
                required: &["type", "lifecycle", "owner"],
                props: &[
                    ("disciplines", STR_LIST),
                    ("categories", STR_LIST),
                    ("agents", STR_LIST),
                    ("dependsOn", STR_LIST),
                    ("allowedTools", Schema::NonEmpty),
                    ("license", Schema::NonEmpty),
                    ("compatibility", Schema::NonEmptyMax(500)),
                ],
            },
            Variant {
                spec_type: Some("rule"),
                required: &["type", "lifecycle", "owner", "category", "rationale"],
                props: &[("disciplines", STR_LIST), ("category", Schema::NonEmpty), ("rationale", Schema::NonEmpty)],
            },
            Variant {
                spec_type: Some("plugin"),
                required: &["type", "lifecycle", "owner", "skills"],
                props: &[("skills", STR_LIST), ("version", Schema::NonEmpty)],
            },
            Variant {
                spec_type: Some("marketplace"),
                required: &["type", "lifecycle", "owner", "plugins"],
                props: &[("plugins", STR_LIST), ("version", Schema::NonEmpty)],
            },
            Variant { spec_type: None, required: &["type", "lifecycle", "owner"], props: &[] },
        ],
        // As the ai-model module's ModelProcessor emits them.
        relations: &[
            OWNER,
            SYSTEM,
            rel("dependsOn", DEPENDS_ON, DEPENDENCY_OF, Some("AiResource")),
            rel("skills", HAS_PART, PART_OF, Some("AiResource")),
            rel("plugins", HAS_PART, PART_OF, Some("AiResource")),
        ],
    },
];

/// The built-in kind named exactly `kind` (Backstage matches kinds case-sensitively).
pub fn find(kind: &str) -> Option<&'static KindDef> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// A built-in kind that differs from `kind` only in case, for "did you mean" hints.
pub fn find_ignoring_case(kind: &str) -> Option<&'static KindDef> {
    KINDS.iter().find(|k| k.kind.eq_ignore_ascii_case(kind))
}

impl KindDef {
    /// The variant `spec` is checked against: the one whose `spec_type` equals `spec.type`, else
    /// the default.
    pub fn variant_for(&self, spec: &Node) -> &'static Variant {
        let spec_type = spec.get("type").and_then(Node::as_str);
        self.variants
            .iter()
            .find(|v| v.spec_type.is_some() && v.spec_type == spec_type)
            .or_else(|| self.variants.iter().find(|v| v.spec_type.is_none()))
            .expect("every kind has a default variant")
    }

    /// Checks `spec` against the kind's schema (the variant `spec.type` selects).
    /// The spec fields every entity of this kind needs (of its default variant).
    pub fn required_fields(&self) -> Vec<String> {
        let empty = Node { pos: Pos::default(), value: Value::Map(Vec::new()) };
        let (_, violations) = self.check_spec(&empty, &|_| false);
        violations
            .into_iter()
            .filter(|v| v.message.starts_with("missing required"))
            .filter_map(|v| v.message.rsplit('`').nth(1).map(str::to_owned))
            .collect()
    }

    pub fn check_spec(&self, spec: &Node, skip: &dyn Fn(&Node) -> bool) -> (&'static Variant, Vec<Violation>) {
        let variant = self.variant_for(spec);
        let mut out = Vec::new();
        check(&Schema::Obj { props: self.common, required: variant.required }, spec, "spec", skip, &mut out);
        if spec.as_map().is_some() {
            check_props(variant.props, None, spec, "spec", skip, &mut out);
        }
        (variant, out)
    }
}

/// One schema violation: where and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub pos: Pos,
    pub path: String,
    pub message: String,
}

/// Checks `node` (at `path`, e.g. `spec.owner`) against `schema`, collecting every violation.
/// `skip` tells which nodes stand for values resolved elsewhere (unresolved placeholders).
pub fn check(schema: &Schema, node: &Node, path: &str, skip: &dyn Fn(&Node) -> bool, out: &mut Vec<Violation>) {
    if skip(node) {
        return;
    }
    let mut fail = |message: String| out.push(Violation { pos: node.pos, path: path.to_owned(), message });
    match schema {
        Schema::Str => {
            if node.as_str().is_none() {
                fail(format!("expected a string, found {}", node.type_name()));
            }
        }
        Schema::NonEmpty | Schema::NonEmptyMax(_) => match node.as_str() {
            None => fail(format!("expected a non-empty string, found {}", node.type_name())),
            Some("") => fail("expected a non-empty string, found an empty one".into()),
            Some(s) => {
                if let Schema::NonEmptyMax(max) = schema {
                    let len = s.chars().count();
                    if len > *max {
                        fail(format!("expected at most {max} characters, found {len}"));
                    }
                }
            }
        },
        Schema::StrOrBool => {
            if !matches!(node.value, Value::Str(_) | Value::Bool(_)) {
                fail(format!("expected a string or a boolean, found {}", node.type_name()));
            }
        }
        Schema::Enum(allowed) => match node.as_str() {
            Some(s) if allowed.contains(&s) => {}
            _ => fail(format!("expected one of {}, found {}", quote_list(allowed), describe(node))),
        },
        Schema::Obj { props, required } => {
            let Some(_) = node.as_map() else {
                fail(format!("expected a mapping, found {}", node.type_name()));
                return;
            };
            for field in *required {
                if node.get(field).is_none() {
                    out.push(Violation {
                        pos: node.pos,
                        path: path.to_owned(),
                        message: format!("missing required field `{field}`"),
                    });
                }
            }
            check_props(props, None, node, path, skip, out);
        }
        Schema::ObjWithRest { props, rest } => {
            if node.as_map().is_none() {
                fail(format!("expected a mapping, found {}", node.type_name()));
                return;
            }
            check_props(props, Some(rest), node, path, skip, out);
        }
        Schema::Arr { items, min } => {
            let Some(seq) = node.as_seq() else {
                fail(format!("expected a list, found {}", node.type_name()));
                return;
            };
            if seq.len() < *min {
                fail(format!("expected at least {min} item(s), found {}", seq.len()));
            }
            for (i, item) in seq.iter().enumerate() {
                check(items, item, &format!("{path}.{i}"), skip, out);
            }
        }
        Schema::OneOf(alternatives) => {
            let matching = alternatives
                .iter()
                .filter(|alt| {
                    let mut scratch = Vec::new();
                    check(alt, node, path, skip, &mut scratch);
                    scratch.is_empty()
                })
                .count();
            if matching != 1 {
                fail(format!("expected a mapping or a list of mappings, found {}", node.type_name()));
            }
        }
    }
}

fn check_props(
    props: &[(&str, Schema)],
    rest: Option<&Schema>,
    node: &Node,
    path: &str,
    skip: &dyn Fn(&Node) -> bool,
    out: &mut Vec<Violation>,
) {
    for (key, value) in node.as_map().unwrap_or_default() {
        let child_path = format!("{path}.{}", key.name);
        match props.iter().find(|(name, _)| *name == key.name) {
            Some((_, schema)) => check(schema, value, &child_path, skip, out),
            None => {
                if let Some(rest) = rest {
                    check(rest, value, &child_path, skip, out);
                }
            }
        }
    }
}

fn quote_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}

/// A value for a message: strings quoted, other values by type.
pub fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("\"{s}\""),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => node.type_name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn violations(kind: &str, spec_yaml: &str) -> Vec<String> {
        let (docs, errors) = parse_documents(spec_yaml);
        assert!(errors.is_empty());
        let spec = &docs[0].root;
        let (_, out) = find(kind).unwrap().check_spec(spec, &|_| false);
        out.into_iter().map(|v| format!("{}: {}", v.path, v.message)).collect()
    }

    #[test]
    fn required_fields_per_kind() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("Component", "type: service\nlifecycle: production\nowner: a\n", &[]),
            (
                "Component",
                "type: service\n",
                &["spec: missing required field `lifecycle`", "spec: missing required field `owner`"],
            ),
            ("API", "type: openapi\nlifecycle: x\nowner: a\n", &["spec: missing required field `definition`"]),
            (
                "API",
                "type: mcp-server\nlifecycle: x\nowner: a\nremotes: []\n",
                &["spec.remotes: expected at least 1 item(s), found 0"],
            ),
            ("API", "type: mcp-server\nlifecycle: x\nowner: a\nremotes: [{type: sse, url: 'https://x'}]\n", &[]),
            ("Group", "type: team\n", &["spec: missing required field `children`"]),
            ("Group", "type: team\nchildren: []\n", &[]),
            ("User", "profile: {displayName: A}\n", &["spec: missing required field `memberOf`"]),
            ("User", "memberOf: [a, '']\n", &["spec.memberOf.1: expected a non-empty string, found an empty one"]),
            ("Resource", "type: db\nowner: a\ndependsOn: x\n", &["spec.dependsOn: expected a list, found a string"]),
            ("System", "owner: 5\n", &["spec.owner: expected a non-empty string, found a number"]),
            ("Domain", "owner: a\n", &[]),
            (
                "Location",
                "targets: [a]\npresence: maybe\n",
                &["spec.presence: expected one of \"required\", \"optional\", found \"maybe\""],
            ),
            ("Template", "type: service\n", &["spec: missing required field `steps`"]),
            ("Template", "type: service\nsteps: [{id: a}]\n", &["spec.steps.0: missing required field `action`"]),
            (
                "Template",
                "type: service\nsteps: []\nparameters: [{title: a}]\noutput: {links: [], other: 3}\n",
                &["spec.output.other: expected a string, found a number"],
            ),
            (
                "AiResource",
                "type: rule\nlifecycle: x\nowner: a\n",
                &["spec: missing required field `category`", "spec: missing required field `rationale`"],
            ),
            ("AiResource", "type: anything\nlifecycle: x\nowner: a\n", &[]),
        ];
        for (kind, spec, want) in cases {
            assert_eq!(violations(kind, spec), *want, "{kind}: {spec}");
        }
    }
}
