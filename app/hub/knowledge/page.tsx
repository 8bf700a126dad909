import { KnowledgePage } from '@/components/knowledge/knowledge-page';

export const metadata = { title: 'Knowledge · Neurocache' };

export default function KnowledgeIndexPage() {
  return <KnowledgePage />;
}
