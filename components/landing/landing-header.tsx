import Link from 'next/link';
import type { Theme } from '@/stores/theme';
import { LandingThemeToggle } from './landing-theme-toggle';

const sections = [
  { href: '#agents', label: 'Agents' },
  { href: '#knowledge', label: 'Knowledge' },
  { href: '#teams', label: 'Teams' },
  { href: '#api', label: 'API' },
  { href: '#pricing', label: 'Pricing' },
];

export function LandingHeader({ signedIn, theme }: { signedIn: boolean; theme: Theme }) {
  return (
    <header className="sticky top-0 z-20 border-b border-gray-200/70 bg-white/80 backdrop-blur dark:border-gray-800/70 dark:bg-gray-950/80">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-3 sm:gap-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold">
          <svg aria-hidden viewBox="0 0 24 24" className="h-6 w-6">
            <circle cx="12" cy="12" r="3.2" fill="#38bdf8" />
            <circle cx="4.5" cy="6" r="2" fill="#a78bfa" />
            <circle cx="19.5" cy="6.5" r="2" fill="#34d399" />
            <circle cx="12" cy="20.5" r="2" fill="#fbbf24" />
            <path d="M12 12 4.5 6M12 12l7.5-5.5M12 12v8.5" stroke="#7dd3fc" strokeWidth="1.2" strokeOpacity="0.7" />
          </svg>
          Neurocache
        </Link>
        <nav aria-label="Sections" className="hidden items-center gap-6 text-sm text-gray-600 md:flex dark:text-gray-300">
          {sections.map((section) => (
            <a key={section.href} href={section.href} className="rounded hover:text-gray-900 dark:hover:text-white">{section.label}</a>
          ))}
        </nav>
        <nav aria-label="Account" className="flex items-center gap-2 sm:gap-3">
          <LandingThemeToggle initialTheme={theme} />
          {signedIn ? (
            <Link href="/hub" className="whitespace-nowrap rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-500">Open the hub</Link>
          ) : (
            <>
              <Link href="/sign-in" className="whitespace-nowrap rounded px-1 text-sm font-medium hover:underline">Sign in</Link>
              <Link href="/sign-up" className="whitespace-nowrap rounded-lg bg-sky-600 px-3 py-2 text-sm font-medium text-white hover:bg-sky-500 sm:px-4">Get started</Link>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}
