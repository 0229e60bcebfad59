// Figure 8: the registry prober at fleet size. 20,000 distinct references across the fleet's six
// registries (the simulator's, served over HTTP by this process), one of them rate-limited at 100
// requests a minute as Docker Hub's anonymous limit is counted, probed in one round of the
// prober's default interval (15 minutes; the round may use 90 % of it) by the prober in a process
// of its own: every reference answered or marked rate-limited, no request before a Retry-After,
// the prober's peak RSS.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimRegistryServer, SimTagStore } from "@pullsight/k8s-sim";
import type { Bench } from "../context.ts";

const RATE_LIMITED = "docker.io";
const INTERVAL_MS = 15 * 60_000;

export async function probeFigures(b: Bench, references = 20_000) {
  const registries = new SimRegistryServer(new SimTagStore(8));
  await registries.start();
  const images = seed(registries, references);
  registries.set(RATE_LIMITED, { rateLimit: { requests: 100, windowMs: 60_000 } });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "pullsight-bench-probe-")), "images.json");
  writeFileSync(file, JSON.stringify(images));
  const endpoints = Object.fromEntries(registries.registries.map((r) => [r, registries.endpoint(r)]));
  console.log(
    `8 probe: ${images.length} references, one round of up to ${(INTERVAL_MS * 0.9) / 60_000} minutes`,
  );
  const out = await runAsync(process.execPath, [b.childJs, "probe", file, b.dbUrl], {
    BENCH_PROBE_ENDPOINTS: JSON.stringify(endpoints),
    BENCH_PROBE_ROUND_MS: String(INTERVAL_MS * 0.9),
  });
  await registries.stop();
  const r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
    wallMs: number;
    peakRssMb: number;
    probedPeakMb: number;
    heapMb: number;
    answers: number;
    outcomes: Record<string, number>;
    rounds: Array<{ registry: string; requests: number; throttled: number }>;
  };
  const early = registries.requests.filter((q) => q.beforeRetryAfter).length;
  const limited = r.outcomes["rate-limited"] ?? 0;
  const answered = r.answers - limited - (r.outcomes.unreachable ?? 0) - (r.outcomes.failing ?? 0);
  const sent = registries.requests.length;
  b.report({
    figure: "8 probe",
    name: "references answered or marked rate-limited",
    value: answered + limited,
    unit: `of ${images.length}`,
    target: `all ${images.length} within ${INTERVAL_MS / 60_000} min`,
    met: answered + limited === images.length && r.wallMs <= INTERVAL_MS,
    note: `${answered} answered, ${limited} rate-limited, in ${(r.wallMs / 60_000).toFixed(1)} min`,
  });
  b.report({ figure: "8 probe", name: "answered by the registries", value: answered, unit: "references" });
  b.report({
    figure: "8 probe",
    name: `marked rate-limited (${RATE_LIMITED})`,
    value: limited,
    unit: "references",
  });
  b.report({
    figure: "8 probe",
    name: "requests sent before a Retry-After had passed",
    value: early,
    unit: `of ${sent}`,
    target: "0",
    met: early === 0,
  });
  const throttled = r.rounds.find((x) => x.registry === RATE_LIMITED);
  b.report({
    figure: "8 probe",
    name: `429s from ${RATE_LIMITED} (100 requests a minute)`,
    value: throttled?.throttled ?? 0,
    unit: "answers",
  });
  b.report({ figure: "8 probe", name: "round wall time", value: r.wallMs / 1000, unit: "s" });
  b.report({
    figure: "8 probe",
    name: "prober peak RSS",
    value: r.peakRssMb,
    unit: "MB",
    note: `${r.probedPeakMb.toFixed(0)} MB at most while probing, before the database client is loaded to store (JS heap then ${r.heapMb.toFixed(0)} MB)`,
  });
}

/**
 * References spread evenly over the registries: 500 repositories each (a token exchange per
 * repository), each with several version tags, all public so that every answer is about the tag.
 */
function seed(registries: SimRegistryServer, total: number): string[] {
  const names = registries.registries;
  const perRegistry = Math.ceil(total / names.length);
  const repos = 500;
  const tagsPer = Math.ceil(perRegistry / repos);
  const images: string[] = [];
  for (const registry of names) {
    let here = 0;
    for (let i = 0; i < repos && here < perRegistry; i++) {
      const name = `bench/svc-${i}`;
      const tags = Array.from({ length: tagsPer }, (_, j) => ({
        tag: `1.${j}.0`,
        kind: "full-version" as const,
      }));
      registries.addRepository({
        written: `${registry}/${name}`,
        registry,
        canonical: `${registry}/${name}`,
        private: false,
        tags,
        pullSeconds: 1,
        sizeBytes: 1,
      });
      for (const t of tags.slice(0, perRegistry - here)) images.push(`${registry}/${name}:${t.tag}`);
      here = Math.min(perRegistry, here + tags.length);
    }
  }
  return images.slice(0, total);
}

function runAsync(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`probe child exited ${code}`)),
    );
  });
}
