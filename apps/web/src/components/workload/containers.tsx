import { card, Link, link, muted, Section } from "~/components/ui.tsx";
import { dateTime } from "~/lib/format.ts";
import type { Outputs } from "~/server/outputs.ts";

type Detail = Outputs["workloads"]["detail"];
type Container = Detail["containers"][number];

/** Every container with its image anatomy, pull policy (and where it came from) and pull secrets. */
export function Containers({ containers }: { containers: Container[] }) {
  return (
    <Section title="Containers">
      <div className="grid gap-4 md:grid-cols-2">
        {containers.map((c) => (
          <ContainerCard key={c.name} c={c} />
        ))}
      </div>
    </Section>
  );
}

function ContainerCard({ c }: { c: Container }) {
  return (
    <article className={`${card} min-w-0 p-4`} aria-labelledby={`c-${c.name}`}>
      <h3 id={`c-${c.name}`} className="font-medium">
        {c.name}{" "}
        {c.type !== "container" && <span className={`text-xs font-normal ${muted}`}>{c.type} container</span>}
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
        <dt className={muted}>Since</dt>
        <dd>{dateTime(c.since)}</dd>
      </dl>
    </article>
  );
}
