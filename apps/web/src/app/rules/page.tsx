import type { Metadata } from "next";
import { YamlSnippet } from "~/components/copy-button.tsx";
import { card, Link, link, muted, PageHeader, SeverityBadge } from "~/components/ui.tsx";
import { api } from "~/server/caller.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Rules" };

export default async function RulesPage() {
  const { version, rules } = await (await api()).rules.catalog();
  return (
    <>
      <PageHeader
        title="Rules"
        subtitle={`The rule catalogue (version ${version}): what each rule checks, why it matters, how to fix it, and its default severity per namespace profile.`}
      />
      <section id="visibility" aria-labelledby="visibility-title" className={`${card} mb-4 p-4 text-sm`}>
        <h2 id="visibility-title" className="text-base font-semibold">
          Registry visibility
        </h2>
        <p className="mt-1">
          A registry is <strong>public</strong> when it is on the list of well-known public registries (Docker
          Hub, ghcr.io, quay.io, registry.k8s.io, the vendors' and projects' registries),{" "}
          <strong>private</strong> when it always needs credentials (cloud registries of one account, names
          that only resolve inside a network), and <strong>unknown</strong> otherwise. PS007 (medium) judges
          private registries without a pull secret; PS018 (low) asks about unknown ones.
        </p>
        <p className="mt-2">
          Declare a registry in the profiles file, under a profile's <code>settings</code>:
        </p>
        <YamlSnippet
          yaml={`profiles:
  - name: production
    settings:
      publicRegistries: [registry.example.org]    # anyone may pull
      privateRegistries: [registry.example.com]   # needs credentials`}
        />
        <p className={`mt-2 text-xs ${muted}`}>
          Declared registries are added to the built-in lists; a more specific pattern overrides a built-in
          one. Patterns are <code>domain</code> or <code>domain/path</code>; <code>*</code> matches within one
          DNS label. RULES.md lists both built-in lists.
        </p>
      </section>
      <ul className="space-y-4">
        {rules.map((r) => (
          <li key={r.id} id={r.id} className={`${card} p-4`}>
            <article aria-labelledby={`rule-${r.id}`}>
              <div className="flex flex-wrap items-center gap-2">
                <h2 id={`rule-${r.id}`} className="text-base font-semibold">
                  {r.id} {r.title}
                </h2>
                <span className={`text-xs ${muted}`}>
                  {r.category} · {r.slug}
                  {r.inputs.length ? ` · reads ${r.inputs.join(", ")}` : " · reads the spec"}
                </span>
              </div>
              <dl className="mt-2 flex flex-wrap gap-4 text-sm">
                <div className="flex items-center gap-1">
                  <dt className={muted}>production:</dt>
                  <dd>
                    {r.defaults.production === "off" ? (
                      "off"
                    ) : (
                      <SeverityBadge severity={r.defaults.production} />
                    )}
                  </dd>
                </div>
                <div className="flex items-center gap-1">
                  <dt className={muted}>development:</dt>
                  <dd>
                    {r.defaults.development === "off" ? (
                      "off"
                    ) : (
                      <SeverityBadge severity={r.defaults.development} />
                    )}
                  </dd>
                </div>
              </dl>
              <h3 className="mt-3 text-sm font-medium">Why it matters</h3>
              <p className="text-sm">{r.why}</p>
              <h3 className="mt-3 text-sm font-medium">Why this severity</h3>
              <p className="text-sm">{r.severityWhy}</p>
              {r.quietWhen?.length ? (
                <p className={`mt-1 text-xs ${muted}`}>
                  Not raised where {r.quietWhen.join(", ")} fires: they call the same policy risky.
                </p>
              ) : null}
              {r.grouped ? (
                <p className={`mt-1 text-xs ${muted}`}>
                  Fires on most containers, so lists show it as one line per namespace with a count.
                </p>
              ) : null}
              <h3 className="mt-3 text-sm font-medium">How to fix</h3>
              <p className="text-sm">{r.fix}</p>
              <YamlSnippet yaml={r.fixYaml} />
              <div className="mt-2 flex flex-wrap gap-x-4 text-xs">
                {r.references.map((ref) => (
                  <a key={ref.url} href={ref.url} className={link} rel="noreferrer" target="_blank">
                    {ref.title}
                  </a>
                ))}
                <Link href={`/findings?ruleId=${r.id}`} className={link}>
                  Open findings for {r.id}
                </Link>
              </div>
            </article>
          </li>
        ))}
      </ul>
    </>
  );
}
