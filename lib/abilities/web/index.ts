import 'server-only';

/*
 * Web search and page reading (issue 11, point 3): search providers behind one port, page
 * reading through fetchPublic, and the tools the tool loop runs. Configuration comes in as
 * values (webSearchConfig(env())), so this module never reads the environment itself.
 */

export { braveProvider, createSearchProvider, describeWebSearch, searxngProvider, tavilyProvider, webSearchConfig, WEB_SEARCH_UNAVAILABLE, type WebSearchConfig, type WebSearchEnv } from './providers';
export { readPage, type PagePassage, type ReadPageErrorCode, type ReadPageOptions, type ReadPageResult } from './read-page';
export { readPageTool, runWebSearch, webSearchTool, type ReadPageToolOptions } from './tools';
export { deepResearch, deepResearchTool, researchQueries, type DeepResearchOptions, type DeepResearchResult, type ResearchSource } from './deep-research';
export { PageReadError, ToolInputError, WebSearchError, type ResearchActivity, type SearchProvider, type SearchProviderName, type SearchResult, type ToolResult, type WebSearchErrorCode, type WebTool } from './types';
