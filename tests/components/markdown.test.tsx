/** @jest-environment jsdom */
import { renderMarkdown } from '@/components/ui/markdown';

describe('renderMarkdown', () => {
  it('renders the markdown people use in chat', () => {
    const html = renderMarkdown('**bold** _em_ `code`\n\n- a\n- b\n\n> quote\n\n[site](https://example.com)')!;
    const doc = new DOMParser().parseFromString(html, 'text/html');
    expect(doc.querySelector('strong')?.textContent).toBe('bold');
    expect(doc.querySelector('em')?.textContent).toBe('em');
    expect(doc.querySelector('code')?.textContent).toBe('code');
    expect(doc.querySelectorAll('li')).toHaveLength(2);
    expect(doc.querySelector('blockquote')).not.toBeNull();
    const link = doc.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://example.com');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it.each([
    ['script', '<script>alert(1)</script>hi', 'script'],
    ['event handler', '<p onclick="alert(1)">x</p>', '[onclick]'],
    ['class that could cover the page', '<div class="fixed inset-0 z-50">Session expired</div>', '[class]'],
    ['style', '<span style="position:fixed">x</span>', '[style]'],
    ['video poster (a tracking load)', '<video poster="https://tracker.example/p.gif"></video>', 'video'],
    ['image', '![x](https://tracker.example/p.gif)', 'img'],
    ['javascript link', '[click](javascript:alert(1))', 'a[href]'],
    ['iframe', '<iframe src="https://example.com"></iframe>', 'iframe'],
    ['form', '<form action="https://evil.example"><input name=p></form>', 'form, input'],
  ])('strips %s', (_name, source, selector) => {
    const doc = new DOMParser().parseFromString(renderMarkdown(source)!, 'text/html');
    expect(doc.querySelector(selector)).toBeNull();
  });
});
