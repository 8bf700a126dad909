'use client';

import { useSyncExternalStore } from 'react';

const examples = (origin: string) => [
  {
    title: 'curl',
    code: `# Your agents
curl ${origin}/api/v1/agents -H "Authorization: Bearer $NEUROCACHE_API_KEY"

# Chat with one (add "stream": true for server-sent events)
curl ${origin}/api/v1/agents/AGENT_ID/chat \\
  -H "Authorization: Bearer $NEUROCACHE_API_KEY" -H "Content-Type: application/json" \\
  -d '{"messages": [{"role": "user", "content": "Summarise our launch plan"}]}'

# Search a knowledge base, or add documents to it (answers 202; indexing runs in the background)
curl ${origin}/api/v1/knowledge/KNOWLEDGE_BASE_ID/search \\
  -H "Authorization: Bearer $NEUROCACHE_API_KEY" -H "Content-Type: application/json" \\
  -d '{"query": "refund window", "limit": 5}'
curl ${origin}/api/v1/knowledge/KNOWLEDGE_BASE_ID/documents \\
  -H "Authorization: Bearer $NEUROCACHE_API_KEY" -F file=@handbook.pdf -F file=@faq.md

# Ask a whole channel: every agent answers, then one answer is composed
curl ${origin}/api/v1/channels/CHANNEL_ID/query \\
  -H "Authorization: Bearer $NEUROCACHE_API_KEY" -H "Content-Type: application/json" \\
  -d '{"question": "What are the risks of shipping on Friday?"}'`,
  },
  {
    title: 'TypeScript (the official openai SDK)',
    code: `import OpenAI from 'openai';

const client = new OpenAI({ apiKey: process.env.NEUROCACHE_API_KEY, baseURL: '${origin}/api/v1' });

// Models are your agents (agent:<id>) and channels (channel:<id>)
for await (const model of client.models.list()) console.log(model.id);

const stream = await client.chat.completions.create({
  model: 'channel:CHANNEL_ID', // a whole team of agents as one model
  messages: [{ role: 'user', content: 'What are the risks of shipping on Friday?' }],
  stream: true,
});
for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');`,
  },
  {
    title: 'Python (the official openai SDK)',
    code: `import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["NEUROCACHE_API_KEY"], base_url="${origin}/api/v1")

reply = client.chat.completions.create(
    model="agent:AGENT_ID",
    messages=[{"role": "user", "content": "Summarise our launch plan"}],
)
print(reply.choices[0].message.content)`,
  },
];

/** How to reach agents and channels from code, with the OpenAPI document one click away. */
export function ApiDocs() {
  // The hub's own origin in the browser; a placeholder while rendering on the server.
  const origin = useSyncExternalStore(
    () => () => {},
    () => window.location.origin,
    () => 'https://your-hub',
  );
  return (
    <div className="flex min-h-0 flex-1 flex-col gap-5 overflow-y-auto px-6 py-5" data-testid="api-docs">
      <header>
        <h1 className="text-lg font-semibold">Neurocache API</h1>
        <p className="text-sm text-gray-600 dark:text-gray-300">
          Authenticate with <code>Authorization: Bearer nc_…</code> (make a key on the API keys page). Endpoints: <code>GET /api/v1/agents</code>,{' '}
          <code>POST /api/v1/agents/:id/chat</code> (an agent with knowledge answers with <code>citations</code>), <code>POST /api/v1/channels/:id/query</code>,{' '}
          <code>GET /api/v1/knowledge</code>, <code>POST /api/v1/knowledge/:id/search</code>, <code>POST /api/v1/knowledge/:id/documents</code>, and the OpenAI-compatible <code>GET /api/v1/models</code> and{' '}
          <code>POST /api/v1/chat/completions</code>. Errors are <code>{'{"error": {"code", "message"}}'}</code>; every answer carries RateLimit headers, and 429 carries Retry-After.
        </p>
        <p className="mt-2 text-sm">
          The full reference:{' '}
          <a className="text-sky-600 hover:underline dark:text-sky-400" href="/api/v1/openapi.json" data-testid="openapi-link">
            OpenAPI 3.1 document
          </a>
          .
        </p>
      </header>
      {examples(origin).map((example) => (
        <section key={example.title}>
          <h2 className="mb-1 text-sm font-semibold">{example.title}</h2>
          <pre className="overflow-x-auto rounded-lg bg-gray-900 p-3 text-xs text-gray-100" data-testid="api-example">
            <code>{example.code}</code>
          </pre>
        </section>
      ))}
    </div>
  );
}
