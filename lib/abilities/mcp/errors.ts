import 'server-only';
import { ErrorCode, McpError as SdkMcpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolError } from '@/lib/ai/tools';
import { OutboundError } from '@/lib/outbound';

export type McpErrorCode =
  /** The server's configuration (URL, headers, MCP_SERVERS) cannot be used. */
  | 'invalid_config'
  /** The address is not public and not in OUTBOUND_ALLOW_HOSTS; nothing was sent. */
  | 'blocked'
  | 'unreachable'
  | 'timeout'
  | 'too_large'
  /** The server refused the credentials (401, 403). */
  | 'auth'
  | 'http_error'
  /** The server answered, but not as an MCP server would. */
  | 'protocol'
  /** The tool ran and reported a failure (`isError`). */
  | 'tool_error';

/**
 * Why an MCP server or one of its tools could not be used. The message is a sentence fit to show
 * the person and to hand to the model (a ToolError, so the tool loop uses it as it is): it never
 * carries header values, stacks or raw protocol dumps. A tool's own error text is kept, cut
 * short, since it is the answer the model asked for (delimited as data by the loop).
 */
export class McpToolError extends ToolError {
  constructor(
    readonly code: McpErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'McpToolError';
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** One line of at most max characters, for text that came from a server. */
export const oneLine = (text: string, max: number) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Any failure of a connection or a request, as an McpToolError. A stop or deadline from the
 * caller's signal is answered with the signal's reason, so the caller recognises its own abort.
 */
export function mcpFailure(error: unknown, context: { server: string; timeoutMs: number; signal?: AbortSignal }): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (error instanceof McpToolError) return error;
  const server = `The MCP server "${oneLine(context.server, 80)}"`;
  if (error instanceof OutboundError) {
    switch (error.code) {
      case 'blocked':
        return new McpToolError('blocked', `${server} is not at a public address; the hub only connects to public MCP servers.`);
      case 'invalid_url':
        return new McpToolError('invalid_config', `${server} has an address the hub cannot use: ${error.message}`);
      case 'timeout':
        return new McpToolError('timeout', `${server} took longer than ${seconds(context.timeoutMs)} to answer.`);
      case 'too_large':
        return new McpToolError('too_large', `${server} sent an answer larger than the hub accepts.`);
      default:
        return new McpToolError('unreachable', `${server} could not be reached.`);
    }
  }
  if (error instanceof StreamableHTTPError) {
    const status = error.code;
    if (status === 401 || status === 403) return new McpToolError('auth', `${server} refused the hub's credentials (${status}); check the headers it was given.`, status);
    if (status === undefined || status === -1) return new McpToolError('protocol', `${server} did not answer as an MCP server.`);
    if (/redirect/i.test(error.message)) return new McpToolError('http_error', `${server} redirected the hub to another address, which is not followed.`, status);
    return new McpToolError('http_error', `${server} answered ${status}.`, status);
  }
  if (error instanceof SdkMcpError) {
    if (error.code === ErrorCode.RequestTimeout) return new McpToolError('timeout', `${server} took longer than ${seconds(context.timeoutMs)} to answer.`);
    if (error.code === ErrorCode.ConnectionClosed) return new McpToolError('unreachable', `${server} closed the connection.`);
    if (error.code === ErrorCode.MethodNotFound) return new McpToolError('protocol', `${server} does not offer that request.`);
    if (error.code === ErrorCode.InvalidParams) return new McpToolError('tool_error', `${server} refused the request: ${oneLine(error.message.replace(/^MCP error -?\d+:\s*/, ''), 300)}`);
    return new McpToolError('protocol', `${server} answered with an error.`);
  }
  return new McpToolError('protocol', `${server} could not be used.`);
}
