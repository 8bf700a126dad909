import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { THEME_COOKIE, themeOf } from '@/stores/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Neurocache Hub',
  description: 'Build AI agents and put them to work with people in real-time channels.',
};

/**
 * The document only: the app's providers live in the hub's and the sign-in pages' layouts
 * (app/app-providers.tsx), so the landing page loads none of their JavaScript.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  // Dark by default; a remembered choice arrives with the request, so there is no flash.
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={theme === 'dark' ? 'dark' : undefined} style={{ colorScheme: theme }}>
      <body className="bg-white text-gray-900 antialiased dark:bg-gray-950 dark:text-gray-100">{children}</body>
    </html>
  );
}
