'use client';

import { observer } from 'mobx-react-lite';
import { useStores } from '@/stores/context';

function describe(names: string[]): string {
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export const TypingIndicator = observer(function TypingIndicator({ channelId }: { channelId: string }) {
  const { channels, messages } = useStores();
  const names = channels.typingIn(channelId);
  // Agents using tools say what they are doing: "Scout: Searching the web for …".
  const working = messages.workingIn(channelId);
  const doing = working.map((item) => (item.agent ? `${item.agent}: ${item.title}` : item.title)).join(' · ');
  return (
    <div className="h-5 truncate px-5 text-xs italic text-gray-500" aria-live="polite" data-testid="typing-indicator">
      {[names.length > 0 ? describe(names) : '', doing].filter(Boolean).join(' · ') || null}
    </div>
  );
});
