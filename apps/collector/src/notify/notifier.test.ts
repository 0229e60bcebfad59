// Digests and alerts delivered for real: a local HTTP server stands in for a Slack-compatible
// incoming webhook and smtp-server (a real SMTP implementation) for the mail server. The fleet is
// the simulator's, collected by the collector; one workload is broken so that it starts failing
// to pull. Delivered content is checked against what the review says and what the simulator broke;
// each message goes out once per week (or finding) and recipient, and a receiver's error is retried.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { isoWeekOf, type Notifications } from "@pullsight/core";
import { getWeeklyReview } from "@pullsight/db";
import { createTestDatabase, type TestDatabase } from "@pullsight/db/testing";
import { Simulator } from "@pullsight/k8s-sim";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { collectFleet } from "../collect.ts";
import type { ClusterClient } from "../k8s/client.ts";
import { simClients, writeSimKubeconfig } from "../testing.ts";
import { notify } from "./notifier.ts";
import { smtpMailer } from "./send.ts";

const MINUTE = 60_000;
// Sunday evening of 2026-W48: collected then, the digest of W48 is due on Monday.
const START = Date.parse("2026-11-29T20:00:00Z");
const MONDAY = new Date("2026-11-30T06:00:00Z");

interface Posted {
  path: string;
  text: string;
}

