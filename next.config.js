// @ts-check
const withFlowbiteReact = require('flowbite-react/plugin/nextjs');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages must be loaded by Node from node_modules, not bundled:
  // PGlite resolves its .wasm/.data files relative to its own module.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres', '@ffmpeg-installer/ffmpeg'],
  poweredByHeader: false,
  // Clerk's client ships only in a build made with its key (NEXT_PUBLIC_ variables are read at
  // build time): without it, components/auth/clerk resolves to a stand-in that weighs nothing.
  turbopack: {
    resolveAlias: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ? {} : { '@/components/auth/clerk': './components/auth/clerk-off.tsx' },
  },
  devIndicators: { position: 'bottom-right' },
  experimental: {
    // The proxy matches pages only (proxy.ts), and no page takes a body: whatever a request to one
    // sends, Next.js buffers no more than the hub routes' own 64 KiB cap for it. API bodies are
    // never buffered by the proxy; each route reads its own within its cap (lib/http/route.ts).
    proxyClientMaxBodySize: 64 * 1024,
  },
  // The api host (api.<your domain>) serves the public API at its root: /v1/... is /api/v1/...
  // Build-time configuration, so read here rather than through lib/env.ts.
  async rewrites() {
    const apiHost = process.env.API_HOST;
    return apiHost ? { beforeFiles: [{ source: '/v1/:path*', has: [{ type: 'host', value: apiHost }], destination: '/api/v1/:path*' }] } : [];
  },
};

module.exports = withFlowbiteReact(nextConfig);
