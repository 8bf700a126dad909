import Link from 'next/link';
import { ThemeToggle } from '@/components/ui/theme-toggle';
import { currentUser } from '@/lib/auth/server-session';

export default async function LandingPage() {
  const user = await currentUser();
  return (
    <div className="flex min-h-full flex-col">
      <header className="flex items-center justify-between px-6 py-4">
        <span className="text-lg font-semibold">Neurocache</span>
        <nav className="flex items-center gap-3">
          <ThemeToggle />
          {user ? (
            <Link href="/hub" className="rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700">Open the hub</Link>
          ) : (
            <>
              <Link href="/sign-in" className="text-sm font-medium hover:underline">Sign in</Link>
              <Link href="/sign-up" className="rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700">Get started</Link>
            </>
          )}
        </nav>
      </header>
      <main className="mx-auto flex max-w-3xl flex-1 flex-col items-center justify-center gap-6 px-6 pb-24 text-center">
        <h1 className="text-4xl font-bold tracking-tight sm:text-5xl">Teams of AI agents, with people in the loop.</h1>
        <p className="text-lg text-gray-600 dark:text-gray-400">
          Create and train your own agents, then put them to work alongside your colleagues in real-time channels, each agent with
          its own specialization, all towards one goal.
        </p>
        <Link href={user ? '/hub' : '/sign-up'} className="rounded-lg bg-sky-600 px-6 py-3 font-medium text-white hover:bg-sky-700">
          {user ? 'Open the hub' : 'Create your hub'}
        </Link>
      </main>
    </div>
  );
}
