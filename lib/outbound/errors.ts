import 'server-only';

export type OutboundErrorCode = 'invalid_url' | 'blocked' | 'unreachable' | 'timeout' | 'too_large' | 'http_error';

/** Why an outbound request failed; the message is a sentence fit to show the person who asked. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;

const secondsText = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} second${ms === 1000 ? '' : 's'}` : `${+(ms / 1000).toFixed(1)} seconds`);

export const outboundErrors = {
  notAUrl: () => new OutboundError('invalid_url', 'That is not a valid web address.'),
  protocol: () => new OutboundError('invalid_url', 'Only http:// and https:// addresses can be fetched.'),
  credentials: () => new OutboundError('invalid_url', 'Addresses with a user name or password in them are not accepted.'),
  blocked: () => new OutboundError('blocked', 'That address is not public; the hub only fetches public web pages.'),
  notFound: (host: string) => new OutboundError('unreachable', `The address ${host} could not be found.`),
  unreachable: () => new OutboundError('unreachable', 'The site could not be reached.'),
  insecure: () => new OutboundError('unreachable', "The site's secure connection could not be verified."),
  encoding: () => new OutboundError('unreachable', 'The site answered in an encoding the hub cannot read.'),
  timeout: (ms: number) => new OutboundError('timeout', `The site took longer than ${secondsText(ms)} to answer.`),
  tooLarge: (maxBytes: number) => new OutboundError('too_large', `The page is larger than ${sizeText(maxBytes)}.`),
  status: (status: number) => new OutboundError('http_error', `The site answered ${status}.`, status),
  redirects: (max: number, status: number) => new OutboundError('http_error', `The site redirected more than ${max} times.`, status),
};
