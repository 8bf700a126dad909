import { HubHome } from '@/components/chat/hub-home';

export default function HubPage() {
  return <HubHome />;
}
