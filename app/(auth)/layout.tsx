import Link from 'next/link';
import type { ReactNode } from 'react';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { AppProviders } from '../app-providers';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <AppProviders>
      <div className="flex min-h-full flex-col">
        <header className="flex items-center justify-between px-6 py-4">
          <Link href="/" className="text-lg font-semibold">Neurocache</Link>
          <ThemeToggle />
        </header>
        <main className="flex flex-1 items-center justify-center px-4 pb-24">{children}</main>
      </div>
    </AppProviders>
  );
}
