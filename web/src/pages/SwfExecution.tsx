// An SWF workflow execution: its history as a timeline (decision tasks,
// activities, timers, children and Lambda functions as bars over time) and
// as a table, live while it runs; signal, request-cancel and terminate.
import { useState } from "react";
import { swf } from "../api";
import { VirtualTable } from "../components/VirtualTable";
import { payloadOf, swfTimeline, type TimelineBar } from "../graph";
import { useAction, useLoad } from "../hooks";
import { useWorkflowStream } from "../stream";

export function SwfExecution({ domain, workflowId, runId }: { domain: string; workflowId: string; runId: string }) {
  const execution = { workflowId, runId };
  const info = useLoad(() => swf<{ executionInfo: { executionStatus: string; closeStatus?: string;
    workflowType: { name: string; version: string } } }>("DescribeWorkflowExecution", { domain, execution }),
  [domain, workflowId, runId]);
  const { events, error } = useWorkflowStream({ domain, workflowId, runId }, info.reload);
  const [signalName, setSignalName] = useState("");
  const [signalInput, setSignalInput] = useState("");
  const [act, actionError] = useAction((operation: string, body: object) =>
    swf(operation, { domain, workflowId, runId, ...body }), info.reload);
  const i = info.value?.executionInfo;
  const open = i?.executionStatus === "OPEN";
  return (
    <>
      <h1>{workflowId} <span className={`status ${i?.closeStatus ?? "RUNNING"}`} data-testid="swf-status">
        {i?.closeStatus ?? i?.executionStatus}</span></h1>
      <p className="muted">{domain} · run {runId} · {i?.workflowType.name} v{i?.workflowType.version}</p>
      {[info.error, error, actionError].map((e, k) => e && <div key={k} className="error">{e}</div>)}
      {open && (
        <div className="actions">
          <input aria-label="Signal name" placeholder="signal name" value={signalName}
            onChange={(e) => setSignalName(e.target.value)} />
          <input aria-label="Signal input" placeholder="input" value={signalInput}
            onChange={(e) => setSignalInput(e.target.value)} />
          <button onClick={() => act("SignalWorkflowExecution", { signalName, input: signalInput })}>Signal</button>
          <button onClick={() => act("RequestCancelWorkflowExecution", {})}>Request cancel</button>
          <button onClick={() => act("TerminateWorkflowExecution", { reason: "terminated from the console" })}>Terminate</button>
        </div>
      )}
      <Timeline bars={swfTimeline(events)} start={events[0]?.eventTimestamp}
        end={open ? Date.now() / 1000 : events[events.length - 1]?.eventTimestamp} />
      <section>
        <h2>History</h2>
        <VirtualTable testId="swf-history" rows={events} rowKey={(e) => e.eventId} columns={[
          { title: "#", width: "60px", cell: (e) => e.eventId },
          { title: "Type", width: "280px", cell: (e) => e.eventType },
          { title: "Time", width: "190px", cell: (e) => new Date(e.eventTimestamp * 1000).toLocaleTimeString() },
          { title: "Attributes", width: "1fr", cell: (e) => <code>{JSON.stringify(payloadOf(e) ?? {})}</code> },
        ]} />
      </section>
    </>
  );
}

function Timeline({ bars, start, end }: { bars: TimelineBar[]; start?: number; end?: number }) {
  if (!bars.length || start === undefined || end === undefined) return null;
  const span = Math.max(end - start, 0.001);
  const pct = (t: number) => `${((t - start) / span) * 100}%`;
  return (
    <section className="timeline" data-testid="timeline">
      <h2>Timeline <small>{span.toFixed(3)} s</small></h2>
      {bars.map((b) => (
        <div key={b.id} className="lane" data-kind={b.kind} data-outcome={b.outcome}>
          <span className="lane-label">{b.label}</span>
          <span className="lane-track">
            <span className={`bar bar-${b.kind} outcome-${b.outcome.replace(/ /g, "-")}`}
              style={{ left: pct(b.start), width: `max(2px, calc(${pct(b.end ?? end)} - ${pct(b.start)}))` }}
              title={`${b.label}: ${b.outcome}`} />
          </span>
        </div>
      ))}
    </section>
  );
}
