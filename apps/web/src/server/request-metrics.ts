// Request latency by route, from what Next.js already reports: it opens an OpenTelemetry span for
// every request ("BaseServer.handleRequest") and, when it ends, names on it the route pattern that
// served it (`next.route`: "/workloads/[id]", "/api/trpc/[trpc]") and the status. A tracer provider
// of our own turns those spans into the request-latency histogram (metrics.ts in the API package)
// and keeps nothing else; no span leaves the process.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { apiMetrics } from "@pullsight/api";

const REQUEST_SPAN = "BaseServer.handleRequest";

/**
 * The route label: Next's route pattern, else what kind of path it was, never the path itself.
 * Null for the pass that only ran the proxy (proxy.ts) and let the request through: Next then
 * handles it again, and that pass reports the route.
 */
export function routeLabel(attributes: ReadableSpan["attributes"]): string | null {
  const route = attributes["next.route"];
  if (typeof route === "string" && route) return route;
  if (String(attributes["http.target"] ?? "").startsWith("/_next/")) return "(static)";
  return Number(attributes["http.status_code"] ?? 0) >= 400 ? "(proxy)" : null;
}

class RequestLatency implements SpanProcessor {
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    if (span.attributes["next.span_type"] !== REQUEST_SPAN) return;
    const route = routeLabel(span.attributes);
    if (route === null) return;
    const [s, ns] = span.duration;
    apiMetrics().observeRequest(
      route,
      String(span.attributes["http.method"] ?? "GET"),
      Number(span.attributes["http.status_code"] ?? 0),
      s + ns / 1e9,
    );
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Once per server process, before the first request (instrumentation.ts). */
export function recordRequestLatency(): void {
  // Next finds a request's root span through the active context: it needs a context manager.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new RequestLatency()] }));
}
