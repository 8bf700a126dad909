import { handOffMentions, ownWords, parseMentions } from '@/lib/mentions';

describe('hand-off mentions: only what a reply says in its own words', () => {
  it('keeps mentions in plain text, in order, once each', () => {
    expect(handOffMentions('Drafted. @critic please check, then @editor; thanks @critic.')).toEqual(['critic', 'editor']);
  });

  it('drops mentions inside inline code, fenced code, quoted lines and quotations', () => {
    const reply = ['You said: "ask @billing about it".', 'He wrote “ping @ops”.', '> @legal approved', 'Run `notify @pager` now.', '```', '@deploy --prod', '```', 'Over to @writer.'].join('\n');
    expect(parseMentions(reply)).toEqual(['billing', 'ops', 'legal', 'pager', 'deploy', 'writer']);
    expect(handOffMentions(reply)).toEqual(['writer']);
  });

  it('treats an unclosed fence as code to the end, and an unmatched quote mark as plain text', () => {
    expect(handOffMentions('Example:\n```\n@deploy now')).toEqual([]);
    expect(handOffMentions('It is 5" long; @writer take it.')).toEqual(['writer']);
    expect(ownWords('a `b` c')).toBe('a   c');
  });
});
