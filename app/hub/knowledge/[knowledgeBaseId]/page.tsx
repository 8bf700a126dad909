import { KnowledgePage } from '@/components/knowledge/knowledge-page';

export const metadata = { title: 'Knowledge · Neurocache' };

export default async function KnowledgeBasePage({ params }: { params: Promise<{ knowledgeBaseId: string }> }) {
  const { knowledgeBaseId } = await params;
  return <KnowledgePage selectedId={knowledgeBaseId} />;
}
