// Sizes a reader can take in: no function longer than a screenful and a half (120 lines), and no
// file over 400 lines unless its first line says why ("// Long by design: …"). Generated code is
// exempt. A function that grows past the limit is split into steps; a file, by concern.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const MAX_FUNCTION_LINES = 120;
const MAX_FILE_LINES = 400;
const REASON = /^\/\/ Long by design: \S/;

const sources = execFileSync("git", ["ls-files", "*.ts", "*.tsx", "*.mjs"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.includes("/generated/"))
  .map((f) => ({ file: f, text: readFileSync(path.join(root, f), "utf8") }));

/** A describe() callback: a list of tests, each of which is measured on its own. */
const isSuiteBody = (node: ts.Node) =>
  ts.isCallExpression(node.parent) &&
  ts.isIdentifier(node.parent.expression) &&
  node.parent.expression.text === "describe";

/** Functions (declarations, methods, arrows, expressions) longer than `max` lines, as "file:line name (n lines)". */
export function longFunctions(file: string, text: string, max = MAX_FUNCTION_LINES): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body && !isSuiteBody(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - first + 1;
      if (lines > max) {
        const named = (node as { name?: ts.Node }).name;
        const name =
          named?.getText() ??
          (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : "(anonymous)");
        found.push(`${file}:${first + 1} ${name} (${lines} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const lineCount = (text: string) => text.split("\n").length - (text.endsWith("\n") ? 1 : 0);

describe("sizes", () => {
  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(
      sources.flatMap((s) => longFunctions(s.file, s.text)),
      [],
    );
  });

  it(`no file is longer than ${MAX_FILE_LINES} lines without saying why on its first line`, () => {
    const unexplained = sources
      .filter((s) => lineCount(s.text) > MAX_FILE_LINES && !REASON.test(s.text))
      .map((s) => `${s.file} (${lineCount(s.text)} lines)`);
    assert.deepEqual(unexplained, []);
  });

  it("measures what it claims: a long function and a long file are caught", () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join("\n");
    assert.deepEqual(longFunctions("probe.ts", `export function big() {\n${body}\n}\n`), [
      `probe.ts:1 big (${MAX_FUNCTION_LINES + 2} lines)`,
    ]);
    assert.deepEqual(
      longFunctions("probe.ts", `const small = () => {\n${body.split("\n").slice(2).join("\n")}\n};\n`),
      [],
    );
    const long = `${"\n".repeat(MAX_FILE_LINES + 1)}`;
    assert.ok(lineCount(long) > MAX_FILE_LINES && !REASON.test(long));
    assert.ok(REASON.test(`// Long by design: a table.\n${long}`));
  });
});
