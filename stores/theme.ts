/** Light or dark: the one UI preference the server must know before first paint. */
export type Theme = 'dark' | 'light';

/** The theme lives in a cookie so the server renders the right one from the first byte. */
export const THEME_COOKIE = 'nc-theme';

/** Dark unless the cookie says light: dark is the default. */
export function themeOf(cookieValue: string | undefined): Theme {
  return cookieValue === 'light' ? 'light' : 'dark';
}

/** Remembers the choice and applies it to the page at once (the `dark` class drives Tailwind). */
export function applyTheme(theme: Theme) {
  if (typeof document === 'undefined') return;
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax`;
  document.documentElement.classList.toggle('dark', theme === 'dark');
  document.documentElement.style.colorScheme = theme;
}
