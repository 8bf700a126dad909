import { UsageDashboard } from '@/components/dashboard/usage-dashboard';

export const metadata = { title: 'Usage · Neurocache' };

export default function DashboardPage() {
  return <UsageDashboard />;
}
