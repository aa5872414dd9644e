// An SWF domain: its workflow and activity types, and its open or closed
// executions with the visibility filters ListOpen/ListClosedWorkflowExecutions
// take (one of workflow id, type, tag, close status; a start-time window).
import { useState } from "react";
import { swf } from "../api";
import { VirtualTable } from "../components/VirtualTable";
import { link, useLoad, when } from "../hooks";

interface TypeInfo { workflowType?: { name: string; version: string }; activityType?: { name: string; version: string };
  status: string; description?: string }
interface ExecutionInfo {
  execution: { workflowId: string; runId: string };
  workflowType: { name: string; version: string };
  startTimestamp: number; closeTimestamp?: number;
  executionStatus: string; closeStatus?: string; tagList?: string[];
}

const CLOSE_STATUSES = ["COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"];

export function SwfDomain({ domain }: { domain: string }) {
  const workflowTypes = useLoad(() => swf<{ typeInfos: TypeInfo[] }>("ListWorkflowTypes",
    { domain, registrationStatus: "REGISTERED" }), [domain]);
  const activityTypes = useLoad(() => swf<{ typeInfos: TypeInfo[] }>("ListActivityTypes",
    { domain, registrationStatus: "REGISTERED" }), [domain]);
  const [closed, setClosed] = useState(false);
  const [filterKind, setFilterKind] = useState("none");
  const [filterValue, setFilterValue] = useState("");
  const [hours, setHours] = useState(24 * 365);
  const filter = (): object => {
    if (!filterValue && filterKind !== "none") return {};
    switch (filterKind) {
      case "workflowId": return { executionFilter: { workflowId: filterValue } };
      case "type": return { typeFilter: { name: filterValue } };
      case "tag": return { tagFilter: { tag: filterValue } };
      case "closeStatus": return closed ? { closeStatusFilter: { status: filterValue } } : {};
      default: return {};
    }
  };
  const executions = useLoad(async () => {
    const oldest = Math.floor(Date.now() / 1000) - hours * 3600;
    const all: ExecutionInfo[] = [];
    let nextPageToken: string | undefined;
    do {
      const page: { executionInfos: ExecutionInfo[]; nextPageToken?: string } = await swf(
        closed ? "ListClosedWorkflowExecutions" : "ListOpenWorkflowExecutions",
        { domain, startTimeFilter: { oldestDate: oldest }, maximumPageSize: 1000, ...filter(),
          ...(nextPageToken ? { nextPageToken } : {}) });
      all.push(...page.executionInfos);
      nextPageToken = page.nextPageToken;
    } while (nextPageToken && all.length < 10000);
    return all;
  }, [domain, closed, filterKind, filterValue, hours], 3000);
  return (
    <>
      <h1>SWF domain {domain}</h1>
      {[workflowTypes.error, activityTypes.error].map((e, i) => e && <div key={i} className="error">{e}</div>)}
      <div className="cards">
        <section className="card"><h2>Workflow types</h2><ul>
          {workflowTypes.value?.typeInfos.map((t) => (
            <li key={`${t.workflowType!.name}/${t.workflowType!.version}`}>{t.workflowType!.name} v{t.workflowType!.version}</li>))}
        </ul></section>
        <section className="card"><h2>Activity types</h2><ul>
          {activityTypes.value?.typeInfos.map((t) => (
            <li key={`${t.activityType!.name}/${t.activityType!.version}`}>{t.activityType!.name} v{t.activityType!.version}</li>))}
        </ul></section>
      </div>
      <section>
        <h2>Executions</h2>
        <div className="filters">
          <label><input type="radio" checked={!closed} onChange={() => setClosed(false)} /> open</label>
          <label><input type="radio" checked={closed} onChange={() => setClosed(true)} /> closed</label>
          <label>Filter <select aria-label="Filter kind" value={filterKind} onChange={(e) => setFilterKind(e.target.value)}>
            <option value="none">none</option><option value="workflowId">workflow id</option>
            <option value="type">type name</option><option value="tag">tag</option>
            {closed && <option value="closeStatus">close status</option>}
          </select></label>
          {filterKind === "closeStatus" ? (
            <select aria-label="Close status" value={filterValue} onChange={(e) => setFilterValue(e.target.value)}>
              <option value="">any</option>{CLOSE_STATUSES.map((s) => <option key={s}>{s}</option>)}
            </select>
          ) : filterKind !== "none" && (
            <input aria-label="Filter value" value={filterValue} onChange={(e) => setFilterValue(e.target.value)} />
          )}
          <label>Started within <select aria-label="Started within" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            <option value={1}>1 hour</option><option value={24}>1 day</option><option value={24 * 7}>1 week</option>
            <option value={24 * 365}>1 year</option>
          </select></label>
        </div>
        {executions.error && <div className="error">{executions.error}</div>}
        <VirtualTable testId="swf-executions" rows={executions.value ?? []} rowKey={(x) => x.execution.runId} columns={[
          { title: "Workflow id", width: "2fr", cell: (x) => (
            <a href={link("swf", domain, x.execution.workflowId, x.execution.runId)}>{x.execution.workflowId}</a>) },
          { title: "Type", cell: (x) => `${x.workflowType.name} v${x.workflowType.version}` },
          { title: "Status", cell: (x) => <span className={`status ${x.closeStatus ?? "RUNNING"}`}>{x.closeStatus ?? "OPEN"}</span> },
          { title: "Started", cell: (x) => when(x.startTimestamp) },
          { title: "Closed", cell: (x) => when(x.closeTimestamp) },
        ]} />
      </section>
    </>
  );
}
