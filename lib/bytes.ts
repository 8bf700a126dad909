/**
 * 1536 -> "1.5 KB", 2048 -> "2 KB", 26214400 -> "25 MB": sizes as people read them (powers of
 * 1024, one decimal below 10). One wording for the server's limits and the browser's rows, so a
 * file the browser refuses before sending reads exactly as the server's 413 would.
 */
export function describeBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)} ${units[unit]}`;
}
