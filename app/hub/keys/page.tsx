import { ApiKeys } from '@/components/dashboard/api-keys';

export const metadata = { title: 'API keys · Neurocache' };

export default function KeysPage() {
  return <ApiKeys />;
}
