import { backoffDelay, classifySmtpError, defaultMarkDelayMs } from '../../../src/modules/mail/sender';

describe('sender rules', () => {
  it('when sends are 20 ms or more apart (50 per second or less), then each sent mark is written at once; faster, marks wait 20 ms to share an UPDATE', () => {
    expect([10, 20, 50].map(defaultMarkDelayMs)).toEqual([0, 0, 0]);
    expect([51, 1000, 1_000_000].map(defaultMarkDelayMs)).toEqual([20, 20, 20]);
  });

  it('when a send fails, then 5xx is permanent and 4xx, refused connections and timeouts are temporary, with the reply kept', () => {
    expect(
      classifySmtpError({ responseCode: 550, response: '550 Mottakeren finnes ikke', message: 'rejected' }),
    ).toEqual({
      kind: 'permanent',
      message: 'rejected',
      response: '550 Mottakeren finnes ikke',
    });
    expect(classifySmtpError({ responseCode: 421, response: '421 Prøv igjen', message: 'busy' }).kind).toBe(
      'temporary',
    );
    expect(classifySmtpError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toEqual({
      kind: 'temporary',
      message: 'connect ECONNREFUSED',
      response: null,
    });
  });

  it('when a mail is retried, then the wait doubles from the base and stops at the cap', () => {
    const minute = 60_000;
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, minute, 6 * 60 * minute))).toEqual([
      minute,
      2 * minute,
      4 * minute,
      8 * minute,
    ]);
    expect(backoffDelay(20, minute, 6 * 60 * minute)).toBe(6 * 60 * minute);
  });
});
