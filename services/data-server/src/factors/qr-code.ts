import QRCode from 'qrcode';

/** A QR code of `text` as an SVG document and as a PNG data URL, for the page that enrols an authenticator. */
export async function qrCodeOf(text: string): Promise<{ svg: string; png: string }> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const [svg, png] = await Promise.all([QRCode.toString(text, { ...options, type: 'svg' }), QRCode.toDataURL(text, options)]);
  return { svg, png };
}
