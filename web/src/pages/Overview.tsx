// The overview: what exists (state machines, activities, SWF domains), what
// is open and how executions closed, pending tasks, and activity over the
// last hour and day, from the same counters GET /metrics serves.
import { sfn, swf, type StateMachineListItem } from "../api";
import { Sparkline } from "../components/Sparkline";
import { link, useLoad, when } from "../hooks";
import { parseMetrics, total } from "../metrics";

interface Series { interval_seconds: number; series: Record<string, number[]> }

export function Overview() {
  const machines = useLoad(() => sfn<{ stateMachines: StateMachineListItem[] }>("ListStateMachines"), []);
  const activities = useLoad(() => sfn<{ activities: { activityArn: string; name: string }[] }>("ListActivities"), []);
  const domains = useLoad(() => swf<{ domainInfos: { name: string; status: string; description?: string }[] }>(
    "ListDomains", { registrationStatus: "REGISTERED" }), []);
  const metrics = useLoad(() => fetch("/metrics").then((r) => r.text()).then(parseMetrics), [], 5000);
  const history = useLoad(() => fetch("/metrics/history").then((r) => r.json() as Promise<Series>), [], 60000);
  const m = metrics.value ?? [];
  const closed = (kind: string) =>
    [...new Set(m.filter((s) => s.name === "weft_executions_closed_total" && s.labels.kind === kind)
      .map((s) => s.labels.status))].sort();
  return (
    <>
      <h1>Overview</h1>
      {[machines, activities, domains, metrics].map((l, i) => l.error && <div key={i} className="error">{l.error}</div>)}
      <div className="cards">
        {(["sfn", "swf"] as const).map((kind) => (
          <section className="card" key={kind} data-testid={`counts-${kind}`}>
            <h2>{kind === "sfn" ? "Step Functions" : "SWF"} executions</h2>
            <div className="big">{total(m, "weft_open_executions", { kind })} <span>open</span></div>
            <table><tbody>
              {closed(kind).map((status) => (
                <tr key={status}><td className={`status ${status}`}>{status}</td>
                  <td>{total(m, "weft_executions_closed_total", { kind, status })}</td></tr>))}
            </tbody></table>
            <p className="muted">closed since the server started</p>
          </section>
        ))}
        <section className="card">
          <h2>Pending tasks</h2>
          <div className="big">{total(m, "weft_pending_tasks", { kind: "decision" })} <span>decision</span></div>
          <div className="big">{total(m, "weft_pending_tasks", { kind: "activity" })} <span>activity</span></div>
        </section>
      </div>
      {history.value && (
        <div className="cards">
          {([["executions_started", "Executions started"], ["state_transitions", "State transitions"],
            ["tasks_handed_out", "Tasks handed out"]] as const).map(([key, title]) => (
            <section className="card" key={key}>
              <h2>{title}</h2>
              <Sparkline label={`${title}, last hour`} values={(history.value!.series[key] ?? []).slice(-60)} />
              <Sparkline label={`${title}, last day`} values={history.value!.series[key] ?? []} bucket={15} />
            </section>
          ))}
        </div>
      )}
      <div className="cards">
        <section className="card wide">
          <h2>State machines</h2>
          <table><thead><tr><th>Name</th><th>Type</th><th>Created</th></tr></thead><tbody>
            {machines.value?.stateMachines.map((x) => (
              <tr key={x.stateMachineArn}><td><a href={link("machines", x.stateMachineArn)}>{x.name}</a></td>
                <td>{x.type}</td><td>{when(x.creationDate)}</td></tr>))}
          </tbody></table>
          <p><a href={link("designer")}>New state machine in the designer</a></p>
        </section>
        <section className="card">
          <h2>Activities</h2>
          <ul>{activities.value?.activities.map((a) => <li key={a.activityArn}>{a.name}</li>)}</ul>
        </section>
        <section className="card">
          <h2>SWF domains</h2>
          <ul>{domains.value?.domainInfos.map((d) => (
            <li key={d.name}><a href={link("swf", d.name)}>{d.name}</a></li>))}</ul>
        </section>
      </div>
    </>
  );
}
