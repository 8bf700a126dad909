import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { HubShell } from '@/components/chat/hub-shell';
import { sessionState } from '@/lib/auth/server-session';
import { realtimeUrl } from '@/lib/realtime/token';
import { AppProviders } from '../app-providers';

export default async function HubLayout({ children }: { children: ReactNode }) {
  const { user, problem } = await sessionState();
  if (problem) {
    return (
      <AppProviders>
        <div className="m-auto max-w-md p-8 text-center" data-testid="session-problem">
          <h1 className="mb-2 text-xl font-semibold">We could not open your hub</h1>
          <p className="mb-4 text-gray-500 dark:text-gray-400">{problem}</p>
          <Link href="/" className="text-sky-600 hover:underline dark:text-sky-400">Back to the start page</Link>
        </div>
      </AppProviders>
    );
  }
  if (!user) redirect('/sign-in');
  return (
    <AppProviders>
      <HubShell realtimeUrl={realtimeUrl()}>{children}</HubShell>
    </AppProviders>
  );
}
