'use client';

import { useState } from 'react';
import { ThemeButton } from '@/components/ui/theme-button';
import { applyTheme, type Theme } from '@/stores/theme';

/** The theme switch on the public page, which loads no stores: the same cookie and class the user store writes. */
export function LandingThemeToggle({ initialTheme }: { initialTheme: Theme }) {
  const [theme, setTheme] = useState(initialTheme);
  return (
    <ThemeButton
      theme={theme}
      onToggle={() => {
        const next = theme === 'dark' ? 'light' : 'dark';
        setTheme(next);
        applyTheme(next);
      }}
    />
  );
}
