/**
 * A task tree laid out as a graph (dagre): the session at the root, each task under its
 * parent, and a dashed edge from a task to each sibling it waits for. Positions are the
 * top-left corners @xyflow draws nodes at.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { TaskNode } from '$lib/types/api';
import { walk } from './task-tree';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 58;
/** The root's id: task paths are never empty. */
export const ROOT_ID = 'session';

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  /** Null for the session's own node. */
  task: TaskNode | null;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'child' | 'depends';
}

export interface TreeGraph {
  nodes: PlacedNode[];
  edges: GraphEdge[];
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('.');
  return cut < 0 ? ROOT_ID : path.slice(0, cut);
}

/** Places the tree left to right: depth along x, siblings down y in plan order. */
export function layoutTree(nodes: readonly TaskNode[]): TreeGraph {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 48, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  graph.setNode(ROOT_ID, { width: NODE_WIDTH, height: NODE_HEIGHT });
  const tasks = new Map<string, TaskNode>();
  const edges: GraphEdge[] = [];
  walk(nodes, (node) => {
    tasks.set(node.path, node);
    graph.setNode(node.path, { width: NODE_WIDTH, height: NODE_HEIGHT });
  });
  for (const node of tasks.values()) {
    const parent = tasks.has(parentOf(node.path)) ? parentOf(node.path) : ROOT_ID;
    graph.setEdge(parent, node.path);
    edges.push({ id: `${parent}>${node.path}`, source: parent, target: node.path, kind: 'child' });
  }
  // Dependencies name siblings by plan id; they do not shape the layout, only show as edges.
  walk(nodes, (node) => {
    const siblings = [...tasks.values()].filter(
      (other) => parentOf(other.path) === parentOf(node.path),
    );
    for (const planId of node.dependsOn) {
      const on = siblings.find((other) => other.planId === planId);
      if (on) {
        edges.push({
          id: `${on.path}~${node.path}`,
          source: on.path,
          target: node.path,
          kind: 'depends',
        });
      }
    }
  });
  // Siblings in plan order, top to bottom, rather than wherever fewer crossings put them.
  const constraints: Array<{ left: string; right: string }> = [];
  const order = (list: readonly TaskNode[]) => {
    list.forEach((node, i) => {
      const next = list[i + 1];
      if (next) constraints.push({ left: node.path, right: next.path });
      order(node.children);
    });
  };
  order(nodes);
  layout(graph, { constraints });
  const placed: PlacedNode[] = graph.nodes().map((id) => {
    const { x, y } = graph.node(id);
    return {
      id,
      x: x - NODE_WIDTH / 2,
      y: y - NODE_HEIGHT / 2,
      task: id === ROOT_ID ? null : (tasks.get(id) ?? null),
    };
  });
  return { nodes: placed, edges };
}
