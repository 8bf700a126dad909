'use client';

import { Alert, Button, Label, TextInput } from 'flowbite-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { PendingLabel } from '@/components/ui/pending-label';
import { useAction } from '@/components/ui/use-action';
import { useStores } from '@/stores/context';

type Mode = 'sign-in' | 'sign-up';

export function AuthForm({ mode }: { mode: Mode }) {
  const { user } = useStores();
  const router = useRouter();
  // On success the page navigates away: the button stays pending until it has.
  const submit = useAction((input: { name: string; email: string; password: string }) => (mode === 'sign-up' ? user.signUp(input) : user.signIn(input)), {
    final: true,
    onSuccess: () => {
      router.replace('/hub');
      router.refresh();
    },
  });
  const fieldErrors = (submit.error?.details && typeof submit.error.details === 'object' ? submit.error.details : {}) as Record<string, string[]>;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    submit.run({ name: String(form.get('name') ?? ''), email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
  }

  const field = (name: string) => fieldErrors[name]?.[0];
  return (
    <form onSubmit={onSubmit} className="flex w-full max-w-sm flex-col gap-4" noValidate data-testid={`${mode}-form`}>
      <h1 className="text-2xl font-semibold">{mode === 'sign-up' ? 'Create your account' : 'Sign in to Neurocache'}</h1>
      {submit.error && (
        <Alert color="failure" data-testid="auth-error">
          {submit.error.message}
        </Alert>
      )}
      {mode === 'sign-up' && (
        <div>
          <Label htmlFor="name">Name</Label>
          <TextInput id="name" name="name" autoComplete="name" required color={field('name') ? 'failure' : undefined} />
          {field('name') && <p className="mt-1 text-sm text-red-500">{field('name')}</p>}
        </div>
      )}
      <div>
        <Label htmlFor="email">Email</Label>
        <TextInput id="email" name="email" type="email" autoComplete="email" required color={field('email') ? 'failure' : undefined} />
        {field('email') && <p className="mt-1 text-sm text-red-500">{field('email')}</p>}
      </div>
      <div>
        <Label htmlFor="password">Password</Label>
        <TextInput
          id="password"
          name="password"
          type="password"
          autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
          required
          minLength={mode === 'sign-up' ? 8 : undefined}
          color={field('password') ? 'failure' : undefined}
        />
        {field('password') && <p className="mt-1 text-sm text-red-500">{field('password')}</p>}
        {mode === 'sign-up' && !field('password') && <p className="mt-1 text-xs text-gray-500">At least 8 characters.</p>}
      </div>
      <Button type="submit" disabled={submit.pending} data-testid="auth-submit">
        <PendingLabel pending={submit.pending} idle={mode === 'sign-up' ? 'Create account' : 'Sign in'} busy={mode === 'sign-up' ? 'Creating your account…' : 'Signing in…'} />
      </Button>
      <p className="text-sm text-gray-500 dark:text-gray-400">
        {mode === 'sign-up' ? (
          <>Already have an account? <Link className="text-sky-600 hover:underline dark:text-sky-400" href="/sign-in">Sign in</Link></>
        ) : (
          <>New to Neurocache? <Link className="text-sky-600 hover:underline dark:text-sky-400" href="/sign-up">Create an account</Link></>
        )}
      </p>
    </form>
  );
}
