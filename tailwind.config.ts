import type { Config } from 'tailwindcss';

// Tailwind 4 reads its settings from app/globals.css; this file (loaded there with @config)
// holds the theme extensions shared by every component.
const config: Config = {
  theme: {
    extend: {
      fontFamily: {
        sans: ['ui-sans-serif', 'system-ui', '-apple-system', 'Segoe UI', 'Roboto', 'Helvetica Neue', 'Arial', 'sans-serif'],
      },
    },
  },
};

export default config;
