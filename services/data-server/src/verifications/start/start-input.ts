import type { VerificationStartV1 } from '@outband/contracts';

/** What a start needs: the bus request without its envelope, so internal callers fake none. */
export type StartInput = Omit<VerificationStartV1, 'type' | 'version'>;
