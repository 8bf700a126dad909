import type { ApiClient } from './api-client';

/** A three-page policy whose facts each sit on one page (citations must name the right one). */
export const policyPages = [
  ['Acme Travel Policy', 'Employees book every flight through the travel portal.', 'Trains are preferred for trips under four hours.'],
  ['Refunds', 'The refund window is 30 days from the date of delivery.', 'Refunds go back to the card that paid.'],
  ['Expenses', 'Meal expenses are reimbursed up to 45 euros per day.', 'Keep every receipt for seven years.'],
];

export type Upload = { name: string; type: string; bytes: Uint8Array };

/** A multipart upload, as a browser's FormData sends it. */
export async function upload(baseUrl: string, client: ApiClient, knowledgeBaseId: string, files: Upload[]) {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([Buffer.from(file.bytes)], { type: file.type }), file.name);
  const response = await fetch(`${baseUrl}/api/knowledge/${knowledgeBaseId}/documents`, { method: 'POST', body: form, headers: { cookie: client.cookie } });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}
