/** @jest-environment jsdom */
import { act, fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { citationHref } from '@/components/chat/citations';
import { MessageItem } from '@/components/chat/message-item';
import type { Citation, Message } from '@/lib/api-types';
import { queryKeys } from '@/stores/query-keys';
import { RootStore } from '@/stores/root-store';
import { renderWithStore } from '../helpers/render-hub';

const me = { id: '0190a000-0000-7000-8000-00000000000a', name: 'Rosa', email: 'rosa@example.com' };
const kb = '0190a000-0000-7000-8000-0000000000b1';

const handbook: Citation = {
  n: 1,
  documentId: '0190a000-0000-7000-8000-0000000000d1',
  documentName: 'handbook.pdf',
  knowledgeBaseId: kb,
  chunkId: 'c1',
  excerpt: 'Refunds are paid within 14 days of the return arriving.',
  page: 3,
  heading: 'Refunds',
};
const notes: Citation = { n: 2, documentId: '0190a000-0000-7000-8000-0000000000d2', documentName: 'notes.md', knowledgeBaseId: kb, excerpt: 'Shipping is free above 50 EUR.' };
const web: Citation = { n: 3, url: 'https://example.com/policy', title: 'Policy page', excerpt: 'The policy, as published.' };

function reply(content: string, citations: Citation[], author: Message['author'] = { kind: 'agent', id: 'agent-1', name: 'Helper', handle: 'helper' }): Message {
  return { id: '0190a000-0000-7000-8000-0000000000m1', channelId: 'ch', author, content, status: 'complete', citations, createdAt: new Date(0).toISOString() };
}

function show(message: Message, seed?: (store: RootStore) => void) {
  const store = new RootStore({ user: me });
  seed?.(store);
  renderWithStore(store, <ul><MessageItem message={message} canDelete={false} /></ul>);
}

describe('citations in an agent reply', () => {
  it('turns each cited [n] into a chip, leaves an [n] with no citation and one inside code as text', () => {
    show(reply('Refunds take 14 days [1] and shipping is free [2]. See also [7] and `items[1]`.', [handbook, notes]));
    const body = screen.getByTestId('message-body');
    const chips = within(body).getAllByTestId('citation-chip');
    expect(chips.map((chip) => chip.textContent)).toEqual(['1', '2']);
    expect(chips[0]).toHaveAccessibleName('Source 1: handbook.pdf');
    // No citation 7: the marker stays as written. In code, [1] is an index, not a source.
    expect(body).toHaveTextContent('See also [7] and items[1].');
    expect(body.querySelector('code')?.textContent).toBe('items[1]');
    expect(body.querySelector('code [data-testid=citation-chip]')).toBeNull();
  });

  it('shows the excerpt on hover, on focus and on a tap, and hides it on Escape', async () => {
    show(reply('Refunds take 14 days [1].', [handbook]));
    const chip = screen.getByTestId('citation-chip');
    expect(screen.queryByTestId('citation-popover')).toBeNull();

    await userEvent.hover(chip);
    const popover = screen.getByRole('tooltip');
    expect(popover).toHaveTextContent('[1] handbook.pdf');
    expect(popover).toHaveTextContent('page 3 · Refunds');
    expect(within(popover).getByTestId('citation-excerpt')).toHaveTextContent('Refunds are paid within 14 days of the return arriving.');
    expect(chip).toHaveAttribute('aria-expanded', 'true');
    expect(chip).toHaveAccessibleDescription(/Refunds are paid within 14 days/);
    await userEvent.unhover(chip);
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(screen.queryByRole('tooltip')).toBeNull();

    // Keyboard: focus opens it, Escape closes it and keeps focus on the chip.
    act(() => chip.focus());
    expect(screen.getByRole('tooltip')).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('tooltip')).toBeNull();
    expect(chip).toHaveFocus();

    // Touch: a tap opens it and it stays; a tap elsewhere closes it.
    act(() => chip.blur());
    fireEvent.click(chip);
    expect(screen.getByRole('tooltip')).toBeInTheDocument();
    await act(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(screen.getByRole('tooltip')).toBeInTheDocument();
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('tooltip')).toBeNull();
  });

  it('lists the sources under the reply, each opening its file at its page (or its web page) in a new tab', () => {
    show(reply('Both [2] and [1], and the web [3].', [notes, handbook, web]));
    const sources = screen.getAllByTestId('source');
    expect(sources.map((s) => s.textContent)).toEqual(['[1]handbook.pdf · page 3 · Refunds', '[2]notes.md', '[3]Policy page']);
    const links = screen.getAllByTestId('source-link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      `/api/knowledge/${kb}/documents/${handbook.documentId}/file#page=3`,
      `/api/knowledge/${kb}/documents/${notes.documentId}/file`,
      'https://example.com/policy',
    ]);
    for (const link of links) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link.getAttribute('rel')).toContain('noopener');
    }
  });

  it("names another person's document without a link (its file is theirs), and still links web pages", () => {
    const theirs = '0190a000-0000-7000-8000-0000000000b9';
    show(reply('From the handbook [1] and the web [3].', [handbook, web]), (store) =>
      // The viewer's own bases, as GET /api/knowledge answers them: the handbook's base is not among them.
      store.queryClient.setQueryData(queryKeys.knowledge, { knowledgeBases: [{ id: theirs, name: 'Mine' }], retrieval: { kind: 'full-text' } }),
    );
    const sources = screen.getAllByTestId('source');
    expect(within(sources[0]!).queryByTestId('source-link')).toBeNull();
    expect(within(sources[0]!).getByText('handbook.pdf')).toHaveAttribute('title', expect.stringMatching(/Only the owner/));
    expect(within(sources[1]!).getByTestId('source-link')).toHaveAttribute('href', 'https://example.com/policy');
  });

  it('never builds markup from the content or the citations', () => {
    const hostile: Citation = { n: 1, url: 'javascript:alert(1)', title: '<img src=x onerror="window.pwned=1">', excerpt: '<script>window.pwned=2</script>' };
    show(reply('<img src=x onerror="window.pwned=3">Look [1] <a href="javascript:alert(2)">here</a>', [hostile]));
    const body = screen.getByTestId('message-body');
    expect(body.querySelector('img, script')).toBeNull();
    expect(body.querySelector('a')?.getAttribute('href') ?? null).toBeNull();
    expect(citationHref(hostile)).toBeNull();
    // The source's name is text, and a javascript: url is no link at all.
    expect(screen.getByTestId('source')).toHaveTextContent('<img src=x onerror="window.pwned=1">');
    expect(screen.queryByTestId('source-link')).toBeNull();
    fireEvent.click(screen.getByTestId('citation-chip'));
    expect(screen.getByTestId('citation-excerpt').textContent).toBe('<script>window.pwned=2</script>');
    expect(document.querySelector('script')).toBeNull();
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('gives a person’s message no chips even if it carries citations', () => {
    show(reply('I read [1] somewhere.', [handbook], { kind: 'user', id: me.id, name: 'Rosa' }));
    expect(screen.queryByTestId('citation-chip')).toBeNull();
    expect(screen.queryByTestId('sources')).toBeNull();
    expect(screen.getByTestId('message-body')).toHaveTextContent('I read [1] somewhere.');
  });
});
