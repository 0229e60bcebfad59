// Measures the rules on the calibration corpus and rewrites corpus/calibration.json, the baseline
// src/calibration.test.ts holds changes to. Refuses when the rules version has no note saying why
// rates moved (CALIBRATION_NOTES in src/calibration.ts).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CALIBRATION_NOTES, calibrate, evaluateCorpus } from "../src/calibration.ts";
import { RULES_VERSION } from "../src/index.ts";

const corpus = fileURLToPath(new URL("../corpus/", import.meta.url));
if (!CALIBRATION_NOTES[RULES_VERSION]) {
  console.error(
    `Rules version ${RULES_VERSION} has no entry in CALIBRATION_NOTES: say why the rates moved before rewriting the baseline.`,
  );
  process.exit(1);
}
const files = readdirSync(corpus)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((name) => ({ name, text: readFileSync(`${corpus}${name}`, "utf8") }));
const result = calibrate(evaluateCorpus(files));
writeFileSync(`${corpus}calibration.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(`${result.containers} containers, ${result.compliant} compliant under ${result.profile}`);
for (const [id, r] of Object.entries(result.rules))
  console.log(
    `${id}  ${String(r.fired).padStart(4)}  ${(r.rate * 100).toFixed(1).padStart(5)}%  ${JSON.stringify(r.bySeverity)}`,
  );
