// A state machine drawn as a graph, each state coloured by its status when
// `statuses` is given; clicking a state calls onSelect with its name.
import { useEffect, useState } from "react";
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { buildGraph, type GraphNode, type StateStatus } from "./graph";
import { layout } from "./layout";

function StateNode({ data }: NodeProps) {
  const { node, status, problems, selected } = data as unknown as NodeData;
  return (
    <div className={`state state-${node.type} status-${status ?? "none"}${problems ? " has-problems" : ""}${selected ? " selected" : ""}`}
      data-state={node.label} data-status={status ?? ""} data-problems={problems ?? ""}
      title={problems || node.type}>
      <Handle type="target" position={Position.Top} />
      <span className="state-name">{node.label}</span>
      {node.type !== "Start" && node.type !== "End" && <span className="state-type">{node.type}</span>}
      {node.retry ? <span className="badge">retry ×{node.retry}</span> : null}
      {node.catchers ? <span className="badge">catch ×{node.catchers}</span> : null}
      {problems ? <span className="problem">{problems}</span> : null}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

interface NodeData { node: GraphNode; status?: StateStatus; problems?: string; selected?: boolean }

// A Parallel or Map state (or one of its branches) drawn as a box around
// the states inside it.
function GroupNode({ data }: NodeProps) {
  const { node, status } = data as { node: GraphNode; status?: StateStatus };
  return (
    <div className={`stategroup status-${status ?? "none"}`} data-state={node.group ? undefined : node.label}
      data-status={node.group ? undefined : status ?? ""}>
      <Handle type="target" position={Position.Top} />
      <span className="group-label">{node.label}{node.group ? "" : ` (${node.type})`}</span>
      {node.retry ? <span className="badge"> retry ×{node.retry}</span> : null}
      {node.catchers ? <span className="badge"> catch ×{node.catchers}</span> : null}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

export const nodeTypes = { state: StateNode, stategroup: GroupNode };

export function StateGraph({ definition, statuses, onSelect }: {
  definition: string;
  statuses?: Map<string, StateStatus>;
  onSelect?: (state: string) => void;
}) {
  const [flow, setFlow] = useState<{ nodes: Node[]; edges: Edge[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    try {
      layout(buildGraph(JSON.parse(definition)))
        .then((f) => !cancelled && setFlow(f))
        .catch((e) => setError(String(e)));
    } catch (e) {
      setError(String(e));
    }
    return () => { cancelled = true; };
  }, [definition]);
  if (error) return <div className="error">Cannot draw this definition: {error}</div>;
  if (!flow) return <div className="muted">Laying out…</div>;
  const nodes = flow.nodes.map((n) => {
    const node = (n.data as { node: GraphNode }).node;
    return node.parent === undefined || !node.group
      ? { ...n, data: { ...n.data, status: node.parent === undefined ? statuses?.get(node.label) : undefined } }
      : n;
  });
  return (
    <div className="graph" data-testid="graph">
      <ReactFlow nodes={nodes} edges={flow.edges} nodeTypes={nodeTypes} fitView
        nodesConnectable={false} onNodeClick={(_, n) => onSelect?.((n.data as { node: GraphNode }).node.label)}>
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
