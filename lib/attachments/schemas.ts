import 'server-only';
import { z } from 'zod';
import { idSchema } from '@/lib/ids';

/** POST /api/attachments/:attachmentId/knowledge */
export const addToKnowledgeInput = z.object({ knowledgeBaseId: idSchema('Choose one of your knowledge bases.') });
