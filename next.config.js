// @ts-check
const withFlowbiteReact = require('flowbite-react/plugin/nextjs');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages must be loaded by Node from node_modules, not bundled:
  // PGlite resolves its .wasm/.data files relative to its own module.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres'],
  poweredByHeader: false,
  devIndicators: { position: 'bottom-right' },
};

module.exports = withFlowbiteReact(nextConfig);
