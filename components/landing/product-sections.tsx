import type { ReactNode } from 'react';
import { Reveal } from './reveal';

function Section({ id, eyebrow, title, intro, points, children, flip = false }: { id: string; eyebrow: string; title: string; intro: string; points: { title: string; text: string }[]; children: ReactNode; flip?: boolean }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="scroll-mt-20 border-t border-gray-200 py-16 sm:py-24 dark:border-gray-800/80">
      <div className={`mx-auto grid max-w-6xl items-center gap-10 px-4 sm:px-6 lg:grid-cols-2 lg:gap-16 [&>*]:min-w-0 ${flip ? 'lg:[&>*:first-child]:order-2' : ''}`}>
        <Reveal>
          <p className="text-sm font-semibold text-sky-600 dark:text-sky-400">{eyebrow}</p>
          <h2 id={`${id}-title`} className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">{title}</h2>
          <p className="mt-4 text-lg text-gray-600 dark:text-gray-300">{intro}</p>
          <ul className="mt-8 space-y-5">
            {points.map((point) => (
              <li key={point.title} className="flex gap-3">
                <span aria-hidden className="mt-2 h-2 w-2 flex-none rounded-full bg-sky-500" />
                <span>
                  <strong className="font-semibold">{point.title}.</strong>{' '}
                  <span className="text-gray-600 dark:text-gray-400">{point.text}</span>
                </span>
              </li>
            ))}
          </ul>
        </Reveal>
        <Reveal delay={0.1}>{children}</Reveal>
      </div>
    </section>
  );
}

/** A card drawn like the hub's own UI, so each section shows what it describes. */
function Window({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="overflow-hidden rounded-2xl border border-gray-200 bg-white shadow-xl shadow-gray-200/60 dark:border-gray-800 dark:bg-gray-900 dark:shadow-black/40">
      <div className="flex items-center gap-2 border-b border-gray-200 px-4 py-2.5 text-sm font-medium dark:border-gray-800">
        <span aria-hidden className="flex gap-1.5">
          <span className="h-2.5 w-2.5 rounded-full bg-gray-300 dark:bg-gray-700" />
          <span className="h-2.5 w-2.5 rounded-full bg-gray-300 dark:bg-gray-700" />
          <span className="h-2.5 w-2.5 rounded-full bg-gray-300 dark:bg-gray-700" />
        </span>
        <span className="truncate text-gray-600 dark:text-gray-300">{title}</span>
      </div>
      <div className="space-y-3 p-4 text-sm">{children}</div>
    </div>
  );
}

function Chip({ children, tone = 'sky' }: { children: ReactNode; tone?: 'sky' | 'violet' | 'emerald' | 'amber' }) {
  const tones = {
    sky: 'bg-sky-500/10 text-sky-700 ring-sky-500/30 dark:text-sky-300',
    violet: 'bg-violet-500/10 text-violet-700 ring-violet-500/30 dark:text-violet-300',
    emerald: 'bg-emerald-500/10 text-emerald-700 ring-emerald-500/30 dark:text-emerald-300',
    amber: 'bg-amber-500/10 text-amber-700 ring-amber-500/30 dark:text-amber-300',
  };
  return <span className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>;
}

function Message({ who, role, tone, children }: { who: string; role?: string; tone: string; children: ReactNode }) {
  return (
    <div className="flex gap-3">
      <span aria-hidden className={`flex h-8 w-8 flex-none items-center justify-center rounded-full text-xs font-bold text-gray-950 ${tone}`}>{who[0]}</span>
      <div className="min-w-0">
        <p className="font-semibold">
          {who} {role && <span className="ml-1 text-xs font-normal text-gray-500 dark:text-gray-400">{role}</span>}
        </p>
        <div className="text-gray-700 dark:text-gray-300">{children}</div>
      </div>
    </div>
  );
}

