// Errors as Kubernetes sends them: a Status object with reason and code.
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Failure";
  message: string;
  reason: string;
  details?: Record<string, unknown>;
  code: number;
}

export function status(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata,
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export const unauthorized = () => status(401, "Unauthorized", "Unauthorized");

/** The API server's RBAC denial, word for word. */
export function forbidden(
  user: string,
  verb: string,
  resource: string,
  group: string,
  namespace?: string,
): Status {
  const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  return status(
    403,
    "Forbidden",
    `${resource} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
    { kind: resource },
  );
}

export const notFound = (resource: string, name: string, group: string) =>
  status(404, "NotFound", `${resource}${group ? `.${group}` : ""} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });

export const expiredContinue = (next?: string) =>
  status(
    410,
    "Expired",
    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    undefined,
    next ? { continue: next } : {},
  );

export const tooOldResourceVersion = (requested: string, oldest: number) =>
  status(410, "Expired", `too old resource version: ${requested} (${oldest})`);

export const badRequest = (message: string) => status(400, "BadRequest", message);
export const internalError = (message: string) =>
  status(500, "InternalError", `Internal error occurred: ${message}`);
export const methodNotAllowed = () =>
  status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
