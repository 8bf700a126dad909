'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { toApiError, type ApiError } from '@/lib/http/client';

type ActionOptions<TVars, TResult> = {
  onSuccess?: (result: TResult, vars: TVars) => unknown;
  onError?: (error: ApiError, vars: TVars) => unknown;
  /**
   * The action ends this form's life (signing in, leaving a channel: the page navigates away), so
   * after it succeeds the button stays pending and `run` stays shut instead of offering it again.
   */
  final?: boolean;
};

/**
 * The one way a component runs a mutation (create, save, delete, sign in…): React Query's
 * `useMutation`, whose pending and error state the button and the form show, behind a
 * synchronous latch. The latch is needed because useMutation tells React it is pending only on
 * its next notification tick (a `setTimeout`), so a double click or a second Enter landing
 * before that would start the action twice; with it, `run` does nothing until the first call
 * has settled, whatever has been drawn yet.
 */
export function useAction<TVars = void, TResult = unknown>(action: (vars: TVars) => Promise<TResult>, options: ActionOptions<TVars, TResult> = {}) {
  const running = useRef(false);
  const mutation = useMutation<TResult, ApiError, TVars>({
    mutationFn: async (vars) => {
      try {
        return await action(vars);
      } catch (error) {
        throw toApiError(error);
      }
    },
    onSuccess: options.onSuccess,
    onError: options.onError,
    // Released once the action and its callbacks are done, even if the component is gone.
    onSettled: (_result, error) => {
      if (error || !options.final) running.current = false;
    },
  });

  function run(vars: TVars) {
    if (running.current) return;
    running.current = true;
    mutation.mutate(vars);
  }

  return {
    run,
    pending: mutation.isPending || (Boolean(options.final) && mutation.isSuccess),
    /** What the pending (or last) run was given: which row's button shows the spinner. */
    variables: mutation.variables,
    error: mutation.error,
    reset: mutation.reset,
  };
}
