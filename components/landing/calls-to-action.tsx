import Link from 'next/link';

const primary =
  'inline-flex items-center justify-center rounded-lg bg-sky-600 font-medium text-white shadow-lg shadow-sky-600/20 hover:bg-sky-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400';
const secondary =
  'inline-flex items-center justify-center rounded-lg border border-gray-300 font-medium text-gray-800 hover:bg-gray-100 dark:border-gray-700 dark:text-gray-100 dark:hover:bg-gray-800';

/** Signed in: straight to the hub. Otherwise: make a hub, or sign in to yours. */
export function CallsToAction({ signedIn, large = false, testId }: { signedIn: boolean; large?: boolean; testId?: string }) {
  const size = large ? 'px-6 py-3 text-base' : 'px-4 py-2 text-sm';
  if (signedIn) {
    return (
      <div className="flex flex-wrap gap-3" data-testid={testId}>
        <Link href="/hub" className={`${primary} ${size}`}>Open the hub</Link>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap gap-3" data-testid={testId}>
      <Link href="/sign-up" className={`${primary} ${size}`}>Create your hub</Link>
      <Link href="/sign-in" className={`${secondary} ${size}`}>Sign in</Link>
    </div>
  );
}
