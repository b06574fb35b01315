import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { readQrSvg } from './qrCode';

// The broker makes its QR codes exactly so (broker/src/auth/totp/totpService.ts).
const brokerSvg = (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });

describe('reading the broker’s QR code', () => {
  it('keeps the size and the path commands of a real code', async () => {
    const drawing = readQrSvg(
      await brokerSvg('otpauth://totp/Fleetterm:alice?secret=JBSWY3DPEHPK3PXP&issuer=Fleetterm'),
    );
    expect(drawing?.size).toBeGreaterThan(20);
    expect(drawing?.shapes.map((shape) => shape.paint)).toEqual(['fill', 'stroke']);
    expect(drawing?.shapes[1]?.d).toMatch(/^M2 2\.5h7/);
  });

  it('refuses anything that could carry markup or script instead of drawing it', () => {
    const head = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 25">';
    expect(readQrSvg(`${head}<path stroke="#000000" d="M2 2.5h7"/></svg>`)).toBeDefined();
    expect(readQrSvg(`${head}<path stroke="#000000" d="M2 2.5h7&quot; onload=&quot;x"/></svg>`)).toBeUndefined();
    expect(readQrSvg(`${head}<path stroke="#000000" d="url(javascript:1)"/></svg>`)).toBeUndefined();
    expect(readQrSvg(`${head}<script>alert(1)</script></svg>`)).toBeUndefined();
    expect(readQrSvg('<svg viewBox="0 0 900 900"><path stroke="#000" d="M0 0h1"/></svg>')).toBeUndefined();
    expect(readQrSvg('not svg at all')).toBeUndefined();
  });
});
