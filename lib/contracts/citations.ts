/**
 * A source a reply drew on, numbered as its text cites it (`[n]`): a passage of a document in a
 * knowledge base, or a web page (issue 11). Stored on the message and sent as is (API.md).
 */
export type CitationJson = {
  n: number;
  documentId?: string;
  documentName?: string;
  chunkId?: string;
  /** The knowledge base of the document (to open it in the hub). */
  knowledgeBaseId?: string;
  url?: string;
  title?: string;
  excerpt: string;
  page?: number;
  heading?: string;
};
