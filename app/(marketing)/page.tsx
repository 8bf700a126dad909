import Link from 'next/link';
import { cookies } from 'next/headers';
import { ApiSection } from '@/components/landing/api-section';
import { CallsToAction } from '@/components/landing/calls-to-action';
import { Hero } from '@/components/landing/hero';
import { LandingHeader } from '@/components/landing/landing-header';
import { PricingSection, type HubLimits } from '@/components/landing/pricing-section';
import { AgentsSection, KnowledgeSection, TeamsSection } from '@/components/landing/product-sections';
import { Reveal } from '@/components/landing/reveal';
import { currentUser } from '@/lib/auth/server-session';
import { env } from '@/lib/env';
import { THEME_COOKIE, themeOf } from '@/stores/theme';

function hubLimits(): HubLimits {
  const config = env();
  return {
    dailyCalls: config.AGENT_DAILY_CALLS,
    dailyTokens: config.AGENT_DAILY_TOKENS,
    keyRequests: config.RATE_LIMIT_REQUESTS,
    ownerRequests: config.RATE_LIMIT_OWNER_REQUESTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    maxKeys: config.API_KEYS_MAX_PER_USER,
    runSteps: config.RUN_DEFAULT_STEPS,
    runTokens: config.RUN_DEFAULT_TOKENS,
    runMinutes: Math.round(config.RUN_DEFAULT_SECONDS / 60),
    runTasks: config.RUN_MAX_TASKS,
    knowledgeMegabytes: Math.round(config.KNOWLEDGE_MAX_BYTES_PER_USER / 1024 ** 2),
    fileMegabytes: Math.round(config.KNOWLEDGE_MAX_FILE_BYTES / 1024 ** 2),
  };
}

export default async function LandingPage() {
  const signedIn = Boolean(await currentUser());
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <>
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-sky-600 focus:px-3 focus:py-2 focus:text-white">
        Skip to content
      </a>
      <LandingHeader signedIn={signedIn} theme={theme} />
      <main id="main">
        <Hero signedIn={signedIn} />
        <AgentsSection />
        <KnowledgeSection />
        <TeamsSection />
        <ApiSection />
        <PricingSection limits={hubLimits()} signedIn={signedIn} />
        <section aria-labelledby="start-title" className="border-t border-gray-200 py-16 sm:py-24 dark:border-gray-800/80">
          <Reveal className="mx-auto flex max-w-3xl flex-col items-center px-4 text-center sm:px-6">
            <h2 id="start-title" className="text-3xl font-bold tracking-tight sm:text-4xl">Put your first team to work today</h2>
            <p className="mt-4 text-lg text-gray-600 dark:text-gray-300">Sign up, build an agent, open a channel and mention it. It takes a minute.</p>
            <div className="mt-8"><CallsToAction signedIn={signedIn} large testId="closing-cta" /></div>
          </Reveal>
        </section>
      </main>
      <footer className="border-t border-gray-200 py-8 text-sm text-gray-500 dark:border-gray-800 dark:text-gray-400">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-4 sm:px-6">
          <p>Neurocache Hub</p>
          <nav aria-label="Footer" className="flex gap-4">
            <a href="#api" className="hover:text-gray-900 dark:hover:text-white">API</a>
            <a href="#pricing" className="hover:text-gray-900 dark:hover:text-white">Pricing</a>
            <Link href="/sign-in" className="hover:text-gray-900 dark:hover:text-white">Sign in</Link>
          </nav>
        </div>
      </footer>
    </>
  );
}
