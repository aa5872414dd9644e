// The console's pages, routed by the URL's hash: #/ (overview),
// #/machines/<arn>, #/executions/<arn>, #/designer[/<arn>], #/swf/<domain>,
// #/swf/<domain>/<workflowId>/<runId>.
import { KeyDialog } from "./components/KeyDialog";
import { useRoute } from "./hooks";
import { Designer } from "./pages/Designer";
import { Execution } from "./pages/Execution";
import { Machine } from "./pages/Machine";
import { Overview } from "./pages/Overview";
import { SwfDomain } from "./pages/SwfDomain";
import { SwfExecution } from "./pages/SwfExecution";

function Page() {
  const [page, a, b, c] = useRoute();
  // Keyed by what they show: another execution starts with a fresh page
  // (no slider moment or selection carried over).
  if (page === "machines" && a) return <Machine key={a} arn={a} />;
  if (page === "executions" && a) return <Execution key={a} arn={a} />;
  if (page === "designer") return <Designer key={a ?? "new"} arn={a || undefined} />;
  if (page === "swf" && a && b && c) return <SwfExecution key={`${a}/${b}/${c}`} domain={a} workflowId={b} runId={c} />;
  if (page === "swf" && a) return <SwfDomain key={a} domain={a} />;
  return <Overview />;
}

export function App() {
  return (
    <div className="app">
      <nav aria-label="Main">
        <a href="#/" className="brand">weft</a>
        <a href="#/">Overview</a>
        <a href="#/designer">Designer</a>
        <a href="/metrics">Metrics</a>
      </nav>
      <main><Page /></main>
      <KeyDialog />
    </div>
  );
}
