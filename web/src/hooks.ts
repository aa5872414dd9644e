// Small hooks the pages share: the route in the URL's hash, and data loaded
// from the API (again every `everyMs` while the page shows it).
import { useCallback, useEffect, useState } from "react";

export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export function link(...parts: string[]): string {
  return "#/" + parts.map(encodeURIComponent).join("/");
}

export interface Loaded<T> {
  value: T | null;
  error: string | null;
  reload: () => void;
}

// Errors are kept for the page to show; the last value stays on screen while
// a reload runs, so live updates never blank the page.
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs = 0): Loaded<T> {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const run = useCallback(load, deps); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    let live = true;
    const tick = () =>
      run()
        .then((v) => { if (live) { setValue(v); setError(null); } })
        .catch((e) => { if (live) setError(messageOf(e)); });
    tick();
    const timer = everyMs ? window.setInterval(tick, everyMs) : 0;
    return () => { live = false; window.clearInterval(timer); };
  }, [run, everyMs, generation]);
  return { value, error, reload: () => setGeneration((g) => g + 1) };
}

// An action a button runs (stop, redrive, signal, ...): `run` it, then
// `reload` what the page shows; its error, if any, for the page to show.
export function useAction<A extends unknown[]>(call: (...args: A) => Promise<unknown>,
  reload: () => void): [(...args: A) => void, string | null] {
  const [error, setError] = useState<string | null>(null);
  const run = (...args: A) => {
    call(...args).then(() => { setError(null); reload(); }).catch((e) => setError(messageOf(e)));
  };
  return [run, error];
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function when(seconds?: number): string {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "";
}
