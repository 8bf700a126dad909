/*
 * Which images markdown may show (issue 13, point 6). An image loads the moment a message is
 * shown, so an arbitrary source would tell its host who read the message and when: only the
 * hub's own files (same origin, which includes attachment URLs), small inline data images, and
 * https hosts the operator names are loaded. Any other image becomes a link with its alt text.
 */

/** Inline images above this many characters are refused (an inline image should be an icon, not a photo). */
export const MAX_DATA_IMAGE_CHARS = 64 * 1024;

const DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif|webp|avif);base64,[a-z0-9+/]+=*$/i;

/**
 * NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS, comma-separated host names (`*.example.com` for subdomains).
 * Read here rather than through lib/env (server-only): Next.js inlines NEXT_PUBLIC_ variables
 * into the browser bundle only where they are written out like this; lib/env validates it too.
 */
export function markdownImageHosts(): string[] {
  return (process.env.NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
}

const hostAllowed = (hostname: string, hosts: string[]) =>
  hosts.some((host) => (host.startsWith('*.') ? hostname.endsWith(host.slice(1)) && hostname.length > host.length - 1 : hostname === host));

export function isAllowedImageSource(src: string, { origin = typeof window === 'undefined' ? undefined : window.location.origin, hosts = markdownImageHosts() }: { origin?: string; hosts?: string[] } = {}): boolean {
  const value = src.trim();
  if (/^data:/i.test(value)) return value.length <= MAX_DATA_IMAGE_CHARS && DATA_IMAGE.test(value);
  // A path on this hub (never `//host`, which is another origin).
  if (value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\')) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (origin && url.origin === origin) return true;
  return url.protocol === 'https:' && hostAllowed(url.hostname.toLowerCase(), hosts);
}

/** Where a refused image may still be opened by a click: web addresses only. */
export const isLinkableImageSource = (src: string) => /^https?:\/\//i.test(src.trim());
