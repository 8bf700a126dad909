import { ClerkProvider } from '@/components/auth/clerk';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { ThemeInit } from '@/.flowbite-react/init';
import { authProvider, clerkPublishableKey, currentUser } from '@/lib/auth/server-session';
import { THEME_COOKIE, themeOf } from '@/stores/theme';
import { Providers } from './providers';

/**
 * The signed-in app's client state (stores, React Query, flowbite, Clerk when configured), given
 * by the hub's and the sign-in pages' layouts rather than the root one, so the public landing
 * page ships none of it.
 */
export async function AppProviders({ children }: { children: ReactNode }) {
  const user = await currentUser();
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  const providers = (
    <>
      <ThemeInit />
      <Providers user={user} theme={theme} authProvider={authProvider()}>
        {children}
      </Providers>
    </>
  );
  const publishableKey = clerkPublishableKey();
  return publishableKey ? <ClerkProvider publishableKey={publishableKey}>{providers}</ClerkProvider> : providers;
}
