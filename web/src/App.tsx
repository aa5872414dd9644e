// The console's pages, routed by the URL's hash: #/ (overview),
// #/machines/<arn>, #/executions/<arn>, #/swf/<domain>.
import { useCallback, useEffect, useState } from "react";
import { sfn, swf, type ExecutionListItem, type StateMachineListItem } from "./api";
import { stateStatuses, type HistoryEvent } from "./graph";
import { StateGraph } from "./StateGraph";

function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

// Loads `load()` now and again every `everyMs` (0: once); errors are shown.
function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs = 0) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(load, deps); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    let live = true;
    const tick = () => run().then((v) => live && (setValue(v), setError(null)))
      .catch((e) => live && setError(String(e.message ?? e)));
    tick();
    const timer = everyMs ? window.setInterval(tick, everyMs) : 0;
    return () => { live = false; window.clearInterval(timer); };
  }, [run, everyMs]);
  return { value, error };
}

const when = (t?: number) => (t ? new Date(t * 1000).toLocaleString() : "");
const link = (...parts: string[]) => "#/" + parts.map(encodeURIComponent).join("/");

function Overview() {
  const machines = useLoad(() => sfn<{ stateMachines: StateMachineListItem[] }>("ListStateMachines"), []);
  const domains = useLoad(() => swf<{ domainInfos: { name: string; status: string }[] }>(
    "ListDomains", { registrationStatus: "REGISTERED" }), []);
  return (
    <>
      <h1>Overview</h1>
      <section>
        <h2>State machines</h2>
        {machines.error && <div className="error">{machines.error}</div>}
        <table><thead><tr><th>Name</th><th>Type</th><th>Created</th></tr></thead><tbody>
          {machines.value?.stateMachines.map((m) => (
            <tr key={m.stateMachineArn}><td><a href={link("machines", m.stateMachineArn)}>{m.name}</a></td>
              <td>{m.type}</td><td>{when(m.creationDate)}</td></tr>))}
        </tbody></table>
      </section>
      <section>
        <h2>SWF domains</h2>
        {domains.error && <div className="error">{domains.error}</div>}
        <ul>{domains.value?.domainInfos.map((d) => (
          <li key={d.name}><a href={link("swf", d.name)}>{d.name}</a></li>))}</ul>
      </section>
    </>
  );
}

function Machine({ arn }: { arn: string }) {
  const machine = useLoad(() => sfn<{ name: string; definition: string; type: string }>(
    "DescribeStateMachine", { stateMachineArn: arn }), [arn]);
  const [status, setStatus] = useState("");
  const executions = useLoad(() => sfn<{ executions: ExecutionListItem[] }>("ListExecutions",
    { stateMachineArn: arn, maxResults: 100, ...(status ? { statusFilter: status } : {}) }), [arn, status], 2000);
  const [input, setInput] = useState("{}");
  const [startError, setStartError] = useState<string | null>(null);
  const start = () => sfn<{ executionArn: string }>("StartExecution", { stateMachineArn: arn, input })
    .then((r) => { window.location.hash = link("executions", r.executionArn); })
    .catch((e) => setStartError(String(e.message ?? e)));
  if (machine.error) return <div className="error">{machine.error}</div>;
  if (!machine.value) return <div className="muted">Loading…</div>;
  return (
    <>
      <h1>{machine.value.name} <small>{machine.value.type}</small></h1>
      <StateGraph definition={machine.value.definition} />
      <section className="start">
        <h2>Start an execution</h2>
        <textarea aria-label="Execution input" value={input} onChange={(e) => setInput(e.target.value)} rows={3} />
        <button onClick={start}>Start</button>
        {startError && <div className="error">{startError}</div>}
      </section>
      <section>
        <h2>Executions</h2>
        <label>Status <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"].map((s) =>
            <option key={s} value={s}>{s || "any"}</option>)}
        </select></label>
        {executions.error && <div className="error">{executions.error}</div>}
        <table><thead><tr><th>Name</th><th>Status</th><th>Started</th><th>Stopped</th></tr></thead><tbody>
          {executions.value?.executions.map((e) => (
            <tr key={e.executionArn}><td><a href={link("executions", e.executionArn)}>{e.name}</a></td>
              <td className={`status ${e.status}`}>{e.status}</td><td>{when(e.startDate)}</td><td>{when(e.stopDate)}</td></tr>))}
        </tbody></table>
      </section>
      <section><h2>Definition</h2><pre className="definition">{machine.value.definition}</pre></section>
    </>
  );
}

