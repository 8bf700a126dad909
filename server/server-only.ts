// `server-only` for Node processes run by tsx (tsconfig.node.json maps it here): everything they
// load is server code, so there is nothing to refuse. Next.js bundles resolve the real package.
export {};
