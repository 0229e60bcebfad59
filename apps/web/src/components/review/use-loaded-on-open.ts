"use client";
// What a disclosure widget shows once opened, fetched the first time it opens (or at once when it
// starts open: a link to it fired its toggle before hydration). A failed fetch can be retried.
import { useEffect, useRef, useState } from "react";
import { errorMessage } from "~/client/trpc.ts";

export interface Loaded<T> {
  value?: T;
  error?: string;
  loading?: boolean;
}

export function useLoadedOnOpen<T>(fetch: () => Promise<T>, open: boolean) {
  const [state, setState] = useState<Loaded<T>>({});
  const started = useRef(false);
  const load = async () => {
    if (started.current) return;
    started.current = true;
    setState({ loading: true });
    try {
      setState({ value: await fetch() });
    } catch (e) {
      started.current = false;
      setState({ error: errorMessage(e) });
    }
  };
  useEffect(() => {
    if (open) void load();
  }, []);
  return { state, load };
}
