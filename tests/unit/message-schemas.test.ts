import { MAX_MESSAGE_CHARS } from '@/lib/contracts/messages';
import { editMessageInput, listMessagesQuery, messageContent, sendMessageInput } from '@/lib/messages/schemas';

const ok = (value: unknown) => messageContent.safeParse(value).success;
const firstMessage = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues[0]?.message;

describe('messageContent', () => {
  it('allows 1 to 4000 characters once trimmed', () => {
    expect(MAX_MESSAGE_CHARS).toBe(4000);
    expect(ok('a')).toBe(true);
    expect(ok('x'.repeat(4000))).toBe(true);
    expect(ok('x'.repeat(4001))).toBe(false);
    expect(ok('')).toBe(false);
    expect(ok(' \n\t\u00a0 ')).toBe(false);
  });

  it('counts only the trimmed text against the limit but keeps the text verbatim', () => {
    const padded = `   ${'x'.repeat(4000)}\n\n`;
    expect(messageContent.parse(padded)).toBe(padded);
    expect(messageContent.parse('  hi  ')).toBe('  hi  ');
    expect(ok(`  ${'x'.repeat(4001)}  `)).toBe(false);
  });

  it('counts code points, not UTF-16 units', () => {
    expect('😀'.repeat(4000).length).toBe(8000);
    expect(ok('😀'.repeat(4000))).toBe(true);
    expect(ok('😀'.repeat(4001))).toBe(false);
    expect(ok(`${'é'.repeat(3999)}😀`)).toBe(true);
  });

  it('refuses non-text with a clear message and keeps markup untouched', () => {
    for (const value of [undefined, null, 42, ['a'], { text: 'a' }]) expect(ok(value)).toBe(false);
    expect(firstMessage(messageContent.safeParse(42))).toBe('Content must be text.');
    expect(firstMessage(messageContent.safeParse('   '))).toBe('A message cannot be empty.');
    expect(firstMessage(messageContent.safeParse('x'.repeat(4001)))).toMatch(/at most 4000/);
    expect(messageContent.parse('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});

describe('blank text', () => {
  // Each renders as nothing; alone, or all together, they make an empty message.
  const invisible = [
    '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\u2061', '\u2062', '\u2063', '\u2064',
    '\ufe0f', '\ufe00', '\u{e0100}', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u061c', '\u034f', '\u3164', '\u{e0041}',
    // Deprecated format controls, interlinear annotation, the blank Braille pattern, shorthand format controls.
    '\u206a', '\u206f', '\ufff9', '\ufffb', '\u2800', '\u{1bca0}', '\u{1bca3}', '\u115f', '\uffa0',
  ];

  it('counts messages of only zero-width or invisible characters (and whitespace) as empty', () => {
    for (const char of invisible) {
      const hex = char.codePointAt(0)!.toString(16);
      expect([hex, firstMessage(messageContent.safeParse(char.repeat(3)))]).toEqual([hex, 'A message cannot be empty.']);
    }
    expect(ok(` ${invisible.join('')}\n\t `)).toBe(false);
    expect(editMessageInput.safeParse({ content: '\u200b\u200b' }).success).toBe(false);
  });

  it('keeps anything visible, joined or decorated by those characters, verbatim', () => {
    for (const text of ['a\u200b', '\u2764\ufe0f', '\u{1f469}\u200d\u{1f4bb}', '\u200fשלום', 'x\u00ad', '\u3000.']) {
      expect([text, messageContent.parse(text)]).toEqual([text, text]);
    }
  });
});

describe('sendMessageInput and editMessageInput', () => {
  it('takes an optional clientId of 1..100 characters, trimmed', () => {
    expect(sendMessageInput.parse({ content: 'hi' })).toEqual({ content: 'hi' });
    expect(sendMessageInput.parse({ content: 'hi', clientId: '  abc ' })).toEqual({ content: 'hi', clientId: 'abc' });
    expect(sendMessageInput.safeParse({ content: 'hi', clientId: 'c'.repeat(100) }).success).toBe(true);
    expect(sendMessageInput.safeParse({ content: 'hi', clientId: 'c'.repeat(101) }).success).toBe(false);
    expect(sendMessageInput.safeParse({ content: 'hi', clientId: '' }).success).toBe(false);
    expect(sendMessageInput.safeParse({ content: 'hi', clientId: 5 }).success).toBe(false);
    expect(sendMessageInput.safeParse({ clientId: 'abc' }).success).toBe(false);
  });

  it('applies the same content rule to edits', () => {
    expect(editMessageInput.parse({ content: ' edited ' })).toEqual({ content: ' edited ' });
    expect(editMessageInput.safeParse({ content: '' }).success).toBe(false);
    expect(editMessageInput.safeParse({ content: 'x'.repeat(4001) }).success).toBe(false);
    expect(editMessageInput.safeParse({}).success).toBe(false);
  });
});

describe('listMessagesQuery', () => {
  const id = '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f6';
  const other = '0190c8a4-7b2e-7c3d-8e4f-a1b2c3d4e5f7';

  it('defaults the limit to 50 and coerces query strings', () => {
    expect(listMessagesQuery.parse({})).toEqual({ limit: 50 });
    expect(listMessagesQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(listMessagesQuery.parse({ limit: '200' }).limit).toBe(200);
    expect(listMessagesQuery.parse({ before: id })).toEqual({ limit: 50, before: id });
    expect(listMessagesQuery.parse({ after: id, limit: '10' })).toEqual({ limit: 10, after: id });
  });

  it('refuses limits outside 1..200 or not whole numbers', () => {
    for (const limit of ['0', '201', 'abc', '-1', '2.5', '', '1e3']) {
      const result = listMessagesQuery.safeParse({ limit });
      expect([limit, result.success]).toEqual([limit, false]);
      expect(result.error!.issues[0]!.path).toEqual(['limit']);
    }
  });

  it('takes cursors in any case and keeps their canonical spelling', () => {
    expect(listMessagesQuery.parse({ before: id.toUpperCase() })).toEqual({ limit: 50, before: id });
    const mixed = [...id].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    expect(mixed).not.toBe(id);
    expect(listMessagesQuery.parse({ after: mixed })).toEqual({ limit: 50, after: id });
  });

  it('refuses malformed cursors and before with after', () => {
    for (const cursor of ['abc', '123', `${id}x`, id.replace(/-/g, '')]) {
      expect(listMessagesQuery.safeParse({ before: cursor }).success).toBe(false);
      expect(listMessagesQuery.safeParse({ after: cursor }).success).toBe(false);
    }
    const both = listMessagesQuery.safeParse({ before: id, after: other });
    expect(both.success).toBe(false);
    expect(both.error!.issues[0]!.path).toEqual(['after']);
  });
});
