import Link from 'next/link';
import { Reveal } from './reveal';

/** The limits a hub enforces, as configured (lib/env.ts defaults unless the deployment changed them). */
export type HubLimits = {
  dailyCalls: number;
  dailyTokens: number;
  keyRequests: number;
  ownerRequests: number;
  windowSeconds: number;
  maxKeys: number;
  runSteps: number;
  runTokens: number;
  runMinutes: number;
  runTasks: number;
  knowledgeMegabytes: number;
  fileMegabytes: number;
};

const number = (value: number) => value.toLocaleString('en-US');
const perDay = (value: number, unit: string) => (value === 0 ? `Unlimited ${unit}` : `${number(value)} ${unit} per person per day`);

function Check() {
  return (
    <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="mt-0.5 h-4 w-4 flex-none text-sky-500">
      <path fillRule="evenodd" d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" clipRule="evenodd" />
    </svg>
  );
}

export function PricingSection({ limits, signedIn }: { limits: HubLimits; signedIn: boolean }) {
  const selfHosted = [
    perDay(limits.dailyCalls, 'model calls'),
    perDay(limits.dailyTokens, 'tokens'),
    `API: ${number(limits.keyRequests)} requests per key, ${number(limits.ownerRequests)} per person, every ${limits.windowSeconds} s`,
    `Up to ${number(limits.maxKeys)} live API keys per person`,
    `Goal runs: up to ${limits.runTasks} tasks, ${number(limits.runSteps)} model calls, ${number(limits.runTokens)} tokens, ${limits.runMinutes} min by default`,
    `Knowledge: ${number(limits.knowledgeMegabytes)} MB per person, files up to ${number(limits.fileMegabytes)} MB`,
  ];
  return (
    <section id="pricing" aria-labelledby="pricing-title" className="scroll-mt-20 border-t border-gray-200 py-16 sm:py-24 dark:border-gray-800/80">
      <div className="mx-auto max-w-6xl px-4 sm:px-6">
        <Reveal className="max-w-2xl">
          <p className="text-sm font-semibold text-sky-600 dark:text-sky-400">Pricing</p>
          <h2 id="pricing-title" className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">Free to run yourself</h2>
          <p className="mt-4 text-lg text-gray-600 dark:text-gray-300">
            The hub is the whole product. You bring the model (any OpenAI-compatible server, or the built-in offline model) and pay
            its provider directly. The limits below are the ones this hub enforces; each is a setting you can change.
          </p>
        </Reveal>
        <div className="mt-10 grid gap-6 lg:grid-cols-2">
          <Reveal>
            <div className="h-full rounded-2xl border-2 border-sky-500/60 bg-white p-6 shadow-xl shadow-sky-500/5 sm:p-8 dark:bg-gray-900" data-testid="plan-self-hosted">
              <h3 className="text-lg font-semibold">Self-hosted</h3>
              <p className="mt-2"><span className="text-4xl font-bold">$0</span> <span className="text-gray-500 dark:text-gray-400">forever</span></p>
              <p className="mt-3 text-gray-600 dark:text-gray-400">One command, no account, no server to install: embedded Postgres, cache and realtime. Switch to Postgres, Redis, Supabase and Clerk when you grow.</p>
              <ul className="mt-6 space-y-3 text-sm">
                {selfHosted.map((line) => (
                  <li key={line} className="flex gap-2"><Check />{line}</li>
                ))}
              </ul>
              <div className="mt-8">
                <Link href={signedIn ? '/hub' : '/sign-up'} className="inline-flex w-full items-center justify-center rounded-lg bg-sky-600 px-4 py-2.5 font-medium text-white hover:bg-sky-500">
                  {signedIn ? 'Open the hub' : 'Create your hub'}
                </Link>
              </div>
            </div>
          </Reveal>
          <Reveal delay={0.1}>
            <div className="h-full rounded-2xl border border-gray-200 bg-white p-6 sm:p-8 dark:border-gray-800 dark:bg-gray-900" data-testid="plan-hosted">
              <h3 className="text-lg font-semibold">Hosted for your team</h3>
              <p className="mt-2"><span className="text-4xl font-bold">Contact us</span></p>
              <p className="mt-3 text-gray-600 dark:text-gray-400">
                We run the hub for you on managed Postgres, Redis and sign-in, with the limits set to what your team needs. There is no
                self-serve billing yet: plans are arranged with us.
              </p>
              <ul className="mt-6 space-y-3 text-sm">
                {['Everything in self-hosted', 'Limits sized to your team', 'Scale-out realtime across processes', 'Help moving your agents and documents'].map((line) => (
                  <li key={line} className="flex gap-2"><Check />{line}</li>
                ))}
              </ul>
              <div className="mt-8">
                <Link href={signedIn ? '/hub' : '/sign-up'} className="inline-flex w-full items-center justify-center rounded-lg border border-gray-300 px-4 py-2.5 font-medium hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
                  {signedIn ? 'Open the hub' : 'Start with a free account'}
                </Link>
              </div>
            </div>
          </Reveal>
        </div>
      </div>
    </section>
  );
}
