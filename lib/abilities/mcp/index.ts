import 'server-only';

/*
 * MCP tools for agents (issue 11, point 7): people's Streamable HTTP servers, reached only at
 * public addresses with their headers sealed at rest, and the deployment's own stdio servers
 * (MCP_SERVERS), offered to the tool loop as one namespaced ToolSet.
 */

export { callTool, connectMcp, listTools, resultText, MAX_RESULT_CHARS, type McpCallOptions, type McpConnectOptions, type McpConnection, type McpHttpConfig, type McpTool } from './client';
export { McpToolError, type McpErrorCode } from './errors';
export { decryptHeaders, encryptHeaders, normalizeMcpHeaders, redactHeaders, type McpHeaders } from './headers';
export { connectStdio, parseMcpServersConfig, type StdioConnectOptions, type StdioServerConfig } from './stdio';
export { assignToolNames, mcpToolName, mcpToolSet, sanitizeInputSchema, type McpServerEntry, type McpServerStatus, type McpToolSet, type McpToolSetOptions } from './tool-set';
