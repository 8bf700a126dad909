import 'server-only';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertFileKey, type FileStore } from './types';

/** Files under one directory; each write lands whole or not at all (temp file, then rename). */
export function createLocalFileStore(dir: string): FileStore {
  const root = path.resolve(dir);
  const fileFor = (key: string) => {
    assertFileKey(key);
    return path.join(root, ...key.split('/'));
  };

  return {
    kind: 'local',
    async put(key, data) {
      const file = fileFor(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Same directory as the target so the rename stays on one filesystem (and so is atomic).
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
      try {
        await writeFile(temp, data);
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(key) {
      const file = fileFor(key);
      try {
        return await readFile(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
        throw error;
      }
    },
    async remove(keys) {
      const files = keys.map(fileFor);
      await Promise.all(files.map((file) => rm(file, { force: true })));
    },
  };
}
