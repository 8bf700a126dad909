import '@testing-library/jest-dom';

// The suites sign up hundreds of people from 127.0.0.1 and send fast, and on Postgres + Redis the
// throttles' logs are shared by every suite (and every run within a window). The limits stay in
// force, only high; the tests of each limit set it low themselves (tests/helpers/env.ts).
// Set before any suite parses the environment (env() reads process.env on first use), and
// inherited by hubs the suites spawn.
const generous: Record<string, string> = {
  AUTH_SIGNIN_ACCOUNT_LIMIT: '100000',
  AUTH_SIGNIN_ADDRESS_LIMIT: '100000',
  AUTH_SIGNUP_ADDRESS_LIMIT: '100000',
  SEND_RATE_LIMIT_MESSAGES: '100000',
};
for (const [name, value] of Object.entries(generous)) process.env[name] ??= value;
