import { AgentRoster } from '@/components/agents/agent-roster';

export const metadata = { title: 'Agents · Neurocache' };

export default function AgentsPage() {
  return <AgentRoster />;
}
