'use client';

import { Canvas, useFrame } from '@react-three/fiber';
import { useEffect, useRef, useState } from 'react';
import * as THREE from 'three';
import { EDGES, KIND_COLORS, NODES } from './graph';

const PARTICLES = 42;

/** A soft round spot, drawn once: the glow around nodes and the messages' look. */
function makeGlowTexture(): THREE.Texture {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const context = canvas.getContext('2d')!;
  const gradient = context.createRadialGradient(32, 32, 0, 32, 32, 32);
  gradient.addColorStop(0, 'rgba(255,255,255,1)');
  gradient.addColorStop(0.25, 'rgba(255,255,255,0.55)');
  gradient.addColorStop(1, 'rgba(255,255,255,0)');
  context.fillStyle = gradient;
  context.fillRect(0, 0, 64, 64);
  return new THREE.CanvasTexture(canvas);
}

type Message = { edge: number; t: number; speed: number; forward: boolean };

/** Where a message that reached `node` goes next: one of the node's other links, so conversations relay. */
function nextEdge(node: number, from: number): { edge: number; forward: boolean } {
  const options = EDGES.map((edge, index) => ({ edge, index })).filter(({ edge, index }) => index !== from && edge.includes(node));
  const pick = options[Math.floor(Math.random() * options.length)] ?? { edge: EDGES[from]!, index: from };
  return { edge: pick.index, forward: pick.edge[0] === node };
}

/** The moving parts, outside React: the nodes' places, the links' and messages' buffers, and their update per frame. */
class NetworkModel {
  readonly texture = makeGlowTexture();
  readonly nodes: (THREE.Object3D | null)[] = [];
  private readonly base = NODES.map((node) => new THREE.Vector3(...node.position));
  private readonly current = this.base.map((point) => point.clone());
  private readonly linePositions = new THREE.BufferAttribute(new Float32Array(EDGES.length * 6), 3);
  private readonly dotPositions = new THREE.BufferAttribute(new Float32Array(PARTICLES * 3), 3);
  readonly lines = new THREE.BufferGeometry().setAttribute('position', this.linePositions);
  readonly dots = new THREE.BufferGeometry().setAttribute('position', this.dotPositions);
  private readonly messages: Message[] = Array.from({ length: PARTICLES }, (_, index) => ({ edge: index % EDGES.length, t: Math.random(), speed: 0.18 + Math.random() * 0.3, forward: index % 2 === 0 }));

  constructor() {
    const colors = new Float32Array(PARTICLES * 3);
    const palette = [new THREE.Color('#e0f2fe'), new THREE.Color(KIND_COLORS.agent), new THREE.Color(KIND_COLORS.person)];
    for (let i = 0; i < PARTICLES; i++) palette[i % palette.length]!.toArray(colors, i * 3);
    this.dots.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  }

  setNode(index: number, object: THREE.Object3D | null) {
    this.nodes[index] = object;
  }

  update(time: number, step: number, group: THREE.Group | null, pointer: { x: number; y: number }) {
    // Nodes drift gently around their places.
    this.current.forEach((point, i) => {
      const home = this.base[i]!;
      point.set(home.x + Math.sin(time * 0.55 + i) * 0.09, home.y + Math.cos(time * 0.45 + i * 1.7) * 0.11, home.z + Math.sin(time * 0.35 + i * 2.3) * 0.1);
      this.nodes[i]?.position.copy(point);
    });
    EDGES.forEach(([a, b], index) => {
      this.current[a]!.toArray(this.linePositions.array, index * 6);
      this.current[b]!.toArray(this.linePositions.array, index * 6 + 3);
    });
    this.linePositions.needsUpdate = true;
    // Messages travel along the links and are passed on when they arrive.
    this.messages.forEach((message, i) => {
      message.t += step * message.speed;
      if (message.t >= 1) {
        const [a, b] = EDGES[message.edge]!;
        Object.assign(message, nextEdge(message.forward ? b : a, message.edge), { t: 0 });
      }
      const [a, b] = EDGES[message.edge]!;
      const [from, to] = message.forward ? [this.current[a]!, this.current[b]!] : [this.current[b]!, this.current[a]!];
      this.dotPositions.setXYZ(i, from.x + (to.x - from.x) * message.t, from.y + (to.y - from.y) * message.t, from.z + (to.z - from.z) * message.t);
    });
    this.dotPositions.needsUpdate = true;
    // The whole team turns gently, and leans towards the pointer.
    if (group) {
      const ease = Math.min(1, step * 2.5);
      group.rotation.y += (Math.sin(time * 0.12) * 0.18 + pointer.x * 0.45 - group.rotation.y) * ease;
      group.rotation.x += (-pointer.y * 0.25 - group.rotation.x) * ease;
    }
  }

  dispose() {
    this.texture.dispose();
    this.lines.dispose();
    this.dots.dispose();
  }
}

function Network({ pointer }: { pointer: React.RefObject<{ x: number; y: number }> }) {
  const group = useRef<THREE.Group>(null);
  const [model] = useState(() => new NetworkModel());
  useEffect(() => () => model.dispose(), [model]);
  useFrame((state, delta) => model.update(state.clock.elapsedTime, Math.min(delta, 0.05), group.current, pointer.current));

  return (
    <group ref={group}>
      <lineSegments geometry={model.lines}>
        <lineBasicMaterial color="#7dd3fc" transparent opacity={0.28} />
      </lineSegments>
      {NODES.map((node, i) => (
        <group key={node.id} ref={(element) => model.setNode(i, element)}>
          <mesh>
            <sphereGeometry args={[node.size, 32, 32]} />
            <meshBasicMaterial color={KIND_COLORS[node.kind]} />
          </mesh>
          <sprite scale={node.size * 7}>
            <spriteMaterial map={model.texture} color={KIND_COLORS[node.kind]} transparent opacity={0.85} blending={THREE.AdditiveBlending} depthWrite={false} />
          </sprite>
        </group>
      ))}
      <points geometry={model.dots}>
        <pointsMaterial map={model.texture} size={0.34} vertexColors transparent blending={THREE.AdditiveBlending} depthWrite={false} />
      </points>
    </group>
  );
}

/**
 * The hero's live picture: agents as glowing nodes passing messages along their links. Loaded
 * after first paint by HeroVisual, never on the server; `active` pauses it while off screen.
 */
export default function NetworkScene({ active, onReady }: { active: boolean; onReady: () => void }) {
  const pointer = useRef({ x: 0, y: 0 });
  useEffect(() => {
    const move = (event: PointerEvent) => {
      pointer.current = { x: (event.clientX / window.innerWidth) * 2 - 1, y: (event.clientY / window.innerHeight) * 2 - 1 };
    };
    window.addEventListener('pointermove', move, { passive: true });
    return () => window.removeEventListener('pointermove', move);
  }, []);
  return (
    <Canvas
      data-testid="hero-scene"
      aria-hidden
      dpr={[1, 2]}
      flat
      frameloop={active ? 'always' : 'never'}
      camera={{ position: [0, 0, 5.9], fov: 50 }}
      gl={{ antialias: true, alpha: true, powerPreference: 'low-power' }}
      onCreated={() => requestAnimationFrame(onReady)}
      style={{ position: 'absolute', inset: 0 }}
    >
      <Network pointer={pointer} />
    </Canvas>
  );
}
