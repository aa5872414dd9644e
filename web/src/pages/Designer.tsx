// The designer: states dragged from a palette onto the canvas, connected by
// dragging from one state's bottom handle to another's top, edited in a form;
// the ASL text and the graph stay in sync both ways; every change is
// validated through ValidateStateMachineDefinition and each problem shown on
// its state; save creates or updates the state machine; run starts it.
import { useEffect, useMemo, useState, type DragEvent } from "react";
import { Background, Controls, ReactFlow, ReactFlowProvider, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { sfn } from "../api";
import { nodeTypes } from "../StateGraph";
import { buildGraph, type GraphNode } from "../graph";
import { layout } from "../layout";
import { addState, connect, deleteState, renameState, stateOf, STATE_TYPES, type Definition, type Diagnostic } from "../designer";
import { link, messageOf } from "../hooks";

const ROLE = "arn:aws:iam::123456789012:role/weft-console";
const EMPTY: Definition = { Comment: "Designed in the weft console", States: {} };

export function Designer({ arn }: { arn?: string }) {
  const [def, setDef] = useState<Definition>(EMPTY);
  const [text, setText] = useState(JSON.stringify(EMPTY, null, 2));
  const [textError, setTextError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [flow, setFlow] = useState<{ nodes: Node[]; edges: Edge[] }>({ nodes: [], edges: [] });

  // An existing machine: load it.
  useEffect(() => {
    if (!arn) return;
    sfn<{ name: string; definition: string }>("DescribeStateMachine", { stateMachineArn: arn })
      .then((m) => { setName(m.name); update(JSON.parse(m.definition)); })
      .catch((e) => setError(messageOf(e)));
  }, [arn]); // eslint-disable-line react-hooks/exhaustive-deps

  // Every change: the text, the graph, and a validation.
  const update = (next: Definition, fromText = false) => {
    setDef(next);
    if (!fromText) setText(JSON.stringify(next, null, 2));
  };
  useEffect(() => {
    let live = true;
    layout(buildGraph(def)).then((f) => live && setFlow(f)).catch((e) => setError(String(e)));
    const timer = window.setTimeout(() => {
      sfn<{ result: string; diagnostics: Diagnostic[] }>("ValidateStateMachineDefinition",
        { definition: JSON.stringify(def), type: "STANDARD" })
        .then((r) => live && setDiagnostics(r.diagnostics))
        .catch((e) => live && setError(messageOf(e)));
    }, 250);
    return () => { live = false; window.clearTimeout(timer); };
  }, [def]);

  const problems = useMemo(() => {
    const by = new Map<string, string[]>();
    for (const d of diagnostics) by.set(stateOf(d), [...(by.get(stateOf(d)) ?? []), d.message]);
    return by;
  }, [diagnostics]);
  const nodes = flow.nodes.map((n) => {
    const node = (n.data as { node: GraphNode }).node;
    const top = node.parent === undefined && node.type !== "Start" && node.type !== "End";
    return top ? { ...n, data: { ...n.data, problems: problems.get(node.label)?.join("; "),
      selected: node.label === selected } } : n;
  });

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData("application/weft-state");
    if (!STATE_TYPES.includes(type)) return;
    const r = addState(def, type);
    update(r.def);
    setSelected(r.name);
  };
  const onTextChange = (value: string) => {
    setText(value);
    try {
      const parsed = JSON.parse(value);
      if (!parsed || typeof parsed !== "object" || typeof parsed.States !== "object") throw new Error("States must be an object");
      setTextError(null);
      update(parsed, true);
    } catch (e) {
      setTextError(messageOf(e));
    }
  };
  const save = async () => {
    setError(null);
    try {
      if (arn) {
        await sfn("UpdateStateMachine", { stateMachineArn: arn, definition: JSON.stringify(def) });
        setMessage("Saved.");
      } else {
        const r = await sfn<{ stateMachineArn: string }>("CreateStateMachine",
          { name, definition: JSON.stringify(def), roleArn: ROLE, type: "STANDARD" });
        window.location.hash = link("designer", r.stateMachineArn);
        setMessage("Created.");
      }
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const run = async () => {
    if (!arn) return setError("Save the state machine before running it.");
    try {
      const r = await sfn<{ executionArn: string }>("StartExecution", { stateMachineArn: arn, input: "{}" });
      window.location.hash = link("executions", r.executionArn);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const machineProblems = problems.get("") ?? [];
  return (
    <>
      <h1>{arn ? `Designer: ${name}` : "New state machine"}</h1>
      {error && <div className="error" role="alert">{error}</div>}
      {message && <div className="note">{message}</div>}
      <div className="designer">
        <aside className="palette" aria-label="States">
          {STATE_TYPES.map((type) => (
            <div key={type} className={`palette-item state-${type}`} draggable tabIndex={0} data-palette={type}
              onDragStart={(e) => e.dataTransfer.setData("application/weft-state", type)}
              onKeyDown={(e) => { if (e.key === "Enter") { const r = addState(def, type); update(r.def); setSelected(r.name); } }}>
              {type}
            </div>))}
        </aside>
        <div className="canvas" data-testid="canvas" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
          <ReactFlowProvider>
            {/* Keyed by the number of laid-out nodes: a state added or deleted fits the view again. */}
            <ReactFlow key={flow.nodes.length} nodes={nodes} edges={flow.edges} nodeTypes={nodeTypes} fitView
              onConnect={(c) => c.source && c.target && update(connect(def, c.source, c.target))}
              onNodeClick={(_, n) => setSelected((n.data as { node: GraphNode }).node.label)}>
              <Background /><Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        </div>
        <aside className="inspector">
          {selected && def.States[selected] ? (
            <StateForm key={selected} name={selected} state={def.States[selected]} names={Object.keys(def.States)}
              onRename={(to) => { update(renameState(def, selected, to)); setSelected(to); }}
              onChange={(state) => update({ ...def, States: { ...def.States, [selected]: state } })}
              onDelete={() => { update(deleteState(def, selected)); setSelected(null); }}
              isStart={def.StartAt === selected} onStart={() => update({ ...def, StartAt: selected })} />
          ) : <p className="muted">Drag a state onto the canvas, or select one to edit it.</p>}
        </aside>
      </div>
      <div className="designer-bar">
        {!arn && <input aria-label="State machine name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />}
        <button onClick={save} disabled={!arn && !name}>{arn ? "Save" : "Create"}</button>
        <button onClick={run} disabled={!arn}>Run</button>
        <span data-testid="validation" className={diagnostics.some((d) => d.severity === "ERROR") ? "bad" : "good"}>
          {diagnostics.length ? `${diagnostics.length} problem(s)` : "valid"}</span>
      </div>
      {machineProblems.length > 0 && <ul className="error">{machineProblems.map((p) => <li key={p}>{p}</li>)}</ul>}
      <section>
        <h2>Amazon States Language</h2>
        <textarea aria-label="Definition text" className="asl" rows={18} value={text} onChange={(e) => onTextChange(e.target.value)} />
        {textError && <div className="error">{textError}</div>}
      </section>
    </>
  );
}

// The fields of one state: its name, the fields of its type, where it goes.
function StateForm({ name, state, names, onRename, onChange, onDelete, isStart, onStart }: {
  name: string; state: Record<string, unknown>; names: string[];
  onRename: (to: string) => void; onChange: (s: Record<string, unknown>) => void; onDelete: () => void;
  isStart: boolean; onStart: () => void;
}) {
  const [newName, setNewName] = useState(name);
  const [raw, setRaw] = useState(JSON.stringify(state, null, 2));
  const [rawError, setRawError] = useState<string | null>(null);
  useEffect(() => setRaw(JSON.stringify(state, null, 2)), [state]);
  const set = (key: string, value: unknown) => {
    const next = { ...state, [key]: value };
    if (value === "" || value === undefined) delete next[key];
    onChange(next);
  };
  const type = String(state.Type);
  const terminal = ["Choice", "Succeed", "Fail"].includes(type);
  return (
    <form className="state-form" aria-label={`State ${name}`} onSubmit={(e) => e.preventDefault()}>
      <h2>{type}</h2>
      <label>Name <input aria-label="State name" value={newName} onChange={(e) => setNewName(e.target.value)}
        onBlur={() => onRename(newName)} onKeyDown={(e) => e.key === "Enter" && onRename(newName)} /></label>
      {type === "Task" && <label>Resource <input aria-label="Resource" value={String(state.Resource ?? "")}
        onChange={(e) => set("Resource", e.target.value)} /></label>}
      {type === "Wait" && <label>Seconds <input aria-label="Seconds" value={String(state.Seconds ?? "")}
        onChange={(e) => set("Seconds", e.target.value === "" ? undefined : Number.isNaN(Number(e.target.value)) ? e.target.value : Number(e.target.value))} /></label>}
      {type === "Fail" && <>
        <label>Error <input aria-label="Error" value={String(state.Error ?? "")} onChange={(e) => set("Error", e.target.value)} /></label>
        <label>Cause <input aria-label="Cause" value={String(state.Cause ?? "")} onChange={(e) => set("Cause", e.target.value)} /></label>
      </>}
      {!terminal && <>
        <label>Next <select aria-label="Next" value={String(state.Next ?? "")} onChange={(e) => {
          const next = { ...state, Next: e.target.value } as Record<string, unknown>;
          if (e.target.value) delete next.End; else { delete next.Next; next.End = true; }
          onChange(next);
        }}>
          <option value="">(end)</option>
          {names.filter((n) => n !== name).map((n) => <option key={n}>{n}</option>)}
        </select></label>
      </>}
      {type === "Choice" && <label>Default <select aria-label="Default" value={String(state.Default ?? "")}
        onChange={(e) => set("Default", e.target.value || undefined)}>
        <option value="">(none)</option>
        {names.filter((n) => n !== name).map((n) => <option key={n}>{n}</option>)}
      </select></label>}
      <label>All fields (JSON)
        <textarea aria-label="State JSON" rows={8} value={raw} onChange={(e) => {
          setRaw(e.target.value);
          try { onChange(JSON.parse(e.target.value)); setRawError(null); } catch (err) { setRawError(messageOf(err)); }
        }} /></label>
      {rawError && <div className="error">{rawError}</div>}
      <div className="actions">
        {!isStart && <button type="button" onClick={onStart}>Make it the start</button>}
        <button type="button" onClick={onDelete}>Delete</button>
      </div>
      <TestOneState state={state} />
    </form>
  );
}

// TestState for the selected state alone, with an input, showing its output
// or error as the API answers.
function TestOneState({ state }: { state: Record<string, unknown> }) {
  const [input, setInput] = useState("{}");
  const [result, setResult] = useState<string | null>(null);
  const test = () => {
    const alone = { ...state };
    if (alone.Next) { delete alone.Next; alone.End = true; }
    sfn<{ status: string; output?: string; error?: string; cause?: string; nextState?: string }>("TestState",
      { definition: JSON.stringify(alone), roleArn: ROLE, input })
      .then((r) => setResult(r.status === "SUCCEEDED" ? `${r.status}: ${r.output}` : `${r.status}: ${r.error ?? ""} ${r.cause ?? ""}`))
      .catch((e) => setResult(messageOf(e)));
  };
  return (
    <fieldset className="test-state">
      <legend>Test this state</legend>
      <textarea aria-label="Test input" rows={2} value={input} onChange={(e) => setInput(e.target.value)} />
      <button type="button" onClick={test}>Test state</button>
      {result && <pre data-testid="test-result">{result}</pre>}
    </fieldset>
  );
}