export function AgentsSection() {
  return (
    <Section
      id="agents"
      eyebrow="Build agents"
      title="An agent for every job, with the abilities it needs"
      intro="Give each agent a name, a handle, instructions and a model, then switch on what it may do. Mention it in any channel and it answers, streamed token by token."
      points={[
        { title: 'Instructions', text: 'a role, a tone and the rules it keeps; never shown to the people it talks to.' },
        { title: 'Web search and reading', text: 'it searches the web and reads whole pages, and says where each fact came from.' },
        { title: 'Vision and video', text: 'it looks at the images, PDFs and videos posted in the channel.' },
        { title: 'MCP tools', text: 'connect your own MCP servers and it calls their tools, with the steps shown live.' },
      ]}
    >
      <Window title="Agents · Researcher">
        <div className="flex items-center gap-3">
          <span aria-hidden className="flex h-10 w-10 items-center justify-center rounded-full bg-sky-400 font-bold text-gray-950">R</span>
          <div>
            <p className="font-semibold">Researcher <span className="font-normal text-gray-500 dark:text-gray-400">@research</span></p>
            <p className="text-xs text-gray-500 dark:text-gray-400">Finds sources and sums them up</p>
          </div>
        </div>
        <div className="rounded-lg bg-gray-100 p-3 font-mono text-xs leading-relaxed text-gray-700 dark:bg-gray-950 dark:text-gray-300">
          You research market questions. Cite every claim. Hand drafting to @writer.
        </div>
        <div className="flex flex-wrap gap-2">
          <Chip>Web search</Chip>
          <Chip>Read pages</Chip>
          <Chip tone="violet">Vision</Chip>
          <Chip tone="violet">Video</Chip>
          <Chip tone="emerald">Knowledge: Contracts</Chip>
          <Chip tone="amber">MCP: linear</Chip>
        </div>
      </Window>
    </Section>
  );
}

export function KnowledgeSection() {
  return (
    <Section
      flip
      id="knowledge"
      eyebrow="Train them on your documents"
      title="Answers from your documents, with citations"
      intro="Upload PDFs, Word files, markdown or web pages into a knowledge base and give it to your agents. They answer from the passages that matter and cite them, so anyone can check."
      points={[
        { title: 'Any document', text: 'PDF, DOCX, HTML, markdown, text and web pages, parsed, chunked and indexed in the background.' },
        { title: 'Hybrid search', text: 'full-text out of the box; add an embeddings model and results fuse keyword and vector rankings.' },
        { title: 'Cited answers', text: 'each answer links the passages it used, in the hub and through the API.' },
      ]}
    >
      <Window title="# contracts">
        <Message who="Maya" tone="bg-amber-400">@counsel when does the Acme agreement renew?</Message>
        <Message who="Counsel" role="agent" tone="bg-emerald-400">
          It renews automatically on <strong>1 March</strong> unless either side gives 60 days&apos; notice <sup className="text-sky-600 dark:text-sky-400">[1]</sup>. Fees rise by CPI at renewal <sup className="text-sky-600 dark:text-sky-400">[2]</sup>.
          <div className="mt-2 flex flex-wrap gap-2">
            <Chip tone="emerald">[1] acme-msa.pdf · p. 4</Chip>
            <Chip tone="emerald">[2] acme-pricing.docx</Chip>
          </div>
        </Message>
      </Window>
    </Section>
  );
}

export function TeamsSection() {
  const tasks = [
    { agent: 'Researcher', task: 'Collect competitor launches from the last quarter', state: 'done' },
    { agent: 'Analyst', task: 'Compare pricing against ours', state: 'done' },
    { agent: 'Writer', task: 'Draft the launch brief', state: 'running' },
    { agent: 'Reviewer', task: 'Check the brief against the goal', state: 'waiting' },
  ];
  const badge = { done: 'bg-emerald-500/15 text-emerald-700 dark:text-emerald-300', running: 'bg-sky-500/15 text-sky-700 dark:text-sky-300', waiting: 'bg-gray-500/15 text-gray-600 dark:text-gray-400' };
  return (
    <Section
      id="teams"
      eyebrow="Teams with goals"
      title="Give a channel a goal, and watch the team work it"
      intro="Start a goal run: the lead agent writes a plan, hands each task to the best-suited agent, reviews the results and sends work back when it falls short, all within a budget you set."
      points={[
        { title: 'Goal runs', text: 'a plan of tasks, each handed off, checked and redone when needed, within calls, tokens and time you choose.' },
        { title: 'The canvas', text: 'the team as a live graph: who hands off to whom, and each task moving across it as the run goes.' },
        { title: 'People in the loop', text: 'comment on a task or stop the run from any tab; the team hears you on its next step.' },
      ]}
    >
      <Window title="# launch · Goal: a launch brief for Friday">
        <ol className="space-y-2">
          {tasks.map((item, index) => (
            <li key={item.task} className="flex items-start gap-3 rounded-lg border border-gray-200 p-2.5 dark:border-gray-800">
              <span className="mt-0.5 text-xs font-semibold text-gray-400">{index + 1}</span>
              <span className="min-w-0 flex-1">
                <span className="block truncate">{item.task}</span>
                <span className="text-xs text-gray-500 dark:text-gray-400">{item.agent}</span>
              </span>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${badge[item.state as keyof typeof badge]}`}>{item.state}</span>
            </li>
          ))}
        </ol>
        <Message who="You" tone="bg-amber-400">Keep the brief under one page, please.</Message>
        <p className="text-xs text-gray-500 dark:text-gray-400">Budget: 14 of 40 model calls · 38k of 200k tokens</p>
      </Window>
    </Section>
  );
}
