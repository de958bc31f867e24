// Renders templates with Nunjucks configured as Backstage's scaffolder configures it, for the
// differential test tests/testsuite/nunjucks_parity.rs.
//
// stdin:  {"cases": [{"template": "...", "context": {...}}, ...]}
// stdout: [{"ok": "rendered"} | {"error": "message"}, ...], one entry per case, in order.
//
// The environment follows Backstage's SecureTemplater (plugins/scaffolder-backend): no
// autoescape, `${{ }}` as the variable delimiters (blocks `{% %}` and comments `{# #}` as
// usual), and its default filters parseRepoUrl, parseEntityRef, pick and projectSlug. Like
// SecureTemplater, a filter's result crosses back into the template as
// `JSON.parse(JSON.stringify(result))` (so `undefined` fails, as it does in Backstage).

import nunjucks from 'nunjucks';

// The hosts Backstage's ScmIntegrations knows without configuration, and their types.
const INTEGRATIONS = {
  'github.com': 'github',
  'gitlab.com': 'gitlab',
  'bitbucket.org': 'bitbucket',
  'www.bitbucket.org': 'bitbucket',
  'dev.azure.com': 'azure',
};

const trimSlashes = s => s.replace(/^\/+|\/+$/g, '');

// @backstage/plugin-scaffolder-node `parseRepoUrl`.
function parseRepoUrl(repoUrl) {
  let parsed;
  try {
    parsed = new URL(`https://${repoUrl}`);
  } catch (error) {
    throw new Error(`Invalid repo URL passed to publisher, got ${repoUrl}, ${error}`);
  }
  const host = parsed.host;
  const type = INTEGRATIONS[host];
  if (!type) {
    throw new Error(
      `No matching integration configuration for host ${host}, please check your integrations config`,
    );
  }
  const params = {};
  for (const p of ['owner', 'organization', 'workspace', 'project', 'repo']) {
    params[p] = parsed.searchParams.has(p) ? trimSlashes(parsed.searchParams.get(p)) : undefined;
  }
  const required = (...names) => {
    for (const n of names) {
      if (!parsed.searchParams.get(n)) {
        throw new Error(`Invalid repo URL passed to publisher: ${parsed.toString()}, missing ${n}`);
      }
    }
  };
  switch (type) {
    case 'bitbucket':
      if (host === 'www.bitbucket.org') required('workspace');
      required('project', 'repo');
      break;
    case 'azure':
      required('project', 'repo');
      break;
    case 'gitlab':
      if (!params.project) required('owner', 'repo');
      break;
    default:
      required('repo', 'owner');
  }
  const { owner, organization, workspace, project, repo } = params;
  return { host, owner, repo, organization, workspace, project };
}

// @backstage/catalog-model `parseEntityRef`.
function parseRefString(ref) {
  let colonI = ref.indexOf(':');
  const slashI = ref.indexOf('/');
  if (slashI !== -1 && slashI < colonI) colonI = -1;
  const kind = colonI === -1 ? undefined : ref.slice(0, colonI);
  const namespace = slashI === -1 ? undefined : ref.slice(colonI + 1, slashI);
  const name = ref.slice(Math.max(colonI + 1, slashI + 1));
  if (kind === '' || namespace === '' || name === '') {
    throw new TypeError(`Entity reference "${ref}" was not on the form [<kind>:][<namespace>/]<name>`);
  }
  return { kind, namespace, name };
}

function parseEntityRef(ref, context) {
  if (!ref) throw new Error('Entity reference must not be empty');
  const defaultKind = context?.defaultKind;
  const defaultNamespace = context?.defaultNamespace || 'default';
  let kind;
  let namespace;
  let name;
  if (typeof ref === 'string') {
    const parsed = parseRefString(ref);
    kind = parsed.kind ?? defaultKind;
    namespace = parsed.namespace ?? defaultNamespace;
    name = parsed.name;
  } else {
    kind = ref.kind ?? defaultKind;
    namespace = ref.namespace ?? defaultNamespace;
    name = ref.name;
  }
  const textual = JSON.stringify(ref);
  if (!kind) {
    throw new Error(
      `Entity reference ${textual} had missing or empty kind (e.g. did not start with "component:" or similar)`,
    );
  } else if (!namespace) {
    throw new Error(`Entity reference ${textual} had missing or empty namespace`);
  } else if (!name) {
    throw new Error(`Entity reference ${textual} had missing or empty name`);
  }
  return { kind, namespace, name };
}

// lodash `get` with a string path (dots and `[n]`), as `pick` uses it.
function pick(obj, path) {
  const keys = String(path)
    .replace(/\[(?:'([^']*)'|"([^"]*)"|([^\]]*))\]/g, (_, a, b, c) => `.${a ?? b ?? c}`)
    .split('.')
    .filter(k => k !== '');
  let value = obj;
  for (const k of keys) {
    if (value === null || value === undefined) return undefined;
    value = value[k];
  }
  return value;
}

const FILTERS = {
  parseRepoUrl: url => parseRepoUrl(url),
  parseEntityRef: (ref, context) => parseEntityRef(ref, context),
  pick: (obj, key) => pick(obj, key),
  projectSlug: repoUrl => {
    const { owner, repo } = parseRepoUrl(repoUrl);
    return `${owner}/${repo}`;
  },
};

const env = new nunjucks.Environment(undefined, {
  autoescape: false,
  tags: { variableStart: '${{', variableEnd: '}}' },
});
for (const [name, filter] of Object.entries(FILTERS)) {
  // SecureTemplater: `JSON.parse(callFilter(name, args))`, callFilter returning
  // `JSON.stringify(filter(...args))`.
  env.addFilter(name, (...args) => JSON.parse(JSON.stringify(filter(...args))));
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { cases } = JSON.parse(input);

const results = cases.map(({ template, context }) => {
  try {
    // Backstage passes the values through JSON too.
    return { ok: env.renderString(String(template), JSON.parse(JSON.stringify(context ?? {}))) };
  } catch (error) {
    return { error: String(error && error.message ? error.message : error) };
  }
});
process.stdout.write(JSON.stringify(results));
