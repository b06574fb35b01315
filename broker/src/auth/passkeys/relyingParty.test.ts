import { describe, expect, it } from 'vitest';
import { parseRelyingParty, type RelyingPartyErrorCode } from './relyingParty';

function refusal(
  rpId: string,
  origins: string[] = [`https://${rpId}`],
): { code: RelyingPartyErrorCode; message: string } {
  const result = parseRelyingParty({ rpId, origins });
  if (result.ok) throw new Error(`expected ${rpId} / ${origins.join(' ')} to be refused`);
  return { code: result.error.code, message: result.error.message };
}

describe('the relying party', () => {
  it('accepts the broker DNS name with its https origins, normalised', () => {
    expect(
      parseRelyingParty({
        rpId: 'Broker.Example.com',
        origins: [
          'https://broker.example.com:7420/',
          'https://console.broker.example.com',
          'https://broker.example.com:7420',
        ],
      }),
    ).toEqual({
      ok: true,
      value: {
        rpId: 'broker.example.com',
        rpName: 'Fleetterm',
        origins: ['https://broker.example.com:7420', 'https://console.broker.example.com'],
      },
    });
  });

  it('accepts localhost over plain http for development and tests', () => {
    const result = parseRelyingParty({
      rpId: 'localhost',
      rpName: 'Fleetterm dev',
      origins: ['http://localhost:7420'],
    });
    expect(result.ok && result.value.origins).toEqual(['http://localhost:7420']);
  });

  it.each(['127.0.0.1', '10.1.2.3', '::1', '[::1]', 'fe80::1'])(
    'refuses the IP address %s as RP ID and says why',
    (ip) => {
      const { code, message } = refusal(ip, ['https://broker.example.com']);
      expect(code).toBe('RP_ID_IP_ADDRESS');
      expect(message).toMatch(/WebAuthn does not allow IP addresses as RP IDs/);
      expect(message).toMatch(/DNS name/);
      expect(message).toMatch(/localhost for development/);
    },
  );

  it('refuses an RP ID written as a URL or with a port', () => {
    expect(refusal('https://broker.example.com').code).toBe('RP_ID_INVALID');
    expect(refusal('broker.example.com:7420').message).toMatch(/without scheme, port or path/);
    expect(refusal('bad_name.example').code).toBe('RP_ID_INVALID');
    expect(refusal('').code).toBe('RP_ID_INVALID');
  });

  it('refuses plain http beyond localhost, and custom schemes', () => {
    expect(refusal('broker.example.com', ['http://broker.example.com']).code).toBe('ORIGIN_INSECURE');
    expect(refusal('localhost', ['app://localhost']).code).toBe('ORIGIN_INSECURE');
  });

  it('refuses origins that are not on the RP ID, or are IP addresses', () => {
    const foreign = refusal('broker.example.com', ['https://evil.example.net']);
    expect(foreign.code).toBe('ORIGIN_FOREIGN');
    expect(foreign.message).toMatch(/must be broker\.example\.com or a name under it/);
    // A suffix that is not a label boundary is another domain.
    expect(refusal('example.com', ['https://notexample.com']).code).toBe('ORIGIN_FOREIGN');
    expect(refusal('broker.example.com', ['https://192.168.1.5:7420']).code).toBe('ORIGIN_FOREIGN');
  });

  it('refuses origins with a path, query or credentials, and an empty list', () => {
    expect(refusal('localhost', ['http://localhost:7420/signin']).code).toBe('ORIGIN_INVALID');
    expect(refusal('localhost', ['not a url']).code).toBe('ORIGIN_INVALID');
    expect(refusal('localhost', []).code).toBe('ORIGINS_MISSING');
  });
});
