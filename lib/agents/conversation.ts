import 'server-only';
import { deleteMessage, sendMessage } from '@/lib/messages';
import { abortReply, dispatchReplies } from './replies';

/*
 * A conversation with agents in it: storing and deleting messages is lib/messages' (below this
 * layer); what agents do about them is decided here, so messages never reach up into agents.
 */

/** Stores a person's message, then starts the agent replies it calls for (a repeat starts none). */
export async function postMessage(args: Parameters<typeof sendMessage>[0]): ReturnType<typeof sendMessage> {
  const result = await sendMessage(args);
  if (result.created) dispatchReplies(result.message);
  return result;
}

/** Deletes a message (a parent with its thread); a reply still streaming into any of them stops here. */
export async function removeMessage(args: Parameters<typeof deleteMessage>[0]): Promise<void> {
  const { deletedIds } = await deleteMessage(args);
  for (const id of deletedIds) abortReply(id);
}
