/**
 * Clerk's components, imported from here only: a build made without
 * NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY resolves this module to ./clerk-off (next.config.js), so no
 * page ships Clerk's client when Clerk is not configured. Like every NEXT_PUBLIC_ variable, the
 * key is read when the app is built.
 */
export { ClerkProvider, SignIn, SignOutButton, SignUp } from '@clerk/nextjs';
