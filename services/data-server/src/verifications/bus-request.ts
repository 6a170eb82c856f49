/**
 * The bus request a piece of work answers. A redelivered one reached a server that died before
 * answering: what that server did is found again by the id instead of being done twice.
 */
export interface BusRequest {
  id: string;
  redelivered: boolean;
}
