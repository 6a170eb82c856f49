import type { Knex } from '@outband/db';
import { writeOutcomes } from '../delivery/certificate.repository';
import type { FinalState } from './pending/pending-secret.store';
import { writeFinishes } from './verification.repository';

/** A verification's end as a check or a cancel records it with its audit row. */
export interface RecordedEnd {
  id: string;
  status: FinalState;
  at: Date;
  attempts?: number | undefined;
}

/** The ends of one audit transaction: each verification's final status, and its certificates' outcome. */
export async function recordedEnds(trx: Knex, ends: RecordedEnd[]): Promise<void> {
  await writeFinishes(trx, ends);
  await writeOutcomes(
    trx,
    ends.map((e) => ({ verificationId: e.id, outcome: e.status })),
  );
}
