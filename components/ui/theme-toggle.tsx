'use client';

import { observer } from 'mobx-react-lite';
import { useStores } from '@/stores/context';
import { ThemeButton } from './theme-button';

/** The theme switch inside the app, where the user store owns the theme. */
export const ThemeToggle = observer(function ThemeToggle() {
  const { user } = useStores();
  return <ThemeButton theme={user.theme} onToggle={() => user.toggleTheme()} />;
});
