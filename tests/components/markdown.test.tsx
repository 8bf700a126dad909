/** @jest-environment jsdom */
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Markdown, renderMarkdown } from '@/components/ui/markdown';

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

describe('Markdown (reading comfort)', () => {
  const savedHosts = process.env.NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS;
  afterEach(() => {
    process.env.NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS = savedHosts;
  });

  it('renders a table in a frame that scrolls sideways, with its alignment', () => {
    render(<Markdown source={'| Plan | Price |\n| :--- | ---: |\n| Team | 8 € |\n| Pro | 12 € |'} />);
    const frame = screen.getByTestId('markdown-table');
    expect(frame).toHaveClass('md-table-wrap');
    const table = within(frame).getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Plan', 'Price']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getAllByRole('cell')[1]).toHaveStyle({ textAlign: 'right' });
  });

  it('highlights a fenced code block by its language and copies the code as written', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const code = 'const answer = 42; // <b>not html</b>\nfunction f() { return "x"; }';
    render(<Markdown source={'```ts\n' + code + '\n```'} />);
    const block = screen.getByTestId('code-block');
    // The highlighter loads with the first code block.
    await waitFor(() => expect(block).toHaveAttribute('data-highlighted', 'true'));
    expect(block).toHaveAttribute('data-language', 'ts');
    expect(block.querySelector('code.hljs .hljs-keyword')?.textContent).toBe('const');
    expect(block.querySelector('.hljs-number')?.textContent).toBe('42');
    expect(block.querySelector('.hljs-comment')?.textContent).toBe('// <b>not html</b>');
    expect(block.querySelector('code b')).toBeNull();
    await userEvent.click(within(block).getByTestId('copy-code'));
    expect(writeText).toHaveBeenCalledWith(code);
    expect(within(block).getByTestId('copy-code')).toHaveTextContent('Copied');
  });

  it('shows a block in an unknown language as plain code, still with Copy', async () => {
    render(<Markdown source={'```klingon\nqapla <x>\n```'} />);
    const block = screen.getByTestId('code-block');
    await waitFor(() => expect(block).toHaveAttribute('data-highlighted', 'true'));
    expect(block.querySelector('code')?.textContent).toBe('qapla <x>');
    expect(block.querySelector('[class^=hljs-]')).toBeNull();
    expect(within(block).getByTestId('copy-code')).toBeInTheDocument();
  });

  it('shows images from the hub itself, small data images and listed hosts', () => {
    process.env.NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS = 'images.example.com, *.cdn.example.org';
    const dot = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    render(<Markdown source={`![chart](/api/attachments/0190a000-0000-7000-8000-000000000001) ![dot](${dot}) ![cat](https://images.example.com/cat.png) ![dog](https://a.cdn.example.org/d.png)`} />);
    const images = screen.getAllByTestId('markdown-image');
    expect(images.map((img) => img.getAttribute('alt'))).toEqual(['chart', 'dot', 'cat', 'dog']);
    expect(images[2]).toHaveAttribute('src', 'https://images.example.com/cat.png');
    expect(images[2]).toHaveAttribute('referrerpolicy', 'no-referrer');
    expect(screen.queryByTestId('refused-image')).toBeNull();
  });

  it('turns an image from anywhere else into a link with its alt text, never a silent gap', () => {
    process.env.NEXT_PUBLIC_MARKDOWN_IMAGE_HOSTS = 'images.example.com';
    render(<Markdown source={'![pixel](https://tracker.example/p.gif) ![plain](http://images.example.com/a.png) ![svg](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) ![x](javascript:alert(1))'} />);
    expect(screen.queryByTestId('markdown-image')).toBeNull();
    const links = screen.getAllByTestId('refused-image');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Image: pixel', 'https://tracker.example/p.gif'],
      ['Image: plain', 'http://images.example.com/a.png'],
    ]);
    expect(links[0]).toHaveAttribute('rel', expect.stringContaining('noopener'));
    // Neither a web address nor allowed: the alt text says an image was there.
    expect(screen.getByTestId('message-body')).toHaveTextContent('[Image: svg] [Image: x]');
  });

  it.each([
    ['<b>hi</b> there', '<b>hi</b> there', 'b'],
    ['<script>alert(1)</script>', '<script>alert(1)</script>', 'script'],
    ['<div class="fixed inset-0">Session expired</div>', '<div class="fixed inset-0">Session expired</div>', '[class]'],
    ['a <img src=x onerror=alert(1)> b', 'a <img src=x onerror=alert(1)> b', 'img'],
  ])('shows HTML-looking text %s as the text that was typed', (source, shown, selector) => {
    render(<Markdown source={source} />);
    const body = screen.getByTestId('message-body');
    expect(body).toHaveTextContent(shown);
    expect(body.querySelector(selector)).toBeNull();
  });
});
