import { highlightCode } from '@/components/ui/code-highlight';
import { Reveal } from './reveal';

// What /hub/docs and the README show: the official OpenAI SDK, pointed at the hub's /api/v1.
const SAMPLE = `import OpenAI from 'openai';

const neurocache = new OpenAI({
  apiKey: process.env.NEUROCACHE_API_KEY, // nc_… from API keys
  baseURL: 'https://your-hub.example.com/api/v1',
});

// One agent, streamed: its instructions, knowledge and tools come along.
const stream = await neurocache.chat.completions.create({
  model: 'agent:<agentId>',
  messages: [{ role: 'user', content: 'When does the Acme agreement renew?' }],
  stream: true,
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');

// A whole channel: every agent answers, the lead composes one reply.
const answer = await neurocache.chat.completions.create({
  model: 'channel:<channelId>',
  messages: [{ role: 'user', content: 'Risks of shipping Friday?' }],
});
console.log(answer.choices[0].message.content);`;

export function ApiSection() {
  const highlighted = highlightCode(SAMPLE, 'typescript');
  return (
    <section id="api" aria-labelledby="api-title" className="scroll-mt-20 border-t border-gray-200 py-16 sm:py-24 dark:border-gray-800/80">
      <div className="mx-auto grid max-w-6xl items-center gap-10 px-4 sm:px-6 lg:grid-cols-[0.8fr_1.2fr] lg:gap-16 [&>*]:min-w-0">
        <Reveal>
          <p className="text-sm font-semibold text-sky-600 dark:text-sky-400">The API</p>
          <h2 id="api-title" className="mt-2 text-3xl font-bold tracking-tight sm:text-4xl">Your agents, from any codebase</h2>
          <p className="mt-4 text-lg text-gray-600 dark:text-gray-300">
            The API speaks OpenAI&apos;s chat completions: keep the SDK you use, change the base URL and the model. Every agent is a
            model <code className="rounded bg-gray-100 px-1 text-base dark:bg-gray-800">agent:&lt;id&gt;</code>, every channel of agents
            is one too.
          </p>
          <ul className="mt-6 space-y-2 text-gray-600 dark:text-gray-400">
            <li>Keys with scopes and expiry, stored only as a hash.</li>
            <li>Streaming, citations and tool steps in every answer.</li>
            <li>Goal runs and channel queries; an OpenAPI 3.1 document at <code className="text-sm">/api/v1/openapi.json</code>.</li>
          </ul>
        </Reveal>
        <Reveal delay={0.1}>
          {/* Dark in both themes, like an editor. */}
          <div className="dark overflow-hidden rounded-2xl border border-gray-800 bg-gray-950 shadow-2xl shadow-black/30">
            <div className="flex items-center justify-between border-b border-gray-800 px-4 py-2.5 text-xs text-gray-400">
              <span>ask-agents.ts</span>
              <span>npm install openai</span>
            </div>
            {/* The chat's code-block styles and highlight colours (app/globals.css). */}
            <div className="message-body p-2">
              <pre className="text-[13px] leading-relaxed text-gray-100" data-testid="api-sample">
                {highlighted ? <code dangerouslySetInnerHTML={{ __html: highlighted.html }} /> : <code>{SAMPLE}</code>}
              </pre>
            </div>
          </div>
        </Reveal>
      </div>
    </section>
  );
}
