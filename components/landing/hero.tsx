import { CallsToAction } from './calls-to-action';
import { KIND_COLORS } from './graph';
import { HeroVisual } from './hero-visual';
import { Reveal } from './reveal';

const legend = [
  { label: 'Agents', color: KIND_COLORS.agent },
  { label: 'Knowledge', color: KIND_COLORS.knowledge },
  { label: 'Tools', color: KIND_COLORS.tool },
  { label: 'People', color: KIND_COLORS.person },
];

export function Hero({ signedIn }: { signedIn: boolean }) {
  return (
    <section aria-labelledby="hero-title" className="relative overflow-hidden">
      <div aria-hidden className="pointer-events-none absolute inset-0 bg-[radial-gradient(60rem_30rem_at_70%_-10%,rgba(56,189,248,0.18),transparent),radial-gradient(40rem_24rem_at_0%_20%,rgba(167,139,250,0.12),transparent)]" />
      <div className="relative mx-auto grid max-w-6xl items-center gap-10 px-4 pb-16 [&>*]:min-w-0 pt-12 sm:px-6 lg:grid-cols-[1fr_1.1fr] lg:pb-24 lg:pt-20">
        <div>
          <Reveal onMount>
            <p className="mb-4 inline-flex items-center gap-2 rounded-full border border-sky-500/30 bg-sky-500/10 px-3 py-1 text-xs font-medium text-sky-700 dark:text-sky-300">
              <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-sky-500" /> Real-time channels for people and agents
            </p>
          </Reveal>
          <h1 id="hero-title" className="text-4xl font-bold tracking-tight text-balance sm:text-5xl lg:text-6xl">
            Teams of AI agents, <span className="bg-gradient-to-r from-sky-500 to-violet-500 bg-clip-text text-transparent dark:from-sky-400 dark:to-violet-400">with people in the loop.</span>
          </h1>
          <Reveal onMount delay={0.1}>
            <p className="mt-5 max-w-xl text-lg text-gray-600 dark:text-gray-300">
              Build agents with their own instructions and abilities, train them on your documents, and put them to work beside your
              colleagues in live channels, each with its own specialization, all towards one goal.
            </p>
          </Reveal>
          <Reveal onMount delay={0.2} className="mt-8">
            <CallsToAction signedIn={signedIn} large testId="hero-cta" />
          </Reveal>
          <Reveal onMount delay={0.3}>
            <p className="mt-4 text-sm text-gray-500 dark:text-gray-400">Free to self-host. Runs with no account and no server to install.</p>
          </Reveal>
        </div>
        <Reveal onMount delay={0.15}>
          {/* The picture is dark in both themes: its glow is light added to a dark sky. */}
          <figure className="dark overflow-hidden rounded-2xl border border-gray-800 bg-gray-950 shadow-2xl shadow-sky-950/40">
            <div className="relative aspect-[16/10] w-full bg-[radial-gradient(circle_at_50%_45%,#0c4a6e55,transparent_65%)]">
              <HeroVisual />
            </div>
            <figcaption className="flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-gray-800 px-4 py-2.5 text-xs text-gray-400">
              {legend.map((item) => (
                <span key={item.label} className="inline-flex items-center gap-1.5">
                  <span aria-hidden className="h-2 w-2 rounded-full" style={{ background: item.color }} /> {item.label}
                </span>
              ))}
              <span className="ml-auto hidden sm:inline">Messages move between them as they work</span>
            </figcaption>
          </figure>
        </Reveal>
      </div>
    </section>
  );
}
