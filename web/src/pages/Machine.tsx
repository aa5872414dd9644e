// A state machine: its graph, a start form, its executions (status filter,
// paging), its versions and aliases, and the definition as text.
import { useState } from "react";
import { sfn, type ExecutionListItem } from "../api";
import { StateGraph } from "../StateGraph";
import { VirtualTable } from "../components/VirtualTable";
import { link, messageOf, useLoad, when } from "../hooks";

const STATUSES = ["", "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"];

export function Machine({ arn }: { arn: string }) {
  const machine = useLoad(() => sfn<{ name: string; definition: string; type: string }>(
    "DescribeStateMachine", { stateMachineArn: arn }), [arn]);
  const versions = useLoad(() => sfn<{ stateMachineVersions: { stateMachineVersionArn: string; creationDate: number }[] }>(
    "ListStateMachineVersions", { stateMachineArn: arn }), [arn]);
  const aliases = useLoad(() => sfn<{ stateMachineAliases: { stateMachineAliasArn: string; creationDate: number }[] }>(
    "ListStateMachineAliases", { stateMachineArn: arn }), [arn]);
  const [status, setStatus] = useState("");
  const [pages, setPages] = useState(1);
  const executions = useLoad(async () => {
    const all: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < pages; ++page) {
      const r: { executions: ExecutionListItem[]; nextToken?: string } = await sfn("ListExecutions", {
        stateMachineArn: arn, maxResults: 1000, ...(status ? { statusFilter: status } : {}),
        ...(nextToken ? { nextToken } : {}) });
      all.push(...r.executions);
      nextToken = r.nextToken;
      if (!nextToken) return { all, more: false };
    }
    return { all, more: true };
  }, [arn, status, pages], 2000);
  const [input, setInput] = useState("{}");
  const [startError, setStartError] = useState<string | null>(null);
  const start = () => sfn<{ executionArn: string }>("StartExecution", { stateMachineArn: arn, input })
    .then((r) => { window.location.hash = link("executions", r.executionArn); })
    .catch((e) => setStartError(messageOf(e)));
  if (machine.error) return <div className="error">{machine.error}</div>;
  if (!machine.value) return <div className="muted">Loading…</div>;
  return (
    <>
      <h1>{machine.value.name} <small>{machine.value.type}</small>
        {" "}<a className="button" href={link("designer", arn)}>Edit in the designer</a></h1>
      <StateGraph definition={machine.value.definition} />
      <section className="start">
        <h2>Start an execution</h2>
        <textarea aria-label="Execution input" value={input} onChange={(e) => setInput(e.target.value)} rows={3} />
        <button onClick={start}>Start</button>
        {startError && <div className="error">{startError}</div>}
      </section>
      <section>
        <h2>Executions</h2>
        <label>Status <select value={status} onChange={(e) => { setStatus(e.target.value); setPages(1); }}>
          {STATUSES.map((s) => <option key={s} value={s}>{s || "any"}</option>)}
        </select></label>
        {executions.error && <div className="error">{executions.error}</div>}
        <VirtualTable testId="executions" rows={executions.value?.all ?? []} rowKey={(e) => e.executionArn}
          columns={[
            { title: "Name", width: "2fr", cell: (e) => <a href={link("executions", e.executionArn)}>{e.name}</a> },
            { title: "Status", cell: (e) => <span className={`status ${e.status}`}>{e.status}</span> },
            { title: "Started", cell: (e) => when(e.startDate) },
            { title: "Stopped", cell: (e) => when(e.stopDate) },
          ]} />
        {executions.value?.more && <button onClick={() => setPages(pages + 1)}>Load 1,000 more</button>}
      </section>
      <section>
        <h2>Versions and aliases</h2>
        {versions.error && <div className="error">{versions.error}</div>}
        <ul>
          {versions.value?.stateMachineVersions.map((v) => (
            <li key={v.stateMachineVersionArn}>version {v.stateMachineVersionArn.split(":").pop()} ({when(v.creationDate)})</li>))}
          {aliases.value?.stateMachineAliases.map((a) => (
            <li key={a.stateMachineAliasArn}>alias {a.stateMachineAliasArn.split(":").pop()} ({when(a.creationDate)})</li>))}
        </ul>
        {versions.value?.stateMachineVersions.length === 0 && aliases.value?.stateMachineAliases.length === 0 &&
          <p className="muted">No versions or aliases.</p>}
      </section>
      <section><h2>Definition</h2><pre className="definition">{machine.value.definition}</pre></section>
    </>
  );
}
