import { readQrSvg } from './qrCode';

export interface QrCodeProps {
  /** The broker's SVG document; only its numbers and path commands are used (see qrCode.ts). */
  svg: string;
  label: string;
}

/** A QR code drawn by React from the broker's SVG, dark on light whatever the page's theme. */
export function QrCode({ svg, label }: QrCodeProps) {
  const drawing = readQrSvg(svg);
  if (!drawing) {
    return (
      <p role="alert" className="card__error">
        The QR code could not be shown; type the secret below into the app instead.
      </p>
    );
  }
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${drawing.size} ${drawing.size}`}
      shapeRendering="crispEdges"
    >
      {drawing.shapes.map((shape, index) =>
        shape.paint === 'fill' ? (
          <path key={index} d={shape.d} fill="#ffffff" />
        ) : (
          <path key={index} d={shape.d} stroke="#000000" fill="none" />
        ),
      )}
    </svg>
  );
}
