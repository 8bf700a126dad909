import { resetEnv } from '@/lib/env';

type Vars = Record<string, string | undefined>;

/** Sets variables (undefined unsets) and answers how to put back what was there before. */
export function setEnv(vars: Vars): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Vars) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetEnv();
  };
  apply(vars);
  return () => apply(saved);
}

/** Variables for one block of a test, then the previous values again (the setup's generous limits included). */
export async function withEnv<T>(vars: Vars, run: () => Promise<T>): Promise<T> {
  const restore = setEnv(vars);
  try {
    return await run();
  } finally {
    restore();
  }
}
