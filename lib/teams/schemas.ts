import 'server-only';
import { z } from 'zod';
import { isBlank, storableText } from '@/lib/validation/text';

/** The most a starter may give a run: model calls, tokens, seconds (the defaults are in lib/env). */
export const RUN_BUDGET_MAX = { steps: 500, tokens: 5_000_000, seconds: 3600 } as const;
export const MAX_GOAL_CHARS = 2000;

export const startRunInput = z.strictObject({
  goal: storableText()
    .trim()
    .max(MAX_GOAL_CHARS, `A goal is at most ${MAX_GOAL_CHARS} characters.`)
    .refine((value) => !isBlank(value), 'Give the run a goal.'),
  budget: z
    .strictObject({
      steps: z.number().int('Steps is a whole number.').min(2, 'A run needs at least 2 steps (a plan and a task).').max(RUN_BUDGET_MAX.steps, `At most ${RUN_BUDGET_MAX.steps} steps.`).optional(),
      tokens: z.number().int('Tokens is a whole number.').min(100, 'A run needs at least 100 tokens.').max(RUN_BUDGET_MAX.tokens, `At most ${RUN_BUDGET_MAX.tokens} tokens.`).optional(),
      seconds: z.number().int('Seconds is a whole number.').min(5, 'A run needs at least 5 seconds.').max(RUN_BUDGET_MAX.seconds, `At most ${RUN_BUDGET_MAX.seconds} seconds.`).optional(),
    })
    .optional(),
  stream: z.boolean().optional(),
});
export type StartRunInput = z.infer<typeof startRunInput>;

/** What the supervisor's plan must look like (a model's JSON answer, untrusted). */
export const planAnswer = z.object({
  tasks: z
    .array(z.object({ title: z.string().trim().min(1).max(300), agent: z.string().trim().max(64).optional() }))
    .min(1),
});
