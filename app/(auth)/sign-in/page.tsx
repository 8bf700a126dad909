import { SignIn } from '@/components/auth/clerk';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth/auth-form';
import { authProvider, currentUser } from '@/lib/auth/server-session';

export default async function SignInPage() {
  if (await currentUser()) redirect('/hub');
  return authProvider() === 'clerk' ? <SignIn fallbackRedirectUrl="/hub" /> : <AuthForm mode="sign-in" />;
}
