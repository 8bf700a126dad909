import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { authProvider, currentUser } from '@/lib/auth/server-session';

export default async function SignUpPage() {
  if (await currentUser()) redirect('/hub');
  if (authProvider() !== 'clerk') return <AuthForm mode="sign-up" />;
  // Imported only when Clerk is configured, so a hub without it ships none of Clerk's client.
  const { SignUp } = await import('@clerk/nextjs');
  return <SignUp fallbackRedirectUrl="/hub" />;
}
