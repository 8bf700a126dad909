import { EDGES, KIND_COLORS, NODES } from './graph';

// The scene's camera looks at the graph from the front: the still drops depth and flips y for SVG.
const at = (index: number) => {
  const [x, y] = NODES[index]!.position;
  return { x, y: -y };
};

/** The hero's picture without WebGL or motion: the same team, frozen mid-conversation. */
export function HeroStill({ className = '' }: { className?: string }) {
  return (
    <svg
      data-testid="hero-still"
      role="img"
      aria-labelledby="hero-still-title"
      viewBox="-4.3 -2.7 8.6 5.4"
      className={`h-full w-full ${className}`}
    >
      <title id="hero-still-title">A team of AI agents, a knowledge base, web search and two people, linked, with messages travelling between them</title>
      <defs>
        {Object.entries(KIND_COLORS).map(([kind, color]) => (
          <radialGradient key={kind} id={`glow-${kind}`}>
            <stop offset="0%" stopColor={color} stopOpacity="0.75" />
            <stop offset="100%" stopColor={color} stopOpacity="0" />
          </radialGradient>
        ))}
      </defs>
      <g stroke="#7dd3fc" strokeOpacity="0.25" strokeWidth="0.025">
        {EDGES.map(([a, b]) => (
          <line key={`${a}-${b}`} x1={at(a).x} y1={at(a).y} x2={at(b).x} y2={at(b).y} />
        ))}
      </g>
      <g fill="#e0f2fe">
        {EDGES.map(([a, b], index) => {
          const t = 0.3 + ((index * 37) % 50) / 100;
          return <circle key={`${a}-${b}`} cx={at(a).x + (at(b).x - at(a).x) * t} cy={at(a).y + (at(b).y - at(a).y) * t} r="0.05" opacity="0.9" />;
        })}
      </g>
      {NODES.map((node, index) => (
        <g key={node.id}>
          <circle cx={at(index).x} cy={at(index).y} r={node.size * 3.2} fill={`url(#glow-${node.kind})`} />
          <circle cx={at(index).x} cy={at(index).y} r={node.size * 0.95} fill={KIND_COLORS[node.kind]} />
        </g>
      ))}
    </svg>
  );
}
