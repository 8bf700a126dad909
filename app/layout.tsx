import { ClerkProvider } from '@clerk/nextjs';
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { ThemeInit } from '@/.flowbite-react/init';
import { authProvider, clerkPublishableKey, currentUser } from '@/lib/auth/server-session';
import { THEME_COOKIE } from '@/stores/user-store';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Neurocache Hub',
  description: 'Build AI agents and put them to work with people in real-time channels.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  const provider = authProvider();
  // Dark by default; a remembered choice arrives with the request, so there is no flash.
  const theme = (await cookies()).get(THEME_COOKIE)?.value === 'light' ? 'light' : 'dark';
  const page = (
    <html lang="en" className={theme === 'dark' ? 'dark' : undefined} style={{ colorScheme: theme }}>
      <body className="bg-white text-gray-900 antialiased dark:bg-gray-950 dark:text-gray-100">
        <ThemeInit />
        <Providers user={user} theme={theme} authProvider={provider}>
          {children}
        </Providers>
      </body>
    </html>
  );
  const publishableKey = clerkPublishableKey();
  return publishableKey ? <ClerkProvider publishableKey={publishableKey}>{page}</ClerkProvider> : page;
}