/** An incoming-webhook receiver: answers `failFirst` requests per path with `status`, then 200. */
async function webhookReceiver(opts: { failFirst?: Record<string, { count: number; status: number }> } = {}) {
  const posted: Posted[] = [];
  const failures = new Map(Object.entries(opts.failFirst ?? {}).map(([p, f]) => [p, { ...f }]));
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const fail = failures.get(req.url ?? "");
      if (fail && fail.count > 0) {
        fail.count--;
        res.writeHead(fail.status).end("receiver error");
        return;
      }
      posted.push({ path: req.url ?? "", text: (JSON.parse(body) as { text: string }).text });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { posted, url, failures, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server; the first `tempFailures` recipients are refused with 451 (try again later). */
async function smtpReceiver(tempFailures = 0) {
  const mails: Mail[] = [];
  let refuse = tempFailures;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refuse > 0) {
        refuse--;
        const error = Object.assign(new Error("mailbox busy, try again"), { responseCode: 451 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
          mails.push({ to: to ?? "", subject: m.subject ?? "", text: m.text ?? "" });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.server.address() as AddressInfo).port;
  return {
    mails,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("weekly digests and pull-failure alerts, delivered", () => {
  let sim: Simulator;
  let t: TestDatabase;
  let clients: ClusterClient[];
  let broken: { cluster: string; namespace: string; name: string; team: string };

  before(async () => {
    sim = await Simulator.start({
      clusters: 1,
      podsPerCluster: 200,
      seed: 31,
      startTime: START,
      versions: ["v1.34.1"],
    });
    t = await createTestDatabase("notify");
    clients = simClients(sim, writeSimKubeconfig(sim, "notify-"));
    const collect = async () => {
      const outcomes = await collectFleet(t.db, clients, { read: { now: () => new Date(sim.now) } });
      for (const o of outcomes) assert.ok(o.snapshotId, `${o.cluster}: ${o.status}`);
    };
    await collect();
    // One Deployment's new image tag does not exist: its pods start failing to pull.
    const c = sim.clusters[0] as Simulator["clusters"][number];
    const w = c.sim.workloads.find(
      (x) =>
        x.kind === "Deployment" &&
        x.namespace !== "kube-system" &&
        x.containers.length === 1 &&
        x.containers.every((k) => k.repo && !k.digest && k.policy !== "Never"),
    );
    assert.ok(w);
    const ns = c.sim.namespaces.find((n) => n.name === w.namespace);
    broken = { cluster: c.name, namespace: w.namespace, name: w.name, team: ns?.team ?? "" };
    c.sim.rollout(
      w,
      (k) => {
        k.tag = "9.9.9-gone";
        k.missingTag = true;
        k.image = `${k.repo?.written}:9.9.9-gone`;
      },
      sim.now,
    );
    sim.advanceBy(12 * MINUTE);
    await collect();
  });
  after(async () => {
    await sim?.stop();
    await t?.drop();
  });

  const config = (webhook: string): Notifications => ({
    dashboardUrl: "https://pullsight.example",
    recipients: [
      {
        name: "fleet leads",
        scope: "fleet",
        slackWebhook: `${webhook}/fleet`,
        email: ["leads@example.com"],
        digest: true,
        alerts: false,
      },
      {
        name: `team ${broken.team}`,
        scope: `team:${broken.team}`,
        slackWebhook: `${webhook}/team`,
        email: ["team@example.com"],
        digest: true,
        alerts: true,
      },
    ],
  });
  const fast = { retries: 3, minTimeoutMs: 20 };

  it("sends each digest and alert once per recipient and channel, retrying a receiver's error", async () => {
    const hook = await webhookReceiver({ failFirst: { "/team": { count: 1, status: 503 } } });
    const smtp = await smtpReceiver(1);
    try {
      const o = {
        notifications: config(hook.url),
        mailer: smtpMailer(smtp.url, "pullsight@example.com"),
        now: MONDAY,
        send: fast,
      };
      const first = await notify(t.db, o);
      assert.deepEqual(first, { sent: 6, failed: 0 }, "fleet digest ×2, team digest ×2, team alert ×2");
      assert.deepEqual(hook.posted.map((p) => p.path).sort(), ["/fleet", "/team", "/team"]);
      assert.deepEqual(smtp.mails.map((m) => m.to).sort(), [
        "leads@example.com",
        "team@example.com",
        "team@example.com",
      ]);

      // What the digest says is what the review says.
      const week = isoWeekOf(new Date(START));
      const review = await getWeeklyReview(t.db, week, { kind: "fleet" }, MONDAY);
      const fleet = hook.posted.find((p) => p.path === "/fleet")?.text ?? "";
      assert.match(fleet, new RegExp(`weekly digest for the fleet, ${week}`));
      assert.ok(fleet.includes(`Score at the end of the week: ${review.score.current}%`), fleet);
      assert.ok(fleet.includes(`New critical and high findings in production: ${review.worse.severeCount}`));
      assert.ok(fleet.includes(`https://pullsight.example/review?week=${week}&scope=fleet`));
      for (const a of review.actions.slice(0, 3)) assert.ok(fleet.includes(a.text), a.text);
      const mail = smtp.mails.find((m) => m.to === "leads@example.com");
      assert.equal(mail?.subject, `Pullsight ${week}: the fleet at ${review.score.current}%`);
      assert.equal(mail?.text.trim(), fleet.trim());

      // The alert names the workload the simulator broke, with its team.
      const alert =
        hook.posted.find((p) => p.path === "/team" && p.text.includes("failing to pull"))?.text ?? "";
      assert.ok(
        alert.includes(
          `${broken.cluster}/${broken.namespace}/Deployment/${broken.name} (team ${broken.team})`,
        ),
        alert,
      );
      assert.ok(smtp.mails.some((m) => m.to === "team@example.com" && m.subject.includes("failing to pull")));

      // Another round, later the same day: nothing is sent twice.
      const again = await notify(t.db, { ...o, now: new Date(MONDAY.getTime() + 60 * MINUTE) });
      assert.deepEqual(again, { sent: 0, failed: 0 });
      assert.equal(hook.posted.length, 3);
      assert.equal(smtp.mails.length, 3);
      const rows = await t.db.delivery.findMany();
      const [team] = await t.db.$queryRaw<Array<{ n: number }>>`
        SELECT COUNT(*)::int AS n FROM "Finding" f
        JOIN "Namespace" n ON n."clusterId" = f."clusterId" AND n.name = f.namespace
        WHERE f."ruleId" = 'PS009' AND f."resolvedAt" IS NULL AND n.owner = ${broken.team}`;
      const alerts = team?.n ?? 0;
      assert.ok(alerts >= 1);
      assert.equal(rows.length, 4 + 2 * alerts, "a row per digest and per alerted finding, per channel");
      assert.ok(rows.every((r) => r.status === "sent" && r.attempts === 1 && !r.target.includes("/team")));
    } finally {
      await hook.close();
      await smtp.close();
    }
  });

  it("records a receiver that keeps refusing as failed with its reason, and delivers after the backoff once it answers", async () => {
    await t.db.delivery.deleteMany();
    const hook = await webhookReceiver({ failFirst: { "/fleet": { count: 100, status: 404 } } });
    const smtp = await smtpReceiver();
    try {
      const notifications: Notifications = {
        recipients: [{ ...config(hook.url).recipients[0], email: [] } as never],
      };
      const o = {
        notifications,
        mailer: smtpMailer(smtp.url, "pullsight@example.com"),
        now: MONDAY,
        send: fast,
      };
      assert.deepEqual(await notify(t.db, o), { sent: 0, failed: 1 });
      const failed = await t.db.delivery.findFirstOrThrow();
      assert.equal(failed.status, "failed");
      assert.match(failed.lastError ?? "", /answered 404/);
      // Not claimed again before its backoff has passed.
      assert.deepEqual(await notify(t.db, { ...o, now: new Date(MONDAY.getTime() + 30_000) }), {
        sent: 0,
        failed: 0,
      });
      (hook.failures.get("/fleet") as { count: number }).count = 0;
      assert.deepEqual(await notify(t.db, { ...o, now: new Date(MONDAY.getTime() + 2 * MINUTE) }), {
        sent: 1,
        failed: 0,
      });
      const sent = await t.db.delivery.findFirstOrThrow();
      assert.deepEqual([sent.status, sent.attempts, sent.lastError], ["sent", 2, null]);
      assert.equal(hook.posted.length, 1);
    } finally {
      await hook.close();
      await smtp.close();
    }
  });
});
