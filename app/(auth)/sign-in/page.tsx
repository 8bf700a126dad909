import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { authProvider, currentUser } from '@/lib/auth/server-session';

export default async function SignInPage() {
  if (await currentUser()) redirect('/hub');
  if (authProvider() !== 'clerk') return <AuthForm mode="sign-in" />;
  // Imported only when Clerk is configured, so a hub without it ships none of Clerk's client.
  const { SignIn } = await import('@clerk/nextjs');
  return <SignIn fallbackRedirectUrl="/hub" />;
}
