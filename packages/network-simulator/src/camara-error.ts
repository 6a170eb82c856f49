/** One answer of a CAMARA API; errors carry CAMARA's `{status, code, message}` body. */
export interface CamaraAnswer {
  status: number;
  body: unknown;
}

export function camaraError(status: number, code: string, message: string): CamaraAnswer {
  return { status, body: { status, code, message } };
}

export const unauthenticated = (): CamaraAnswer =>
  camaraError(401, 'UNAUTHENTICATED', 'Request not authenticated due to missing, invalid, or expired credentials.');
