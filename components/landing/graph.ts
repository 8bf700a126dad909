/**
 * The team the hero draws: agents, a knowledge base, a tool and people, and who talks to whom.
 * One definition for the 3D scene and its still picture, so both show the same graph.
 */
export type GraphNode = { id: string; label: string; kind: 'agent' | 'knowledge' | 'tool' | 'person'; position: [number, number, number]; size: number };

export const KIND_COLORS: Record<GraphNode['kind'], string> = {
  agent: '#38bdf8',
  knowledge: '#34d399',
  tool: '#a78bfa',
  person: '#fbbf24',
};

export const NODES: GraphNode[] = [
  { id: 'lead', label: 'Lead agent', kind: 'agent', position: [0, 0.15, 0.5], size: 0.3 },
  { id: 'research', label: 'Researcher', kind: 'agent', position: [-2.3, 1.15, -0.3], size: 0.22 },
  { id: 'writer', label: 'Writer', kind: 'agent', position: [2.2, 1.25, 0.1], size: 0.22 },
  { id: 'reviewer', label: 'Reviewer', kind: 'agent', position: [2.5, -1.0, -0.4], size: 0.2 },
  { id: 'analyst', label: 'Analyst', kind: 'agent', position: [-2.1, -1.15, 0.3], size: 0.2 },
  { id: 'you', label: 'You', kind: 'person', position: [0.25, -1.85, 0.3], size: 0.2 },
  { id: 'docs', label: 'Documents', kind: 'knowledge', position: [-0.5, 1.95, -0.6], size: 0.17 },
  { id: 'web', label: 'Web search', kind: 'tool', position: [-3.5, 0.05, -0.8], size: 0.14 },
  { id: 'colleague', label: 'Colleague', kind: 'person', position: [3.6, 0.25, -0.9], size: 0.15 },
];

/** Pairs of indexes into NODES. */
export const EDGES: [number, number][] = [
  [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [0, 6], [1, 6], [1, 7], [2, 3], [2, 8], [3, 5], [4, 5], [4, 7],
];
