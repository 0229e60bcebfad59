import {
  CONTAINER_TYPE_WORDS,
  type ContainerType,
  imageVolumeName,
  PULL_CREDENTIAL_SOURCE_WORDS,
  type PullCredentialSource,
} from "@pullsight/core";
import { card, Link, link, muted, Section } from "~/components/ui.tsx";
import { dateTime } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];
type Container = Detail["containers"][number];

/**
 * Every container and image volume with its image anatomy, pull policy (and where it came from),
 * pull secrets and what the registry says of its reference against what runs.
 */
export function Containers({ containers, running }: { containers: Container[]; running: Detail["running"] }) {
  const volumes = containers.some((c) => c.type === "volume");
  return (
    <Section title={volumes ? "Containers and image volumes" : "Containers"}>
      <div className="grid gap-4 md:grid-cols-2">
        {containers.map((c) => (
          <ContainerCard
            key={c.name}
            c={c}
            runs={(running.find((r) => r.container === c.name)?.digests ?? []).flatMap((d) =>
              d.digest ? [d.digest] : [],
            )}
          />
        ))}
      </div>
    </Section>
  );
}

function ContainerCard({ c, runs }: { c: Container; runs: string[] }) {
  return (
    <article className={`${card} min-w-0 p-4`} aria-labelledby={`c-${c.name}`}>
      <h3 id={`c-${c.name}`} className="font-medium">
        {imageVolumeName(c.name) ?? c.name}{" "}
        {c.type !== "container" && (
          <span className={`text-xs font-normal ${muted}`}>
            {CONTAINER_TYPE_WORDS[c.type as ContainerType] ?? c.type}
          </span>
        )}
      </h3>
      <p className="mt-1 break-all font-mono text-xs">{c.image}</p>
      <dl className="mt-3 grid grid-cols-[max-content_minmax(0,1fr)] break-words gap-x-4 gap-y-1 text-sm">
        <dt className={muted}>Registry</dt>
        <dd className="font-mono text-xs">
          {c.registry} <span className={muted}>({c.registryVisibility})</span>
          {c.registryVisibility === "unknown" && (
            <p className={`mt-1 font-sans ${muted}`}>
              Not a well-known public registry, nor one that always needs credentials. Declare it under{" "}
              <code>publicRegistries</code> or <code>privateRegistries</code> in the profile's settings (see{" "}
              <Link href="/rules#visibility" className={link}>
                registry visibility
              </Link>
              ).
            </p>
          )}
        </dd>
        <dt className={muted}>Repository</dt>
        <dd className="break-all font-mono text-xs">{c.repository}</dd>
        <dt className={muted}>Tag</dt>
        <dd className="font-mono text-xs">
          {c.tag ?? <span className={muted}>none</span>} <span className={muted}>({c.tagKind})</span>
        </dd>
        <dt className={muted}>Digest</dt>
        <dd className="break-all font-mono text-xs">
          {c.digest ?? <span className={muted}>not pinned</span>}
        </dd>
        <dt className={muted}>Pull policy</dt>
        <dd>
          <span className="font-medium">{c.imagePullPolicy}</span>{" "}
          <span className={muted}>({c.policySource})</span>
          <span className={`block text-xs ${muted}`}>{c.policyEvidence}</span>
        </dd>
        <dt className={muted}>Pull secrets</dt>
        <dd>{c.pullSecrets.length ? c.pullSecrets.join(", ") : <span className={muted}>none</span>}</dd>
        <dt className={muted}>Credentials from</dt>
        <dd>
          <CredentialSources sources={c.credentialSources} />
        </dd>
        <dt className={muted}>Registry says</dt>
        <dd>
          <RegistrySays answer={c.registryAnswer} runs={runs} volume={c.type === "volume"} />
        </dd>
        <dt className={muted}>Since</dt>
        <dd>{dateTime(c.since)}</dd>
      </dl>
    </article>
  );
}

/** Which setting makes Pullsight assume a credential provider serves the registry. */
const PROVIDER_SETTING: Partial<Record<PullCredentialSource, string>> = {
  "node-provider": "nodeCredentialRegistries",
  "service-account-token": "serviceAccountTokenRegistries",
};

/**
 * Where the container's pulls get credentials, in the kubelet's order. A credential provider is
 * not visible through the API: it is assumed from the profile's settings, and said so, because it
 * is what keeps PS007 quiet.
 */
function CredentialSources({ sources }: { sources: string[] }) {
  if (!sources.length) return <span className={muted}>not recorded when this container was collected</span>;
  return (
    <ul>
      {sources.map((s) => {
        const setting = PROVIDER_SETTING[s as PullCredentialSource];
        return (
          <li key={s}>
            {PULL_CREDENTIAL_SOURCE_WORDS[s as PullCredentialSource] ?? s}
            {setting && (
              <span className={`block text-xs ${muted}`}>
                assumed: the registry matches <code>{setting}</code> in the profile&apos;s settings
                {s === "service-account-token" && (
                  <>
                    {" "}
                    and the ServiceAccount carries every <code>serviceAccountTokenAnnotations</code> key
                  </>
                )}
                , so PS007 does not ask for a pull secret
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

const short = (d: string) => `${d.slice(0, 19)}…`;

/** The registry's answer for the reference, compared with the digests its pods run. */
function RegistrySays({
  answer: a,
  runs,
  volume,
}: {
  answer: Container["registryAnswer"];
  runs: string[];
  volume: boolean;
}) {
  if (!a) return <span className={muted}>not asked yet (the registry prober has not seen this image)</span>;
  const asked = (
    <span className={`block text-xs ${muted}`}>
      answered {dateTime(a.probedAt)}, so since {dateTime(a.since)}
      {a.attemptOutcome !== a.outcome && ` · latest attempt ${a.attemptOutcome} (${dateTime(a.attemptedAt)})`}
    </span>
  );
  if (a.outcome !== "resolved")
    return (
      <>
        <span className="font-medium text-red-800 dark:text-red-300">
          {a.outcome === "unauthorized" && !a.credentialed
            ? "needs credentials (asked anonymously)"
            : a.outcome}
        </span>{" "}
        <span className="text-xs [overflow-wrap:anywhere]">{a.detail}</span>
        {asked}
      </>
    );
  const same = a.digest !== null && runs.includes(a.digest);
  return (
    <>
      <span className="font-mono text-xs" title={a.digest ?? ""}>
        {a.digest ? short(a.digest) : "no digest"}
      </span>{" "}
      {runs.length === 0 ? (
        <span className={`text-xs ${muted}`}>
          {volume
            ? "(no pod reports a digest: kubelets report an image volume's digest only with the ImageVolumeWithDigest feature gate, alpha from 1.35)"
            : "(no pod reports a digest)"}
        </span>
      ) : same ? (
        <span className={`text-xs ${muted}`}>
          {runs.length === 1 ? "= what runs" : "= one of the digests running"}
        </span>
      ) : (
        <span className="text-xs font-medium text-amber-800 dark:text-amber-300">
          ≠ what runs ({runs.map(short).join(", ")}): the tag moved
        </span>
      )}
      {asked}
    </>
  );
}
