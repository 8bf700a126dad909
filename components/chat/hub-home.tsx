'use client';

import { observer } from 'mobx-react-lite';
import { useStores } from '@/stores/context';
import { useChannels } from './use-channels';

export const HubHome = observer(function HubHome() {
  const { user } = useStores();
  const { data: channels } = useChannels();
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
      <h1 className="text-2xl font-semibold">Welcome{user.user ? `, ${user.user.name}` : ''}</h1>
      <p className="max-w-md text-gray-500 dark:text-gray-400">
        {channels?.length
          ? 'Pick a channel in the sidebar to read and send messages.'
          : 'Create your first channel with the + in the sidebar, then invite people by email.'}
      </p>
    </div>
  );
});
