// `npm start`: the dashboard with a simulated fleet of three clusters whose last eight weeks are
// collected first (into a database of its own, rebuilt on every start), then collected live every
// minute. With DATABASE_URL or PULLSIGHT_KUBECONFIG set it starts as the web app's launcher does
// (serve or live), without the simulator.
import type { Logger } from "@pullsight/collector";
import { type Companion, launch } from "@pullsight/web/launcher";
import { startDemo } from "./demo.ts";
import { demoEnv } from "./demo-env.ts";

const bigints = (_key: string, value: unknown) => (typeof value === "bigint" ? String(value) : value);

async function demoCompanion(databaseUrl: string, log: (line: string) => void): Promise<Companion> {
  const env = demoEnv();
  // The collector's warnings and errors reach the terminal; its routine logs do not.
  const quiet: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => log(`collector: ${msg} ${JSON.stringify(fields ?? {}, bigints)}`),
    error: (msg, fields) => log(`collector: ${msg} ${JSON.stringify(fields ?? {}, bigints)}`),
    child: () => quiet,
  };
  log(
    `demo: simulating 3 clusters of ${env.PULLSIGHT_DEMO_PODS} pods and collecting their last ${env.PULLSIGHT_DEMO_DAYS} days (about 3 minutes)`,
  );
  let reported = -1;
  const demo = await startDemo({
    databaseUrl,
    podsPerCluster: env.PULLSIGHT_DEMO_PODS,
    days: env.PULLSIGHT_DEMO_DAYS,
    intervalMs: 60_000,
    log: quiet,
    onProgress: (at, done) => {
      const tenth = Math.floor(done * 10);
      if (tenth > reported) {
        reported = tenth;
        log(`demo: history collected up to ${at.toISOString().slice(0, 10)} (${tenth * 10}%)`);
      }
    },
  });
  return {
    ready: demo.ready.then((built) => {
      const snapshots = built.reduce((n, r) => n + r.snapshots, 0);
      return `demo: ${snapshots} snapshot rounds collected; now collecting live every minute`;
    }),
    stop: () => demo.stop(),
  };
}

await launch({ demo: demoCompanion });
