'use client';

import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo, type ComponentType, type ReactNode } from 'react';

/** Any component with the props to render it: what a container node shows inside its frame. */
export type ContainerContent = { component: ComponentType<never>; props: object };

export type ContainerData = {
  /** What the node is ("Agent", "Note"): its badge, and with `title`, its accessible name. */
  kind: string;
  title: string;
  content: ContainerContent;
  /** A Tailwind border/ring accent for the frame. */
  accent?: string;
  /** Cards that may be linked by drawing an edge (knowledge bases and agents) show their handles. */
  connectable?: boolean;
  /** Actions in the header (a note's delete button), kept out of the drag. */
  actions?: ReactNode;
  width?: number;
};

export type ContainerNodeType = Node<ContainerData, 'container'>;

/** Wraps any component with its props as a container's content, keeping the pair type-checked. */
export function content<P extends object>(component: ComponentType<P>, props: P): ContainerContent {
  return { component: component as ComponentType<never>, props };
}

const handleClass = '!h-2.5 !w-2.5 !border-2 !border-white !bg-gray-400 dark:!border-gray-900';
const sides = [Position.Top, Position.Right, Position.Bottom, Position.Left];

/**
 * A source and a target handle on every side, so each edge leaves and enters on the sides facing
 * each other (`routeEdges`). People connect from the bottom (source) to the top (target) of a card
 * that allows it; the other handles are only where edges attach, unseen and inert.
 */
function Handles({ connectable }: { connectable: boolean }) {
  return sides.flatMap((side) =>
    (['target', 'source'] as const).map((type) => {
      const open = connectable && side === (type === 'target' ? Position.Top : Position.Bottom);
      return <Handle key={`${type}-${side}`} id={`${type}-${side}`} type={type} position={side} isConnectable={open} className={`${handleClass} ${open ? '' : '!pointer-events-none !opacity-0'}`} />;
    }),
  );
}

/**
 * The one node of the team canvas: a card frame with a badge saying what it is, handles for its
 * edges, and any React component inside it. The canvas's kinds (agent, person, knowledge base,
 * goal run, chat, note) are components given to it, not node types of their own.
 */
export const ContainerNode = memo(function ContainerNode({ data, selected }: NodeProps<ContainerNodeType>) {
  const { component: Content, props } = data.content as { component: ComponentType<object>; props: object };
  return (
    <div
      data-testid="canvas-node"
      data-kind={data.kind.toLowerCase()}
      style={{ width: data.width ?? 264 }}
      className={`rounded-xl border bg-white text-left text-gray-900 shadow-sm transition-shadow dark:bg-gray-900 dark:text-gray-100 ${
        data.accent ?? 'border-gray-200 dark:border-gray-700'
      } ${selected ? 'shadow-lg ring-2 ring-sky-500' : ''} group-focus-visible:ring-2 group-focus-visible:ring-sky-400`}
    >
      <Handles connectable={Boolean(data.connectable)} />
      <div className="flex items-center justify-between gap-2 border-b border-gray-100 px-3 py-1.5 dark:border-gray-800">
        <span className="text-[0.65rem] font-semibold uppercase tracking-wide text-gray-500 dark:text-gray-400">{data.kind}</span>
        {data.actions && <div className="nodrag flex items-center gap-1">{data.actions}</div>}
      </div>
      <div className="p-3">
        <Content {...props} />
      </div>
    </div>
  );
});

/** Node types for ReactFlow: defined once, outside any component, so ReactFlow never sees a new object. */
export const nodeTypes = { container: ContainerNode };
