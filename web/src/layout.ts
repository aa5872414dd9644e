// Places a Graph's nodes with elkjs (layered, top to bottom), groups laid out
// inside their parents, and returns React Flow nodes and edges.
import ELK, { type ElkNode } from "elkjs/lib/elk.bundled.js";
import type { Edge, Node } from "@xyflow/react";
import type { Graph, GraphNode } from "./graph";

const elk = new ELK();
const SIZE: Record<string, [number, number]> = { Start: [70, 32], End: [70, 32] };
const size = (n: GraphNode) => SIZE[n.type] ?? [170, 44];

export async function layout(graph: Graph): Promise<{ nodes: Node[]; edges: Edge[] }> {
  const children = new Map<string | undefined, GraphNode[]>();
  for (const n of graph.nodes) {
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  const toElk = (n: GraphNode): ElkNode => {
    const inner = children.get(n.id) ?? [];
    const [width, height] = size(n);
    return inner.length
      ? { id: n.id, children: inner.map(toElk), layoutOptions: groupOptions(n) }
      : { id: n.id, width, height };
  };
  const root: ElkNode = {
    id: "root",
    layoutOptions: { "elk.algorithm": "layered", "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN", "elk.spacing.nodeNode": "30",
      "elk.layered.spacing.nodeNodeBetweenLayers": "40" },
    children: (children.get(undefined) ?? []).map(toElk),
    edges: graph.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const placed = await elk.layout(root);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes: Node[] = [];
  const visit = (elkNode: ElkNode) => {
    for (const c of elkNode.children ?? []) {
      const n = byId.get(c.id)!;
      const isGroup = (c.children ?? []).length > 0;
      nodes.push({
        id: c.id,
        position: { x: c.x ?? 0, y: c.y ?? 0 },
        parentId: n.parent,
        extent: n.parent ? "parent" : undefined,
        data: { node: n },
        type: isGroup ? "stategroup" : "state",
        style: isGroup ? { width: c.width, height: c.height } : undefined,
        draggable: false,
      });
      visit(c);
    }
  };
  visit(placed);
  const edges: Edge[] = graph.edges.map((e) => ({
    id: e.id, source: e.source, target: e.target, label: e.label,
    className: `edge-${e.kind}`, animated: e.kind === "catch",
  }));
  return { nodes, edges };
}

function groupOptions(n: GraphNode): Record<string, string> {
  // Parallel branches side by side: a Parallel state's own children are laid
  // out left to right; everything else top to bottom.
  const direction = n.type === "Parallel" && !n.group ? "RIGHT" : "DOWN";
  return { "elk.direction": direction, "elk.padding": "[top=36,left=16,bottom=16,right=16]" };
}
