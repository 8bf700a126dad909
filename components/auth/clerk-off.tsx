import type { ReactNode } from 'react';

/**
 * What ./clerk resolves to in a build made without NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY (see
 * next.config.js). The hub never renders these unless Clerk is configured at run time, and then
 * the build is the wrong one: say so rather than sign nobody in.
 */
function wrongBuild(): never {
  throw new Error('Clerk is configured, but this build was made without NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: set it and run pnpm build again.');
}

export const ClerkProvider: (props: { publishableKey: string; children: ReactNode }) => ReactNode = wrongBuild;
export const SignIn: (props: { fallbackRedirectUrl?: string }) => ReactNode = wrongBuild;
export const SignUp: (props: { fallbackRedirectUrl?: string }) => ReactNode = wrongBuild;
export const SignOutButton: (props: { redirectUrl?: string; children?: ReactNode }) => ReactNode = wrongBuild;
