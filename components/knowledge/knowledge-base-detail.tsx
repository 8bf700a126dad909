'use client';

import { observer } from 'mobx-react-lite';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmAction } from '@/components/ui/confirm-action';
import { useAction } from '@/components/ui/use-action';
import type { KnowledgeBase } from '@/lib/api-types';
import { useStores } from '@/stores/context';
import { AddSourceForms } from './add-source-forms';
import { DocumentDropZone } from './document-drop-zone';
import { DocumentList } from './document-list';
import { plural } from './format';
import { KnowledgeBaseModal } from './knowledge-base-modal';
import { describeBytes } from '@/lib/bytes';
import { KnowledgeSearch } from './knowledge-search';

/** One base: its totals, rename and delete, the ways to add documents, its documents, and a search. */
export const KnowledgeBaseDetail = observer(function KnowledgeBaseDetail({ knowledgeBase }: { knowledgeBase: KnowledgeBase }) {
  const { knowledge } = useStores();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useAction(() => knowledge.remove(knowledgeBase.id), { final: true, onSuccess: () => router.replace('/hub/knowledge') });

  return (
    <div className="flex min-w-0 flex-col gap-5" data-testid="knowledge-base-detail" data-knowledge-base-id={knowledgeBase.id}>
      <header className="flex flex-col gap-1">
        <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1">
          <h2 className="min-w-0 break-words text-lg font-semibold" data-testid="knowledge-base-title">{knowledgeBase.name}</h2>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
            <button type="button" className="text-sky-700 hover:underline dark:text-sky-400" onClick={() => setEditing(true)} data-testid="edit-knowledge-base">
              Rename
            </button>
            <ConfirmAction
              confirming={confirming}
              onAsk={() => setConfirming(true)}
              onCancel={() => setConfirming(false)}
              onConfirm={() => remove.run()}
              pending={remove.pending}
              label="Delete"
              confirmLabel="Delete it"
              pendingLabel="Deleting…"
              question={`Delete ${knowledgeBase.name} and its ${plural(knowledgeBase.documentCount, 'document')}?`}
              testIds={{ ask: 'delete-knowledge-base', confirm: 'confirm-delete-knowledge-base' }}
            />
          </div>
        </div>
        {knowledgeBase.description && <p className="break-words text-sm text-gray-600 dark:text-gray-300">{knowledgeBase.description}</p>}
        <p className="text-xs text-gray-500 dark:text-gray-400" data-testid="knowledge-base-totals">
          {plural(knowledgeBase.documentCount, 'document')} · {plural(knowledgeBase.chunkCount, 'passage')} · {describeBytes(knowledgeBase.bytes)}
        </p>
        {remove.error && <p className="text-sm text-red-600 dark:text-red-400" role="alert">{remove.error.message}</p>}
      </header>
      <section aria-label="Add documents" className="flex flex-col gap-3">
        <DocumentDropZone onFiles={(files) => knowledge.upload(knowledgeBase.id, files)} />
        <AddSourceForms knowledgeBaseId={knowledgeBase.id} />
      </section>
      <DocumentList knowledgeBaseId={knowledgeBase.id} />
      <KnowledgeSearch key={knowledgeBase.id} knowledgeBaseId={knowledgeBase.id} />
      {editing && <KnowledgeBaseModal knowledgeBase={knowledgeBase} onClose={() => setEditing(false)} />}
    </div>
  );
});
