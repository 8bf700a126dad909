import { ApiDocs } from '@/components/dashboard/api-docs';

export const metadata = { title: 'API docs · Neurocache' };

export default function DocsPage() {
  return <ApiDocs />;
}
