// An execution's history, live: the events so far from GetExecutionHistory,
// then new ones as the server pushes them over server-sent events
// (GET /console/events, docs/console.md). `onClose` is called when the
// execution closes (the page reloads its description).
import { useEffect, useState } from "react";
import { sfn, swf } from "./api";
import type { HistoryEvent } from "./graph";
import { messageOf } from "./hooks";
import { presignUrl, savedKey } from "./sigv4";

// The stream's URL, presigned when a key was given (an EventSource cannot
// carry an Authorization header).
async function streamUrl(service: string, query: Record<string, string>): Promise<string> {
  const key = savedKey();
  if (!key) return `/console/events?${new URLSearchParams(query)}`;
  return presignUrl(key, service, window.location.host, "/console/events", query);
}

async function allEvents(arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page: { events: HistoryEvent[]; nextToken?: string } = await sfn("GetExecutionHistory",
      { executionArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

// The events so far (`loadAll`), then those the stream at `streamUrl(after)`
// pushes; `idOf` gives an event's id. One hook for both front doors.
function useHistoryStream<E>(key: string, loadAll: () => Promise<E[]>, urlOf: (after: number) => Promise<string>,
  idOf: (e: E) => number, onClose: () => void) {
  const [events, setEvents] = useState<E[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let source: EventSource | null = null;
    let live = true;
    loadAll().then(async (loaded) => {
      if (!live) return;
      setEvents(loaded);
      const url = await urlOf(loaded.length ? idOf(loaded[loaded.length - 1]) : 0);
      if (!live) return;
      source = new EventSource(url);
      source.addEventListener("history", (m) => {
        const more = JSON.parse((m as MessageEvent).data) as E[];
        setEvents((old) => {
          const last = old.length ? idOf(old[old.length - 1]) : 0;
          return [...old, ...more.filter((e) => idOf(e) > last)];
        });
      });
      source.addEventListener("closed", () => { onClose(); source?.close(); });
      source.addEventListener("failure", (m) => setError((m as MessageEvent).data));
    }).catch((e) => live && setError(messageOf(e)));
    return () => { live = false; source?.close(); };
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return { events, error };
}

export function useExecutionStream(arn: string, onClose: () => void) {
  return useHistoryStream<HistoryEvent>(arn, () => allEvents(arn),
    (after) => streamUrl("states", { executionArn: arn, after: String(after) }),
    (e) => e.id, onClose);
}

export interface SwfEvent {
  eventId: number;
  eventType: string;
  eventTimestamp: number;
  [attributes: string]: unknown;
}

export interface SwfRun { domain: string; workflowId: string; runId: string }

async function allSwfEvents(run: SwfRun): Promise<SwfEvent[]> {
  const events: SwfEvent[] = [];
  let nextPageToken: string | undefined;
  do {
    const page: { events: SwfEvent[]; nextPageToken?: string } = await swf("GetWorkflowExecutionHistory", {
      domain: run.domain, execution: { workflowId: run.workflowId, runId: run.runId },
      maximumPageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
    events.push(...page.events);
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
  return events;
}

// The same for an SWF workflow execution.
export function useWorkflowStream(run: SwfRun, onClose: () => void) {
  return useHistoryStream<SwfEvent>(`${run.domain}/${run.workflowId}/${run.runId}`, () => allSwfEvents(run),
    (after) => streamUrl("swf", { domain: run.domain, workflowId: run.workflowId, runId: run.runId,
      after: String(after) }),
    (e) => e.eventId, onClose);
}
