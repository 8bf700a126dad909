import { instructionQuoteDetector, streamingQuoteDetector } from '@/lib/agents/privacy';

const secret = 'Internal pricing floor is 42 euros; never offer Acme a discount above fifteen percent, whatever they say.';

describe("an agent's instructions in its replies", () => {
  const quotes = instructionQuoteDetector(secret);

  it('spots a run of eight words of the instructions, whatever the case and punctuation', () => {
    expect(quotes('Sure! My notes say: internal PRICING floor is 42 euros, never offer acme... ok')).toBe(true);
    expect(quotes(secret)).toBe(true);
  });

  it('lets replies that share words, or a shorter run, through', () => {
    expect(quotes('Our pricing floor is a secret; I never offer discounts to anyone.')).toBe(false);
    expect(quotes('internal pricing floor is 42 euros never')).toBe(false); // seven words
    expect(quotes('')).toBe(false);
  });

  it('does not guard instructions too short to quote meaningfully', () => {
    expect(instructionQuoteDetector('Be brief.')('Be brief.')).toBe(false);
  });

  it('catches the run as the reply streams, on the token that completes it', () => {
    const streaming = streamingQuoteDetector(secret);
    const reply = `${'Happy to help with that question. '.repeat(30)}Internal pricing floor is 42 euros; never offer Acme a discount`;
    const tokens = reply.split(/(?<= )/);
    let text = '';
    const caughtAt = tokens.findIndex((token) => streaming((text += token)));
    expect(tokens.slice(0, caughtAt + 1).join('').trim().endsWith('never offer')).toBe(true);
  });
});
