// A Step Functions execution: the graph coloured by each state's status,
// live while it runs; a state's input, output, error, attempts and timing on
// click; a slider that replays the graph to any event; the history as a
// filterable table; stop and redrive.
import { useState } from "react";
import { sfn } from "../api";
import { StateGraph } from "../StateGraph";
import { VirtualTable } from "../components/VirtualTable";
import { payloadOf, stateDetail, stateStatuses } from "../graph";
import { link, useAction, useLoad } from "../hooks";
import { useExecutionStream } from "../stream";

interface Described {
  name: string; status: string; stateMachineArn: string; error?: string; cause?: string;
  redriveCount?: number;
}

export function Execution({ arn }: { arn: string }) {
  const described = useLoad(() => sfn<Described>("DescribeExecution", { executionArn: arn }), [arn]);
  const machine = useLoad(() => sfn<{ definition: string }>("DescribeStateMachineForExecution",
    { executionArn: arn }), [arn]);
  const { events, error: streamError } = useExecutionStream(arn, described.reload);
  const [moment, setMoment] = useState<number | null>(null);
  const upTo = moment ?? events.length;
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [act, actionError] = useAction((operation: string) => sfn(operation, { executionArn: arn }),
    described.reload);
  const d = described.value;
  const detail = selected ? stateDetail(events.slice(0, upTo), selected) : undefined;
  const shown = filter ? events.filter((e) => JSON.stringify(e).toLowerCase().includes(filter.toLowerCase())) : events;
  return (
    <>
      <h1>{d?.name} <span className={`status ${d?.status}`} data-testid="execution-status">{d?.status}</span></h1>
      <p><a href={d ? link("machines", d.stateMachineArn) : "#/"}>state machine</a></p>
      {[described.error, machine.error, streamError, actionError].map((e, i) => e && <div key={i} className="error">{e}</div>)}
      {d?.error && <div className="error">{d.error}: {d.cause}</div>}
      <div className="actions">
        {d?.status === "RUNNING" && <button onClick={() => act("StopExecution")}>Stop</button>}
        {d && ["FAILED", "TIMED_OUT", "ABORTED"].includes(d.status) &&
          <button onClick={() => act("RedriveExecution")}>Redrive</button>}
      </div>
      {machine.value && <StateGraph definition={machine.value.definition}
        statuses={stateStatuses(events, upTo)} onSelect={setSelected} />}
      <label className="slider">Replay to event {upTo} of {events.length}
        <input type="range" min={1} max={Math.max(events.length, 1)} value={upTo}
          aria-label="Replay to event" onChange={(e) => setMoment(Number(e.target.value))} />
        {moment !== null && <button onClick={() => setMoment(null)}>Live</button>}
      </label>
      {selected && (
        <section className="state-detail" data-testid="state-detail">
          <h2>{selected}</h2>
          {detail ? (
            <dl>
              <dt>Input</dt><dd><pre>{detail.input}</pre></dd>
              <dt>Output</dt><dd><pre>{detail.output ?? "(not left yet)"}</pre></dd>
              {detail.error !== undefined && <><dt>Error</dt><dd>{detail.error}</dd></>}
              {detail.cause !== undefined && <><dt>Cause</dt><dd><pre>{detail.cause}</pre></dd></>}
              <dt>Attempts</dt><dd>{detail.attempts || 1}</dd>
              <dt>Entered</dt><dd>{String(detail.enteredAt ?? "")}</dd>
              <dt>Left</dt><dd>{String(detail.exitedAt ?? "")}</dd>
            </dl>
          ) : <p className="muted">Not reached at this moment.</p>}
        </section>
      )}
      <section>
        <h2>History</h2>
        <input placeholder="Filter events" aria-label="Filter events" value={filter}
          onChange={(e) => setFilter(e.target.value)} />
        <VirtualTable testId="history" rows={shown} rowKey={(e) => e.id} columns={[
          { title: "#", width: "60px", cell: (e) => e.id },
          { title: "Type", width: "220px", cell: (e) => e.type },
          { title: "Details", width: "1fr", cell: (e) => <code>{JSON.stringify(payloadOf(e) ?? {})}</code> },
        ]} />
      </section>
    </>
  );
}