function Execution({ arn }: { arn: string }) {
  const described = useLoad(() => sfn<{ name: string; status: string; stateMachineArn: string;
    error?: string; cause?: string }>("DescribeExecution", { executionArn: arn }), [arn], 1000);
  const running = described.value?.status === "RUNNING";
  const machine = useLoad(() => sfn<{ definition: string }>("DescribeStateMachineForExecution",
    { executionArn: arn }), [arn]);
  const history = useLoad(async () => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page: { events: HistoryEvent[]; nextToken?: string } = await sfn("GetExecutionHistory",
        { executionArn: arn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
      events.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }, [arn, running], running ? 1000 : 0);
  const events = history.value ?? [];
  const [moment, setMoment] = useState<number | null>(null);
  const upTo = moment ?? events.length;
  const [selected, setSelected] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const stop = () => sfn("StopExecution", { executionArn: arn }).catch(() => undefined);
  if (described.error) return <div className="error">{described.error}</div>;
  const stateEvents = events.filter((e) => JSON.stringify(e).includes(`"name":${JSON.stringify(selected)}`));
  return (
    <>
      <h1>{described.value?.name} <span className={`status ${described.value?.status}`}
        data-testid="execution-status">{described.value?.status}</span></h1>
      {described.value?.error && <div className="error">{described.value.error}: {described.value.cause}</div>}
      {running && <button onClick={stop}>Stop</button>}
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
          <pre>{stateEvents.map((e) => `${e.id} ${e.type} ${JSON.stringify(detailsOf(e))}`).join("\n")}</pre>
        </section>
      )}
      <section>
        <h2>History</h2>
        <input placeholder="Filter events" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <table><thead><tr><th>#</th><th>Type</th><th>Details</th></tr></thead><tbody>
          {events.filter((e) => !filter || JSON.stringify(e).toLowerCase().includes(filter.toLowerCase()))
            .slice(0, 2000).map((e) => (
              <tr key={e.id}><td>{e.id}</td><td>{e.type}</td><td><code>{JSON.stringify(detailsOf(e))}</code></td></tr>))}
        </tbody></table>
      </section>
    </>
  );
}

function detailsOf(e: HistoryEvent): unknown {
  const key = Object.keys(e).find((k) => k.endsWith("EventDetails"));
  return key ? e[key] : {};
}

function SwfDomain({ domain }: { domain: string }) {
  const oldest = { oldestDate: 0 };
  const open = useLoad(() => swf<{ executionInfos: { execution: { workflowId: string; runId: string };
    workflowType: { name: string }; executionStatus: string }[] }>("ListOpenWorkflowExecutions",
    { domain, startTimeFilter: oldest }), [domain], 2000);
  const closed = useLoad(() => swf<{ executionInfos: { execution: { workflowId: string; runId: string };
    workflowType: { name: string }; closeStatus: string }[] }>("ListClosedWorkflowExecutions",
    { domain, startTimeFilter: oldest }), [domain], 2000);
  return (
    <>
      <h1>SWF domain {domain}</h1>
      {(open.error || closed.error) && <div className="error">{open.error ?? closed.error}</div>}
      <table><thead><tr><th>Workflow id</th><th>Type</th><th>Status</th></tr></thead><tbody>
        {open.value?.executionInfos.map((x) => (
          <tr key={x.execution.runId}><td>{x.execution.workflowId}</td><td>{x.workflowType.name}</td><td>OPEN</td></tr>))}
        {closed.value?.executionInfos.map((x) => (
          <tr key={x.execution.runId}><td>{x.execution.workflowId}</td><td>{x.workflowType.name}</td><td>{x.closeStatus}</td></tr>))}
      </tbody></table>
    </>
  );
}

export function App() {
  const [page, arg] = useRoute();
  return (
    <div className="app">
      <nav><a href="#/" className="brand">weft</a><a href="#/">Overview</a><a href="/metrics">Metrics</a></nav>
      <main>
        {page === "machines" && arg ? <Machine arn={arg} />
          : page === "executions" && arg ? <Execution arn={arg} />
          : page === "swf" && arg ? <SwfDomain domain={arg} />
          : <Overview />}
      </main>
    </div>
  );
}
