'use client';

import { Alert, Button, Label, TextInput } from 'flowbite-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { toApiError } from '@/lib/http/client';
import { useStores } from '@/stores/context';

type Mode = 'sign-in' | 'sign-up';

export function AuthForm({ mode }: { mode: Mode }) {
  const { user } = useStores();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      if (mode === 'sign-up') await user.signUp({ name: String(form.get('name') ?? ''), email, password });
      else await user.signIn({ email, password });
      router.replace('/hub');
      router.refresh();
    } catch (err) {
      const apiError = toApiError(err);
      setError(apiError.message);
      if (apiError.details && typeof apiError.details === 'object') setFieldErrors(apiError.details as Record<string, string[]>);
      setBusy(false);
    }
  }

  const field = (name: string) => fieldErrors[name]?.[0];
  return (
    <form onSubmit={onSubmit} className="flex w-full max-w-sm flex-col gap-4" noValidate data-testid={`${mode}-form`}>
      <h1 className="text-2xl font-semibold">{mode === 'sign-up' ? 'Create your account' : 'Sign in to Neurocache'}</h1>
      {error && (
        <Alert color="failure" data-testid="auth-error">
          {error}
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
      <Button type="submit" disabled={busy} data-testid="auth-submit">
        {busy ? 'Please wait…' : mode === 'sign-up' ? 'Create account' : 'Sign in'}
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
