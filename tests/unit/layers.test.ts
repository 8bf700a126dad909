import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The layering rules of ARCHITECTURE.md, checked on the source itself: lib domains import one
 * another in one direction only (no cycles, counting only imports that exist at run time), and
 * nothing the browser loads reaches a module marked `import 'server-only'`.
 */
const root = process.cwd();
const sourceDirs = ['lib', 'components', 'stores', 'server', 'app'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith('@/') ? specifier.slice(2) : specifier.startsWith('.') ? path.join(path.dirname(from), specifier) : undefined;
  if (base === undefined) return undefined;
  return [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')].find((candidate) => fs.existsSync(path.join(root, candidate)));
}

type Module = { file: string; imports: string[]; serverOnly: boolean; client: boolean };

/** Runtime imports only: `import type`, `export type` and all-type named imports vanish when compiled. */
function parse(file: string): Module {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports: string[] = [];
  let serverOnly = false;
  for (const statement of source.statements) {
    let specifier: string | undefined;
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause;
      const typeOnly = clause?.isTypeOnly || (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (typeOnly) continue;
      specifier = statement.moduleSpecifier.text;
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier.text;
    }
    if (specifier === 'server-only') serverOnly = true;
    const resolved = specifier && resolve(file, specifier);
    if (resolved) imports.push(resolved);
  }
  const client = /^\s*['"]use client['"]/.test(text) || file.startsWith(`stores${path.sep}`);
  return { file, imports, serverOnly, client };
}

const modules = new Map(sourceDirs.flatMap(sourceFiles).map((file) => [file, parse(file)]));

/** lib/agents/replies.ts -> lib/agents; lib/env.ts -> lib/env. */
const domainOf = (file: string) => {
  const parts = file.split(path.sep);
  return parts[0] === 'lib' ? `lib/${parts[1]!.replace(/\.tsx?$/, '')}` : parts[0]!;
};

describe('layers', () => {
  it('lets lib domains import each other in one direction only', () => {
    const edges = new Map<string, Map<string, string>>();
    for (const { file, imports } of modules.values()) {
      for (const target of imports) {
        const [from, to] = [domainOf(file), domainOf(target)];
        if (from === to || !from.startsWith('lib/') || !to.startsWith('lib/')) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        edges.get(from)!.set(to, `${file} -> ${target}`);
      }
    }
    // Depth-first search for a cycle, naming the imports that close it.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (domain: string, trail: string[]) => {
      state.set(domain, 'open');
      for (const [next, why] of edges.get(domain) ?? []) {
        if (state.get(next) === 'open') cycles.push([...trail, why].join('\n  '));
        else if (!state.has(next)) visit(next, [...trail, why]);
      }
      state.set(domain, 'done');
    };
    for (const domain of edges.keys()) if (!state.has(domain)) visit(domain, []);
    expect(cycles).toEqual([]);
  });

  it('keeps every module the browser loads clear of server-only modules', () => {
    const reached = new Map<string, string[]>();
    const walk = (file: string, trail: string[]) => {
      if (reached.has(file)) return;
      reached.set(file, trail);
      for (const target of modules.get(file)?.imports ?? []) walk(target, [...trail, target]);
    };
    for (const entry of modules.values()) if (entry.client) walk(entry.file, [entry.file]);
    const leaks = [...reached].filter(([file]) => modules.get(file)?.serverOnly).map(([, trail]) => trail.join(' -> '));
    expect(reached.size).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
  });

  it('marks the modules that hold secrets, queries or server state as server-only', () => {
    const serverDomains = ['lib/db', 'lib/cache', 'lib/ai', 'lib/keys', 'lib/auth', 'lib/usage', 'lib/ratelimit', 'lib/public-api', 'lib/agents', 'lib/channels', 'lib/messages', 'lib/http', 'lib/knowledge', 'lib/storage', 'lib/outbound', 'lib/abilities', 'lib/mcp-servers', 'lib/attachments'];
    // Shared with the browser or with every process: the drizzle schema (types), the axios client
    // and the error table it reads, a type-only module, and the CLI entry.
    const shared = new Set(['lib/db/schema.ts', 'lib/http/client.ts', 'lib/http/errors.ts', 'lib/usage/payer.ts', 'lib/db/migrate-cli.ts']);
    const unmarked = [...modules.values()]
      .filter(({ file }) => serverDomains.includes(domainOf(file)) && !shared.has(file.split(path.sep).join('/')))
      .filter((entry) => !entry.serverOnly)
      .map((entry) => entry.file);
    expect(unmarked).toEqual([]);
  });
});
