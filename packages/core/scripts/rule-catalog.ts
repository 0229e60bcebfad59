// Writes packages/core/RULES.md and packages/core/profiles.schema.json from the rule definitions.
// A test fails when the committed files differ from what this would write.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { profilesJsonSchema, renderRuleCatalog } from "../src/index.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
writeFileSync(here("../RULES.md"), renderRuleCatalog());
writeFileSync(here("../profiles.schema.json"), `${JSON.stringify(profilesJsonSchema(), null, 2)}\n`);
console.log("wrote RULES.md and profiles.schema.json");
