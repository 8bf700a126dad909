import 'server-only';
import { z } from 'zod';
import { abilityIds } from '@/lib/contracts/abilities';
import { idSchema } from '@/lib/ids';
import { isBlank, storableText } from '@/lib/validation/text';

/** The model an agent uses when none is chosen; any OpenAI-compatible model name is accepted. */
export const DEFAULT_MODEL = 'gpt-4o-mini';

export const agentHandle = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]{2,32}$/, 'Use 2 to 32 lowercase letters, digits or hyphens.');

const agentFields = {
  name: storableText()
    .trim()
    .max(80, 'Use at most 80 characters.')
    .refine((value) => !isBlank(value), 'Enter a name.'),
  handle: agentHandle,
  description: storableText().trim().max(1000, 'Use at most 1000 characters.'),
  instructions: storableText().max(16_000, 'Use at most 16000 characters.'),
  model: storableText().trim().min(1, 'Enter a model name.').max(100, 'Use at most 100 characters.'),
  temperature: z.number({ error: 'temperature must be a number.' }).min(0, 'Use 0 to 2.').max(2, 'Use 0 to 2.'),
  avatar: z.url({ protocol: /^https?$/, message: 'Use an http(s) image URL.' }).max(500).nullable(),
  knowledgeBaseIds: z
    .array(idSchema('Not a valid knowledge base id.'), { error: 'knowledgeBaseIds must be a list of ids.' })
    .max(20, 'Give an agent at most 20 knowledge bases.')
    .transform((ids) => [...new Set(ids)]),
  abilities: z
    .array(z.enum(abilityIds, { error: `Abilities are ${abilityIds.join(', ')}.` }), { error: 'abilities must be a list.' })
    .max(abilityIds.length)
    .transform((ids) => abilityIds.filter((id) => ids.includes(id))),
  mcpServerIds: z
    .array(idSchema('Not an id of one of your MCP servers (the deployment’s own need none: every agent with MCP tools has them).'), { error: 'mcpServerIds must be a list of ids.' })
    .max(20, 'Give an agent at most 20 MCP servers.')
    .transform((ids) => [...new Set(ids)]),
};

export const createAgentInput = z.object({
  name: agentFields.name,
  handle: agentFields.handle,
  instructions: agentFields.instructions,
  description: agentFields.description.optional(),
  model: agentFields.model.optional(),
  temperature: agentFields.temperature.optional(),
  avatar: agentFields.avatar.optional(),
  knowledgeBaseIds: agentFields.knowledgeBaseIds.optional(),
  abilities: agentFields.abilities.optional(),
  mcpServerIds: agentFields.mcpServerIds.optional(),
});

export const updateAgentInput = z
  .object(agentFields)
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'Give at least one field to change.');
