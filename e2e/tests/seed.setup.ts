// Fills the product's database the way production does: a simulated fleet (three clusters, three
// weeks of the demo story) read by the real collector through the real Kubernetes client.
import { startDemo } from "@pullsight/demo";
import { test as setup } from "../support/fixtures.ts";

setup("collect three weeks of a simulated fleet", async ({ db }) => {
  setup.setTimeout(240_000);
  await db.cluster.deleteMany();
  await db.waiver.deleteMany();
  const demo = await startDemo({
    databaseUrl: process.env.DATABASE_URL as string,
    podsPerCluster: 80,
    days: 21,
    recentDays: 7,
    snapshotEveryMinutes: { older: 720, recent: 360 },
  });
  try {
    const results = await demo.ready;
    const failed = results.reduce((n, r) => n + r.failed, 0);
    if (failed) throw new Error(`${failed} cluster snapshots failed while seeding`);
  } finally {
    await demo.stop();
  }
});
